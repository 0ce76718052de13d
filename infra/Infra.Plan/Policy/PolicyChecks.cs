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
/// Stack assertions over a finished plan: pure functions of the plan, run by render (exit 2 on a violation) and by
/// the Pulumi program (preview fails), and tested directly. Each rule lives in its own file; a rule checks what the
/// plan contains, so a component that is not deployed (e.g. Redis in <c>existing</c> mode) is not held to rules about
/// it. Rules over config keys alone run before planning (Checks/ConfigRules.cs).
/// </summary>
public static class PolicyChecks
{
    public static IReadOnlyList<PolicyViolation> Check(EnvironmentPlan plan) => Check(PolicyInput.Of(plan));

    public static IReadOnlyList<PolicyViolation> Check(PolicyInput input)
    {
        var workloads = Workloads.From(input);
        return ImagePolicy.Check(input, workloads)
            .Concat(ResourcePolicy.Check(workloads))
            .Concat(SecretLeakPolicy.Check(input))
            .Concat(RedisPolicy.Check(input))
            .Concat(TlsPolicy.Check(input))
            .Concat(CapacityPolicy.Check(input, workloads))
            .Concat(PortPolicy.Check(input, workloads))
            .ToList();
    }

    /// <summary>Throws <see cref="PolicyException"/> listing every violation; returns the plan otherwise.</summary>
    public static EnvironmentPlan Enforce(EnvironmentPlan plan)
    {
        var violations = Check(plan);
        return violations.Count == 0 ? plan : throw new PolicyException(violations);
    }
}
