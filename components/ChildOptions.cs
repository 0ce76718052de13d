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
}
