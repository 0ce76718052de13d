using k8s;
using Infra.Plan.Sizing;
using Infra.Plan.Spec;

namespace Infra.Plan;

/// <summary>The Kubernetes objects of one component; rendered to <c>manifests/&lt;Name&gt;.yaml</c>.</summary>
public sealed record ComponentPlan(string Name, IReadOnlyList<IKubernetesObject> Objects);

/// <summary>A file of the render output other than manifests (Helm values, Synapse config, reports), by relative path.</summary>
public sealed record PlanFile(string Path, string Content);

/// <summary>
/// Everything one environment deploys, as data. The render command writes it out; the Pulumi shell
/// registers it. Secrets appear only as references.
/// </summary>
public sealed record EnvironmentPlan(
    EnvironmentSpec Spec,
    SizingPlan Sizing,
    Components.Topology Topology,
    IReadOnlyList<ComponentPlan> Components,
    IReadOnlyList<PlanFile> Files)
{
    public ComponentPlan Component(string name) => Components.Single(c => c.Name == name);

    public PlanFile File(string path) => Files.Single(f => f.Path == path);
}
