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

    public static SizingPlan For(EnvironmentSpec spec)
    {
        var preset = TierCatalog.For(spec.Load);
        var calls = spec.Load.Calls ?? preset.MaxCalls;
        var perCall = spec.Load.ParticipantsPerCall ?? preset.ParticipantsPerCallAtMax;
        var load = new CallLoad(calls, perCall, spec.Load.VideoPercent / 100.0, spec.Load.TurnPercent / 100.0);
        var egress = spec.Egress.Enabled
            ? EgressSizing.For(preset, spec.Egress.Recordings, spec.Egress.MaxDurationSeconds, spec.Egress.GracePeriodSeconds)
            : null;
        return Build(preset, load, spec.Load.LargestCall ?? preset.LargestCallDefault, spec.Sfu.Replicas, egress);
    }

    /// <summary>A preset evaluated at its own stated maximum (the README's tier table and the tests use this).</summary>
    public static SizingPlan AtStatedMaximum(TierPreset preset, double videoShare = 0.7, double turnShare = 0.15) =>
        Build(preset, new CallLoad(preset.MaxCalls, preset.ParticipantsPerCallAtMax, videoShare, turnShare), preset.LargestCallDefault, null,
            EgressSizing.For(preset, null, (int)Spec.Sections.EgressSection.MaxDuration.Default!, (int)Spec.Sections.EgressSection.GracePeriod.Default!));

    private static SizingPlan Build(TierPreset preset, CallLoad load, int largestCall, int? replicasOverride, EgressSizing? egress)
    {
        var estimate = CapacityModel.Estimate(load);
        var cores = preset.Sfu.CpuMillis / 1000.0;
        var needed = CapacityModel.NodesNeeded(estimate, cores);
        var replicas = replicasOverride ?? Math.Max(preset.SfuReplicas, needed);
        var headroom = CapacityModel.Headroom(estimate, replicas, cores);
        var largest = CapacityModel.Estimate(new CallLoad(1, largestCall, load.VideoShare, load.TurnShare));
        var largestHeadroom = 1 - largest.SfuCpuCores / cores;

        var warnings = new List<string>();
        if (headroom < CapacityModel.TargetHeadroom)
        {
            warnings.Add($"CPU headroom {Percent(headroom)} at {load.Calls} calls × {load.ParticipantsPerCall} participants is below the {Percent(CapacityModel.TargetHeadroom)} target with {replicas} SFU(s) of {cores:0} CPU; {needed} are needed.");
        }
        if (largestHeadroom < CapacityModel.TargetHeadroom)
        {
            warnings.Add($"One {largestCall}-participant call needs {largest.SfuCpuCores:0.0} CPU on a single SFU ({Percent(largestHeadroom)} headroom of {cores:0} CPU); a call cannot be split across nodes, so lower largestCall or use a larger tier.");
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

    /// <summary><c>report/capacity.md</c>: the figures, the constants with their sources, and the warnings.</summary>
    public string ToMarkdown(string stack)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine($"# Capacity: stack `{stack}`, tier `{Preset.Name}`");
        sb.AppendLine();
        sb.AppendLine("| figure | value |");
        sb.AppendLine("|---|---|");
        sb.AppendLine($"| planned load | {Load.Calls} calls × {Load.ParticipantsPerCall} participants = {Load.Participants} participants |");
        sb.AppendLine($"| video / TURN share | {Percent(Load.VideoShare)} / {Percent(Load.TurnShare)} |");
        sb.AppendLine($"| forwarded tracks (audio / video) | {Estimate.Media.AudioTracksForwarded.ToString("0", inv)} / {Estimate.Media.VideoTracksForwarded.ToString("0", inv)} (video at the {Estimate.VideoLayer} layer) |");
        sb.AppendLine($"| SFU CPU needed | {Estimate.SfuCpuCores.ToString("0.00", inv)} cores |");
        sb.AppendLine($"| SFU memory needed | {(CapacityModel.BaseMemoryGiB * SfuReplicas + Estimate.SfuMemoryGiB).ToString("0.00", inv)} GiB |");
        sb.AppendLine($"| SFU egress / ingress | {Estimate.EgressMbps.ToString("0", inv)} / {Estimate.IngressMbps.ToString("0", inv)} Mbit/s |");
        sb.AppendLine($"| TURN relay throughput | {Estimate.TurnRelayMbps.ToString("0", inv)} Mbit/s (coturn NICs carry twice that) |");
        sb.AppendLine($"| SFU pods | {SfuReplicas} × {Preset.Sfu.Cpu} CPU / {Preset.Sfu.Memory} (Guaranteed) |");
        sb.AppendLine($"| SFU nodes needed for {Percent(CapacityModel.TargetHeadroom)} headroom | {SfuNodesNeeded} |");
        sb.AppendLine($"| CPU headroom | {Percent(Headroom)} |");
        sb.AppendLine($"| largest call ({LargestCall.Load.ParticipantsPerCall} participants) | {LargestCall.SfuCpuCores.ToString("0.00", inv)} cores on one SFU, {Percent(LargestCallHeadroom)} headroom |");
        sb.AppendLine();
        sb.AppendLine(Warnings.Count == 0 ? "No warnings." : "## Warnings");
        foreach (var w in Warnings)
        {
            sb.AppendLine($"- {w}");
        }
        sb.AppendLine();
        sb.AppendLine("## Model");
        sb.AppendLine();
        sb.AppendLine($"CPU = {CapacityModel.CpuPerAudioTrack.ToString(inv)} × audio tracks + {CapacityModel.CpuPerVideoTrack.ToString(inv)} × video tracks + {CapacityModel.CpuPerEgressMBps.ToString(inv)} × egress MB/s,");
        sb.AppendLine("fit to LiveKit's published benchmark (16 vCPU c2-standard-16: audio 10→3000 at 80% CPU, meeting 150×150 at 85%, livestream 1→3000 at 92%).");
        sb.AppendLine();
        foreach (var a in CapacityModel.Assumptions)
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
