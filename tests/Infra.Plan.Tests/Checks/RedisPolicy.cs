using k8s.Models;
using Infra.Plan.Components;
using Infra.Plan.Spec.Sections;
using Infra.Plan.Policy;

namespace Infra.Plan.Tests.Checks;

/// <summary>
/// Production Redis survives losing a node: at least 3 pods (a Sentinel majority after one loss) and a
/// <em>required</em> pod anti-affinity on the hostname, so the scheduler can never stack two on one node
/// (preferred anti-affinity silently gives that up under pressure).
/// </summary>
public static class RedisPolicy
{
    public const int MinimumPods = 3;
    public const string HostnameTopology = "kubernetes.io/hostname";

    public static IEnumerable<CheckViolation> Check(PolicyInput plan)
    {
        if (!plan.Spec.Site.Production || plan.Spec.Redis.Mode != RedisMode.Managed)
        {
            yield break;
        }
        foreach (var sts in plan.Objects.OfType<V1StatefulSet>().Where(IsRedis))
        {
            var subject = $"StatefulSet {sts.Metadata.NamespaceProperty}/{sts.Metadata.Name}";
            var replicas = sts.Spec?.Replicas ?? 1;
            if (replicas < MinimumPods)
            {
                yield return new CheckViolation(CheckRule.RedisHighAvailability, subject,
                    $"has {replicas} pod(s); production needs at least {MinimumPods} so Sentinel keeps a majority when a node is lost");
            }
            var required = sts.Spec?.Template?.Spec?.Affinity?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution ?? [];
            var podLabels = sts.Spec?.Template?.Metadata?.Labels ?? new Dictionary<string, string>();
            if (!required.Any(t => t.TopologyKey == HostnameTopology && Selects(t.LabelSelector, podLabels)))
            {
                yield return new CheckViolation(CheckRule.RedisHighAvailability, subject,
                    $"has no required pod anti-affinity on {HostnameTopology} selecting its own pods; production must never run two Redis pods on one node");
            }
        }
    }

    private static bool IsRedis(V1StatefulSet sts) =>
        sts.Metadata?.Name == Names.Redis ||
        (sts.Metadata?.Labels?.TryGetValue("app.kubernetes.io/name", out var name) == true && name == Names.Redis);

    private static bool Selects(V1LabelSelector? selector, IDictionary<string, string> labels) =>
        selector?.MatchLabels is { Count: > 0 } match && match.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
