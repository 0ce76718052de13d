using System.Globalization;
using System.Text;

namespace Infra.Plan.Sizing;

/// <summary>
/// How LiveKit Egress admits work and what a recording costs. Egress takes a job only while its CPU budget allows
/// (livekit/egress v1.14.1 <c>pkg/stats/monitor.go</c>, <c>canAcceptRequestLocked</c> / <c>getCPUUsageLocked</c>): an
/// idle instance accepts a job whose cost is at most its CPU count; a busy one while
/// <c>CPUs × max_cpu_utilization − Σ max(cost, measured use) of its jobs ≥ cost</c>. Its CPU count is the cgroup quota
/// (<c>hwstats.NumCPU</c>), i.e. the pod's CPU limit, which is why every Egress pod has one. Costs are Egress's own
/// defaults (<c>pkg/config/service.go</c>), written into its config so model and admission agree.
/// </summary>
public static class EgressCapacityModel
{
    /// <summary>Room composite (headless Chrome renders the room, GStreamer encodes it): service.go roomCompositeCpuCost.</summary>
    public const double RoomCompositeCpuCost = 4;

    /// <summary>Audio-only room composite: service.go audioRoomCompositeCpuCost.</summary>
    public const double AudioRoomCompositeCpuCost = 1;

    /// <summary>Web page egress (Chrome): service.go webCpuCost.</summary>
    public const double WebCpuCost = 4;

    public const double AudioWebCpuCost = 1;

    /// <summary>Participant egress (one participant's tracks, transcoded): service.go participantCpuCost.</summary>
    public const double ParticipantCpuCost = 2;

    /// <summary>Track composite (one audio + one video track): service.go trackCompositeCpuCost.</summary>
    public const double TrackCompositeCpuCost = 1;

    /// <summary>Track egress (one track written as it arrives, no transcoding): service.go trackCpuCost.</summary>
    public const double TrackCpuCost = 0.5;

    /// <summary>Share of the CPUs a busy instance fills with jobs: service.go maxCpuUtilization.</summary>
    public const double MaxCpuUtilization = 0.8;

    /// <summary>Memory per CPU: docs.livekit.io self-hosting/egress, "at least 4 CPUs and 4 GB of memory" per instance.</summary>
    public const int MemoryMiBPerCpu = 1024;

    /// <summary>A room composite's default encoding: H.264 720p30 at 3000 kbit/s + 128 kbit/s audio (egress pkg/config/pipeline.go defaults).</summary>
    public const double RecordingKbps = 3000 + 128;

    /// <summary>Chrome's shared memory lives in /tmp (Egress starts it with --disable-dev-shm-usage): 1 GiB per room composite. An assumption.</summary>
    public const int ChromeTmpGiBPerRecording = 1;

    /// <summary>Room for a file larger than the average bitrate says (keyframes, audio, container overhead). An assumption.</summary>
    public const double ScratchMargin = 1.25;

    /// <summary>Jobs of cost <paramref name="cost"/> one instance of <paramref name="cpus"/> CPUs runs at once (admission rule above).</summary>
    public static int JobsPerPod(double cpus, double cost) =>
        cpus + 1e-9 < cost ? 0 : Math.Max(1, (int)Math.Floor(cpus * MaxCpuUtilization / cost + 1e-9));

    /// <summary>Bytes Egress writes locally for one room composite of <paramref name="seconds"/> (uploaded when it ends).</summary>
    public static long RecordingBytes(int seconds) => (long)Math.Ceiling(RecordingKbps * 1000 / 8 * seconds);

    public static IReadOnlyList<string> Sources { get; } =
    [
        $"Admission (livekit/egress v1.14.1 pkg/stats/monitor.go): an idle pod takes a job costing up to its CPU limit; a busy one while CPUs × {MaxCpuUtilization.ToString(CultureInfo.InvariantCulture)} − running costs ≥ the new job's cost.",
        $"Costs (pkg/config/service.go defaults): room composite {RoomCompositeCpuCost}, web {WebCpuCost}, participant {ParticipantCpuCost}, track composite {TrackCompositeCpuCost}, track {TrackCpuCost.ToString(CultureInfo.InvariantCulture)}, audio-only composite {AudioRoomCompositeCpuCost} CPU.",
        $"Memory {MemoryMiBPerCpu / 1024} GiB per CPU (docs.livekit.io self-hosting/egress: at least 4 CPUs and 4 GB per instance).",
        $"A file is written under /home/egress/tmp and uploaded when it ends: {RecordingKbps.ToString(CultureInfo.InvariantCulture)} kbit/s (720p30 H.264 3000 + audio 128, pipeline.go defaults) × the session limit × {ScratchMargin.ToString(CultureInfo.InvariantCulture)} (assumption).",
        $"Chrome keeps its shared memory in /tmp (--disable-dev-shm-usage, pkg/pipeline/source/web.go): {ChromeTmpGiBPerRecording} GiB per room composite (assumption).",
    ];
}

/// <summary>
/// The Egress fleet an environment deploys: how many room composites (recordings or streams) at once, on how many
/// pods of what size, and the scratch space a recording needs until it is uploaded.
/// </summary>
/// <param name="Recordings">Planned room composites at once (egressRecordings, else the tier's).</param>
/// <param name="RecordingsPerPod">Room composites one pod admits.</param>
/// <param name="TracksPerPod">Track recordings one pod admits (light: no transcoding).</param>
/// <param name="Pod">Per pod: requests = limits (Egress's admission counts the CPU limit; Guaranteed keeps it real).</param>
public sealed record EgressSizing(
    int Recordings,
    int RecordingsPerPod,
    int TracksPerPod,
    int Replicas,
    ResourceSize Pod,
    int MaxDurationSeconds,
    int GracePeriodSeconds,
    long RecordingBytes,
    int ScratchGiB,
    int ChromeTmpGiB)
{
    /// <summary>Room composites the fleet admits at once (at least <see cref="Recordings"/>).</summary>
    public int Capacity => Replicas * RecordingsPerPod;

    /// <summary>ephemeral-storage each pod requests: its two scratch directories.</summary>
    public int EphemeralGiB => ScratchGiB + ChromeTmpGiB;

    public static EgressSizing For(TierPreset preset, int? recordings, int maxDurationSeconds, int gracePeriodSeconds)
    {
        var planned = recordings ?? preset.Egress.Recordings;
        var cpus = preset.Egress.CpuPerPod;
        var perPod = EgressCapacityModel.JobsPerPod(cpus, EgressCapacityModel.RoomCompositeCpuCost);
        var bytes = EgressCapacityModel.RecordingBytes(maxDurationSeconds);
        var scratch = (int)Math.Ceiling(perPod * bytes * EgressCapacityModel.ScratchMargin / (1024.0 * 1024 * 1024));
        return new EgressSizing(
            planned,
            perPod,
            EgressCapacityModel.JobsPerPod(cpus, EgressCapacityModel.TrackCpuCost),
            Math.Max(1, (planned + perPod - 1) / perPod),
            new ResourceSize(cpus * 1000, cpus * EgressCapacityModel.MemoryMiBPerCpu, Guaranteed: true),
            maxDurationSeconds,
            gracePeriodSeconds,
            bytes,
            scratch,
            perPod * EgressCapacityModel.ChromeTmpGiBPerRecording);
    }

    /// <summary>The README tier table's cell: what the tier's Egress carries, on what.</summary>
    public string Summary => $"{Capacity} at once: {Replicas} × {Pod.Cpu} CPU / {Pod.Memory}";

    /// <summary>The Egress section of <c>report/capacity.md</c>.</summary>
    public string ToMarkdown()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("## Recording and streaming (LiveKit Egress)");
        sb.AppendLine();
        sb.AppendLine("| figure | value |");
        sb.AppendLine("|---|---|");
        sb.AppendLine($"| planned room composites at once (recordings or RTMP streams) | {Recordings} |");
        sb.AppendLine($"| Egress pods | {Replicas} × {Pod.Cpu} CPU / {Pod.Memory} (Guaranteed), never on the media nodes |");
        sb.AppendLine($"| room composites per pod | {RecordingsPerPod} (cost {EgressCapacityModel.RoomCompositeCpuCost} CPU each) |");
        sb.AppendLine($"| room composites at once, all pods | {Capacity} |");
        sb.AppendLine($"| track recordings per pod instead | {TracksPerPod} (cost {EgressCapacityModel.TrackCpuCost.ToString(inv)} CPU each, no transcoding) |");
        sb.AppendLine($"| longest recording (session limit) / grace period | {Duration(MaxDurationSeconds)} / {Duration(GracePeriodSeconds)} |");
        sb.AppendLine($"| local file of a recording at the limit | {(RecordingBytes / 1e9).ToString("0.0", inv)} GB |");
        sb.AppendLine($"| scratch per pod | /home/egress/tmp {ScratchGiB}Gi, /tmp {ChromeTmpGiB}Gi (ephemeral-storage request {EphemeralGiB}Gi) |");
        sb.AppendLine();
        sb.AppendLine("A stopping Egress (rollout, node drain) takes no new job and finishes the running ones; the session limit ends");
        sb.AppendLine("each within the grace period, which leaves time for the last upload.");
        sb.AppendLine();
        foreach (var s in EgressCapacityModel.Sources)
        {
            sb.AppendLine($"- {s}");
        }
        return sb.ToString();
    }

    private static string Duration(int seconds) =>
        seconds % 3600 == 0 ? $"{seconds / 3600} h" : seconds >= 3600 ? $"{seconds / 3600} h {seconds % 3600 / 60} min" : $"{seconds / 60} min";
}
