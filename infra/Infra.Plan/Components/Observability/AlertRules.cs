using System.Globalization;
using Infra.Plan.Kubernetes;
using Infra.Plan.Sizing;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Observability;

/// <summary>One alert: PromQL, how long it must hold, severity and what it means for calls.</summary>
public sealed record AlertRule(string Name, string Expr, string For, string Severity, string Summary);

/// <summary>
/// The PrometheusRule: Redis without a master (or with two), Sentinel quorum lost, an SFU or coturn node down,
/// and load near what the tier was sized for. Thresholds come from the spec and the capacity model, so a
/// bigger tier moves them with it.
/// </summary>
public static class AlertRules
{
    /// <summary>Share of the planned load (calls, participants) at which "near capacity" fires.</summary>
    public const double NearCapacityShare = 0.8;

    public const string Name = "matrix-rtc";

    public static IReadOnlyList<(string Group, IReadOnlyList<AlertRule> Rules)> Groups(ObservabilityInput input)
    {
        var inv = CultureInfo.InvariantCulture;
        var media = input.Site.MediaNamespace;
        var sfu = $"job=\"{ScrapeTargets.SfuJob}\",namespace=\"{media}\"";
        var coturn = $"job=\"{ScrapeTargets.CoturnJob}\",namespace=\"{media}\"";
        var groups = new List<(string, IReadOnlyList<AlertRule>)>();

        if (input.Redis.Mode == RedisMode.Managed)
        {
            var redis = $"job=\"{ScrapeTargets.RedisJob}\",namespace=\"{input.Site.Namespace}\"";
            groups.Add(("matrix-rtc.redis",
            [
                new("MatrixRtcRedisNoMaster", $"(sum(redis_instance_info{{{redis},role=\"master\"}}) or vector(0)) < 1", "1m", "critical",
                    "No Redis master: SFU nodes cannot share room state, new calls fail."),
                new("MatrixRtcRedisSplitBrain", $"sum(redis_instance_info{{{redis},role=\"master\"}}) > 1", "2m", "critical",
                    "More than one Redis master: room state diverges between SFU nodes."),
                new("MatrixRtcSentinelQuorumLost",
                    $"(sum(kube_pod_container_status_ready{{namespace=\"{input.Site.Namespace}\",pod=~\"{Names.Redis}-[0-9]+\",container=\"sentinel\"}}) or vector(0)) < {input.Redis.Quorum}",
                    "1m", "critical", $"Fewer than {input.Redis.Quorum} (the quorum) sentinels are ready: a failed master would not be replaced."),
            ]));
        }

        groups.Add(("matrix-rtc.media",
        [
            new("MatrixRtcSfuNodeDown", $"up{{{sfu}}} == 0", "2m", "critical",
                "An SFU node does not answer: its calls dropped and it takes no new ones."),
            new("MatrixRtcSfuNodesMissing", $"(count(up{{{sfu}}} == 1) or vector(0)) < {input.SfuReplicas}", "5m", "critical",
                $"Fewer than the {input.SfuReplicas} planned SFU node(s) are up: capacity is below the tier."),
            // coturn only where it runs: without host networking its alerts would fire forever.
            .. input.CoturnPeer is null ? Array.Empty<AlertRule>() :
            [
                new("MatrixRtcCoturnDown", $"up{{{coturn}}} == 0", "2m", "critical",
                    "A coturn node does not answer: clients behind strict NATs on that node cannot connect."),
                new("MatrixRtcCoturnNodesMissing", $"(count(up{{{coturn}}} == 1) or vector(0)) < {input.MediaNodeCount}", "5m", "warning",
                    $"coturn runs on fewer than the {input.MediaNodeCount} media node(s)."),
            ],
        ]));

        var participants = Math.Ceiling(input.Load.Participants * NearCapacityShare);
        var calls = Math.Ceiling(input.Load.Calls * NearCapacityShare);
        var cpu = (input.SfuCores * (1 - CapacityModel.TargetHeadroom)).ToString("0.##", inv);
        groups.Add(("matrix-rtc.capacity",
        [
            new("MatrixRtcParticipantsNearCapacity", $"sum(livekit_participant_total{{{sfu}}}) > {participants.ToString(inv)}", "10m", "warning",
                $"Participants above {Pct(NearCapacityShare)} of the {input.Load.Participants} the {input.Tier} tier is sized for: plan the next tier."),
            new("MatrixRtcCallsNearCapacity", $"sum(livekit_room_total{{{sfu}}}) > {calls.ToString(inv)}", "10m", "warning",
                $"Calls above {Pct(NearCapacityShare)} of the {input.Load.Calls} the {input.Tier} tier is sized for."),
            new("MatrixRtcSfuCpuNearLimit",
                $"max by (pod) (rate(container_cpu_usage_seconds_total{{namespace=\"{media}\",container=\"{Names.LivekitChart}\"}}[5m])) > {cpu}",
                "10m", "warning",
                $"An SFU uses more than {cpu} of its {input.SfuCores:0} CPUs (the capacity model's {Pct(CapacityModel.TargetHeadroom)} headroom is gone): media quality will suffer."),
        ]));
        if (input.Egress is { } egress)
        {
            groups.Add(("matrix-rtc.egress", EgressRules(input, egress)));
        }
        return groups;
    }

    /// <summary>
    /// Egress's own metrics (livekit/egress v1.14.1 pkg/stats/monitor_prom.go): handler results by outcome,
    /// <c>can_accept_request</c> (this pod would admit one more Chrome job), and running jobs by type.
    /// </summary>
    private static IReadOnlyList<AlertRule> EgressRules(ObservabilityInput input, EgressSizing egress)
    {
        var inv = CultureInfo.InvariantCulture;
        var job = $"job=\"{ScrapeTargets.EgressJob}\",namespace=\"{input.Site.Namespace}\"";
        var busy = Math.Max(1, (int)Math.Ceiling(egress.Capacity * NearCapacityShare));
        return
        [
            new("MatrixRtcEgressDown", $"(count(up{{{job}}} == 1) or vector(0)) < {egress.Replicas}", "5m", "warning",
                $"Fewer than the {egress.Replicas} planned Egress pod(s) answer: recordings and streams have less room than planned."),
            // Every outcome but a normal end (or an abort before the start) lost a recording or a stream.
            new("MatrixRtcEgressRecordingsFailing",
                $"sum(increase(livekit_egress_handler_results_total{{{job},result=~\"{string.Join("|", FailedResults)}\"}}[15m])) > 0", "1m", "warning",
                "A recording or stream failed in the last 15 minutes (killed for CPU or memory, a process error, or cut by a shutdown): check Egress's logs and `lk egress list`."),
            new("MatrixRtcEgressNoCapacity", $"(sum(livekit_egress_can_accept_request{{{job}}}) or vector(0)) == 0", "5m", "warning",
                "No Egress pod can take another room recording or stream: new ones are refused until one ends."),
            new("MatrixRtcEgressNearCapacity",
                $"sum(livekit_egress_requests{{{job},type=~\"room_composite|web|template\"}}) >= {busy.ToString(inv)}", "10m", "warning",
                $"{busy} or more of the {egress.Capacity} room recordings/streams Egress is sized for run at once: raise egressRecordings."),
        ];
    }

    /// <summary>The failure outcomes of <c>livekit_egress_handler_results_total</c> (monitor_prom.go Result* constants).</summary>
    public static readonly string[] FailedResults = ["stopped_cpu", "killed_cpu", "killed_oom", "killed_shutdown", "process_error"];

    private static string Pct(double share) => (share * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    public static CustomObject Rule(ObservabilityInput input)
    {
        var meta = Meta.Object(Name, input.Site.Namespace, ObservabilityPlan.Component);
        foreach (var label in input.Observability.MonitorLabels)
        {
            meta.Labels[label.Key] = label.Value;
        }
        var groups = Groups(input).Select(g => new SortedDictionary<string, object>
        {
            ["name"] = g.Group,
            ["rules"] = g.Rules.Select(r => new SortedDictionary<string, object>
            {
                ["alert"] = r.Name,
                ["expr"] = r.Expr,
                ["for"] = r.For,
                ["labels"] = new SortedDictionary<string, string> { ["severity"] = r.Severity },
                ["annotations"] = new SortedDictionary<string, string> { ["summary"] = r.Summary },
            }).ToArray(),
        }).ToArray();
        return new CustomObject(ServiceMonitors.ApiVersion, "PrometheusRule", meta, new SortedDictionary<string, object> { ["groups"] = groups });
    }
}
