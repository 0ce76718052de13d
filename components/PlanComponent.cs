using System.Collections.Immutable;
using k8s.Models;
using Infra.Plan.Contract;
using Infra.Plan.Kubernetes;
using Pulumi;
using Pulumi.Kubernetes.Helm.V3;
using Pulumi.Kubernetes.Types.Inputs.Core.V1;
using Pulumi.Kubernetes.Types.Inputs.Helm.V3;
using Pulumi.Kubernetes.Types.Inputs.Meta.V1;
using ConfigGroup = Pulumi.Kubernetes.Yaml.V2.ConfigGroup;
using ConfigGroupArgs = Pulumi.Kubernetes.Types.Inputs.Yaml.V2.ConfigGroupArgs;
using KubeNamespace = Pulumi.Kubernetes.Core.V1.Namespace;
using KubeSecret = Pulumi.Kubernetes.Core.V1.Secret;

namespace Infra.Components;

/// <summary>What a plan-backed component needs: its plan, the environment's generated values and the stack's provider.</summary>
public sealed class PlanComponentArgs
{
    /// <summary>The component's contract (Infra.Plan.Contract.ComponentPlan): everything it registers, decided by the plan.</summary>
    public required ComponentPlan Plan { get; init; }

    /// <summary>The environment's generated values; this component adds its own and reads others' for its Secrets.</summary>
    public required GeneratedValues Values { get; init; }

    /// <summary>The Kubernetes provider every object goes through.</summary>
    public required Pulumi.Kubernetes.Provider Provider { get; init; }

    /// <summary>Components whose resources must exist first (the plan's <see cref="ComponentPlan.After"/>, resolved).</summary>
    public IReadOnlyList<Resource> After { get; init; } = [];
}

/// <summary>
/// The one registration path of the Pulumi layer: a ComponentResource that registers a <see cref="ComponentPlan"/>
/// exactly as it is. It merges the resource options once (parent, provider, dependencies) and hands that one options
/// object to every child: generated values (Pulumi.Random, Pulumi.Tls), then the Secrets filled from them, then the
/// Namespaces (typed, so dependents wait for them), the other objects (one ConfigGroup of exactly the YAML render
/// writes) and the Helm releases, which wait for the Secrets. It decides nothing: no name, size, lifetime or order.
/// </summary>
public sealed class PlanComponent : ComponentResource
{
    /// <summary>The Secrets this component created, by namespace/name (for other components that must wait for one).</summary>
    public ImmutableDictionary<string, KubeSecret> Secrets { get; }

    public PlanComponent(PlanComponentArgs args, ComponentResourceOptions? options = null)
        : base(args.Plan.PulumiType, args.Plan.Name, Merge(options, args))
    {
        var plan = args.Plan;
        var after = args.After.ToList();

        // One options object each for Pulumi.Random/Tls children (no Kubernetes provider: another package),
        // Kubernetes custom resources and remote components (which get only the providers passed to them:
        // pulumi-dotnet Deployment_Prepare.cs, so the provider is given, never inherited).
        CustomResourceOptions Own(IEnumerable<Resource> extra) => new() { Parent = this, DependsOn = [.. after, .. extra] };
        CustomResourceOptions Kube(IEnumerable<Resource> extra) => new() { Parent = this, Provider = args.Provider, DependsOn = [.. after, .. extra] };
        ComponentResourceOptions Remote(IEnumerable<Resource> extra) => new() { Parent = this, Providers = { args.Provider }, DependsOn = [.. after, .. extra] };

        args.Values.Generate(plan.Generated, Own([]));

        var secrets = plan.Secrets.ToImmutableDictionary(s => $"{s.Namespace}/{s.Name}", s => Secret(s, args.Values, Kube([])));
        Secrets = secrets;
        // Secrets can be consumed by components registered later, which must see their hashes.
        var values = args.Values;

        var namespaces = plan.Objects.OfType<V1Namespace>().Select(n => (Resource)new KubeNamespace(n.Metadata.Name, new NamespaceArgs
        {
            Metadata = new ObjectMetaArgs { Name = n.Metadata.Name, Labels = new Dictionary<string, string>(n.Metadata.Labels) },
        }, Kube([]))).ToList();

        var objects = plan.Objects.Where(o => o is not V1Namespace).ToList();
        foreach (var secret in objects.OfType<V1Secret>())
        {
            // A plan holds references only; a Secret object with data would put the value into the state as plain input.
            throw new InvalidOperationException($"{plan.Name}: plan object Secret {secret.Metadata?.NamespaceProperty}/{secret.Metadata?.Name}: " +
                "Secrets are SecretPlans, filled from generated values");
        }
        var mustExist = secrets.Values.Cast<Resource>().Concat(namespaces).ToList();
        if (objects.Count > 0)
        {
            _ = new ConfigGroup($"{plan.Name}-objects", new ConfigGroupArgs { Yaml = Yaml(objects, values) }, Remote(mustExist));
        }
        foreach (var release in plan.Releases)
        {
            var releaseArgs = new ReleaseArgs
            {
                Name = release.Name,
                Chart = release.Chart,
                Version = release.Version,
                RepositoryOpts = new RepositoryOptsArgs { Repo = release.Repository },
                Namespace = release.Namespace,
                // Exactly the reviewed values file of `render`: no secret, so Helm history and Pulumi state hold none.
                ValueYamlFiles = { new StringAsset(release.Values.Content) },
                SkipAwait = release.Wait.SkipAwait,
                Timeout = release.Wait.TimeoutSeconds,
                Atomic = release.Atomic,
                MaxHistory = release.MaxHistory,
            };
            if (release.PostRenderer is { } postRenderer)
            {
                releaseArgs.Postrender = postRenderer;
            }
            if (release.Pods is { } pods && values.HashFor(pods) is { } hash)
            {
                // Merged into the values file's pod annotations by the provider (Helm's MergeMaps, helm_release.go).
                releaseArgs.Values = new InputMap<object>
                {
                    [release.PodAnnotationsValue] = hash.Apply(h => (object)new Dictionary<string, object> { [SecretHashes.Annotation] = h }),
                };
            }
            _ = new Release(release.Name, releaseArgs, Kube(mustExist));
        }

        RegisterOutputs(plan.Outputs.ToDictionary(o => o.Key, o => (object?)o.Value));
    }

    /// <summary>
    /// The YAML of the objects exactly as render writes it, except that each workload reading a Secret carries the hash
    /// of what it reads on its pod template (SecretHashes): plain text when none does.
    /// </summary>
    private static Input<string> Yaml(IReadOnlyList<k8s.IKubernetesObject> objects, GeneratedValues values)
    {
        var hashed = objects
            .Select((o, i) => (Index: i, Hash: SecretHashes.ConsumerOf(o) is { } c ? values.HashFor(c) : null))
            .Where(x => x.Hash is not null)
            .ToList();
        if (hashed.Count == 0)
        {
            return ManifestWriter.Write(objects);
        }
        return Output.All(hashed.Select(x => (Input<string>)x.Hash!).ToArray()).Apply(hashes =>
        {
            var annotated = objects.ToList();
            foreach (var (x, hash) in hashed.Zip(hashes))
            {
                annotated[x.Index] = SecretHashes.WithAnnotation(objects[x.Index], hash);
            }
            return ManifestWriter.Write(annotated);
        });
    }

    /// <summary>The component's own options with the stack's provider, so a remote child never falls back to the default one.</summary>
    private static ComponentResourceOptions Merge(ComponentResourceOptions? options, PlanComponentArgs args)
    {
        var merged = options ?? new ComponentResourceOptions();
        merged.Providers = [args.Provider];
        return merged;
    }

    private static KubeSecret Secret(SecretPlan secret, GeneratedValues values, CustomResourceOptions options)
    {
        var meta = secret.Metadata();
        var metadata = new ObjectMetaArgs { Name = meta.Name, Namespace = meta.NamespaceProperty, Labels = new Dictionary<string, string>(meta.Labels) };
        if (meta.Annotations is { } annotations)
        {
            metadata.Annotations = new Dictionary<string, string>(annotations);
        }
        var resolved = secret.Entries.Select(e => new KeyValuePair<string, Output<string>>(e.Key, Output.CreateSecret(values.Resolve(e.Source, options)))).ToList();
        values.Filled(secret, resolved);
        var data = new InputMap<string>();
        foreach (var (key, value) in resolved)
        {
            data.Add(key, value);
        }
        options.AdditionalSecretOutputs = ["data", "stringData"];
        return new KubeSecret(secret.ResourceName, new SecretArgs { Metadata = metadata, Type = secret.Type, StringData = data }, options);
    }
}
