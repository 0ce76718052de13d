using System.Collections.Immutable;
using k8s.Models;
using Infra.Plan.Components;
using Infra.Plan.Contract;
using Infra.Plan.Kubernetes;
using Infra.Plan.Spec;
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

/// <summary>
/// What every component of this package shares: it registers a <see cref="ComponentPlan"/> exactly as the plan says
/// (generated values, the Secrets filled from them, Namespaces, one ConfigGroup of exactly the YAML render writes, the
/// Helm releases) and decides nothing itself. A component is planned either alone, from its Args
/// (<see cref="ComponentPlanner"/>, once the Args' inputs are known), or by <see cref="MatrixRtc"/>, which plans the
/// environment once and hands each child its part with the environment's shared generated values.
/// </summary>
public abstract class PlannedComponent : ComponentResource
{
    private readonly Output<OutputValues> _registered;

    /// <summary>A component used alone: planned from its Args once they are known; children created then.</summary>
    protected PlannedComponent(ComponentDefinition definition, string name,
        IEnumerable<(string Key, Output<ConfigValue>? Value)> config, IEnumerable<(string Name, Input<string>? Value)> provided,
        ComponentResourceOptions? options)
        : base(definition.Token, name, options)
    {
        var provider = KubernetesProvider(options);
        var providedList = provided.ToList();
        _registered = ArgsValues.Known(config).Apply(values =>
        {
            StandalonePlan plan;
            try
            {
                plan = ComponentPlanner.Plan(definition, name, values.ToDictionary(v => v.Key, v => v.Value));
            }
            catch (ComponentArgsException e)
            {
                return Failed(e.Message, definition.Outputs);
            }
            // A value taken from another component is needed only where the plan reads it (Egress reads a Redis CA only with TLS).
            var missing = ComponentPlanner.Needed(plan).Select(id => definition.Provided.Single(p => p.GeneratedId == id))
                .Where(p => providedList.Single(v => v.Name == p.Name).Value is null).Select(p => p.Name).ToList();
            if (missing.Count > 0)
            {
                return Failed($"{definition.TypeName} \"{name}\": {string.Join(", ", missing)} not given; the plan reads it " +
                    $"(docs/components/{definition.TypeName}.md)", definition.Outputs);
            }
            foreach (var warning in plan.Warnings)
            {
                Log.Warn(warning, this);
            }
            var generated = new GeneratedValues();
            foreach (var (providedName, value) in providedList.Where(p => p.Value is not null))
            {
                generated.Provide(definition.Provided.Single(p => p.Name == providedName).GeneratedId, value!);
            }
            Register(this, name, plan.Contract, generated, provider, []);
            return Output.Create(Resolve(definition.Outputs, plan.Outputs, generated));
        });
        RegisterOutputs(OutputMap(definition.Outputs));
    }

    /// <summary>A part of <see cref="MatrixRtc"/>: its plan and the environment's generated values, registered now.</summary>
    private protected PlannedComponent(string token, string name, IReadOnlyList<ComponentOutput> outputs, EnvironmentPart part)
        : base(token, name, WithProvider(part.Options, part.Provider))
    {
        Register(this, name, part.Plan, part.Values, part.Provider, part.After);
        _registered = Output.Create(Resolve(outputs, part.Outputs, part.Values));
        RegisterOutputs(OutputMap(outputs));
    }

    /// <summary>Every output by name, as the engine records the component's outputs.</summary>
    private Dictionary<string, object?> OutputMap(IReadOnlyList<ComponentOutput> outputs) => OutputValues.Map(_registered, outputs);

    /// <summary>
    /// A mistake in the Args: logged as an error on this component (the update fails with that one message, no stack
    /// trace), nothing registered, every output unknown (so nothing else fails on the way out).
    /// </summary>
    private Output<OutputValues> Failed(string message, IReadOnlyList<ComponentOutput> outputs)
    {
        Log.Error(message, this);
        return Output.Create(OutputValues.Unknown(outputs));
    }

    /// <summary>A plain output of the component.</summary>
    protected Output<string> StringOutput(string name) => _registered.Apply(r => r.Strings[name]);

    protected Output<string[]> ArrayOutput(string name) => _registered.Apply(r => r.Arrays[name]);

    /// <summary>A secret output: secret in the state and in every consumer, whatever its source.</summary>
    protected Output<string> SecretOutput(string name) => Output.CreateSecret(_registered.Apply(r => r.Strings[name]));

    private static OutputValues Resolve(IReadOnlyList<ComponentOutput> outputs, IReadOnlyDictionary<string, object> values, GeneratedValues generated)
    {
        var strings = new Dictionary<string, Output<string>>(StringComparer.Ordinal);
        var arrays = new Dictionary<string, Output<string[]>>(StringComparer.Ordinal);
        foreach (var output in outputs)
        {
            switch (values.GetValueOrDefault(output.Name))
            {
                case string s:
                    strings[output.Name] = Output.Create(s);
                    break;
                case string[] a:
                    arrays[output.Name] = Output.Create(a);
                    break;
                case SecretSource source:
                    // A public certificate is read through the same path as a secret; only secret outputs stay secret.
                    var value = generated.Resolve(source);
                    strings[output.Name] = output.Type == OutputType.SecretString ? Output.CreateSecret(value) : Output.Unsecret(value);
                    break;
                default:
                    throw new InvalidOperationException($"output {output.Name}: the plan gives no value");
            }
        }
        return new OutputValues(strings, arrays);
    }

    /// <summary>
    /// The Kubernetes provider given to the component, if any (else every child uses the default provider). Found by
    /// its type token, not its class: a C# program gives a <see cref="Pulumi.Kubernetes.Provider"/>, but when the engine
    /// calls Construct for another language the SDK hands a stand-in carrying only the reference (pulumi-dotnet v3.112.1
    /// sdk/Pulumi/Provider/Provider.cs <c>ResourceProviderService.Construct</c>: <c>DependencyProviderResource</c>).
    /// </summary>
    internal static ProviderResource? KubernetesProvider(ComponentResourceOptions? options) =>
        options?.Providers.FirstOrDefault(IsKubernetes) ?? (options?.Provider is { } p && IsKubernetes(p) ? p : null);

    private static bool IsKubernetes(ProviderResource provider) => provider.GetResourceType() == "pulumi:providers:kubernetes";

    /// <summary>The component's own options with the environment's provider, so a remote child never falls back to the default one.</summary>
    private static ComponentResourceOptions WithProvider(ComponentResourceOptions options, ProviderResource provider)
    {
        options.Providers = [provider];
        return options;
    }

    /// <summary>
    /// Registers <paramref name="plan"/> under <paramref name="owner"/>, children named from <paramref name="name"/>. One
    /// options object each for Pulumi.Random/Tls children (no Kubernetes provider: another package), Kubernetes custom
    /// resources and remote components (which get only the providers passed to them: pulumi-dotnet Deployment_Prepare.cs,
    /// so the provider is given, never inherited).
    /// </summary>
    internal static void Register(Resource owner, string name, ComponentPlan plan, GeneratedValues values,
        ProviderResource? provider, IReadOnlyList<Resource> after)
    {
        CustomResourceOptions Own(IEnumerable<Resource> extra) => new() { Parent = owner, DependsOn = [.. after, .. extra] };
        CustomResourceOptions Kube(IEnumerable<Resource> extra) => new() { Parent = owner, Provider = provider, DependsOn = [.. after, .. extra] };
        ComponentResourceOptions Remote(IEnumerable<Resource> extra)
        {
            var options = new ComponentResourceOptions { Parent = owner, DependsOn = [.. after, .. extra] };
            if (provider is not null)
            {
                options.Providers = [provider];
            }
            return options;
        }

        values.Generate(plan.Generated, name, Own([]));

        var secrets = plan.Secrets.Select(s => Secret(name, s, values, Kube([]))).ToList();
        var namespaces = plan.Objects.OfType<V1Namespace>().Select(n => (Resource)new KubeNamespace($"{name}-{n.Metadata.Name}", new NamespaceArgs
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
        var mustExist = secrets.Cast<Resource>().Concat(namespaces).ToList();
        if (objects.Count > 0)
        {
            _ = new ConfigGroup($"{name}-objects", new ConfigGroupArgs { Yaml = Yaml(objects, values) }, Remote(mustExist));
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
            _ = new Release($"{name}-{release.Name}", releaseArgs, Kube(mustExist));
        }
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

    private static KubeSecret Secret(string owner, SecretPlan secret, GeneratedValues values, CustomResourceOptions options)
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
        return new KubeSecret($"{owner}-{secret.Namespace}-{secret.Name}", new SecretArgs { Metadata = metadata, Type = secret.Type, StringData = data }, options);
    }
}

/// <summary>What a component produced for its outputs, by name: strings (secret or not) and string arrays.</summary>
internal sealed record OutputValues(IReadOnlyDictionary<string, Output<string>> Strings, IReadOnlyDictionary<string, Output<string[]>> Arrays)
{
    /// <summary>Every output unknown: what a component whose Args were refused outputs.</summary>
    public static OutputValues Unknown(IReadOnlyList<ComponentOutput> outputs) => new(
        outputs.Where(o => o.Type != OutputType.StringArray).ToDictionary(o => o.Name, _ => Pulumi.Utilities.OutputUtilities.CreateUnknown("")),
        outputs.Where(o => o.Type == OutputType.StringArray).ToDictionary(o => o.Name, _ => Pulumi.Utilities.OutputUtilities.CreateUnknown(Array.Empty<string>())));

    /// <summary>The outputs as the engine records them: each by name, secret ones secret.</summary>
    public static Dictionary<string, object?> Map(Output<OutputValues> values, IReadOnlyList<ComponentOutput> outputs) =>
        outputs.ToDictionary(o => o.Name, o => o.Type switch
        {
            OutputType.StringArray => (object?)values.Apply(v => v.Arrays[o.Name]),
            OutputType.SecretString => Output.CreateSecret(values.Apply(v => v.Strings[o.Name])),
            _ => values.Apply(v => v.Strings[o.Name]),
        });
}

/// <summary>
/// A part of <see cref="MatrixRtc"/> that is not made alone (namespaces, NetworkPolicies, TLS, monitoring): registers
/// its plan under the plan's own type token.
/// </summary>
internal sealed class MatrixRtcPart(string name, EnvironmentPart part) : PlannedComponent(part.Plan.PulumiType, name, [], part);

/// <summary>What <see cref="MatrixRtc"/> hands each child: its plan and output values, and what the environment shares.</summary>
internal sealed record EnvironmentPart(
    ComponentPlan Plan,
    IReadOnlyDictionary<string, object> Outputs,
    GeneratedValues Values,
    ProviderResource Provider,
    IReadOnlyList<Resource> After,
    ComponentResourceOptions Options);
