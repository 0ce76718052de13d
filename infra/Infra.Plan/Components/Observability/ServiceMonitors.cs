using Infra.Plan.Kubernetes;

namespace Infra.Plan.Components.Observability;

/// <summary>monitoring.coreos.com/v1 ServiceMonitor for one scrape target, labelled for the operator's selector.</summary>
public static class ServiceMonitors
{
    public const string ApiVersion = "monitoring.coreos.com/v1";
    public const string ScrapeInterval = "30s";

    public static CustomObject Monitor(ObservabilityInput input, ScrapeTarget target)
    {
        var meta = Meta.Object(target.Job, target.Namespace, ObservabilityPlan.Component);
        foreach (var label in input.Observability.MonitorLabels)
        {
            meta.Labels[label.Key] = label.Value;
        }
        return new CustomObject(ApiVersion, "ServiceMonitor", meta, new SortedDictionary<string, object>
        {
            ["selector"] = new SortedDictionary<string, object>
            {
                ["matchLabels"] = new SortedDictionary<string, string> { [MetricsServices.TargetLabel] = target.Job },
            },
            ["namespaceSelector"] = new SortedDictionary<string, object> { ["matchNames"] = new[] { target.Namespace } },
            ["endpoints"] = new object[]
            {
                new SortedDictionary<string, object> { ["port"] = "metrics", ["path"] = "/metrics", ["interval"] = ScrapeInterval },
            },
        });
    }
}
