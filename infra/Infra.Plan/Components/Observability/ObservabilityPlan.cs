using Infra.Plan.Sizing;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Observability;

/// <summary>
/// Monitoring for an environment, only when <c>matrix-rtc:monitoring</c> is on (the objects need the Prometheus
/// operator's CRDs): a metrics Service + ServiceMonitor for coturn and for the Redis exporter (the SFU has the chart's
/// own), one PrometheusRule with the alerts, and a Grafana dashboard ConfigMap.
/// </summary>
public static class ObservabilityPlan
{
    public const string Component = "observability";

    public static ComponentPlan? Build(EnvironmentSpec spec, SizingPlan sizing)
    {
        if (!spec.Cluster.Monitoring)
        {
            return null;
        }
        var targets = ScrapeTargets.For(spec);
        return new ComponentPlan(Component,
        [
            .. targets.Select(t => MetricsServices.Service(t)),
            .. targets.Select(t => ServiceMonitors.Monitor(spec, t)),
            AlertRules.Rule(spec, sizing),
            Dashboard.ConfigMap(spec, sizing),
        ]);
    }
}

/// <summary>One thing Prometheus scrapes: where its pods are, how they are selected, which port serves /metrics.</summary>
/// <param name="Job">The metrics Service's name, which the Prometheus operator also uses as the <c>job</c> label.</param>
public sealed record ScrapeTarget(string Job, string Namespace, IReadOnlyDictionary<string, string> PodSelector, int Port);

public static class ScrapeTargets
{
    /// <summary>
    /// The SFU is scraped through the livekit-server chart's own ServiceMonitor (the LiveKit values turn
    /// <c>serviceMonitor.create</c> on with monitoring), whose job is the chart's Service: its fullname, i.e.
    /// "&lt;release&gt;-&lt;chart&gt;" because the release name does not contain the chart name (templates/_helpers.tpl).
    /// </summary>
    public const string SfuJob = $"{Names.LivekitRelease}-{Names.LivekitChart}";
    public const string CoturnJob = "coturn-metrics";
    public const string RedisJob = "redis-metrics";

    /// <summary>What this component scrapes itself: coturn, and Redis's exporter sidecar when Redis is ours.</summary>
    public static IReadOnlyList<ScrapeTarget> For(EnvironmentSpec spec)
    {
        var targets = new List<ScrapeTarget>
        {
            new(CoturnJob, spec.Site.MediaNamespace, new SortedDictionary<string, string>(Kubernetes.Meta.Selector(Names.Coturn)), spec.Ports.TurnMetrics),
        };
        if (spec.Redis.Mode == RedisMode.Managed)
        {
            targets.Add(new(RedisJob, spec.Site.Namespace, new SortedDictionary<string, string>(Kubernetes.Meta.Selector(Names.Redis)), RedisExporter.Port));
        }
        return targets;
    }
}
