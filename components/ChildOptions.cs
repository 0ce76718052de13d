using Pulumi;

namespace Infra.Components;

/// <summary>
/// Options for a component's children: parented to the component, and waiting for whatever the component was
/// told to wait for (Pulumi does not pass a component's DependsOn on to its children by itself).
/// </summary>
public static class ChildOptions
{
    public static CustomResourceOptions Of(ComponentResource parent, ComponentResourceOptions? opts) => new()
    {
        Parent = parent,
        DependsOn = opts?.DependsOn ?? new InputList<Resource>(),
    };

    /// <summary>
    /// The providers a remote child component (a ConfigGroup) must be given explicitly: the SDK sends a remote
    /// component only the providers of its own options and does not inherit the parent's (pulumi-dotnet
    /// Deployment_Prepare.cs), so without this its objects would go to the ambient kubeconfig, not the stack's provider.
    /// </summary>
    public static List<ProviderResource> Providers(ComponentResourceOptions? opts) =>
        opts?.Providers is { Count: > 0 } providers ? new List<ProviderResource>(providers)
        : opts?.Provider is { } provider ? [provider]
        : [];
}
