namespace Infra.Plan.Contract;

/// <summary>
/// How long a release waits for its rollout. A rolling update of draining pods can take hours; waiting that long would
/// hold `pulumi up` (and its lock), so beyond a bound the release skips the await and the rollout continues in the
/// cluster.
/// </summary>
/// <param name="TimeoutSeconds">Helm's per-operation timeout when awaiting.</param>
public sealed record ReleaseWait(bool SkipAwait, int TimeoutSeconds);

/// <summary>
/// The pods a chart renders, as its values decide them: what the plan-level policies check (image pinning, resources,
/// Guaranteed media pods), since a chart's pods are no object of the plan.
/// </summary>
public sealed record ChartWorkload(string Image, k8s.Models.V1ResourceRequirements Resources, int Replicas, bool HostNetwork);

/// <summary>A Helm release: chart, pinned version, repository, namespace, the reviewed values and how it is rolled out.</summary>
/// <param name="Values">The values file exactly as render writes it (no secret: Helm keeps values in its history).</param>
/// <param name="PostRenderer">The post-renderer executable Helm runs on the rendered manifests, or null.</param>
/// <param name="Atomic">Roll back on failure. Off where a rollback would cut live calls mid-drain.</param>
/// <param name="Pods">The workload the chart renders (a Secret consumer), and <paramref name="PodAnnotationsValue"/> the values
/// key under which the chart takes its pod annotations: where a rotation hash goes (<see cref="SecretHashes"/>).</param>
/// <param name="Workload">The pods the values make the chart render, for the policies.</param>
public sealed record HelmReleasePlan(
    string Name,
    string Namespace,
    string Chart,
    string Version,
    string Repository,
    PlanFile Values,
    string? PostRenderer,
    ReleaseWait Wait,
    bool Atomic,
    int MaxHistory,
    SecretConsumer? Pods = null,
    string PodAnnotationsValue = "podAnnotations",
    ChartWorkload? Workload = null);
