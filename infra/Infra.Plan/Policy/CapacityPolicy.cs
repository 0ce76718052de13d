namespace Infra.Plan.Policy;

/// <summary>
/// The SFU fleet carries the planned load: an SFU count the operator sets (<c>sfuReplicas</c>) is at least what the
/// capacity model needs at its band's upper edge, and the chart deploys the planned count. A tier's own count is never
/// a violation: when the band says the tier cannot carry its stated load, the sizing plan warns instead (the tiers
/// keep their seed sizes; SizingPlan). (A media node for each SFU is a config rule: Checks/ConfigRules.cs SfuPerMediaNode.)
/// </summary>
public static class CapacityPolicy
{
    public static IEnumerable<PolicyViolation> Check(PolicyInput plan, IReadOnlyList<WorkloadView> workloads)
    {
        var sizing = plan.Sizing;
        if (plan.Spec.Sfu.Replicas is not null && sizing.SfuReplicas < sizing.SfuNodesNeeded)
        {
            var cpu = sizing.Estimate.Cpu;
            yield return new PolicyViolation(PolicyRule.SfuCapacity, "matrix-rtc:sfuReplicas",
                $"{sizing.SfuReplicas} SFU(s) of {sizing.Preset.Sfu.Cpu} CPU carry {sizing.Load.Calls} calls × {sizing.Load.ParticipantsPerCall} participants " +
                $"({cpu.Central:0.0} cores, band up to {cpu.High:0.0}) with less than the target headroom at the band's upper edge; the capacity model needs {sizing.SfuNodesNeeded}");
        }
        foreach (var w in workloads.Where(w => w.Subject == Workloads.SfuSubject && w.Replicas is not null && w.Replicas != sizing.SfuReplicas))
        {
            yield return new PolicyViolation(PolicyRule.SfuCapacity, w.Subject,
                $"replicaCount {w.Replicas} differs from the {sizing.SfuReplicas} SFU(s) the sizing plan decided");
        }
    }
}
