namespace Infra.Plan.Policy;

/// <summary>Production runs exactly the images that were reviewed: every image pinned by digest (a tag can be moved).</summary>
public static class ImagePolicy
{
    public static IEnumerable<PolicyViolation> Check(EnvironmentPlan plan, IReadOnlyList<WorkloadView> workloads)
    {
        if (!plan.Spec.Site.Production)
        {
            yield break;
        }
        foreach (var w in workloads)
        {
            foreach (var c in w.Containers.Where(c => !c.Image.Contains("@sha256:", StringComparison.Ordinal)))
            {
                yield return new PolicyViolation(PolicyRule.ImagePinnedByDigest, $"{w.Subject} container {c.Name}",
                    $"image \"{c.Image}\" is not pinned by digest; production needs repository:tag@sha256:<digest>");
            }
        }
    }
}
