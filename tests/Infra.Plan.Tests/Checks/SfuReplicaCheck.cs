using Infra.Plan.Policy;

namespace Infra.Plan.Tests.Checks;

/// <summary>
/// The chart deploys the SFU count the sizing plan decided (the release's <c>replicaCount</c>). The sizing plan and the
/// values both come from our code, so a difference is a bug. (An operator's <c>sfuReplicas</c> too small for the load
/// is a user mistake: the product's Policy/CapacityPolicy.cs.)
/// </summary>
public static class SfuReplicaCheck
{
    public static IEnumerable<CheckViolation> Check(PolicyInput plan, IReadOnlyList<WorkloadView> workloads)
    {
        var sizing = plan.Sizing;
        foreach (var w in workloads.Where(w => w.Subject == Workloads.SfuSubject && w.Replicas is not null && w.Replicas != sizing.SfuReplicas))
        {
            yield return new CheckViolation(CheckRule.SfuCapacity, w.Subject,
                $"replicaCount {w.Replicas} differs from the {sizing.SfuReplicas} SFU(s) the sizing plan decided");
        }
    }
}
