using k8s.Models;
using Infra.Plan.Components.Observability;
using Infra.Plan.Components.Redis;
using Infra.Plan.Contract;
using Infra.Plan.Kubernetes;
using Infra.Plan.Net;
using Infra.Plan.Ports;
using Infra.Plan.Sizing;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Tests.Observability;

/// <summary>Monitoring planned alone, from its own input record: no stack file, no parsed environment.</summary>
public sealed class ObservabilityInputTests
{
    private static Peer Pods(string name, string ns, bool hostNetwork, int port, string purpose)
    {
        var labels = new Dictionary<string, string> { ["app"] = name };
        return new Peer(name, ns, labels, labels, hostNetwork, [new Listener(port, Protocol.Tcp, purpose)]);
    }

    private static ObservabilityInput Input(bool monitoring = true) => new(
        Monitoring: monitoring,
        Stack: "unit",
        Site: new SiteSpec("example.test", "rtc.example.test", "turn.example.test", "rtc-x", "media-x", Production: false, KubeContext: ""),
        Observability: new ObservabilitySpec([new NodeLabel("release", "prom-x")], [new NodeLabel("dashboards", "yes")], new ImageRef("exporter", "1.0.0", null)),
        Redis: new RedisSpec(RedisMode.Managed, DataNodes: 3, Quorum: 2, DownAfterMilliseconds: 3000, FailoverTimeoutMilliseconds: 6000,
            Persistence: false, StorageClass: "", StorageSize: "1Gi", Tls: false, Existing: null),
        MediaNodeCount: 3,
        Tier: "tier-x",
        Load: new CallLoad(Calls: 10, ParticipantsPerCall: 5, VideoShare: 0.5, TurnShare: 0.1),
        SfuReplicas: 2,
        SfuCores: 4,
        Egress: null,
        SfuPeer: Pods("sfu-x", "media-x", hostNetwork: true, 6789, PortPlan.MetricsPurpose),
        CoturnPeer: Pods("coturn-x", "media-x", hostNetwork: true, 9641, PortPlan.MetricsPurpose),
        RedisPeer: Pods("redis-x", "rtc-x", hostNetwork: false, 9121, RedisPlan.MetricsPurpose),
        EgressPeer: null);

    [Fact]
    public void Builds_monitoring_from_its_own_input_record()
    {
        // GIVEN a literal input: monitoring on, managed Redis (quorum 2), 3 media nodes, 2 SFUs of 4 CPUs sized for 10 calls of 5, no Egress
        var input = Input();

        // WHEN monitoring is planned from it alone
        var plan = ObservabilityPlan.Build(input)!;

        // THEN the SFU, coturn and the Redis exporter are scraped where their peers say, on their metrics ports
        Assert.Equal(["livekit-metrics media-x 6789 app=sfu-x", "coturn-metrics media-x 9641 app=coturn-x", "redis-metrics rtc-x 9121 app=redis-x"],
            plan.Targets.Select(t => $"{t.Job} {t.Namespace} {t.Port} {string.Join(",", t.PodSelector.Select(l => $"{l.Key}={l.Value}"))}"));
        var services = plan.Objects.OfType<V1Service>().ToList();
        Assert.Equal([6789, 9641, 9121], services.Select(s => s.Spec.Ports.Single().Port));
        var monitors = plan.Objects.OfType<CustomObject>().Where(o => o.Kind == "ServiceMonitor").ToList();
        Assert.Equal(3, monitors.Count);
        Assert.All(monitors, m => Assert.Equal("prom-x", m.Metadata.Labels["release"]));

        // AND the alert thresholds are the input's numbers: quorum 2, 2 SFUs, 3 media nodes, 80% of 10 calls and 50 participants, 3 of 4 CPUs
        var rules = AlertRules.Groups(input).SelectMany(g => g.Rules).ToDictionary(r => r.Name);
        Assert.EndsWith("< 2", rules["MatrixRtcSentinelQuorumLost"].Expr);
        Assert.EndsWith("< 2", rules["MatrixRtcSfuNodesMissing"].Expr);
        Assert.EndsWith("< 3", rules["MatrixRtcCoturnNodesMissing"].Expr);
        Assert.EndsWith("> 8", rules["MatrixRtcCallsNearCapacity"].Expr);
        Assert.EndsWith("> 40", rules["MatrixRtcParticipantsNearCapacity"].Expr);
        Assert.Contains("the 50 the tier-x tier is sized for", rules["MatrixRtcParticipantsNearCapacity"].Summary);
        Assert.EndsWith("> 3", rules["MatrixRtcSfuCpuNearLimit"].Expr);
        Assert.Equal(["matrix-rtc.redis", "matrix-rtc.media", "matrix-rtc.capacity"], AlertRules.Groups(input).Select(g => g.Group));
        var rule = Assert.Single(plan.Objects.OfType<CustomObject>(), o => o.Kind == "PrometheusRule");
        Assert.Equal(("matrix-rtc", "rtc-x", "prom-x"), (rule.Metadata.Name, rule.Metadata.NamespaceProperty, rule.Metadata.Labels["release"]));

        // AND the dashboard is titled after the stack and labelled for the Grafana sidecar
        var dashboard = Assert.Single(plan.Objects.OfType<V1ConfigMap>());
        Assert.Equal(("rtc-x", "yes"), (dashboard.Metadata.NamespaceProperty, dashboard.Metadata.Labels["dashboards"]));
        Assert.Contains("\"title\": \"MatrixRTC (unit)\"", dashboard.Data[Dashboard.FileName]);
        Assert.Contains("Calls (planned max 10)", dashboard.Data[Dashboard.FileName]);
    }

    [Fact]
    public void Builds_nothing_with_monitoring_off()
    {
        // GIVEN the same input with monitoring off WHEN planned THEN nothing (the operator's CRDs may not exist)
        Assert.Null(ObservabilityPlan.Build(Input(monitoring: false)));
    }
}
