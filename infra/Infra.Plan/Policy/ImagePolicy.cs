using Infra.Plan.Spec;

namespace Infra.Plan.Policy;

/// <summary>
/// Production runs exactly the images that were reviewed: every container's image pinned by digest (a tag can be
/// moved). Checked on the plan's containers, so a new component's images are covered without a new rule; the
/// message names the config key that sets the image.
/// </summary>
public static class ImagePolicy
{
    public static IEnumerable<PolicyViolation> Check(PolicyInput plan, IReadOnlyList<WorkloadView> workloads)
    {
        if (!plan.Spec.Site.Production)
        {
            yield break;
        }
        var keys = plan.Spec.Images.Keyed().Concat(plan.Spec.Observability.Keyed()).Concat(plan.Spec.Egress.Keyed()).ToList();
        var unpinned = workloads
            .SelectMany(w => w.Containers.Where(c => !c.Image.Contains("@sha256:", StringComparison.Ordinal)).Select(c => (Image: c.Image, Where: $"{w.Subject} container {c.Name}")))
            .GroupBy(x => x.Image, StringComparer.Ordinal);
        foreach (var image in unpinned)
        {
            var key = keys.FirstOrDefault(k => k.Image.Reference == image.Key).Key?.FullName;
            yield return new PolicyViolation(PolicyRule.ImagePinnedByDigest, key ?? image.First().Where,
                $"\"{image.Key}\" is not pinned by digest (used by {string.Join(", ", image.Select(x => x.Where))}); " +
                "production needs repository:tag@sha256:<digest>, the digest you reviewed");
        }
    }
}
