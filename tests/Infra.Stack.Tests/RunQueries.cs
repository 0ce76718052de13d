using System.Text;
using System.Text.Json;
using Infra.Plan.Contract;
using Infra.Plan.Kubernetes;
using Infra.Plan.Rendering;
using YamlDotNet.RepresentationModel;

namespace Infra.Tests.Stacks;

/// <summary>One Kubernetes object inside a ConfigGroup's YAML (or a rendered manifest).</summary>
internal sealed record ManifestObject(string Kind, string Namespace, string Name, YamlMappingNode Node)
{
    public (string Kind, string Namespace, string Name) Key => (Kind, Namespace, Name);

    /// <summary>The object as sorted-key JSON-like text, for equality of two YAML documents.</summary>
    public string Canonical => RunQueries.Canonical(Node);

    public override string ToString() => $"{Kind} {Namespace}/{Name}";
}

/// <summary>What a run registered, read the way the engine would read it.</summary>
internal static class RunQueries
{
    public const string ProviderType = "pulumi:providers:kubernetes";
    public const string ConfigGroupType = "kubernetes:yaml/v2:ConfigGroup";
    public const string ReleaseType = "kubernetes:helm.sh/v3:Release";
    public const string SecretType = "kubernetes:core/v1:Secret";
    public const string NamespaceType = "kubernetes:core/v1:Namespace";
    public const string RandomPasswordType = "random:index/randomPassword:RandomPassword";

    public static IReadOnlyList<Registration> OfType(this StackRun run, string type) => run.Registrations.Where(r => r.Type == type).ToList();

    public static Registration KubernetesProvider(this StackRun run) => Assert.Single(run.OfType(ProviderType));

    /// <summary>How the SDK references a provider: "&lt;urn&gt;::&lt;id&gt;" (ProviderResource.RegisterAsync); the mocks' ids are "&lt;name&gt;-id".</summary>
    public static string ProviderRef(this StackRun run) => $"{run.KubernetesProvider().Urn}::{run.KubernetesProvider().Name}-id";

    /// <summary>The SFU's release (the livekit-server chart).</summary>
    /// <summary>The SFU's release (the first, where there is one per load-balancer address).</summary>
    public static Registration Release(this StackRun run) => run.Release(run.Plan.Livekit.Release.Name);

    /// <summary>The release of that Helm release name (a stack has one per chart: the SFU's, and Egress's when on).</summary>
    public static Registration Release(this StackRun run, string name) => Assert.Single(run.OfType(ReleaseType), r => r.String("name") == name);

    /// <summary>The one values file of the SFU's release (an asset's text).</summary>
    public static string ReleaseValues(this StackRun run) => run.ReleaseValues(run.Plan.Livekit.Release.Name);

    /// <summary>The one values file of the release <paramref name="name"/>.</summary>
    public static string ReleaseValues(this StackRun run, string name)
    {
        var files = run.Release(name).Input("valueYamlFiles");
        Assert.True(files is { ValueKind: JsonValueKind.Array }, "the release has no valueYamlFiles");
        var asset = Assert.Single(files!.Value.EnumerateArray());
        Assert.True(Registration.IsAsset(asset), "valueYamlFiles[0] is not an asset");
        return asset.GetProperty("text").GetString()!;
    }

    /// <summary>Every URN <paramref name="r"/> waits for: its dependencies and theirs (the engine orders by them).</summary>
    public static ISet<string> WaitsFor(this StackRun run, Registration r)
    {
        var byUrn = run.Registrations.GroupBy(x => x.Urn).ToDictionary(g => g.Key, g => g.First());
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(r.Dependencies);
        while (stack.TryPop(out var urn))
        {
            if (seen.Add(urn) && byUrn.TryGetValue(urn, out var dep))
            {
                foreach (var next in dep.Dependencies)
                {
                    stack.Push(next);
                }
            }
        }
        return seen;
    }

    /// <summary>The objects of a ConfigGroup registration (its <c>yaml</c> input).</summary>
    public static IReadOnlyList<ManifestObject> Objects(this Registration group) => Parse(group.String("yaml") ?? "");

    /// <summary>Every ConfigGroup object with the group that registers it.</summary>
    public static IEnumerable<(Registration Group, ManifestObject Object)> GroupObjects(this StackRun run) =>
        run.OfType(ConfigGroupType).SelectMany(g => g.Objects().Select(o => (g, o)));

    /// <summary>The name of a planned component under the stack's MatrixRtc: named from it (<c>matrix-rtc-&lt;part&gt;</c>).</summary>
    public static string ChildName(string component) => $"{Infra.Plan.Spec.ConfigKey.Project}-{component}";

    /// <summary>The registration of a planned component (a ComponentResource of its type and name).</summary>
    public static Registration ComponentOf(this StackRun run, ComponentPlan component) =>
        Assert.Single(run.Registrations, r => r.Type == component.PulumiType && r.Name == ChildName(component.Name) && !r.Custom && !r.Remote);

    /// <summary>The registrations whose parent is <paramref name="parent"/>.</summary>
    public static IReadOnlyList<Registration> ChildrenOf(this StackRun run, Registration parent) =>
        run.Registrations.Where(r => r.Parent == parent.Urn).ToList();

    /// <summary>
    /// Every object the ConfigGroups will create, as the plan has it (render's manifests), with the group of its
    /// component that registers it. A new stack's preview does not know the YAML of some groups (<see
    /// cref="YamlUnknownInPreview"/>), but it knows every group's dependencies: checks of who waits for what read the
    /// objects from here, in both modes. That the registered YAML is this is checked where it is known.
    /// </summary>
    public static IEnumerable<(Registration Group, ManifestObject Object)> PlannedGroupObjects(this StackRun run) =>
        run.Plan.Components
            .Select(c => (Component: c, Objects: c.Objects.Where(o => o is not k8s.Models.V1Namespace).ToList()))
            .Where(c => c.Objects.Count > 0)
            .SelectMany(c =>
            {
                var group = Assert.Single(run.ChildrenOf(run.ComponentOf(c.Component)), r => r.Type == ConfigGroupType);
                return Parse(ManifestWriter.Write(c.Objects)).Select(o => (group, o));
            });

    /// <summary>
    /// Whether a new stack's preview cannot know the YAML of <paramref name="component"/>'s ConfigGroup: a workload in it
    /// reads a Secret filled from a generated value, so its rotation hash (SecretHashes) is unknown until the Random and
    /// Tls resources exist. Values from config (decrypted by the CLI) and read Secrets are known in a preview.
    /// </summary>
    public static bool YamlUnknownInPreview(this StackRun run, ComponentPlan component)
    {
        static bool Generated(SecretSource s) => s switch
        {
            SecretSource.Random or SecretSource.Certificate or SecretSource.PrivateKey or SecretSource.IssuerCertificate => true,
            SecretSource.Format f => f.Parts.Any(Generated),
            SecretSource.YamlTemplate t => t.Values.Any(Generated),
            _ => false,
        };
        var generated = run.Plan.Components.SelectMany(c => c.Secrets).Where(s => s.Entries.Any(e => Generated(e.Source))).ToList();
        return component.Objects.Select(SecretHashes.ConsumerOf).OfType<SecretConsumer>()
            .Any(consumer => generated.Any(s => s.ConsumedBy.Contains(consumer)));
    }

    /// <summary>The objects render writes to manifests/ for the same plan.</summary>
    public static IReadOnlyList<ManifestObject> RenderedObjects(this StackRun run) =>
        RenderOutput.Files(run.Plan).Where(f => f.Path.StartsWith("manifests/", StringComparison.Ordinal)).SelectMany(f => Parse(f.Content)).ToList();

    /// <summary>The typed Kubernetes registrations (custom resources other than the Release) as (kind, namespace, name).</summary>
    public static IEnumerable<(Registration Registration, (string Kind, string Namespace, string Name) Key)> TypedObjects(this StackRun run) =>
        run.Registrations.Where(r => r.IsKubernetes && r.Custom && r.Type != ReleaseType)
            .Select(r => (r, (r.Type.Split(':')[2], r.Metadata.Namespace, r.Metadata.Name)));

    public static IReadOnlyList<ManifestObject> Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents
            .Select(d => d.RootNode)
            .OfType<YamlMappingNode>()
            .Select(m => new ManifestObject(Scalar(m, "kind"), Scalar(Child(m, "metadata"), "namespace"), Scalar(Child(m, "metadata"), "name"), m))
            .ToList();
    }

    /// <summary>
    /// The Secret names a workload's pods read (volumes, projected volumes, env and envFrom), from its pod template.
    /// </summary>
    public static ISet<string> SecretsRead(ManifestObject workload)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        void Walk(YamlNode node, string? parentKey)
        {
            switch (node)
            {
                case YamlMappingNode m:
                    foreach (var (k, v) in m.Children)
                    {
                        var key = ((YamlScalarNode)k).Value!;
                        if (key == "secretName" && v is YamlScalarNode s)
                        {
                            names.Add(s.Value!);
                        }
                        else if (key == "name" && parentKey is "secretKeyRef" or "secretRef" or "secret" && v is YamlScalarNode n)
                        {
                            names.Add(n.Value!);
                        }
                        Walk(v, key);
                    }
                    break;
                case YamlSequenceNode q:
                    foreach (var item in q.Children)
                    {
                        Walk(item, parentKey);
                    }
                    break;
            }
        }
        Walk(Child(Child(workload.Node, "spec"), "template"), null);
        return names;
    }

    public static bool IsWorkload(ManifestObject o) => o.Kind is "Deployment" or "StatefulSet" or "DaemonSet";

    public static YamlMappingNode Child(YamlMappingNode m, string key) =>
        m.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlMappingNode c ? c : new YamlMappingNode();

    public static string Scalar(YamlMappingNode m, string key) =>
        m.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s ? s.Value ?? "" : "";

    public static string Canonical(YamlNode node)
    {
        var sb = new StringBuilder();
        void Write(YamlNode n)
        {
            switch (n)
            {
                case YamlScalarNode s:
                    sb.Append(JsonSerializer.Serialize(s.Value));
                    break;
                case YamlSequenceNode q:
                    sb.Append('[');
                    foreach (var item in q.Children)
                    {
                        Write(item);
                        sb.Append(',');
                    }
                    sb.Append(']');
                    break;
                case YamlMappingNode m:
                    sb.Append('{');
                    foreach (var (k, v) in m.Children.OrderBy(e => ((YamlScalarNode)e.Key).Value, StringComparer.Ordinal))
                    {
                        sb.Append(JsonSerializer.Serialize(((YamlScalarNode)k).Value)).Append(':');
                        Write(v);
                        sb.Append(',');
                    }
                    sb.Append('}');
                    break;
            }
        }
        Write(node);
        return sb.ToString();
    }
}
