using Infra.Plan.Spec.Sections;
using System.Globalization;
using System.Text;
using Infra.Plan.Spec;

namespace Infra.Plan.Sizing;

/// <summary>
/// The sizes an environment deploys with and why: the tier preset, the load planned for, the capacity
/// model's estimate at that load and for the largest single call, the Egress fleet (null when Egress is off), and
/// any warning the report must show.
/// </summary>
public sealed record SizingPlan(
    TierPreset Preset,
    CallLoad Load,
    CapacityEstimate Estimate,
    CapacityEstimate LargestCall,
    int SfuReplicas,
    int SfuNodesNeeded,
    double Headroom,
    double LargestCallHeadroom,
    IReadOnlyList<string> Warnings,
    EgressSizing? Egress)
{
    public double SfuCores => Preset.Sfu.CpuMillis / 1000.0;

    /// <summary>True when the tier's own SFUs keep the target headroom at the band's upper edge of its load.</summary>
    public bool SeedCarriesLoad => SfuNodesNeeded <= Preset.SfuReplicas;

    /// <summary>The SFUs the tier and the load plan when nothing sets the count (<c>sfuReplicas</c>, load-balancer addresses).</summary>
    public int PlannedWithoutOverride(bool explicitLoad) => Planned(Preset, SfuNodesNeeded, explicitLoad);

    /// <summary>The tier's SFU count is the seed's: only load the operator states explicitly adds SFUs (and says so).</summary>
    private static int Planned(TierPreset preset, int needed, bool explicitLoad) =>
        explicitLoad ? Math.Max(preset.SfuReplicas, needed) : preset.SfuReplicas;

    public static SizingPlan For(EnvironmentSpec spec)
    {
        var preset = TierCatalog.For(spec.Load);
        var calls = spec.Load.Calls ?? preset.MaxCalls;
        var perCall = spec.Load.ParticipantsPerCall ?? preset.ParticipantsPerCallAtMax;
        var load = new CallLoad(calls, perCall, spec.Load.VideoPercent / 100.0, spec.Load.TurnPercent / 100.0);
        var egress = spec.Egress.Enabled
            ? EgressSizing.For(preset, spec.Egress.Recordings, spec.Egress.MaxDurationSeconds, spec.Egress.GracePeriodSeconds)
            : null;
        // Behind load balancers there is one SFU per address (LiveKit advertises one): the addresses set the count.
        var media = spec.Sfu.Media;
        var replicas = media.Exposure == MediaExposure.LoadBalancer && media.LoadBalancerAddresses.Count > 0
            ? media.LoadBalancerAddresses.Count
            : spec.Sfu.Replicas;
        return Build(preset, load, spec.Load.LargestCall ?? preset.LargestCallDefault, replicas, spec.Load.Explicit,
            SizingAssumptions.From(spec.Load), egress);
    }

    /// <summary>
    /// A preset evaluated at its own stated maximum with its own SFU count (the README's tier table and the tests use
    /// this): a tier is never resized here, it is said not to carry its load.
    /// </summary>
    public static SizingPlan AtStatedMaximum(TierPreset preset, double videoShare = 0.7, double turnShare = 0.15, SizingAssumptions? assumptions = null) =>
        Build(preset, new CallLoad(preset.MaxCalls, preset.ParticipantsPerCallAtMax, videoShare, turnShare), preset.LargestCallDefault, null,
            explicitLoad: false, assumptions ?? SizingAssumptions.Default,
            EgressSizing.For(preset, null, (int)Spec.Sections.EgressSection.MaxDuration.Default!, (int)Spec.Sections.EgressSection.GracePeriod.Default!));

    private static SizingPlan Build(TierPreset preset, CallLoad load, int largestCall, int? replicasOverride, bool explicitLoad,
        SizingAssumptions assumptions, EgressSizing? egress)
    {
        var estimate = CapacityModel.Estimate(load, assumptions);
        var cores = preset.Sfu.CpuMillis / 1000.0;
        var needed = CapacityModel.NodesNeeded(estimate, cores);
        var replicas = replicasOverride ?? Planned(preset, needed, explicitLoad);
        var headroom = CapacityModel.Headroom(estimate, replicas, cores);
        var largest = CapacityModel.Estimate(new CallLoad(1, largestCall, load.VideoShare, load.TurnShare), assumptions);
        var largestHeadroom = 1 - largest.Cpu.High / cores;
        var inv = CultureInfo.InvariantCulture;
        var band = $"{estimate.Cpu.Central.ToString("0.0", inv)} cores, band {estimate.Cpu.Low.ToString("0.0", inv)}–{estimate.Cpu.High.ToString("0.0", inv)}";

        var warnings = new List<string>();
        if (replicasOverride is null && !explicitLoad && needed > preset.SfuReplicas)
        {
            warnings.Add($"Tier {preset.Name} cannot carry its stated maximum of {load.Calls} calls × {load.ParticipantsPerCall} participants at the band's upper edge " +
                $"({band}): that needs {needed} SFU(s) of {cores:0} CPU for {Percent(CapacityModel.TargetHeadroom)} headroom, the tier has {preset.SfuReplicas}. " +
                "Set calls and participantsPerCall to the load you expect, calibrate on your own nodes (README: Calibrating on your own nodes), or use a larger tier.");
        }
        if (replicasOverride is null && explicitLoad && replicas > preset.SfuReplicas)
        {
            warnings.Add($"{replicas} SFUs planned instead of tier {preset.Name}'s {preset.SfuReplicas}: {load.Calls} calls × {load.ParticipantsPerCall} participants need them at the band's upper edge ({band}).");
        }
        if (headroom < CapacityModel.TargetHeadroom)
        {
            warnings.Add($"CPU headroom {Percent(headroom)} at the band's upper edge ({band}) for {load.Calls} calls × {load.ParticipantsPerCall} participants is below the " +
                $"{Percent(CapacityModel.TargetHeadroom)} target with {replicas} SFU(s) of {cores:0} CPU; {needed} are needed.");
        }
        if (largestHeadroom < CapacityModel.TargetHeadroom)
        {
            warnings.Add($"One {largestCall}-participant call needs up to {largest.Cpu.High:0.0} CPU on a single SFU (band's upper edge; central {largest.Cpu.Central:0.0}): " +
                $"{Percent(largestHeadroom)} headroom of {cores:0} CPU; a call cannot be split across nodes, so lower largestCall or use a larger tier.");
        }
        // More SFUs than media nodes is an error, not a warning: Checks/ConfigRules.cs (SfuPerMediaNode).
        var memoryPerNode = CapacityModel.BaseMemoryGiB + estimate.SfuMemoryGiB / replicas;
        if (memoryPerNode > preset.Sfu.MemoryMiB / 1024.0 * (1 - CapacityModel.TargetHeadroom))
        {
            warnings.Add($"Estimated SFU memory {memoryPerNode:0.0} GiB per node leaves less than {Percent(CapacityModel.TargetHeadroom)} of the {preset.Sfu.Memory} limit free.");
        }
        return new SizingPlan(preset, load, estimate, largest, replicas, needed, headroom, largestHeadroom, warnings, egress);
    }

    internal static string Percent(double share) => (share * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    /// <summary><c>report/capacity.md</c>: the figures with their band, the assumptions, and the warnings.</summary>
    public string ToMarkdown(string stack)
    {
        var inv = CultureInfo.InvariantCulture;
        var cpu = Estimate.Cpu;
        var t = Estimate.Traffic;
        var sb = new StringBuilder();
        sb.AppendLine($"# Capacity: stack `{stack}`, tier `{Preset.Name}`");
        sb.AppendLine();
        sb.AppendLine("| figure | value |");
        sb.AppendLine("|---|---|");
        sb.AppendLine($"| planned load | {Load.Calls} calls × {Load.ParticipantsPerCall} participants = {Load.Participants} participants |");
        sb.AppendLine($"| video / TURN share | {Percent(Load.VideoShare)} / {Percent(Load.TurnShare)} |");
        sb.AppendLine($"| hardware class / DTX | {CapacityModel.Hardware(Estimate.Assumptions.Hardware).Name}{(Estimate.Assumptions.MeasuredCpu is null ? "" : " (CPU costs measured on your nodes)")} / {(Estimate.Assumptions.Dtx ? "on" : "off")} |");
        sb.AppendLine($"| forwarded tracks (audio / video) | {Estimate.AudioTracksForwarded.ToString("0", inv)} / {Estimate.VideoTracksForwarded.ToString("0", inv)} (video at the {Estimate.VideoLayer} layer) |");
        sb.AppendLine($"| packets/s in / out | {t.PacketsIn.ToString("0", inv)} / {t.PacketsOut.ToString("0", inv)} |");
        sb.AppendLine($"| SFU CPU needed | {cpu.Central.ToString("0.00", inv)} cores (band {cpu.Low.ToString("0.00", inv)}–{cpu.High.ToString("0.00", inv)}; sizing uses the upper edge) |");
        sb.AppendLine($"| SFU memory needed | {(CapacityModel.BaseMemoryGiB * SfuReplicas + Estimate.SfuMemoryGiB).ToString("0.00", inv)} GiB |");
        sb.AppendLine($"| SFU egress / ingress | {Estimate.EgressMbps.ToString("0", inv)} / {Estimate.IngressMbps.ToString("0", inv)} Mbit/s |");
        sb.AppendLine($"| TURN relay throughput | {Estimate.TurnRelayMbps.ToString("0", inv)} Mbit/s (coturn NICs carry twice that) |");
        sb.AppendLine($"| SFU pods | {SfuReplicas} × {Preset.Sfu.Cpu} CPU / {Preset.Sfu.Memory} (Guaranteed) |");
        sb.AppendLine($"| SFU nodes needed for {Percent(CapacityModel.TargetHeadroom)} headroom at the upper edge | {SfuNodesNeeded} |");
        sb.AppendLine($"| CPU headroom at the upper edge | {Percent(Headroom)} |");
        sb.AppendLine($"| largest call ({LargestCall.Load.ParticipantsPerCall} participants) | {LargestCall.Cpu.Central.ToString("0.00", inv)} cores (band up to {LargestCall.Cpu.High.ToString("0.00", inv)}) on one SFU, {Percent(LargestCallHeadroom)} headroom at the upper edge |");
        sb.AppendLine();
        sb.AppendLine(Warnings.Count == 0 ? "No warnings." : "## Warnings");
        foreach (var w in Warnings)
        {
            sb.AppendLine($"- {w}");
        }
        sb.AppendLine();
        sb.AppendLine("## Model and assumptions");
        sb.AppendLine();
        sb.AppendLine("CPU = (CPU per packet) × packets/s + (CPU per byte) × bytes/s, both directions. The published fit comes from LiveKit's benchmark");
        sb.AppendLine("(c2-standard-16, 2022) read with the load tester's own traffic; `dotnet run -c Release --project bench/Infra.Bench -- capacity-model`");
        sb.AppendLine("prints it against every published point, fit and held out. No public figures exist for Element-Call-like rooms of 5-30 people");
        sb.AppendLine("with DTX and E2EE: calibrate on your own nodes (README: Calibrating on your own nodes).");
        sb.AppendLine();
        foreach (var a in CapacityModel.AssumptionsFor(Estimate.Assumptions))
        {
            sb.AppendLine($"- {a}");
        }
        if (Egress is { } egress)
        {
            sb.AppendLine();
            sb.Append(egress.ToMarkdown());
        }
        return sb.ToString();
    }
}
