using k8s;
using k8s.Models;
using Infra.Plan;
using Infra.Plan.Kubernetes;
using Pulumi;
using Pulumi.Kubernetes.Yaml.V2;
using ConfigGroupArgs = Pulumi.Kubernetes.Types.Inputs.Yaml.V2.ConfigGroupArgs;

namespace Infra.Components;

/// <summary>
/// The one way a component registers its plan's Kubernetes objects with Pulumi: a
/// <c>kubernetes:yaml/v2:ConfigGroup</c> (each object becomes its own resource, with per-object previews
/// and diffs) fed with exactly the YAML the render command writes, so a reviewed render and a
/// <c>pulumi up</c> cannot drift apart.
/// <para>Usage in a component: <c>PlanObjects.Register(this, "objects", plan.Component(RedisPlan.Component));</c>
/// or, with dependencies, <c>PlanObjects.Register(this, "objects", objs, new CustomResourceOptions { DependsOn = { secret } })</c>.</para>
/// </summary>
public static class PlanObjects
{
    /// <summary>Registers every object of <paramref name="plan"/> as a child of <paramref name="parent"/>.</summary>
    /// <param name="name">Unique within <paramref name="parent"/>; the group is named "&lt;parent&gt;-&lt;name&gt;".</param>
    /// <param name="opts">Pass the component's own constructor options: they carry the stack's Kubernetes provider
    /// (<c>Providers</c>), which a ConfigGroup does not inherit from its parent. Only Providers/Provider, DependsOn,
    /// Protect, RetainOnDelete and IgnoreChanges are taken over; the parent is always <paramref name="parent"/>.</param>
    public static ConfigGroup Register(ComponentResource parent, string name, ComponentPlan plan, ResourceOptions? opts = null) =>
        Register(parent, name, plan.Objects, opts);

    /// <summary>Registers the given plan objects (e.g. a subset of a plan) as a child of <paramref name="parent"/>.</summary>
    public static ConfigGroup Register(ComponentResource parent, string name, IEnumerable<IKubernetesObject> objects, ResourceOptions? opts = null)
    {
        var list = objects.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException($"{parent.GetResourceName()}/{name}: a plan with no objects was registered; skip the call instead", nameof(objects));
        }
        GuardAgainstSecretValues(parent.GetResourceName(), list);
        return new ConfigGroup($"{parent.GetResourceName()}-{name}", new ConfigGroupArgs
        {
            Yaml = Yaml(list),
        }, Options(parent, opts));
    }

    /// <summary>The YAML handed to the ConfigGroup: the render's own serializer, so same plan, same bytes.</summary>
    public static string Yaml(IEnumerable<IKubernetesObject> objects) => ManifestWriter.Write(objects);

    /// <summary>
    /// Plans carry secret references only. A Secret object with data in a plan is a bug in the plan: refuse it
    /// here so it can never reach the state file as plain input. (The message names the object, never its data.)
    /// </summary>
    public static void GuardAgainstSecretValues(string owner, IEnumerable<IKubernetesObject> objects)
    {
        foreach (var secret in objects.OfType<V1Secret>())
        {
            if (secret.Data is { Count: > 0 } || secret.StringData is { Count: > 0 })
            {
                throw new InvalidOperationException(
                    $"{owner}: plan object Secret {secret.Metadata?.NamespaceProperty}/{secret.Metadata?.Name} carries data; " +
                    "plans hold only SecretRefs, the component creates Secrets from Pulumi outputs");
            }
        }
    }

    private static ComponentResourceOptions Options(ComponentResource parent, ResourceOptions? opts)
    {
        var result = new ComponentResourceOptions { Parent = parent };
        if (opts is null)
        {
            return result;
        }
        result.DependsOn = opts.DependsOn;
        // A ConfigGroup is a remote component: the SDK sends it only the providers given in its own options
        // (pulumi-dotnet Deployment_Prepare.cs), it does not inherit them from the parent. So the stack's
        // Kubernetes provider must be passed on explicitly, or the objects would go to the ambient kubeconfig.
        if (opts is ComponentResourceOptions { Providers.Count: > 0 } component)
        {
            result.Providers = new List<ProviderResource>(component.Providers);
        }
        else
        {
            result.Provider = opts.Provider;
        }
        result.Protect = opts.Protect;
        result.RetainOnDelete = opts.RetainOnDelete;
        result.IgnoreChanges = opts.IgnoreChanges;
        return result;
    }
}
