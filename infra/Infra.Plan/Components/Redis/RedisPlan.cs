using k8s.Models;
using k8s;
using Infra.Plan.Sizing;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Redis;

/// <summary>
/// The Redis Sentinel component: ConfigMap, headless and sentinel Services, StatefulSet, PDB
/// (<c>manifests/redis-sentinel.yaml</c>). With <c>redisMode: existing</c> nothing is deployed and there is
/// no component at all (no empty manifest file): LiveKit is wired to the existing cluster through
/// <see cref="Topology"/> alone.
/// </summary>
public static class RedisPlan
{
    public const string Component = RedisLayout.Component;

    public static ComponentPlan? Build(EnvironmentSpec spec, SizingPlan sizing)
    {
        if (spec.Redis.Mode == RedisMode.Existing)
        {
            return null;
        }
        var l = RedisLayout.For(spec, sizing);
        // With monitoring on, each pod also runs the metrics exporter, reading the same password Secret.
        var exporter = Observability.RedisExporter.Sidecar(spec, new Secrets.SecretRef(l.Namespace, Secrets.SecretNames.RedisAuth, RedisLayout.RedisPasswordKey));
        return new ComponentPlan(Component, Objects(l, exporter is null ? [] : [exporter]));
    }

    public static IReadOnlyList<IKubernetesObject> Objects(RedisLayout l, IReadOnlyList<V1Container>? sidecars = null) =>
    [
        RedisConfigMap.Build(l),
        RedisServices.Headless(l),
        RedisServices.Sentinel(l),
        RedisStatefulSet.Build(l, sidecars),
        RedisDisruptionBudget.Build(l),
    ];
}
