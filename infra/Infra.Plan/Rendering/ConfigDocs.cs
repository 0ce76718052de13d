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

    /// <summary>The README's tier table: each preset and the capacity model's figures at its stated maximum.</summary>
    public static string TierTable()
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(TierBegin);
        sb.AppendLine("| tier | calls | participants | SFU pods (each, Guaranteed) | at the stated maximum: calls × size | SFU CPU needed | CPU headroom | egress | TURN relay | largest call on one SFU | recordings/streams (with `egress`) |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var preset in Sizing.TierCatalog.All)
        {
            var s = Sizing.SizingPlan.AtStatedMaximum(preset);
            sb.AppendLine($"| {preset.Name} | {preset.MinCalls}-{preset.MaxCalls} | {preset.MinParticipants}-{preset.MaxParticipants} | " +
                $"{preset.SfuReplicas} × {preset.Sfu.Cpu} CPU / {preset.Sfu.Memory} | {s.Load.Calls} × {s.Load.ParticipantsPerCall} | " +
                $"{s.Estimate.SfuCpuCores.ToString("0.0", inv)} cores | {Sizing.SizingPlan.Percent(s.Headroom)} | " +
                $"{s.Estimate.EgressMbps.ToString("0", inv)} Mbit/s | {s.Estimate.TurnRelayMbps.ToString("0", inv)} Mbit/s | " +
                $"{s.LargestCall.Load.ParticipantsPerCall} people: {s.LargestCall.SfuCpuCores.ToString("0.0", inv)} cores ({Sizing.SizingPlan.Percent(s.LargestCallHeadroom)} headroom) | " +
                $"{s.Egress!.Summary} |");
        }
        sb.AppendLine();
        sb.AppendLine("Figures assume 70% of participants send video and 15% go through TURN; `report/capacity.md` of a render shows them for your stack.");
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
