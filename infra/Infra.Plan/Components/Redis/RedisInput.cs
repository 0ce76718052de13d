using Infra.Plan.Sizing;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Redis;

/// <summary>
/// Everything the Redis Sentinel plan (<see cref="RedisPlan.Build"/>) decides from, as plain values: its own
/// <c>redis*</c> keys, the site and cluster facts it names objects with, its sizes from the tier, and where LiveKit
/// reads the passwords. Nothing else of the environment reaches the Redis builder, so it can be built alone.
/// </summary>
/// <param name="Redis">The <c>redis*</c> keys: mode (existing builds nothing), data nodes, quorum, Sentinel timings, persistence, storage, TLS.</param>
/// <param name="Namespace">The namespace the StatefulSet, Services, ConfigMap and password Secret go in (<c>namespace</c>).</param>
/// <param name="Production">A production site: the pods require distinct nodes (required anti-affinity) instead of preferring them.</param>
/// <param name="Image">The Redis or Valkey image (<c>redisImage</c>); its repository picks the server, sentinel and cli binaries.</param>
/// <param name="DataSize">Requests/limits of each data container, from the tier.</param>
/// <param name="SentinelSize">Requests/limits of each sentinel container, from the tier.</param>
/// <param name="Dns">The cluster DNS domain the pods announce their host names in.</param>
/// <param name="ExporterImage">The redis_exporter sidecar image when monitoring is on; null: no sidecar.</param>
/// <param name="Wiring">Where LiveKit reads the passwords and, with TLS, the CA: the Redis plan writes those Secrets.</param>
/// <param name="SfuDeployments">The SFU Deployments that read those copies (one, or one per load-balancer address).</param>
public sealed record RedisInput(
    RedisSpec Redis,
    string Namespace,
    bool Production,
    ImageRef Image,
    ResourceSize DataSize,
    ResourceSize SentinelSize,
    ClusterDns Dns,
    ImageRef? ExporterImage,
    RedisWiring Wiring,
    IReadOnlyList<string> SfuDeployments)
{
    /// <summary>The only place the Redis plan reads the whole environment.</summary>
    public static RedisInput From(Derived d) => new(
        d.Spec.Redis,
        d.Spec.Site.Namespace,
        d.Spec.Site.Production,
        d.Spec.Images.Redis,
        d.Sizing.Preset.RedisData,
        d.Sizing.Preset.RedisSentinel,
        new ClusterDns(d.Spec.Cluster.ClusterDomain),
        d.Spec.Cluster.Monitoring ? d.Spec.Observability.RedisExporterImage : null,
        d.Topology.Redis,
        Livekit.LivekitPlan.Releases(d.Spec.Sfu.Media).Select(r => Livekit.LivekitPlan.FullNameOf(r.Release)).ToList());
}
