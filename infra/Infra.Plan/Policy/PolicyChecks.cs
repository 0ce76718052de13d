namespace Infra.Plan.Policy;

/// <summary>
/// Stack assertions over a finished plan: pure functions of the <see cref="EnvironmentPlan"/>, run by render
/// (exit 2 on a violation) and by the Pulumi program (preview fails), and tested directly. Each rule lives in its
/// own file; a rule checks what the plan contains, so a component that is not deployed (e.g. Redis in
/// <c>existing</c> mode) is not held to rules about it.
/// </summary>
public static class PolicyChecks
{
    public static IReadOnlyList<PolicyViolation> Check(EnvironmentPlan plan)
    {
        var workloads = Workloads.From(plan);
        return ImagePolicy.Check(plan, workloads)
            .Concat(ResourcePolicy.Check(workloads))
            .Concat(SecretLeakPolicy.Check(plan))
            .Concat(RedisPolicy.Check(plan))
            .Concat(TlsPolicy.Check(plan))
            .Concat(CapacityPolicy.Check(plan, workloads))
            .Concat(PortPolicy.Check(plan, workloads))
            .ToList();
    }

    /// <summary>Throws <see cref="PolicyException"/> listing every violation; returns the plan otherwise.</summary>
    public static EnvironmentPlan Enforce(EnvironmentPlan plan)
    {
        var violations = Check(plan);
        return violations.Count == 0 ? plan : throw new PolicyException(violations);
    }
}
