using Infra.Plan.Policy;

namespace Infra.Plan.Tests.Checks;

/// <summary>Which check of our own output a violation breaks; stable names so tests and reviewers can grep for them.</summary>
public enum CheckRule
{
    PlanContract,
    ContainerResources,
    MediaPodGuaranteed,
    NoSecretInConfig,
    RedisHighAvailability,
    TlsInProduction,
    SfuCapacity,
    PortPlan,
}

/// <summary>One broken check: which rule, which object (kind/namespace/name, container or file path) and what is wrong. Never quotes a value that may be secret.</summary>
public sealed record CheckViolation(CheckRule Rule, string Subject, string Message)
{
    public override string ToString() => $"check {Rule}: {Subject}: {Message}";
}

/// <summary>
/// Checks of what our own code builds, which no config key can break (so a violation is a bug in a builder, not a user
/// mistake): the plan contract, no secret in a ConfigMap or Helm value, container resources and Guaranteed media pods,
/// production Redis HA and TLS on the objects we emit, the chart's SFU count, host ports inside the port plan. They
/// used to run inside the product on every plan; they run here, on every stack (<see cref="EveryStackChecks"/>), and
/// each on its own mutation. (Rules about what the operator configured stay in the product: Policy/, Checks/ConfigRules.cs.)
/// </summary>
public static class OwnOutputChecks
{
    public static IReadOnlyList<CheckViolation> Check(EnvironmentPlan plan) =>
        PlanContract.Check(plan).Concat(Check(PolicyInput.Of(plan))).ToList();

    public static IReadOnlyList<CheckViolation> Check(PolicyInput input)
    {
        var workloads = Workloads.From(input);
        return ResourcePolicy.Check(workloads)
            .Concat(SecretLeakPolicy.Check(input))
            .Concat(RedisPolicy.Check(input))
            .Concat(TlsOutputChecks.Check(input))
            .Concat(SfuReplicaCheck.Check(input, workloads))
            .Concat(PortPolicy.Check(input, workloads))
            .ToList();
    }
}
