using k8s.Models;
using Infra.Plan.Components;
using Infra.Plan.Components.Observability;
using Infra.Plan.Components.Redis;
using Infra.Plan.Secrets;
using Infra.Plan.Sizing;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Tests.Redis;

/// <summary>The Redis builder alone: a literal <see cref="RedisInput"/>, no stack file, no environment.</summary>
public class RedisInputTests
{
    /// <summary>Five nodes in "calls" on a production site, 512 MiB data containers, LiveKit's copy of the passwords in "media".</summary>
    private static RedisInput Input(RedisMode mode = RedisMode.Managed, ImageRef? exporter = null) => new(
        new RedisSpec(mode, DataNodes: 5, Quorum: 3, DownAfterMilliseconds: 3000, FailoverTimeoutMilliseconds: 6000,
            Persistence: false, StorageClass: "", StorageSize: "1Gi", Tls: false, Existing: null),
        Namespace: "calls",
        Production: true,
        Image: new ImageRef("valkey/valkey", "8.1.9", null),
        DataSize: new ResourceSize(250, 512, false),
        SentinelSize: new ResourceSize(50, 64, false),
        Dns: new ClusterDns("k8s.example"),
        ExporterImage: exporter,
        Wiring: new RedisWiring("matrix-rtc", [], new SecretRef("media", "livekit-redis", "password"),
            new SecretRef("media", "livekit-redis", "sentinel"), Tls: false),
        SfuDeployments: ["sfu-a", "sfu-b"]);

    [Fact]
    public void A_literal_input_decides_names_replicas_config_and_secrets()
    {
        // GIVEN a minimal literal input WHEN the Redis plan is built from it alone
        var plan = RedisPlan.Build(Input())!;

        // THEN the StatefulSet runs the five nodes in its namespace, one per node (production), with the image given
        Assert.Equal(("redis", "calls", 5), (plan.StatefulSet.Metadata.Name, plan.StatefulSet.Metadata.NamespaceProperty, plan.StatefulSet.Spec.Replicas));
        var pod = plan.StatefulSet.Spec.Template.Spec;
        Assert.NotNull(pod.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution);
        Assert.Equal(["redis", "sentinel"], pod.Containers.Select(c => c.Name));
        Assert.All(pod.Containers, c => Assert.Equal("valkey/valkey:8.1.9", c.Image));
        // AND the config follows the sizes, quorum and timings (maxmemory is three quarters of 512 MiB)
        Assert.Contains("maxmemory 384mb\n", plan.Config.Data[RedisConfigMap.RedisConfKey]);
        Assert.Contains("sentinel monitor matrix-rtc @MASTER_HOST@ @REDIS_PORT@ 3\n", plan.Config.Data[RedisConfigMap.SentinelConfKey]);
        Assert.Contains("sentinel down-after-milliseconds matrix-rtc 3000\n", plan.Config.Data[RedisConfigMap.SentinelConfKey]);
        Assert.Contains("sentinel failover-timeout matrix-rtc 6000\n", plan.Config.Data[RedisConfigMap.SentinelConfKey]);
        // AND the sentinel addresses it exports use the cluster domain given
        Assert.Equal(
            Enumerable.Range(0, 5).Select(i => $"redis-{i}.redis-headless.calls.svc.k8s.example:26379"),
            plan.SentinelAddresses);
        // AND it writes the passwords for its pods and, under the wiring's names, for LiveKit in the other namespace
        Assert.Equal(
            [("calls", "redis-auth", "redis-password,sentinel-password"), ("media", "livekit-redis", "password,sentinel")],
            plan.Secrets.Select(s => (s.Namespace, s.Name, string.Join(",", s.Entries.Select(e => e.Key)))));
        // AND LiveKit's copy is declared read by every SFU Deployment the input names (one per load-balancer address)
        Assert.Equal(["Deployment media/sfu-a", "Deployment media/sfu-b"],
            plan.Secrets.Single(s => s.Namespace == "media").ConsumedBy.Select(c => $"{c.Kind} {c.Namespace}/{c.Name}"));
        // AND without an exporter image there is no sidecar and no metrics listener
        Assert.Equal(["redis"], plan.Redis.Listens.Select(l => l.Purpose));
    }

    [Fact]
    public void An_exporter_image_adds_the_sidecar_and_its_metrics_listener()
    {
        // GIVEN the same input with a redis_exporter image (monitoring on) WHEN built
        var plan = RedisPlan.Build(Input(exporter: new ImageRef("oliver006/redis_exporter", "v1.0.0", null)))!;

        // THEN each pod runs the sidecar with that image, and the redis peer also listens for metrics
        var sidecar = plan.StatefulSet.Spec.Template.Spec.Containers.Single(c => c.Name == RedisExporter.ContainerName);
        Assert.Equal("oliver006/redis_exporter:v1.0.0", sidecar.Image);
        Assert.Equal(["redis", "redis metrics"], plan.Redis.Listens.Select(l => l.Purpose));
    }

    [Fact]
    public void Existing_mode_builds_nothing()
    {
        // GIVEN redisMode existing WHEN built THEN there is no Redis component (LiveKit uses the existing cluster)
        Assert.Null(RedisPlan.Build(Input(RedisMode.Existing)));
    }
}
