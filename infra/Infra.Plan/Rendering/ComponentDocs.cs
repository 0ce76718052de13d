using System.Globalization;
using System.Text;
using Infra.Plan.Components;
using Infra.Plan.Contract;
using Infra.Plan.Spec;

namespace Infra.Plan.Rendering;

/// <summary>
/// What <see cref="ComponentCatalog"/> generates, kept in step by <c>render docs --write</c> and checked by
/// <c>render docs --check</c>: each component's Args class (components/Args/, the Pulumi layer compiles it) and its page
/// (docs/components/), and the umbrella's. One table, so the C# Args, the docs and the standalone planner cannot
/// disagree about a name, a type or a default.
/// </summary>
public static class ComponentDocs
{
    public const string ArgsDirectory = "components/Args";
    public const string DocsDirectory = "docs/components";
    private const string Generated = "generated from infra/Infra.Plan/Components/ComponentCatalog.cs by `dotnet run --project infra/Infra.Render -- docs --write`; do not edit";

    /// <summary>The umbrella's Args: one nested class per config section, under the section's short name.</summary>
    public static IReadOnlyList<(string Name, string Title, IReadOnlyList<ConfigKey> Keys)> Sections { get; } =
        EnvironmentSpec.Sections.Select(s => (ShortName(s.Title), s.Title, s.Keys)).ToList();

    private static string ShortName(string title) => title.Split(' ')[0] switch
    {
        "Host" => "ports",
        "TLS" => "tls",
        "SFU" => "sfu",
        "TURN" => "turn",
        "Recording" => "egress",
        "Nodes" => "nodes",
        "Load" => "load",
        "Cluster" => "cluster",
        "Redis" => "redis",
        var first => first.ToLowerInvariant(),
    };

    /// <summary>Every generated file, by path relative to the repository root.</summary>
    public static IReadOnlyList<PlanFile> Files()
    {
        var files = new List<PlanFile>();
        foreach (var c in ComponentCatalog.All)
        {
            files.Add(new PlanFile($"{ArgsDirectory}/{c.TypeName}Args.cs", ArgsSource(c)));
            files.Add(new PlanFile($"{DocsDirectory}/{c.TypeName}.md", Page(c)));
        }
        files.Add(new PlanFile($"{ArgsDirectory}/MatrixRtcArgs.cs", UmbrellaArgsSource()));
        files.Add(new PlanFile($"{DocsDirectory}/MatrixRtc.md", UmbrellaPage()));
        return files;
    }

    public static string Pascal(string name) => char.ToUpperInvariant(name[0]) + name[1..];

    private static string CsType(ConfigKey key) => key.Type switch
    {
        ConfigType.Integer => "Input<int>?",
        ConfigType.Boolean => "Input<bool>?",
        ConfigType.StringArray => "InputList<string>?",
        _ => "Input<string>?",
    };

    private static string DocType(ConfigKey key) => key.Type switch
    {
        ConfigType.Integer => "integer",
        ConfigType.Boolean => "boolean",
        ConfigType.StringArray => "string[]",
        _ => key.Secret ? "string (secret)" : "string",
    };

    public static string DefaultText(ConfigKey key) => key.Required && key.Default is null ? "required" : key.Default switch
    {
        null => "none",
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        string s when s.Length == 0 => "\"\"",
        string s => s,
        string[] a => "[" + string.Join(", ", a) + "]",
        IEnumerable<string> a => "[" + string.Join(", ", a) + "]",
        var o => o.ToString() ?? "",
    };

    private static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static void Property(StringBuilder sb, string indent, string inputName, string type, string doc)
    {
        sb.AppendLine($"{indent}/// <summary>{Xml(doc)}</summary>");
        sb.AppendLine($"{indent}[Input(\"{inputName}\")]");
        if (type == "InputList<string>?")
        {
            // Pulumi's own SDK shape: a collection initializer works, and an untouched list counts as not given.
            sb.AppendLine($"{indent}public InputList<string> {Pascal(inputName)} {{ get => _{inputName} ??= new(); set => _{inputName} = value; }}");
            sb.AppendLine($"{indent}private InputList<string>? _{inputName};");
        }
        else
        {
            sb.AppendLine($"{indent}public {type} {Pascal(inputName)} {{ get; set; }}");
        }
        sb.AppendLine();
    }

    private static string KeyDoc(ConfigKey key) => $"{key.Description} Default: {DefaultText(key)}.";

    private static void KeyProperties(StringBuilder sb, string indent, IEnumerable<ConfigKey> keys)
    {
        foreach (var key in keys)
        {
            Property(sb, indent, key.Name, CsType(key), KeyDoc(key));
        }
    }

    /// <summary>The lines of <c>Values()</c>: each input with its config key name, converted by ArgsValues.</summary>
    private static void ValuesMethod(StringBuilder sb, string indent, IEnumerable<ConfigKey> keys, string prefix = "")
    {
        foreach (var key in keys)
        {
            var converter = key.Type switch
            {
                ConfigType.StringArray => "List",
                _ when key.Secret => "Secret",
                _ => "Scalar",
            };
            var member = key.Type == ConfigType.StringArray ? $"_{key.Name}" : Pascal(key.Name);
            sb.AppendLine($"{indent}yield return (\"{key.Name}\", ArgsValues.{converter}({prefix}{member}));");
        }
    }

    private static string Header() =>
        $"// <auto-generated>{Generated}.</auto-generated>\n#nullable enable\nusing Pulumi;\n\nnamespace Infra.Components;\n\n";

    public static string ArgsSource(ComponentDefinition c)
    {
        var sb = new StringBuilder(Header());
        sb.AppendLine($"/// <summary>");
        sb.AppendLine($"/// The Args of <see cref=\"{c.TypeName}\"/>. Every input is optional and takes the default its summary names (the");
        sb.AppendLine($"/// stack config key of the same name has the same default and rules): docs/components/{c.TypeName}.md.");
        sb.AppendLine($"/// </summary>");
        sb.AppendLine($"public sealed class {c.TypeName}Args : ResourceArgs");
        sb.AppendLine("{");
        KeyProperties(sb, "    ", c.Inputs);
        foreach (var p in c.Provided)
        {
            Property(sb, "    ", p.Name, "Input<string>?", p.Description + " Required: the plan reads it.");
        }
        sb.AppendLine("    /// <summary>The inputs that are given, by config key, for the plan.</summary>");
        sb.AppendLine("    internal IEnumerable<(string Key, Output<Infra.Plan.Spec.ConfigValue>? Value)> ConfigValues()");
        sb.AppendLine("    {");
        ValuesMethod(sb, "        ", c.Inputs);
        sb.AppendLine("    }");
        sb.AppendLine();
        sb.AppendLine("    /// <summary>The values taken from other components, by their input name.</summary>");
        sb.AppendLine("    internal IEnumerable<(string Name, Input<string>? Value)> ProvidedValues()");
        sb.AppendLine("    {");
        if (c.Provided.Count == 0)
        {
            sb.AppendLine("        yield break;");
        }
        foreach (var p in c.Provided)
        {
            sb.AppendLine($"        yield return (\"{p.Name}\", {Pascal(p.Name)});");
        }
        sb.AppendLine("    }");
        sb.AppendLine("}");
        return sb.ToString();
    }

    public static string UmbrellaArgsSource()
    {
        var sb = new StringBuilder(Header());
        sb.AppendLine("/// <summary>");
        sb.AppendLine("/// The Args of <see cref=\"MatrixRtc\"/>: today's stack config by section (each key under its section's name, e.g.");
        sb.AppendLine("/// <c>redis.redisDataNodes</c>). Every input is optional except the required ones: docs/components/MatrixRtc.md.");
        sb.AppendLine("/// </summary>");
        sb.AppendLine("public sealed class MatrixRtcArgs : ResourceArgs");
        sb.AppendLine("{");
        foreach (var (name, title, _) in Sections)
        {
            Property(sb, "    ", name, $"MatrixRtc{Pascal(name)}Args?", $"{title}.");
        }
        sb.AppendLine("    /// <summary>The inputs that are given, by config key, for the plan.</summary>");
        sb.AppendLine("    internal IEnumerable<(string Key, Output<Infra.Plan.Spec.ConfigValue>? Value)> ConfigValues() =>");
        sb.AppendLine("        new IEnumerable<(string, Output<Infra.Plan.Spec.ConfigValue>?)>[]");
        sb.AppendLine("        {");
        foreach (var (name, _, _) in Sections)
        {
            sb.AppendLine($"            {Pascal(name)}?.ConfigValues() ?? [],");
        }
        sb.AppendLine("        }.SelectMany(v => v);");
        sb.AppendLine();
        sb.AppendLine("    /// <summary>A stack's config (already validated by the plan) as Args: a key not set stays unset.</summary>");
        sb.AppendLine("    internal static MatrixRtcArgs FromConfig(IReadOnlyDictionary<string, Infra.Plan.Spec.ConfigValue> config) => new()");
        sb.AppendLine("    {");
        foreach (var (name, _, _) in Sections)
        {
            sb.AppendLine($"        {Pascal(name)} = MatrixRtc{Pascal(name)}Args.FromConfig(config),");
        }
        sb.AppendLine("    };");
        sb.AppendLine("}");
        foreach (var (name, title, keys) in Sections)
        {
            sb.AppendLine();
            sb.AppendLine($"/// <summary>{Xml(title)}: the <c>{name}</c> section of <see cref=\"MatrixRtcArgs\"/>.</summary>");
            sb.AppendLine($"public sealed class MatrixRtc{Pascal(name)}Args : ResourceArgs");
            sb.AppendLine("{");
            KeyProperties(sb, "    ", keys);
            sb.AppendLine("    internal static " + $"MatrixRtc{Pascal(name)}Args" + "? FromConfig(IReadOnlyDictionary<string, Infra.Plan.Spec.ConfigValue> config)");
            sb.AppendLine("    {");
            sb.AppendLine($"        var args = new MatrixRtc{Pascal(name)}Args();");
            sb.AppendLine("        var any = false;");
            foreach (var key in keys)
            {
                var read = key.Type switch
                {
                    ConfigType.Integer => "ArgsValues.Int(value)",
                    ConfigType.Boolean => "ArgsValues.Bool(value)",
                    ConfigType.StringArray => "ArgsValues.Strings(value)",
                    _ => "ArgsValues.String(value)",
                };
                sb.AppendLine($"        if (config.TryGetValue(\"{key.Name}\", out var value) is var found && found) {{ args.{Pascal(key.Name)} = {read}; any = true; }}"
                    .Replace("out var value) is var found && found", $"out var {key.Name}Value)").Replace("(value)", $"(\"{key.Name}\", {key.Name}Value)"));
            }
            sb.AppendLine("        return any ? args : null;");
            sb.AppendLine("    }");
            sb.AppendLine();
            sb.AppendLine("    internal IEnumerable<(string Key, Output<Infra.Plan.Spec.ConfigValue>? Value)> ConfigValues()");
            sb.AppendLine("    {");
            ValuesMethod(sb, "        ", keys);
            sb.AppendLine("    }");
            sb.AppendLine("}");
        }
        return sb.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|").Replace("\n", " ");

    private static void InputTable(StringBuilder sb, IEnumerable<ConfigKey> keys)
    {
        sb.AppendLine("| input | type | default | description |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var k in keys)
        {
            sb.AppendLine($"| `{k.Name}` | {DocType(k)} | `{Cell(DefaultText(k))}` | {Cell(k.Description)} |");
        }
    }

    private static void OutputTable(StringBuilder sb, IReadOnlyList<ComponentOutput> outputs)
    {
        if (outputs.Count == 0)
        {
            sb.AppendLine("None.");
            return;
        }
        sb.AppendLine("| output | type | description |");
        sb.AppendLine("|---|---|---|");
        foreach (var o in outputs)
        {
            var type = o.Type switch { OutputType.StringArray => "string[]", OutputType.SecretString => "string (secret)", _ => "string" };
            sb.AppendLine($"| `{o.Name}` | {type} | {Cell(o.Description)} |");
        }
    }

    public static string Page(ComponentDefinition c)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# {c.TypeName} (`{c.Token}`)");
        sb.AppendLine();
        sb.AppendLine($"<!-- {Generated}. -->");
        sb.AppendLine();
        sb.AppendLine(c.Description);
        sb.AppendLine();
        if (DesignPage(c.TypeName) is { } design)
        {
            sb.AppendLine($"Design, figures and operation: [{design}](../{design}).");
            sb.AppendLine();
        }
        sb.AppendLine($"Code: `components/{c.TypeName}.cs` (the Pulumi class), its plan under `infra/Infra.Plan/Components/`. Every input is the");
        sb.AppendLine("stack config key of the same name: same default, same rules; a mistake is reported naming the input.");
        if (c.FixedKeys.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Used alone it always plans with " + string.Join(", ", c.FixedKeys.Select(f => $"`{f.Key}: {f.Value}`")) + ".");
        }
        sb.AppendLine();
        sb.AppendLine("## Inputs");
        sb.AppendLine();
        InputTable(sb, c.Inputs);
        if (c.Provided.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("## Inputs from other components");
            sb.AppendLine();
            sb.AppendLine("| input | secret | description |");
            sb.AppendLine("|---|---|---|");
            foreach (var p in c.Provided)
            {
                sb.AppendLine($"| `{p.Name}` | {(p.Secret ? "yes" : "no")} | {Cell(p.Description)} |");
            }
        }
        sb.AppendLine();
        sb.AppendLine("## Outputs");
        sb.AppendLine();
        OutputTable(sb, c.Outputs);
        sb.AppendLine();
        sb.AppendLine("## Example (C#)");
        sb.AppendLine();
        sb.AppendLine("```csharp");
        sb.AppendLine(Example(c));
        sb.AppendLine("```");
        return sb.ToString();
    }

    /// <summary>The hand-written page (docs/) on the component's design and operation.</summary>
    private static string? DesignPage(string typeName) => typeName switch
    {
        "RedisSentinel" => "redis-sentinel.md",
        "Coturn" => "coturn.md",
        "LiveKit" or "Authorizer" => "livekit-and-authorizer.md",
        "Egress" => "egress.md",
        "SynapseConfig" or "NetworkPolicies" => "synapse-and-network-policies.md",
        _ => null,
    };

    private static string Example(ComponentDefinition c) => c.TypeName switch
    {
        "RedisSentinel" => "var redis = new RedisSentinel(\"redis\", new RedisSentinelArgs { Namespace = \"rtc\", MediaNamespace = \"rtc-media\", Tier = \"small\" });",
        "Coturn" => "var turn = new Coturn(\"turn\", new CoturnArgs { TurnHost = \"turn.example.org\", NodeCidrs = { \"10.0.0.0/24\" } });",
        "LiveKit" => "var sfu = new LiveKit(\"sfu\", new LiveKitArgs\n{\n    RtcHost = \"rtc.example.org\", TurnHost = \"turn.example.org\", NodeCidrs = { \"10.0.0.0/24\" },\n" +
            "    MediaRelayImageRepository = \"registry.example.org/rtc/media-relay\", MediaRelayImageTag = \"v1.13.5-1\", MediaRelayLivekitVersion = \"v1.13.5\",\n" +
            "    GatewayName = \"public\", GatewayNamespace = \"gateway\", GatewaySectionName = \"https\",\n" +
            "    ExistingSentinelMasterName = redis.MasterName, ExistingSentinelAddresses = redis.SentinelAddresses,\n" +
            "    ExistingRedisPasswordSecret = redis.PasswordSecret, ExistingSentinelPasswordSecret = redis.SentinelPasswordSecret,\n});",
        "Authorizer" => "var auth = new Authorizer(\"auth\", new AuthorizerArgs\n{\n    ServerName = \"example.org\", RtcHost = \"rtc.example.org\",\n" +
            "    GatewayName = \"public\", GatewayNamespace = \"gateway\", GatewaySectionName = \"https\",\n    LivekitApiKey = sfu.ApiKey, LivekitApiSecret = sfu.ApiSecret,\n});",
        "Egress" => "var egress = new Egress(\"egress\", new EgressArgs\n{\n    RtcHost = \"rtc.example.org\", EgressStorage = \"s3\", EgressS3Bucket = \"calls\",\n" +
            "    LivekitApiKey = sfu.ApiKey, LivekitApiSecret = sfu.ApiSecret, RedisPassword = redis.Password, SentinelPassword = redis.SentinelPassword,\n});",
        "SynapseConfig" => "var synapse = new SynapseConfig(\"synapse\", new SynapseConfigArgs\n{\n    ServerName = \"example.org\", RtcHost = \"rtc.example.org\", TurnHost = \"turn.example.org\",\n" +
            "    TurnSharedSecret = turn.SharedSecret,\n});\n// mount synapse.MatrixRtcYaml into Synapse's config",
        "NetworkPolicies" => "// the same keys as the components it protects (docs/components/MatrixRtc.md lists them by section)\n" +
            "var policies = new NetworkPolicies(\"policies\", new NetworkPoliciesArgs\n{\n    ServerName = \"example.org\", RtcHost = \"rtc.example.org\", TurnHost = \"turn.example.org\",\n" +
            "    NodeCidrs = { \"10.0.0.0/24\" }, Cni = \"cilium\", GatewayName = \"public\", GatewayNamespace = \"gateway\", GatewaySectionName = \"https\",\n" +
            "    MediaRelayImageRepository = \"registry.example.org/rtc/media-relay\", MediaRelayImageTag = \"v1.13.5-1\", MediaRelayLivekitVersion = \"v1.13.5\",\n});",
        _ => "",
    };

    public static string UmbrellaPage()
    {
        var sb = new StringBuilder();
        sb.AppendLine("# MatrixRtc (`matrix-rtc:index:MatrixRtc`)");
        sb.AppendLine();
        sb.AppendLine($"<!-- {Generated}. -->");
        sb.AppendLine();
        sb.AppendLine("The whole calling backend of a Matrix homeserver: every component of this package, wired together, sized by tier.");
        sb.AppendLine("Its Args are the stack config by section (the stack program is config → `MatrixRtcArgs` → `new MatrixRtc`); the");
        sb.AppendLine("rules that span components (media node count for the tier, production's digests and certificates) are checked here.");
        sb.AppendLine();
        sb.AppendLine("Children: " + string.Join(", ", ComponentCatalog.All.Select(c => $"[{c.TypeName}]({c.TypeName}.md)")) +
            ", and the namespaces, TLS and monitoring parts.");
        sb.AppendLine();
        sb.AppendLine("## Outputs");
        sb.AppendLine();
        OutputTable(sb, UmbrellaOutputs);
        foreach (var (name, title, keys) in Sections)
        {
            sb.AppendLine();
            sb.AppendLine($"## `{name}`: {title}");
            sb.AppendLine();
            InputTable(sb, keys);
        }
        sb.AppendLine();
        sb.AppendLine("## Example (YAML)");
        sb.AppendLine();
        sb.AppendLine("See `examples/yaml-matrix-rtc/Pulumi.yaml`.");
        return sb.ToString();
    }

    /// <summary>The umbrella's outputs: what the stack exports.</summary>
    public static IReadOnlyList<ComponentOutput> UmbrellaOutputs { get; } =
    [
        new("sfuUrl", OutputType.String, "wss URL clients (through the authorizer) connect to."),
        new("authorizerUrl", OutputType.String, "The authorizer's public URL: Synapse's livekit_service_url and the .well-known rtc_foci."),
        new("turnUris", OutputType.StringArray, "coturn's turn: and turns: URIs (Synapse's turn_uris); empty without host networking, where LiveKit hands out its own TURN."),
        new("synapseConfig", OutputType.String, "The homeserver config fragment to mount into Synapse (no secret)."),
        new("wellKnownClient", OutputType.String, "The /.well-known/matrix/client JSON with the rtc_foci entry."),
        new("tier", OutputType.String, "The tier the environment is sized by."),
        new("capacitySummary", OutputType.String, "What the tier carries, from the capacity model."),
        new("capacityWarnings", OutputType.StringArray, "Where the tier does not carry the stated load."),
        new("turnSharedSecret", OutputType.SecretString, "The TURN REST shared secret (coturn's); empty without host networking, where coturn does not run."),
        new("livekitApiKey", OutputType.SecretString, "The LiveKit API key id."),
        new("livekitApiSecret", OutputType.SecretString, "The LiveKit API secret."),
    ];
}
