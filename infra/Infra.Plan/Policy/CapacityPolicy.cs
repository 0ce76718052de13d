namespace Infra.Plan.Policy;

/// <summary>
/// The SFU fleet carries the planned load: at least as many SFU pods as the capacity model needs for its
/// headroom target, a media node for each (one SFU per node: host ports), and the chart deploying that count.
/// </summary>
public static class CapacityPolicy
{
    public static IEnumerable<PolicyViolation> Check(EnvironmentPlan plan, IReadOnlyList<WorkloadView> workloads)
    {
        var sizing = plan.Sizing;
        if (sizing.SfuReplicas < sizing.SfuNodesNeeded)
        {
            yield return new PolicyViolation(PolicyRule.SfuCapacity, "matrix-rtc:sfuReplicas",
                $"{sizing.SfuReplicas} SFU(s) of {sizing.Preset.Sfu.Cpu} CPU carry {sizing.Load.Calls} calls × {sizing.Load.ParticipantsPerCall} participants " +
                $"({sizing.Estimate.SfuCpuCores:0.0} cores) with less than the target headroom; the capacity model needs {sizing.SfuNodesNeeded}");
        }
        if (plan.Spec.Nodes.MediaNodeCount < sizing.SfuReplicas)
        {
            yield return new PolicyViolation(PolicyRule.SfuCapacity, "matrix-rtc:mediaNodeCount",
                $"{plan.Spec.Nodes.MediaNodeCount} media node(s) cannot run {sizing.SfuReplicas} SFU(s); one SFU runs per node");
        }
        foreach (var w in workloads.Where(w => w.Pod is null && w.Replicas is not null && w.Replicas != sizing.SfuReplicas))
        {
            yield return new PolicyViolation(PolicyRule.SfuCapacity, w.Subject,
                $"replicaCount {w.Replicas} differs from the {sizing.SfuReplicas} SFU(s) the sizing plan decided");
        }
    }
}
