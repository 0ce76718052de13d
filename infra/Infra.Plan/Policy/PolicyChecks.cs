using k8s;
using Infra.Plan.Contract;
using Infra.Plan.Ports;
using Infra.Plan.Sizing;
using Infra.Plan.Spec;

namespace Infra.Plan.Policy;

/// <summary>
/// What the policies look at: the finished plan's typed objects and its releases (with the pods each chart renders),
/// with the spec and the derived sizes they are judged against. <see cref="Of"/> takes them from a plan; a test adds
/// the one object it is about.
/// </summary>
public sealed record PolicyInput(
    EnvironmentSpec Spec,
    SizingPlan Sizing,
    PortPlan Ports,
    IReadOnlyList<IKubernetesObject> Objects,
    IReadOnlyList<HelmReleasePlan> Releases)
{
    public static PolicyInput Of(EnvironmentPlan plan) => new(
        plan.Spec, plan.Sizing, plan.Derived.Ports, plan.Objects.ToList(), plan.Components.SelectMany(c => c.Releases).ToList());
}

/// <summary>
/// The rules about what the operator configured that can only be judged on the finished plan: production images pinned
/// by digest (every container's, named by the key that sets it), Redis TLS in production, an operator-set SFU count
/// that carries the load. Run by render (exit 2 on a violation) and by the Pulumi program (preview fails). Rules over
/// config keys alone run before planning (Checks/ConfigRules.cs). Checks of what our own code builds (no secret in a
/// ConfigMap, resources, ports, the plan contract, network connectivity) are not here: they run in the tests, on every
/// stack (tests/Infra.Plan.Tests/Checks).
/// </summary>
public static class PolicyChecks
{
    public static IReadOnlyList<PolicyViolation> Check(EnvironmentPlan plan) => Check(PolicyInput.Of(plan));

    public static IReadOnlyList<PolicyViolation> Check(PolicyInput input) =>
        ImagePolicy.Check(input, Workloads.From(input))
            .Concat(TlsPolicy.Check(input))
            .Concat(CapacityPolicy.Check(input))
            .ToList();

    /// <summary>Throws <see cref="PolicyException"/> listing every violation; returns the plan otherwise.</summary>
    public static EnvironmentPlan Enforce(EnvironmentPlan plan)
    {
        var violations = Check(plan);
        return violations.Count == 0 ? plan : throw new PolicyException(violations);
    }
}
