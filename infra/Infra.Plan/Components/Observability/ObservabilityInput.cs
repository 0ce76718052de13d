using Infra.Plan.Contract;
using Infra.Plan.Sizing;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Observability;

/// <summary>
/// Everything the monitoring component (<see cref="ObservabilityPlan.Build"/>) decides from, as plain values: whether
/// monitoring is on, the labels the Prometheus operator and Grafana select by, the sizes the alert thresholds and
/// dashboard lines are drawn at, and the peers it scrapes. Nothing else of the environment reaches it.
/// </summary>
/// <param name="Monitoring">The <c>monitoring</c> key: off, nothing is built (the objects need the Prometheus operator's CRDs).</param>
/// <param name="Stack">The stack name, in the dashboard's title.</param>
/// <param name="Site">The app namespace (PrometheusRule, dashboard, Redis and Egress jobs) and the media namespace (SFU and coturn jobs).</param>
/// <param name="Observability">The labels of the ServiceMonitors and PrometheusRule (<c>monitoringSelectorLabels</c>) and of the dashboard ConfigMap.</param>
/// <param name="Redis">The <c>redis*</c> keys: a managed Redis gets its alerts (master, split brain, quorum) and a dashboard panel.</param>
/// <param name="MediaNodeCount">Media nodes, each running coturn: fewer coturn targets up fires an alert.</param>
/// <param name="Tier">The tier's name, in the capacity alerts' text.</param>
/// <param name="Load">The calls and participants the tier is sized for: the near-capacity thresholds and dashboard lines.</param>
/// <param name="SfuReplicas">The SFU nodes planned: fewer up fires an alert.</param>
/// <param name="SfuCores">CPUs of one SFU: the CPU ceiling is this less the capacity model's headroom.</param>
/// <param name="Egress">The Egress fleet's size (replicas, recordings it takes) when Egress is deployed; null: no Egress alerts.</param>
/// <param name="SfuPeer">The SFU's pods and metrics port.</param>
/// <param name="CoturnPeer">coturn's pods and metrics port.</param>
/// <param name="RedisPeer">Redis's pods with the exporter's port when Redis is ours; null otherwise.</param>
/// <param name="EgressPeer">Egress's pods and metrics port when deployed; null otherwise.</param>
public sealed record ObservabilityInput(
    bool Monitoring,
    string Stack,
    SiteSpec Site,
    ObservabilitySpec Observability,
    RedisSpec Redis,
    int MediaNodeCount,
    string Tier,
    CallLoad Load,
    int SfuReplicas,
    double SfuCores,
    EgressSizing? Egress,
    Peer SfuPeer,
    Peer? CoturnPeer,
    Peer? RedisPeer,
    Peer? EgressPeer)
{
    /// <summary>The only place the monitoring component reads the whole environment; the peers come from the components scraped.</summary>
    public static ObservabilityInput From(Derived d, Peer sfu, Peer? coturn, Peer? redis, Peer? egress = null) => new(
        d.Spec.Cluster.Monitoring,
        d.Spec.Stack,
        d.Spec.Site,
        d.Spec.Observability,
        d.Spec.Redis,
        d.Spec.Nodes.MediaNodeCount,
        d.Sizing.Preset.Name,
        d.Sizing.Load,
        d.Sizing.SfuReplicas,
        d.Sizing.SfuCores,
        d.Sizing.Egress,
        sfu, coturn, redis, egress);
}
