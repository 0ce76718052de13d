using k8s.Models;
using Infra.Plan.Kubernetes;

namespace Infra.Plan.Components.Redis;

public static class RedisDisruptionBudget
{
    /// <summary>At most one pod drained at a time: two sentinels keep the quorum and a replica stays to promote.</summary>
    public static V1PodDisruptionBudget Build(RedisLayout l) => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = Meta.Object(Names.Redis, l.Namespace, Names.Redis),
        Spec = new V1PodDisruptionBudgetSpec
        {
            MaxUnavailable = 1,
            Selector = new V1LabelSelector { MatchLabels = Meta.Selector(Names.Redis) },
        },
    };
}
