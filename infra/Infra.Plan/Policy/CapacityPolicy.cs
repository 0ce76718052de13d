namespace Infra.Plan.Policy;

/// <summary>
/// The SFU fleet carries the planned load: at least as many SFU pods as the capacity model needs for its
/// headroom target, and the chart deploying that count. (A media node for each SFU is a config rule:
/// Checks/ConfigRules.cs SfuPerMediaNode.)
/// </summary>
public static class CapacityPolicy
{
    public static IEnumerable<PolicyViolation> Check(PolicyInput plan, IReadOnlyList<WorkloadView> workloads)
    {
        var sizing = plan.Sizing;
        if (sizing.SfuReplicas < sizing.SfuNodesNeeded)
        {
            yield return new PolicyViolation(PolicyRule.SfuCapacity, "matrix-rtc:sfuReplicas",
                $"{sizing.SfuReplicas} SFU(s) of {sizing.Preset.Sfu.Cpu} CPU carry {sizing.Load.Calls} calls × {sizing.Load.ParticipantsPerCall} participants " +
                $"({sizing.Estimate.SfuCpuCores:0.0} cores) with less than the target headroom; the capacity model needs {sizing.SfuNodesNeeded}");
        }
        foreach (var w in workloads.Where(w => w.Subject == Workloads.SfuSubject && w.Replicas is not null && w.Replicas != sizing.SfuReplicas))
        {
            yield return new PolicyViolation(PolicyRule.SfuCapacity, w.Subject,
                $"replicaCount {w.Replicas} differs from the {sizing.SfuReplicas} SFU(s) the sizing plan decided");
        }
    }
}
