using k8s.Models;
using Infra.Plan;
using Infra.Plan.Components;
using Pulumi;
using Pulumi.Kubernetes.Types.Inputs.Core.V1;
using Pulumi.Kubernetes.Types.Inputs.Meta.V1;
using KubeNamespace = Pulumi.Kubernetes.Core.V1.Namespace;

namespace Infra.Components;

public sealed class NamespacesArgs
{
    public required EnvironmentPlan Plan { get; init; }
}

/// <summary>
/// The project's two namespaces with their Pod Security labels, as typed resources (not a ConfigGroup) so every
/// other component can depend on them directly and previews show them first.
/// </summary>
public sealed class Namespaces : ComponentResource
{
    public const string Type = "matrix-rtc:index:Namespaces";

    /// <summary>The namespace resources by name.</summary>
    public IReadOnlyDictionary<string, KubeNamespace> ByName { get; }

    public Namespaces(string name, NamespacesArgs args, ComponentResourceOptions? opts = null) : base(Type, name, opts)
    {
        var byName = new Dictionary<string, KubeNamespace>();
        foreach (var ns in args.Plan.Component(NamespacesPlan.Component).Objects.OfType<V1Namespace>())
        {
            byName[ns.Metadata.Name] = new KubeNamespace(ns.Metadata.Name, new NamespaceArgs
            {
                Metadata = new ObjectMetaArgs
                {
                    Name = ns.Metadata.Name,
                    Labels = new Dictionary<string, string>(ns.Metadata.Labels),
                },
            }, ChildOptions.Of(this, opts));
        }
        ByName = byName;
        RegisterOutputs(new Dictionary<string, object?>
        {
            ["names"] = Output.Create(byName.Keys.Order(StringComparer.Ordinal).ToArray()),
        });
    }
}
