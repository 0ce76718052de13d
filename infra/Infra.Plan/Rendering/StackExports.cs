using System.Globalization;

namespace Infra.Plan.Rendering;

/// <summary>
/// The plain (non-secret) stack outputs, computed from the plan so <c>pulumi stack output</c> and a render show the
/// same text. The Synapse fragment and the .well-known document are the plan's files under <c>synapse/</c> and
/// <c>well-known/</c>, written by the Synapse component's plan.
/// </summary>
public static class StackExports
{
    public const string SynapseFolder = "synapse/";
    public const string WellKnownFolder = "well-known/";

    /// <summary>Every Synapse config file of the plan (YAML), each headed by its render path; empty if there is none.</summary>
    public static string SynapseFragment(EnvironmentPlan plan) => string.Join("\n", plan.Files
        .Where(f => f.Path.StartsWith(SynapseFolder, StringComparison.Ordinal) && (f.Path.EndsWith(".yaml") || f.Path.EndsWith(".yml")))
        .OrderBy(f => f.Path, StringComparer.Ordinal)
        .Select(f => $"# {f.Path}\n{f.Content.TrimEnd('\n')}\n"));

    /// <summary>The <c>/.well-known/matrix/client</c> JSON; empty if the plan has none.</summary>
    public static string WellKnownClient(EnvironmentPlan plan) => plan.Files
        .Where(f => f.Path.StartsWith(WellKnownFolder, StringComparison.Ordinal))
        .OrderBy(f => f.Path.EndsWith("matrix/client", StringComparison.Ordinal) || f.Path.EndsWith("client.json", StringComparison.Ordinal) ? 0 : 1)
        .ThenBy(f => f.Path, StringComparer.Ordinal)
        .Select(f => f.Content)
        .FirstOrDefault() ?? "";

    /// <summary>One line: load, SFUs, cores needed, headroom, egress; what an operator checks before choosing a tier.</summary>
    public static string CapacitySummary(EnvironmentPlan plan)
    {
        var s = plan.Sizing;
        var inv = CultureInfo.InvariantCulture;
        return $"tier {s.Preset.Name}: {s.Load.Calls} calls × {s.Load.ParticipantsPerCall} participants on {s.SfuReplicas} SFU(s) of " +
               $"{s.Preset.Sfu.Cpu} CPU / {s.Preset.Sfu.Memory}; {s.Estimate.SfuCpuCores.ToString("0.0", inv)} cores needed " +
               $"({s.SfuNodesNeeded} node(s) for the headroom target), headroom {(s.Headroom * 100).ToString("0", inv)}%, " +
               $"egress {s.Estimate.EgressMbps.ToString("0", inv)} Mbit/s, TURN relay {s.Estimate.TurnRelayMbps.ToString("0", inv)} Mbit/s";
    }
}
