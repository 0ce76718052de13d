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

    /// <summary>
    /// Chrome's scratch: Egress starts it with <c>--disable-dev-shm-usage</c> (<c>pkg/pipeline/source/web.go</c>), so its
    /// shared memory and profile are files under <c>TMPDIR</c>, which each job's handler sets to
    /// <c>/home/egress/tmp/&lt;egress id&gt;</c> (<c>cmd/server/main.go</c> runHandler, <c>pkg/config/pipeline.go</c>): 1 GiB per
    /// Chrome job. An assumption.
    /// </summary>
    public const int ChromeScratchGiB = 1;

    /// <summary>Room for a file larger than the average bitrate says (keyframes, audio, container overhead). An assumption.</summary>
    public const double ScratchMargin = 1.25;

    /// <summary>
    /// <c>/tmp</c>: nothing of Egress's own writes there once TMPDIR points each job elsewhere; a small emptyDir for any
    /// library that ignores TMPDIR (the service process itself runs without it). An assumption.
    /// </summary>
    public const int TmpGiB = 1;

    /// <summary>The container's writable layer (the entrypoint's PulseAudio state under /var/run, /var/lib, /home/egress) and its logs. An assumption.</summary>
    public const int WritableLayerGiB = 1;

    /// <summary>
    /// Egress's memory admission keeps this much free beyond the job's cost (<c>pkg/stats/monitor.go</c>
    /// <c>memoryHeadroomGB = 1.0</c>; its "GB" is GiB: <c>gb = 1024.0 * 1024.0 * 1024.0</c>).
    /// </summary>
    public const double MemoryHeadroomGiB = 1.0;

    /// <summary>
    /// <c>max_memory</c> sits this far below the pod's memory limit: above max_memory Egress kills its largest job
    /// (<c>checkMemoryKill</c>, one recording lost); at the limit the kernel's OOM killer may take the service and every
    /// recording with it. An assumption (a job's growth between two of Egress's samples).
    /// </summary>
    public const double KillMarginGiB = 0.5;

    /// <summary>What an idle Egress pod already uses (the service, PulseAudio). An assumption.</summary>
    public const double IdleMemoryGiB = 0.5;

    /// <summary><c>memory_cost</c> is a multiple of this.</summary>
    public const double MemoryCostStepGiB = 0.25;

    /// <summary>Jobs of cost <paramref name="cost"/> one instance of <paramref name="cpus"/> CPUs runs at once (admission rule above).</summary>
    public static int JobsPerPod(double cpus, double cost) =>
        cpus + 1e-9 < cost ? 0 : Math.Max(1, (int)Math.Floor(cpus * MaxCpuUtilization / cost + 1e-9));

    /// <summary>Bytes Egress writes locally for one room composite of <paramref name="seconds"/> (uploaded when it ends).</summary>
    public static long RecordingBytes(int seconds) => (long)Math.Ceiling(RecordingKbps * 1000 / 8 * seconds);

    /// <summary>
    /// One kind of Egress job: its CPU cost (service.go defaults), the bit rate of the file it writes under TMPDIR, and
    /// whether it runs a Chrome. Track jobs write a participant's track as published: the room composite's rate is taken
    /// as what no published track exceeds (an assumption); audio-only jobs write 128 kbit/s.
    /// </summary>
    public sealed record JobKind(string Name, double CpuCost, double FileKbps, bool Chrome);

    public static IReadOnlyList<JobKind> JobKinds { get; } =
    [
        new("room composite", RoomCompositeCpuCost, RecordingKbps, Chrome: true),
        new("audio-only room composite", AudioRoomCompositeCpuCost, AudioKbps, Chrome: true),
        new("web", WebCpuCost, RecordingKbps, Chrome: true),
        new("audio-only web", AudioWebCpuCost, AudioKbps, Chrome: true),
        new("participant", ParticipantCpuCost, RecordingKbps, Chrome: false),
        new("track composite", TrackCompositeCpuCost, RecordingKbps, Chrome: false),
        new("track", TrackCpuCost, RecordingKbps, Chrome: false),
    ];

    /// <summary>Audio of a recording: pipeline.go's default 128 kbit/s.</summary>
    public const double AudioKbps = 128;

    /// <summary>
    /// Bytes one pod of <paramref name="cpus"/> CPUs writes under TMPDIR at most: for each kind, as many jobs as CPU
    /// admission lets in (memory admission can only refuse more), each writing its file for <paramref name="seconds"/> plus
    /// Chrome's scratch; the largest over the kinds, with <see cref="ScratchMargin"/>.
    /// </summary>
    public static (JobKind Kind, int Jobs, double Bytes) WorstScratch(double cpus, int seconds) =>
        JobKinds.Select(k =>
        {
            var jobs = JobsPerPod(cpus, k.CpuCost);
            var perJob = Math.Ceiling(k.FileKbps * 1000 / 8 * seconds) + (k.Chrome ? ChromeScratchGiB * Gib : 0);
            return (Kind: k, Jobs: jobs, Bytes: jobs * perJob * ScratchMargin);
        }).MaxBy(w => w.Bytes);

    /// <summary>
    /// Egress's memory admission for a pod with a <paramref name="limitGiB"/> memory limit that runs
    /// <paramref name="recordingsPerPod"/> room composites: <c>max_memory</c> = limit − <see cref="KillMarginGiB"/>, and
    /// <c>memory_cost</c> the largest step below (max_memory − headroom − idle) / recordings, because Egress refuses a job
    /// when <c>used + pending + memory_cost + 1 ≥ max_memory</c> (<c>checkMemoryAdmissionLocked</c>): with each planned
    /// composite counted at its cost the last one still fits, and a job that would pass the limit is refused instead of
    /// OOM-killing the pod's running recordings.
    /// </summary>
    public static (double MaxMemoryGiB, double MemoryCostGiB) MemoryAdmission(double limitGiB, int recordingsPerPod)
    {
        var max = limitGiB - KillMarginGiB;
        var share = (max - MemoryHeadroomGiB - IdleMemoryGiB) / Math.Max(1, recordingsPerPod);
        var cost = Math.Ceiling(share / MemoryCostStepGiB - 1 - 1e-9) * MemoryCostStepGiB;
        if (cost < MemoryCostStepGiB)
        {
            throw new ArgumentException($"a {limitGiB} GiB pod has no memory for {recordingsPerPod} room composites beside Egress's 1 GiB headroom");
        }
        return (max, cost);
    }

    private const double Gib = 1024.0 * 1024 * 1024;

    public static IReadOnlyList<string> Sources { get; } =
    [
        $"Admission (livekit/egress v1.14.1 pkg/stats/monitor.go): an idle pod takes a job costing up to its CPU limit; a busy one while CPUs × {MaxCpuUtilization.ToString(CultureInfo.InvariantCulture)} − running costs ≥ the new job's cost.",
        $"Costs (pkg/config/service.go defaults): room composite {RoomCompositeCpuCost}, web {WebCpuCost}, participant {ParticipantCpuCost}, track composite {TrackCompositeCpuCost}, track {TrackCpuCost.ToString(CultureInfo.InvariantCulture)}, audio-only composite {AudioRoomCompositeCpuCost} CPU.",
        $"Memory {MemoryMiBPerCpu / 1024} GiB per CPU (docs.livekit.io self-hosting/egress: at least 4 CPUs and 4 GB per instance).",
        $"Each job writes under TMPDIR = /home/egress/tmp/<egress id> (cmd/server/main.go runHandler) and uploads when it ends: {RecordingKbps.ToString(CultureInfo.InvariantCulture)} kbit/s (720p30 H.264 3000 + audio 128, pipeline.go defaults; no published track above it, assumption) × the session limit, plus {ChromeScratchGiB} GiB of Chrome scratch (--disable-dev-shm-usage, pkg/pipeline/source/web.go; assumption) for Chrome jobs, × {ScratchMargin.ToString(CultureInfo.InvariantCulture)} (assumption); sized for the kind of job that fills it most when CPU admission lets in as many as it can.",
        $"Memory admission (monitor.go checkMemoryAdmissionLocked, memory_source: cgroup, the pod's working set): max_memory = the memory limit − {KillMarginGiB.ToString(CultureInfo.InvariantCulture)} GiB (above it Egress kills its largest job instead of the kernel killing the pod); a job is refused when used + pending + memory_cost + {MemoryHeadroomGiB.ToString("0.0", CultureInfo.InvariantCulture)} ≥ max_memory; memory_cost leaves the planned room composites room beside {IdleMemoryGiB.ToString(CultureInfo.InvariantCulture)} GiB idle use (assumption).",
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
/// <param name="ScratchGiB">The /home/egress/tmp emptyDir's sizeLimit: what the admitted jobs write there at most.</param>
/// <param name="ScratchBy">The job kind that fills the scratch most, and how many of it one pod admits.</param>
/// <param name="TmpGiB">The /tmp emptyDir's sizeLimit.</param>
/// <param name="MaxMemoryGiB">Egress's <c>cpu_cost.max_memory</c>.</param>
/// <param name="MemoryCostGiB">Egress's <c>cpu_cost.memory_cost</c>.</param>
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
    (string Kind, int Jobs) ScratchBy,
    int TmpGiB,
    double MaxMemoryGiB,
    double MemoryCostGiB)
{
    /// <summary>Room composites the fleet admits at once (at least <see cref="Recordings"/>).</summary>
    public int Capacity => Replicas * RecordingsPerPod;

    /// <summary>
    /// ephemeral-storage each pod requests: both emptyDirs at their limits and the writable layer, so a pod whose jobs
    /// fill their scratch is within its request and never the first the kubelet evicts under disk pressure.
    /// </summary>
    public int EphemeralGiB => ScratchGiB + TmpGiB + EgressCapacityModel.WritableLayerGiB;

    public static EgressSizing For(TierPreset preset, int? recordings, int maxDurationSeconds, int gracePeriodSeconds)
    {
        var planned = recordings ?? preset.Egress.Recordings;
        var cpus = preset.Egress.CpuPerPod;
        var perPod = EgressCapacityModel.JobsPerPod(cpus, EgressCapacityModel.RoomCompositeCpuCost);
        var bytes = EgressCapacityModel.RecordingBytes(maxDurationSeconds);
        var worst = EgressCapacityModel.WorstScratch(cpus, maxDurationSeconds);
        var pod = new ResourceSize(cpus * 1000, cpus * EgressCapacityModel.MemoryMiBPerCpu, Guaranteed: true);
        var (maxMemory, memoryCost) = EgressCapacityModel.MemoryAdmission(pod.MemoryMiB / 1024.0, perPod);
        return new EgressSizing(
            planned,
            perPod,
            EgressCapacityModel.JobsPerPod(cpus, EgressCapacityModel.TrackCpuCost),
            Math.Max(1, (planned + perPod - 1) / perPod),
            pod,
            maxDurationSeconds,
            gracePeriodSeconds,
            bytes,
            (int)Math.Ceiling(worst.Bytes / (1024.0 * 1024 * 1024)),
            (worst.Kind.Name, worst.Jobs),
            EgressCapacityModel.TmpGiB,
            maxMemory,
            memoryCost);
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
        sb.AppendLine($"| scratch per pod | /home/egress/tmp {ScratchGiB}Gi ({ScratchBy.Jobs} × {ScratchBy.Kind} fill it most), /tmp {TmpGiB}Gi (ephemeral-storage request {EphemeralGiB}Gi) |");
        sb.AppendLine($"| memory admission per pod | max_memory {MaxMemoryGiB.ToString(inv)} GiB, memory_cost {MemoryCostGiB.ToString(inv)} GiB per job (cgroup working set) |");
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
