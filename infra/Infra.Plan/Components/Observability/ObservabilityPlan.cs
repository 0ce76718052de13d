using Infra.Plan.Contract;

namespace Infra.Plan.Components.Observability;

/// <summary>
/// Monitoring for an environment, only when <c>matrix-rtc:monitoring</c> is on (the objects need the Prometheus
/// operator's CRDs): a metrics Service + ServiceMonitor for the SFU, coturn and the Redis exporter, all labelled with
/// <c>monitoringSelectorLabels</c>, one PrometheusRule with the alerts, and a Grafana dashboard ConfigMap. Scrape targets are taken from the
/// components' peers, so a selector or a metrics port is never typed twice.
/// </summary>
public sealed record ObservabilityPlan(IReadOnlyList<ScrapeTarget> Targets, IReadOnlyList<k8s.IKubernetesObject> Objects) : IComponentPlan
{
    public const string Component = "observability";

    public ComponentPlan Contract => new(Component, "matrix-rtc:index:Monitoring")
    {
        Objects = Objects,
        // Last: its ServiceMonitors select what the others created.
        After = [NamespacesPlan.Component, Livekit.LivekitPlan.Component, Coturn.CoturnPlan.Component, Redis.RedisPlan.Component, Egress.EgressPlan.Component],
    };

    public static ObservabilityPlan? Build(ObservabilityInput input)
    {
        if (!input.Monitoring)
        {
            return null;
        }
        var targets = ScrapeTargets.For(input.SfuPeer, input.CoturnPeer, input.RedisPeer, input.EgressPeer);
        return new ObservabilityPlan(targets,
        [
            .. targets.Select(t => MetricsServices.Service(t)),
            .. targets.Select(t => ServiceMonitors.Monitor(input, t)),
            AlertRules.Rule(input),
            Dashboard.ConfigMap(input),
        ]);
    }
}

/// <summary>One thing Prometheus scrapes: where its pods are, how they are selected, which port serves /metrics.</summary>
/// <param name="Job">The metrics Service's name, which the Prometheus operator also uses as the <c>job</c> label.</param>
public sealed record ScrapeTarget(string Job, string Namespace, IReadOnlyDictionary<string, string> PodSelector, int Port);

public static class ScrapeTargets
{
    /// <summary>
    /// The SFU gets our own metrics Service and ServiceMonitor, not the chart's: the chart's ServiceMonitor carries
    /// only the chart's labels, which a default kube-prometheus-stack does not select, so the SFU would never be
    /// scraped and "SFU nodes missing" would fire on a healthy cluster.
    /// </summary>
    public const string SfuJob = "livekit-metrics";
    public const string CoturnJob = "coturn-metrics";
    public const string RedisJob = "redis-metrics";
    public const string EgressJob = "egress-metrics";

    /// <summary>What this component scrapes: the SFU, coturn where it runs (host network), Redis's exporter sidecar when Redis is ours, Egress when deployed.</summary>
    public static IReadOnlyList<ScrapeTarget> For(Peer sfu, Peer? coturn, Peer? redis, Peer? egress = null)
    {
        var targets = new List<ScrapeTarget> { Of(SfuJob, sfu, Ports.PortPlan.MetricsPurpose) };
        if (coturn is not null)
        {
            targets.Add(Of(CoturnJob, coturn, Ports.PortPlan.MetricsPurpose));
        }
        if (redis is not null)
        {
            targets.Add(Of(RedisJob, redis, Redis.RedisPlan.MetricsPurpose));
        }
        if (egress is not null)
        {
            targets.Add(Of(EgressJob, egress, Egress.EgressPlan.MetricsPurpose));
        }
        return targets;
    }

    private static ScrapeTarget Of(string job, Peer peer, string purpose) =>
        new(job, peer.Namespace!, new SortedDictionary<string, string>(peer.Selector.ToDictionary()), peer.Listener(purpose).Port);
}
