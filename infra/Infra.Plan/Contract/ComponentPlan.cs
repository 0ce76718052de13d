using k8s;

namespace Infra.Plan.Contract;

/// <summary>A file of the render output other than manifests (Helm values, Synapse config, reports), by relative path.</summary>
public sealed record PlanFile(string Path, string Content);

/// <summary>
/// The one contract between a component's plan and everything downstream: render writes it, the policy checks read
/// it, and the Pulumi layer registers it through one function without deciding anything itself. Every size, length,
/// lifetime, name and ordering is data here.
/// </summary>
/// <param name="Name">The component's name: its manifest file (<c>manifests/&lt;Name&gt;.yaml</c>) and its Pulumi resource name.</param>
/// <param name="PulumiType">The ComponentResource type token, e.g. <c>matrix-rtc:index:Coturn</c>.</param>
public sealed record ComponentPlan(string Name, string PulumiType)
{
    /// <summary>Kubernetes objects registered as they are (a ConfigGroup; Namespaces as typed resources). Never a Secret with data.</summary>
    public IReadOnlyList<IKubernetesObject> Objects { get; init; } = [];

    /// <summary>Helm releases, with their reviewed values file and post-render wiring.</summary>
    public IReadOnlyList<HelmReleasePlan> Releases { get; init; } = [];

    /// <summary>Values the Pulumi layer generates for this component (random strings, keys and certificates).</summary>
    public IReadOnlyList<GeneratedValue> Generated { get; init; } = [];

    /// <summary>Kubernetes Secrets the Pulumi layer fills from generated values (its own or other components').</summary>
    public IReadOnlyList<SecretPlan> Secrets { get; init; } = [];

    /// <summary>Files of the render output this component owns (values, config fragments), besides its manifest.</summary>
    public IReadOnlyList<PlanFile> Files { get; init; } = [];

    /// <summary>Its pods as network-policy peers: selector, namespace, host network and what they listen on.</summary>
    public IReadOnlyList<Peer> Peers { get; init; } = [];

    /// <summary>Components whose resources must exist before this one's (by <see cref="Name"/>).</summary>
    public IReadOnlyList<string> After { get; init; } = [];
}

/// <summary>A typed component plan: its own typed members for policies and tests, and the uniform contract.</summary>
public interface IComponentPlan
{
    ComponentPlan Contract { get; }
}
