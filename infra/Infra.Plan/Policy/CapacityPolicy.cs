namespace Infra.Plan.Policy;

/// <summary>
/// An SFU count the operator sets (<c>sfuReplicas</c>) carries the planned load: at least what the capacity model needs
/// at its band's upper edge. A tier's own count is never a violation: when the band says the tier cannot carry its
/// stated load, the sizing plan warns instead (the tiers keep their seed sizes; SizingPlan). (A media node for each SFU
/// is a config rule: Checks/ConfigRules.cs SfuPerMediaNode. That the chart deploys the planned count is a property of
/// our code, checked in the tests: tests/Infra.Plan.Tests/Checks/SfuReplicaCheck.cs.)
/// </summary>
public static class CapacityPolicy
{
    public static IEnumerable<PolicyViolation> Check(PolicyInput plan)
    {
        var sizing = plan.Sizing;
        if (plan.Spec.Sfu.Replicas is not null && sizing.SfuReplicas < sizing.SfuNodesNeeded)
        {
            var cpu = sizing.Estimate.Cpu;
            yield return new PolicyViolation(PolicyRule.SfuCapacity, "matrix-rtc:sfuReplicas",
                $"{sizing.SfuReplicas} SFU(s) of {sizing.Preset.Sfu.Cpu} CPU carry {sizing.Load.Calls} calls × {sizing.Load.ParticipantsPerCall} participants " +
                $"({cpu.Central:0.0} cores, band up to {cpu.High:0.0}) with less than the target headroom at the band's upper edge; the capacity model needs {sizing.SfuNodesNeeded}");
        }
    }
}
