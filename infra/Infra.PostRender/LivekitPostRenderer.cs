using System.Globalization;
using System.Text;
using System.Text.Json;
using Infra.PostRender.Contract;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Infra.PostRender;

public sealed class PostRenderException(string message) : Exception(message);

/// <summary>
/// Applies the plan's <see cref="SecretWiring"/> to a chart's annotated Deployment, for every release this project
/// installs (the SFU's livekit-server chart, the egress chart; the class keeps its first user's name): adds
/// secretKeyRef env vars or turns a chart env var into one, adds env vars from the pod's fields (downward API, e.g.
/// <c>NODE_IP</c> from <c>status.hostIP</c>), mounts Secret files and scratch emptyDirs, drops
/// <c>--disable-strict-config</c>, removes the chart's <c>hostPort</c>s from a pod off the host network (refused on
/// one with <c>hostNetwork: true</c>), turns off the service account token, adds pull Secrets, and removes keys only the
/// chart reads (e.g. <c>turn.secretName</c>) from the LiveKit config in the chart's ConfigMap. Every other document passes
/// through byte for byte (the ConfigMap but for that one value); the changed Deployment keeps its comments and every
/// scalar's original text (so <c>defaultMode: 0600</c> stays octal for Kubernetes' YAML 1.1). Deterministic: the same input gives the same bytes.
/// The wiring names the post-renderer version its plan was built for; another version refuses (its wiring may differ),
/// and the written annotation leaves the version out, so a new version alone changes no pod template (no roll).
/// </summary>
public static class LivekitPostRenderer
{
    /// <param name="version">This post-renderer's version (<see cref="PostRendererIdentity.Version"/>).</param>
    public static string Apply(string manifests, string version)
    {
        var documents = Split(manifests);
        var wired = 0;
        var configEdits = new List<ConfigEdit>();
        for (var i = 0; i < documents.Count; i++)
        {
            var (separator, body) = documents[i];
            var rewritten = TryRewrite(body, version, configEdits);
            if (rewritten is not null)
            {
                documents[i] = (separator, rewritten);
                wired++;
            }
        }
        if (wired == 0)
        {
            throw new PostRenderException($"no Deployment carries the pod annotation {SecretWiring.Annotation}: " +
                "the values are not the plan's (helm/*-values.yaml of a render), so the pods would start without their secrets");
        }
        // After every Deployment: the chart writes its ConfigMap before the Deployment that reads it.
        foreach (var edit in configEdits)
        {
            RemoveChartOnlyKeys(documents, edit);
        }
        var sb = new StringBuilder();
        foreach (var (separator, body) in documents)
        {
            sb.Append(separator).Append(body);
        }
        return sb.ToString();
    }

    /// <summary>Documents with the separator line that starts each (empty for text before the first).</summary>
    private static List<(string Separator, string Body)> Split(string text)
    {
        var result = new List<(string, string)>();
        var separator = "";
        var body = new StringBuilder();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var content = lines[i];
            var full = i == lines.Length - 1 ? content : content + "\n";
            if (content.TrimEnd('\r') == "---" || content.StartsWith("--- ", StringComparison.Ordinal))
            {
                result.Add((separator, body.ToString()));
                separator = full;
                body.Clear();
            }
            else
            {
                body.Append(full);
            }
        }
        result.Add((separator, body.ToString()));
        return result;
    }

    private static string? TryRewrite(string body, string version, List<ConfigEdit> configEdits)
    {
        if (!body.Contains(SecretWiring.Annotation, StringComparison.Ordinal))
        {
            return null;
        }
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(body));
        }
        catch (YamlException e)
        {
            throw new PostRenderException($"a rendered document is not valid YAML: {e.Message}");
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root ||
            Text(Get(root, "kind")) != "Deployment")
        {
            return null;
        }
        var template = Map(Get(root, "spec"), "spec") is { } spec ? Map(Get(spec, "template"), "spec.template") : null;
        var podMeta = template is null ? null : Get(template, "metadata") as YamlMappingNode;
        var annotations = podMeta is null ? null : Get(podMeta, "annotations") as YamlMappingNode;
        var annotation = Text(Get(annotations, SecretWiring.Annotation));
        if (annotation is null || template is null)
        {
            return null;
        }
        SecretWiring wiring;
        try
        {
            wiring = SecretWiring.FromJson(annotation);
        }
        catch (JsonException e)
        {
            throw new PostRenderException($"annotation {SecretWiring.Annotation} is not valid wiring JSON: {e.Message}");
        }
        RequireVersion(wiring.PostRenderer, version);
        // The version stays out of the pod template: the pods roll when the output changes, not when the tool's version does.
        annotations!.Children[Key(SecretWiring.Annotation)] =
            new YamlScalarNode((wiring with { PostRenderer = null }).ToJson()) { Style = ScalarStyle.SingleQuoted };
        var podSpec = Map(Get(template, "spec"), "spec.template.spec")!;
        var containers = Get(podSpec, "containers") as YamlSequenceNode
            ?? throw new PostRenderException("the Deployment has no containers");
        var container = containers.Children.OfType<YamlMappingNode>().FirstOrDefault(c => Text(Get(c, "name")) == wiring.Container)
            ?? throw new PostRenderException($"the Deployment has no container named {wiring.Container}");

        Wire(podSpec, container, wiring);
        if (wiring.ChartOnlyConfigKeys is { Count: > 0 } paths)
        {
            // Where the container reads its config from once wired (a Secret env could have replaced the chart's).
            configEdits.Add(ConfigSource(container, wiring.Container, paths));
        }

        // Keep the "# Source: ..." lines Helm puts in front of each document.
        var leading = string.Concat(body.Split('\n').TakeWhile(l => l.StartsWith('#')).Select(l => l + "\n"));
        var sb = new StringBuilder(leading);
        EmitMapping(sb, root, 0);
        return sb.ToString();
    }

    private static void RequireVersion(string? required, string version)
    {
        if (required is null)
        {
            throw new PostRenderException($"annotation {SecretWiring.Annotation} names no {PostRendererIdentity.Command} version " +
                $"(its plan predates versioned post-renderers); this is {version}: render the values with the plan of the same version");
        }
        if (required != version)
        {
            throw new PostRenderException($"the release's manifests ask for {PostRendererIdentity.Command} {required} " +
                $"(annotation {SecretWiring.Annotation}), this is {version}; install that version: {PostRendererIdentity.InstallCommand(required)}");
        }
    }

    private static void Wire(YamlMappingNode podSpec, YamlMappingNode container, SecretWiring wiring)
    {
        if (wiring.Env.Count > 0 || wiring.FieldEnv is { Count: > 0 })
        {
            var env = Sequence(container, "env");
            var existing = env.Children.OfType<YamlMappingNode>().ToDictionary(e => Text(Get(e, "name")) ?? "", e => e);
            // Names the wiring adds count too: a secret env and a field env of the same name would be a duplicate.
            void Add(string name, YamlMappingNode source)
            {
                if (!existing.TryAdd(name, new YamlMappingNode(Key("name"), Str(name), Key("valueFrom"), source)))
                {
                    throw new PostRenderException($"container {wiring.Container} already sets env {name}");
                }
                env.Add(existing[name]);
            }
            foreach (var e in wiring.Env)
            {
                var source = new YamlMappingNode(
                    Key("secretKeyRef"), new YamlMappingNode(Key("name"), Str(e.Secret), Key("key"), Str(e.Key)));
                if (e.Replace)
                {
                    // In place: the variable keeps its position, only where its value comes from changes.
                    var chartVar = existing.GetValueOrDefault(e.Name)
                        ?? throw new PostRenderException($"container {wiring.Container} has no env {e.Name} to take from Secret {e.Secret}");
                    chartVar.Children.Remove(Str("value"));
                    chartVar.Children[Key("valueFrom")] = source;
                    continue;
                }
                Add(e.Name, source);
            }
            foreach (var f in wiring.FieldEnv ?? [])
            {
                Add(f.Name, new YamlMappingNode(Key("fieldRef"), new YamlMappingNode(Key("fieldPath"), Str(f.FieldPath))));
            }
        }
        if (wiring.Files.Count > 0 || wiring.Scratch is { Count: > 0 })
        {
            var mounts = Sequence(container, "volumeMounts");
            var volumes = Sequence(podSpec, "volumes");
            var names = volumes.Children.OfType<YamlMappingNode>().Select(v => Text(Get(v, "name"))).ToHashSet();
            foreach (var name in wiring.Files.Select(f => f.Volume).Concat((wiring.Scratch ?? []).Select(d => d.Volume)))
            {
                if (!names.Add(name))
                {
                    throw new PostRenderException($"the Deployment already has a volume named {name}");
                }
            }
            foreach (var f in wiring.Files)
            {
                mounts.Add(new YamlMappingNode(
                    Key("name"), Str(f.Volume), Key("mountPath"), Str(f.Directory), Key("readOnly"), Plain("true")));
                volumes.Add(new YamlMappingNode(
                    Key("name"), Str(f.Volume),
                    Key("secret"), new YamlMappingNode(
                        Key("secretName"), Str(f.Secret),
                        Key("defaultMode"), Plain(f.Mode.ToString(CultureInfo.InvariantCulture)),
                        Key("items"), new YamlSequenceNode(new YamlMappingNode(Key("key"), Str(f.Key), Key("path"), Str(f.File))))));
            }
            foreach (var d in wiring.Scratch ?? [])
            {
                mounts.Add(new YamlMappingNode(Key("name"), Str(d.Volume), Key("mountPath"), Str(d.Directory)));
                var emptyDir = new YamlMappingNode(Key("sizeLimit"), Str(d.SizeLimit));
                if (d.Memory)
                {
                    emptyDir.Add(Key("medium"), Str("Memory"));
                }
                volumes.Add(new YamlMappingNode(Key("name"), Str(d.Volume), Key("emptyDir"), emptyDir));
            }
        }
        if (wiring.NoHostPorts)
        {
            RemoveHostPorts(podSpec);
        }
        if (wiring.SecretVolumeMode is { } mode && Get(podSpec, "volumes") is YamlSequenceNode chartVolumes)
        {
            // The chart's own Secret volumes without a mode (0644 by default: a key readable by every user in the pod).
            foreach (var secret in chartVolumes.Children.OfType<YamlMappingNode>().Select(v => Get(v, "secret")).OfType<YamlMappingNode>())
            {
                if (Get(secret, "defaultMode") is null)
                {
                    secret.Add(Key("defaultMode"), Plain(mode.ToString(CultureInfo.InvariantCulture)));
                }
            }
        }
        if (wiring.NoServiceAccountToken)
        {
            podSpec.Children[Key("automountServiceAccountToken")] = Plain("false");
        }
        if (wiring.PullSecrets is { Count: > 0 } pullSecrets)
        {
            var list = Sequence(podSpec, "imagePullSecrets");
            foreach (var name in pullSecrets)
            {
                list.Add(new YamlMappingNode(Key("name"), Str(name)));
            }
        }
        if (wiring.StrictConfig && Get(container, "args") is YamlSequenceNode args)
        {
            var keep = args.Children.Where(a => Text(a) != SecretWiring.DisableStrictConfig).ToList();
            if (keep.Count == 0)
            {
                container.Children.Remove(Str("args"));
            }
            else
            {
                container.Children[Str("args")] = new YamlSequenceNode(keep);
            }
        }
    }

    /// <summary>Remove <see cref="Paths"/> from key <see cref="Key"/> of ConfigMap <see cref="ConfigMap"/>, which <see cref="Container"/> reads.</summary>
    private sealed record ConfigEdit(string Container, string ConfigMap, string Key, IReadOnlyList<string> Paths)
    {
        public string Where => $"key {Key} of ConfigMap {ConfigMap}";

        public string What => $"the chart-only config keys ({nameof(SecretWiring.ChartOnlyConfigKeys)}: {string.Join(", ", Paths)})";
    }

    /// <summary>The ConfigMap key the container's <see cref="SecretWiring.ConfigEnv"/> comes from, and the paths to remove from it.</summary>
    private static ConfigEdit ConfigSource(YamlMappingNode container, string name, IReadOnlyList<string> paths)
    {
        var env = (Get(container, "env") as YamlSequenceNode)?.Children.OfType<YamlMappingNode>()
            .FirstOrDefault(e => Text(Get(e, "name")) == SecretWiring.ConfigEnv);
        var source = Get(Get(env, "valueFrom") as YamlMappingNode, "configMapKeyRef") as YamlMappingNode;
        var edit = new ConfigEdit(name, Text(Get(source, "name")) ?? "", Text(Get(source, "key")) ?? "", paths);
        if (edit.ConfigMap.Length == 0 || edit.Key.Length == 0)
        {
            throw new PostRenderException($"the wiring asks to remove {edit.What} from the chart's config, but container {name} " +
                $"has no env {SecretWiring.ConfigEnv} from a ConfigMap key (valueFrom.configMapKeyRef with name and key)");
        }
        if (paths.FirstOrDefault(p => p.Split('.').Any(s => s.Length == 0)) is { } bad)
        {
            throw new PostRenderException($"{nameof(SecretWiring.ChartOnlyConfigKeys)} names \"{bad}\", which is not a dotted path of config keys");
        }
        if (paths.GroupBy(p => p).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new PostRenderException($"{nameof(SecretWiring.ChartOnlyConfigKeys)} names {twice.Key} twice");
        }
        return edit;
    }

    /// <summary>
    /// Rewrites, in the one ConfigMap the edit names, the value of its key without the edit's paths. Only that value's
    /// text changes: every other line of the ConfigMap, and every other document, stays as it is.
    /// </summary>
    private static void RemoveChartOnlyKeys(List<(string Separator, string Body)> documents, ConfigEdit edit)
    {
        var found = new List<(int Index, YamlMappingNode Root)>();
        for (var i = 0; i < documents.Count; i++)
        {
            var body = documents[i].Body;
            if (!body.Contains("ConfigMap", StringComparison.Ordinal) || !body.Contains(edit.ConfigMap, StringComparison.Ordinal))
            {
                continue;
            }
            if (Load(body, "a rendered document") is YamlMappingNode root && Text(Get(root, "kind")) == "ConfigMap" &&
                Text(Get(Get(root, "metadata") as YamlMappingNode, "name")) == edit.ConfigMap)
            {
                found.Add((i, root));
            }
        }
        if (found.Count != 1)
        {
            var count = found.Count == 0 ? "no ConfigMap" : $"{found.Count.ToString(CultureInfo.InvariantCulture)} ConfigMaps";
            throw new PostRenderException($"{count} named {edit.ConfigMap} in the manifests, where container {edit.Container} reads its " +
                $"config ({SecretWiring.ConfigEnv}, key {edit.Key}): cannot remove {edit.What}");
        }
        var (index, configMap) = found[0];
        var (key, node) = (Get(configMap, "data") as YamlMappingNode)?.Children.FirstOrDefault(kv => Text(kv.Key) == edit.Key) ?? default;
        if (node is not YamlScalarNode { Value: { } text } value)
        {
            throw new PostRenderException($"ConfigMap {edit.ConfigMap} has no data key {edit.Key} (text), which container {edit.Container} " +
                $"reads its config from: cannot remove {edit.What}");
        }
        var (separator, original) = documents[index];
        var rewritten = WithoutPaths(text, edit);
        var spliced = Splice(original, key, value, rewritten);
        // The splice works on the text; the parser has the last word on what it means.
        var check = (Get(Load(spliced, edit.Where) as YamlMappingNode, "data") as YamlMappingNode) is { } data ? Text(Get(data, edit.Key)) : null;
        if (check != rewritten)
        {
            throw new PostRenderException($"rewriting {edit.Where} in place gave another value than intended (a bug of the post-renderer)");
        }
        documents[index] = (separator, spliced);
    }

    private static YamlNode? Load(string text, string what)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new PostRenderException($"{what} is not valid YAML: {e.Message}");
        }
        return stream.Documents.Count == 1 ? stream.Documents[0].RootNode : null;
    }

    /// <summary>
    /// The config text without the paths, written by the Deployment's emitter (plain scalars keep their text) with
    /// toYaml's compact lists: the chart's text but for the removed keys' lines.
    /// </summary>
    private static string WithoutPaths(string text, ConfigEdit edit)
    {
        if (Load(text, edit.Where) is not YamlMappingNode root)
        {
            throw new PostRenderException($"{edit.Where} is not one YAML mapping: cannot remove {edit.What}");
        }
        if (root.AllNodes.FirstOrDefault(n => !n.Tag.IsEmpty) is { } tagged)
        {
            // The emitter writes values, not tags: refuse rather than change what a tagged value means.
            throw new PostRenderException($"{edit.Where} has a YAML tag ({tagged.Tag}) the post-renderer does not rewrite: cannot remove {edit.What}");
        }
        foreach (var path in edit.Paths)
        {
            var segments = path.Split('.');
            var parent = root;
            foreach (var segment in segments[..^1])
            {
                parent = Get(parent, segment) as YamlMappingNode ?? throw Missing(path);
            }
            if (!parent.Children.Remove(Str(segments[^1])))
            {
                throw Missing(path);
            }
        }
        var sb = new StringBuilder();
        if (root.Children.Count == 0)
        {
            sb.Append("{}\n");
        }
        EmitMapping(sb, root, 0, compact: true);
        return sb.ToString();

        PostRenderException Missing(string path) => new($"{edit.Where} has no {path} to remove ({nameof(SecretWiring.ChartOnlyConfigKeys)}): " +
            "the chart values are not the plan's, which set every key its wiring removes");
    }

    /// <summary>
    /// <paramref name="body"/> with <paramref name="value"/> (of mapping key <paramref name="key"/>) replaced by
    /// <paramref name="text"/>: a block scalar (the chart's <c>config.yaml: |</c>) stays a literal block at its own
    /// indentation, a flow scalar becomes a double-quoted one. Nothing outside the value's lines changes.
    /// </summary>
    private static string Splice(string body, YamlNode key, YamlScalarNode value, string text)
    {
        var start = (int)value.Start.Index;
        if (value.Style is not (ScalarStyle.Literal or ScalarStyle.Folded))
        {
            return body[..start] + YamlQuote.Quote(text) + body[(int)value.End.Index..];
        }
        var keyStart = (int)key.Start.Index;
        var keyColumn = keyStart - (body.LastIndexOf('\n', Math.Max(keyStart - 1, 0)) + 1);
        // The block's lines: after its header line, every blank line or one indented deeper than its key.
        var headerEnd = body.IndexOf('\n', start);
        var end = headerEnd < 0 ? body.Length : headerEnd + 1;
        int? indent = null;
        for (var pos = end; pos < body.Length;)
        {
            var lineEnd = body.IndexOf('\n', pos) is var n and >= 0 ? n + 1 : body.Length;
            var line = body[pos..lineEnd].TrimEnd('\n', '\r');
            var depth = line.Length - line.TrimStart(' ').Length;
            if (line.Trim().Length > 0)
            {
                if (depth <= keyColumn)
                {
                    break;
                }
                indent ??= depth;
                end = lineEnd;
            }
            pos = lineEnd;
        }
        var margin = new string(' ', indent ?? keyColumn + 2);
        var sb = new StringBuilder(body[..start]).Append("|\n");
        foreach (var line in text.TrimEnd('\n').Split('\n'))
        {
            (line.Length == 0 ? sb : sb.Append(margin).Append(line)).Append('\n');
        }
        return sb.Append(body[end..]).ToString();
    }

    /// <summary>YAML 1.1 spellings of false, as Kubernetes reads them (sigs.k8s.io/yaml on go-yaml v2, <c>resolve.go</c>).</summary>
    private static readonly HashSet<string> YamlFalse = ["false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N"];

    /// <summary>
    /// Every <c>hostPort</c> of every container port goes; the ports themselves stay. On a host-network pod the wiring
    /// contradicts the chart values: there a container port is the node's port whatever <c>hostPort</c> says.
    /// </summary>
    private static void RemoveHostPorts(YamlMappingNode podSpec)
    {
        if (Get(podSpec, "hostNetwork") is { } hostNetwork && !(hostNetwork is YamlScalarNode { Value: { } v } && YamlFalse.Contains(v)))
        {
            throw new PostRenderException($"the wiring asks to remove the hostPorts ({nameof(SecretWiring.NoHostPorts)}) of a pod with " +
                $"hostNetwork: {Text(hostNetwork) ?? "(not a scalar)"}: a host-network pod listens on the node's ports anyway; " +
                "the plan's wiring and its chart values (podHostNetwork) contradict each other");
        }
        foreach (var list in new[] { "initContainers", "containers" })
        {
            if (Get(podSpec, list) is not YamlSequenceNode containers)
            {
                continue;
            }
            foreach (var c in containers.Children.OfType<YamlMappingNode>())
            {
                if (Get(c, "ports") is YamlSequenceNode ports)
                {
                    foreach (var port in ports.Children.OfType<YamlMappingNode>())
                    {
                        port.Children.Remove(Str("hostPort"));
                    }
                }
            }
        }
    }

    private static YamlNode? Get(YamlMappingNode? map, string key) =>
        map is not null && map.Children.TryGetValue(Str(key), out var value) ? value : null;

    private static YamlMappingNode? Map(YamlNode? node, string path) => node switch
    {
        null => null,
        YamlMappingNode m => m,
        _ => throw new PostRenderException($"{path} of the Deployment is not a mapping"),
    };

    private static YamlSequenceNode Sequence(YamlMappingNode map, string key)
    {
        switch (Get(map, key))
        {
            case YamlSequenceNode s:
                return s;
            case null:
            case YamlScalarNode { Value: null or "" or "null" or "~" }:
                var created = new YamlSequenceNode();
                map.Children[Key(key)] = created;
                return created;
            default:
                throw new PostRenderException($"{key} is not a list");
        }
    }

    private static string? Text(YamlNode? node) => (node as YamlScalarNode)?.Value;

    private static YamlScalarNode Str(string value) => new(value) { Style = ScalarStyle.DoubleQuoted };

    private static YamlScalarNode Key(string value) => Plain(value);

    private static YamlScalarNode Plain(string value) => new(value) { Style = ScalarStyle.Plain };

    // A small block-style emitter: plain scalars keep their source text (their YAML 1.1 meaning for Kubernetes is
    // unchanged), all other scalars become double-quoted strings with the same value. Lists are indented under their key,
    // as the charts' templates write them; compact (a list's dashes at its key's column) as Helm's toYaml (go-yaml) does.
    private static void EmitMapping(StringBuilder sb, YamlMappingNode map, int indent, bool compact = false)
    {
        foreach (var (key, value) in map.Children)
        {
            sb.Append(' ', indent).Append(Scalar((YamlScalarNode)key)).Append(':');
            EmitValue(sb, value, indent, compact);
        }
    }

    private static void EmitValue(StringBuilder sb, YamlNode value, int indent, bool compact)
    {
        switch (value)
        {
            case YamlMappingNode { Children.Count: 0 }:
                sb.Append(" {}\n");
                break;
            case YamlMappingNode m:
                sb.Append('\n');
                EmitMapping(sb, m, indent + 2, compact);
                break;
            case YamlSequenceNode { Children.Count: 0 }:
                sb.Append(" []\n");
                break;
            case YamlSequenceNode s:
                sb.Append('\n');
                var dash = compact ? indent : indent + 2;
                foreach (var item in s.Children)
                {
                    sb.Append(' ', dash).Append('-');
                    if (item is YamlMappingNode { Children.Count: > 0 } im)
                    {
                        var first = true;
                        foreach (var (k, v) in im.Children)
                        {
                            sb.Append(first ? " " : new string(' ', dash + 2)).Append(Scalar((YamlScalarNode)k)).Append(':');
                            EmitValue(sb, v, dash + 2, compact);
                            first = false;
                        }
                    }
                    else
                    {
                        // A list in a list: its dashes one step right of this one's, compact or not.
                        EmitValue(sb, item, compact ? dash + 2 : dash, compact);
                    }
                }
                break;
            case YamlScalarNode sc:
                var text = Scalar(sc);
                sb.Append(text.Length == 0 ? "" : " ").Append(text).Append('\n');
                break;
            default:
                throw new PostRenderException($"unsupported YAML node {value.NodeType}");
        }
    }

    private static string Scalar(YamlScalarNode node)
    {
        var value = node.Value ?? "";
        if (node.Style is ScalarStyle.Plain or ScalarStyle.Any && !value.Contains('\n'))
        {
            return value;
        }
        return YamlQuote.Quote(value);
    }
}
