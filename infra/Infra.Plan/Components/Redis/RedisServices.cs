using k8s.Models;
using Infra.Plan.Kubernetes;

namespace Infra.Plan.Components.Redis;

public static class RedisServices
{
    /// <summary>
    /// Headless Service: gives each pod the stable DNS name it announces. publishNotReadyAddresses keeps a
    /// not-ready or starting pod's name resolving, so sentinels and replicas can still reach (or give up on)
    /// a failed master by name instead of failing name resolution mid-failover.
    /// </summary>
    public static V1Service Headless(RedisLayout l) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Meta.Object(l.HeadlessService, l.Namespace, Names.Redis),
        Spec = new V1ServiceSpec
        {
            ClusterIP = "None",
            PublishNotReadyAddresses = true,
            Selector = Meta.Selector(Names.Redis),
            Ports =
            [
                new V1ServicePort { Name = "redis", Port = RedisLayout.RedisPort, TargetPort = "redis", Protocol = "TCP" },
                new V1ServicePort { Name = "sentinel", Port = RedisLayout.SentinelPort, TargetPort = "sentinel", Protocol = "TCP" },
            ],
        },
    };

    /// <summary>One address for Sentinel-aware clients that take a single host (LiveKit gets every pod's sentinel instead).</summary>
    public static V1Service Sentinel(RedisLayout l) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Meta.Object(Names.RedisSentinelService, l.Namespace, Names.Redis),
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            Selector = Meta.Selector(Names.Redis),
            Ports =
            [
                new V1ServicePort { Name = "sentinel", Port = RedisLayout.SentinelPort, TargetPort = "sentinel", Protocol = "TCP" },
            ],
        },
    };
}
