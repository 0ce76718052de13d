using System.Globalization;

namespace Infra.Plan.Rendering;

/// <summary>
/// The plain (non-secret) stack outputs, computed from the plan so <c>pulumi stack output</c> and a render show the
/// same text.
/// </summary>
public static class StackExports
{
    /// <summary>The homeserver fragment (matrixrtc.yaml) exactly as the Synapse ConfigMap carries it.</summary>
    public static string SynapseFragment(EnvironmentPlan plan) => plan.Synapse.FragmentYaml;

    /// <summary>The <c>/.well-known/matrix/client</c> JSON with the rtc_foci entry.</summary>
    public static string WellKnownClient(EnvironmentPlan plan) => plan.Synapse.WellKnownClientJson;

    /// <summary>One line: load, SFUs, cores needed, headroom, egress; what an operator checks before choosing a tier.</summary>
    public static string CapacitySummary(EnvironmentPlan plan)
    {
        var s = plan.Sizing;
        var inv = CultureInfo.InvariantCulture;
        return $"tier {s.Preset.Name}: {s.Load.Calls} calls × {s.Load.ParticipantsPerCall} participants on {s.SfuReplicas} SFU(s) of " +
               $"{s.Preset.Sfu.Cpu} CPU / {s.Preset.Sfu.Memory}; {s.Estimate.SfuCpuCores.ToString("0.0", inv)} cores needed " +
               $"(band {s.Estimate.Cpu.Low.ToString("0.0", inv)}-{s.Estimate.Cpu.High.ToString("0.0", inv)}) " +
               $"({s.SfuNodesNeeded} node(s) for the headroom target at the upper edge), headroom {(s.Headroom * 100).ToString("0", inv)}%, " +
               $"egress {s.Estimate.EgressMbps.ToString("0", inv)} Mbit/s, TURN relay {s.Estimate.TurnRelayMbps.ToString("0", inv)} Mbit/s";
    }
}
