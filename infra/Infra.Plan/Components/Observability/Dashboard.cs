using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;
using Infra.Plan.Kubernetes;
using Infra.Plan.Sizing;

namespace Infra.Plan.Components.Observability;

/// <summary>
/// A Grafana dashboard as a ConfigMap the Grafana sidecar picks up: calls and participants against what the
/// tier is sized for, SFU CPU against the capacity model's ceiling, node health, Redis role, TURN allocations.
/// </summary>
public static class Dashboard
{
    public const string Name = "matrix-rtc-dashboard";
    public const string FileName = "matrix-rtc.json";
    public const string Uid = "matrix-rtc-overview";

    public static V1ConfigMap ConfigMap(ObservabilityInput input)
    {
        var meta = Meta.Object(Name, input.Site.Namespace, ObservabilityPlan.Component);
        foreach (var label in input.Observability.DashboardLabels)
        {
            meta.Labels[label.Key] = label.Value;
        }
        return new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = meta,
            Data = new Dictionary<string, string> { [FileName] = Json(input) },
        };
    }

    public static string Json(ObservabilityInput input)
    {
        var inv = CultureInfo.InvariantCulture;
        var media = input.Site.MediaNamespace;
        var sfu = $"job=\"{ScrapeTargets.SfuJob}\",namespace=\"{media}\"";
        var coturn = $"job=\"{ScrapeTargets.CoturnJob}\",namespace=\"{media}\"";
        var redis = $"job=\"{ScrapeTargets.RedisJob}\",namespace=\"{input.Site.Namespace}\"";
        var panels = new JsonArray
        {
            Panel(1, "Calls (planned max " + input.Load.Calls + ")", 0, 0, $"sum(livekit_room_total{{{sfu}}})", input.Load.Calls),
            Panel(2, "Participants (planned max " + input.Load.Participants + ")", 12, 0, $"sum(livekit_participant_total{{{sfu}}})", input.Load.Participants),
            Panel(3, $"SFU CPU per pod (ceiling {(input.SfuCores * (1 - CapacityModel.TargetHeadroom)).ToString("0.##", inv)} of {input.SfuCores:0})", 0, 8,
                $"sum by (pod) (rate(container_cpu_usage_seconds_total{{namespace=\"{media}\",container=\"{Names.LivekitChart}\"}}[5m]))",
                input.SfuCores * (1 - CapacityModel.TargetHeadroom)),
            Panel(4, "Forwarded tracks", 12, 8, $"sum by (kind) (livekit_track_subscribed_total{{{sfu}}})", null),
        };
        if (input.CoturnPeer is not null)
        {
            panels.Add(Panel(5, "SFU and coturn nodes up", 0, 16, $"sum(up{{{sfu}}}) or vector(0)", input.SfuReplicas, $"sum(up{{{coturn}}}) or vector(0)"));
            panels.Add(Panel(6, "TURN allocations", 12, 16, $"sum(turn_total_allocations{{{coturn}}})", null));
        }
        else
        {
            panels.Add(Panel(5, "SFU nodes up", 0, 16, $"sum(up{{{sfu}}}) or vector(0)", input.SfuReplicas));
        }
        if (input.Redis.Mode == Spec.Sections.RedisMode.Managed)
        {
            panels.Add(Panel(7, "Redis masters (must be 1)", 0, 24, $"sum(redis_instance_info{{{redis},role=\"master\"}}) or vector(0)", 1));
        }
        var dashboard = new JsonObject
        {
            ["uid"] = Uid,
            ["title"] = $"MatrixRTC ({input.Stack})",
            ["tags"] = new JsonArray("matrix-rtc"),
            ["timezone"] = "utc",
            ["schemaVersion"] = 39,
            ["refresh"] = "30s",
            ["time"] = new JsonObject { ["from"] = "now-6h", ["to"] = "now" },
            ["panels"] = panels,
        };
        return dashboard.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    // JsonNode, not JsonObject: JsonArray.Add<T> of a JsonObject would take the reflection path (not trimmable).
    private static JsonNode Panel(int id, string title, int x, int y, string expr, double? threshold, string? expr2 = null)
    {
        var targets = new JsonArray(new JsonObject { ["refId"] = "A", ["expr"] = expr });
        if (expr2 is not null)
        {
            targets.Add((JsonNode)new JsonObject { ["refId"] = "B", ["expr"] = expr2 });
        }
        var panel = new JsonObject
        {
            ["id"] = id,
            ["type"] = "timeseries",
            ["title"] = title,
            ["gridPos"] = new JsonObject { ["x"] = x, ["y"] = y, ["w"] = 12, ["h"] = 8 },
            ["datasource"] = new JsonObject { ["type"] = "prometheus", ["uid"] = "${datasource}" },
            ["targets"] = targets,
        };
        if (threshold is { } t)
        {
            panel["fieldConfig"] = new JsonObject
            {
                ["defaults"] = new JsonObject
                {
                    ["thresholds"] = new JsonObject
                    {
                        ["mode"] = "absolute",
                        ["steps"] = new JsonArray(
                            new JsonObject { ["color"] = "green", ["value"] = null },
                            new JsonObject { ["color"] = "red", ["value"] = Math.Round(t, 2) }),
                    },
                    ["custom"] = new JsonObject { ["thresholdsStyle"] = new JsonObject { ["mode"] = "line" } },
                },
            };
        }
        return panel;
    }
}
