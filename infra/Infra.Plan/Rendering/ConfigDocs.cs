using System.Text;
using Infra.Plan.Spec;

namespace Infra.Plan.Rendering;

/// <summary>
/// Generates the <c>config:</c> section of Pulumi.yaml and the README's config table from
/// <see cref="ConfigSchema"/>, so the three can never drift (a test compares them).
/// </summary>
public static class ConfigDocs
{
    public const string ReadmeBegin = "<!-- config-table:begin (generated: dotnet run --project infra/Infra.Render -- docs --write) -->";
    public const string ReadmeEnd = "<!-- config-table:end -->";
    public const string PulumiBegin = "# config:begin (generated from infra/Infra.Plan/Spec/Sections; run: dotnet run --project infra/Infra.Render -- docs --write)";
    public const string PulumiEnd = "# config:end";

    public const string TierBegin = "<!-- tier-table:begin (generated: dotnet run --project infra/Infra.Render -- docs --write) -->";
    public const string TierEnd = "<!-- tier-table:end -->";

    /// <summary>
    /// The README's tier table: each preset with its own SFU count and the capacity model's figures at its stated
    /// maximum, with the band; a tier the band says cannot carry its load is said so, not resized.
    /// </summary>
    public static string TierTable()
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var assumptions = Sizing.SizingAssumptions.Default;
        var hw = Sizing.CapacityModel.Hardware(assumptions.Hardware);
        var sb = new StringBuilder();
        sb.AppendLine(TierBegin);
        sb.AppendLine("| tier | calls | participants | SFU pods (each, Guaranteed) | at the stated maximum: calls × size | SFU CPU needed (band) | carries it? | egress | TURN relay | largest call on one SFU | recordings/streams (with `egress`) |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var preset in Sizing.TierCatalog.All)
        {
            var s = Sizing.SizingPlan.AtStatedMaximum(preset, assumptions: assumptions);
            var cpu = s.Estimate.Cpu;
            var carries = s.SeedCarriesLoad
                ? $"yes ({Sizing.SizingPlan.Percent(s.Headroom)} headroom at the upper edge)"
                : $"**no**: the upper edge needs {s.SfuNodesNeeded} SFUs of {preset.Sfu.Cpu} CPU";
            var largest = s.LargestCall.Cpu;
            sb.AppendLine($"| {preset.Name} | {preset.MinCalls}-{preset.MaxCalls} | {preset.MinParticipants}-{preset.MaxParticipants} | " +
                $"{preset.SfuReplicas} × {preset.Sfu.Cpu} CPU / {preset.Sfu.Memory} | {s.Load.Calls} × {s.Load.ParticipantsPerCall} | " +
                $"{cpu.Central.ToString("0.0", inv)} cores ({cpu.Low.ToString("0.0", inv)}-{cpu.High.ToString("0.0", inv)}) | {carries} | " +
                $"{s.Estimate.EgressMbps.ToString("0", inv)} Mbit/s | {s.Estimate.TurnRelayMbps.ToString("0", inv)} Mbit/s | " +
                $"{s.LargestCall.Load.ParticipantsPerCall} people: {largest.Central.ToString("0.0", inv)} cores (up to {largest.High.ToString("0.0", inv)}; " +
                $"{(s.LargestCallHeadroom >= Sizing.CapacityModel.TargetHeadroom ? "fits" : "**does not fit**")} one SFU) | " +
                $"{s.Egress!.Summary} |");
        }
        sb.AppendLine();
        sb.AppendLine($"Assumptions: hardware class `{hw.Name}` ({hw.Examples}; set `sfuHardwareClass`), LiveKit ≥ 1.8, Opus DTX on (`audioDtx`), " +
            $"{Sizing.CapacityModel.SpeakersPerCall} people speaking per call, simulcast with dynacast and adaptive stream (high layer {Math.Round(Sizing.CapacityModel.HighLayerKbps)} kbit/s), " +
            "70% of participants send video, 15% go through TURN. The band is the hardware class's range with the model's ±" +
            $"{Sizing.CapacityModel.FitError * 100:0}% error; \"carries it?\" and every capacity warning use its upper edge with {Sizing.SizingPlan.Percent(Sizing.CapacityModel.TargetHeadroom)} headroom.");
        sb.AppendLine("The tiers keep their sizes: where the band says a tier cannot carry its stated maximum, plan for the load you expect (`calls`, `participantsPerCall`) " +
            "or calibrate on your own nodes (below); `report/capacity.md` of a render shows the figures for your stack.");
        sb.AppendLine("\"egress\" is the SFU's outgoing bandwidth; the last column is LiveKit Egress: room-composite recordings or RTMP streams at once (`egressRecordings`), on pods never on the media nodes.");
        sb.AppendLine(TierEnd);
        return sb.ToString();
    }

    public static string DefaultText(ConfigKey key) => key.Default switch
    {
        null => key.Required ? "(required)" : "(none)",
        string s => s.Length == 0 ? "\"\"" : s,
        bool b => b ? "true" : "false",
        int i => i.ToString(),
        string[] a => "[" + string.Join(", ", a) + "]",
        _ => key.Default.ToString() ?? "",
    };

    public static string PulumiConfigSection()
    {
        var sb = new StringBuilder();
        sb.AppendLine(PulumiBegin);
        sb.AppendLine("config:");
        var undeclared = ConfigSchema.AllKeys.Where(k => !k.InProjectConfig).Select(k => k.FullName).ToList();
        if (undeclared.Count > 0)
        {
            // A comment, not a declaration: see ConfigKey.InProjectConfig.
            sb.AppendLine($"  # Optional secret keys are not declared here (the Pulumi CLI would refuse every stack that lacks them):");
            sb.AppendLine($"  # {string.Join(", ", undeclared)}. Set them with `pulumi config set --secret`; see the README's table.");
        }
        foreach (var key in ConfigSchema.AllKeys.Where(k => k.InProjectConfig))
        {
            sb.AppendLine($"  {key.FullName}:");
            sb.AppendLine($"    type: {Type(key.Type)}");
            if (key.Type == ConfigType.StringArray)
            {
                sb.AppendLine("    items:");
                sb.AppendLine("      type: string");
            }
            sb.AppendLine($"    description: {Quote(key.Description)}");
            if (key.Secret)
            {
                sb.AppendLine("    secret: true");
            }
            if (key.Default is not null)
            {
                sb.AppendLine($"    default: {YamlDefault(key.Default)}");
            }
        }
        sb.AppendLine(PulumiEnd);
        return sb.ToString();
    }

    public static string ReadmeTable()
    {
        var sb = new StringBuilder();
        sb.AppendLine(ReadmeBegin);
        foreach (var (section, keys) in ConfigSchema.Sections)
        {
            sb.AppendLine();
            sb.AppendLine($"**{section}**");
            sb.AppendLine();
            sb.AppendLine("| key | type | default | description |");
            sb.AppendLine("|---|---|---|---|");
            foreach (var key in keys)
            {
                var type = Type(key.Type) + (!key.Secret ? "" : key.InProjectConfig ? " (secret)" : " (secret, optional: not declared in Pulumi.yaml)");
                sb.AppendLine($"| `{key.Name}` | {type} | `{DefaultText(key).Replace("|", "\\|")}` | {key.Description.Replace("|", "\\|")} |");
            }
        }
        sb.AppendLine(ReadmeEnd);
        return sb.ToString();
    }

    /// <summary>Replaces the text between <paramref name="begin"/> and <paramref name="end"/> (inclusive) with <paramref name="block"/>.</summary>
    public static string Splice(string document, string begin, string end, string block)
    {
        var start = document.IndexOf(begin, StringComparison.Ordinal);
        var stop = document.IndexOf(end, StringComparison.Ordinal);
        if (start < 0 || stop < start)
        {
            throw new InvalidOperationException($"markers not found: {begin}");
        }
        return document[..start] + block.TrimEnd('\n') + document[(stop + end.Length)..];
    }

    private static string Type(ConfigType type) => type switch
    {
        ConfigType.String => "string",
        ConfigType.Integer => "integer",
        ConfigType.Boolean => "boolean",
        ConfigType.StringArray => "array",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static string YamlDefault(object value) => value switch
    {
        string s => Quote(s),
        bool b => b ? "true" : "false",
        int i => i.ToString(),
        string[] a => "[" + string.Join(", ", a.Select(Quote)) + "]",
        _ => Quote(value.ToString() ?? ""),
    };

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
