using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Sizing;

/// <summary>Load given as calls: how many, how big, how many with video, how many through TURN.</summary>
public sealed record CallLoad(int Calls, int ParticipantsPerCall, double VideoShare, double TurnShare)
{
    public int Participants => Calls * ParticipantsPerCall;
}

/// <summary>A CPU figure with its uncertainty band (cores).</summary>
public sealed record CpuBand(double Low, double Central, double High);

/// <summary>A hardware class's factor on the benchmark machine's CPU cost, and the band around it.</summary>
public sealed record HardwareFactor(HardwareClass Class, string Name, string Examples, double Factor, double Low, double High);

/// <summary>What the estimate assumes beyond the load: the nodes' CPU class, DTX, and any costs measured on the operator's nodes.</summary>
public sealed record SizingAssumptions(HardwareClass Hardware, bool Dtx, CpuCoefficients? MeasuredCpu, double? MeasuredMemoryMiBPerParticipant)
{
    public static readonly SizingAssumptions Default = new(HardwareClass.General, true, null, null);

    public static SizingAssumptions From(LoadSpec load) => new(
        load.Hardware,
        load.Dtx,
        load.Measured is { CpuNanosPerPacket: { } p, CpuNanosPerKilobyte: { } kb } ? CpuCoefficients.FromNanos(p, kb) : null,
        load.Measured.MemoryMiBPerParticipant);
}

/// <summary>The model's answer for one load.</summary>
public sealed record CapacityEstimate(
    CallLoad Load,
    SizingAssumptions Assumptions,
    Traffic Traffic,
    double AudioTracksForwarded,
    double VideoTracksForwarded,
    string VideoLayer,
    CpuBand Cpu,
    double SfuMemoryGiB,
    double EgressMbps,
    double IngressMbps,
    double TurnRelayMbps)
{
    /// <summary>The central CPU figure; sizing and warnings use <see cref="CpuBand.High"/>.</summary>
    public double SfuCpuCores => Cpu.Central;
}

/// <summary>
/// SFU cost model in the units an SFU works in: CPU = (seconds per packet) × packets/s + (seconds per byte) × bytes/s,
/// both directions, times a LiveKit version factor and a hardware-class factor, with a band.
/// <para>
/// <b>Coefficients.</b> Fitted on LiveKit's two most different benchmark points (c2-standard-16, mid-2022), with the
/// traffic re-derived from the load tester's source (<see cref="LoadTester"/>):
/// audio room: 10 × 3000 tracks × 30 packets/s of 12 + 12 bytes = 900,000 packets/s, 21.6 MB/s out; 12.8 cores.
/// livestream: 3000 × (30 audio packets/s of 41 + 12 bytes + the 1500 kbit/s layer at 170.5 packets/s) = 601,364
/// packets/s, 567 MB/s out; 14.72 cores. Solving both gives ≈ 13.9 µs a packet and ≈ 11.1 ns a byte
/// (<see cref="Reference"/>). The third benchmark point (large meeting) is held out and predicted at −10%.
/// </para>
/// <para>
/// <b>Version factor.</b> The same machine and command reached 1500 subscribers instead of 3000 with LiveKit v1.8
/// (livekit/livekit#3285): <see cref="VersionFactor"/> ≈ 2.2 is what the 2022 coefficients must be multiplied by for the
/// LiveKit deployed here (v1.13+). One point: thin.
/// </para>
/// <para>
/// <b>Hardware.</b> A factor per class with a band (<see cref="HardwareFactors"/>); published capacity per node varies
/// about 4× across instance types. The bands, not the central figure, decide warnings and SFU counts.
/// </para>
/// Everything about calls (who speaks, tiles, layers) is an assumption and says so in <see cref="Assumptions"/>.
/// </summary>
public static class CapacityModel
{
    /// <summary>The 2022 coefficients on the benchmark machine, fitted on the audio room and the livestream.</summary>
    public static CpuCoefficients Reference { get; } = CpuCoefficients.Fit(
        (PublishedLoadTests.AudioRoom.TrafficAt(PublishedLoadTests.AudioRoom.Subscribers), PublishedLoadTests.AudioRoom.Figure),
        (PublishedLoadTests.Livestream.TrafficAt(PublishedLoadTests.Livestream.Subscribers), PublishedLoadTests.Livestream.Figure));

    /// <summary>LiveKit ≥ 1.8 against the 2022 fit: the cores the 2022 fit gives for #3285's 1500 subscribers, against saturation.</summary>
    public static double VersionFactor { get; } =
        PublishedLoadTests.SaturationCores(PublishedLoadTests.Issue3285.MachineCores) /
        Reference.Cores(PublishedLoadTests.Issue3285.TrafficAt(PublishedLoadTests.Issue3285.Subscribers));

    /// <summary>
    /// Model error on top of the hardware band: the held-out meeting point (same machine and version as the fit) is
    /// predicted within this, and a calibration from one's own load tests is trusted to this.
    /// </summary>
    public const double FitError = 0.15;

    /// <summary>
    /// Per class: factor on the benchmark machine's CPU cost, and its band. compute is the benchmark's class (1.0).
    /// general is anchored on the only held-out point of today's LiveKit on general-purpose VMs (the third-party v1.9
    /// report: 2.4 cores where the compute class gives 1.3); shared spans the rest of the ~4× that published capacity per
    /// node varies across instance types. Thin: calibrate (README).
    /// </summary>
    public static IReadOnlyList<HardwareFactor> HardwareFactors { get; } =
    [
        new(HardwareClass.Compute, "compute", "dedicated compute-optimised cores ≥ 3 GHz: GCP c2/c3, AWS c5/c6i/c7i", 1.0, 0.8, 1.3),
        new(HardwareClass.General, "general", "general-purpose vCPUs: GCP n2, AWS m5/m6i, OpenStack, most managed Kubernetes nodes", 1.6, 1.1, 2.2),
        new(HardwareClass.Shared, "shared", "shared or burstable vCPUs: AWS t3, GCP e2 shared-core, small VPS plans", 2.5, 1.6, 4.0),
    ];

    public static HardwareFactor Hardware(HardwareClass c) => HardwareFactors.Single(h => h.Class == c);

    /// <summary>Opus while speaking: 20 ms frames.</summary>
    public const double SpeechPacketsPerSecond = 50;

    /// <summary>Opus with DTX while silent: one comfort-noise frame every 400 ms.</summary>
    public const double DtxPacketsPerSecond = 2.5;

    /// <summary>Opus speech bitrate while speaking. Assumption: LiveKit's default speech preset.</summary>
    public const double SpeechKbps = 32;

    /// <summary>Bytes of a DTX comfort-noise payload (a few bytes).</summary>
    public const double DtxPayloadBytes = 3;

    /// <summary>People speaking at once in a call. Assumption: conversation, not a choir.</summary>
    public const int SpeakersPerCall = 2;

    /// <summary>High simulcast layer as forwarded: 531 MB/s ÷ 3000 subscribers (benchmark livestream point).</summary>
    public const double HighLayerKbps = 531.0 * 8000 / 3000;

    /// <summary>Medium simulcast layer (~360p). Assumption: LiveKit client default simulcast presets.</summary>
    public const double MediumLayerKbps = 500;

    /// <summary>Low simulcast layer (~180p). Assumption: LiveKit client default simulcast presets.</summary>
    public const double LowLayerKbps = 150;

    /// <summary>Tiles a client shows at once; adaptive stream pauses the rest. Assumption: Element Call grid.</summary>
    public const int VisibleTiles = 25;

    /// <summary>Memory: base per SFU process, per participant, per forwarded track. Assumption (not in any benchmark).</summary>
    public const double BaseMemoryGiB = 0.5;
    public const double MemoryPerParticipantMiB = 4;
    public const double MemoryPerForwardedTrackMiB = 0.05;

    /// <summary>Share of CPU kept free at the band's upper edge (spikes, rejoin storms, a drained node's calls).</summary>
    public const double TargetHeadroom = 0.25;

    public static IReadOnlyList<string> AssumptionsFor(SizingAssumptions a)
    {
        var hw = Hardware(a.Hardware);
        var cpu = a.MeasuredCpu is { } m
            ? $"CPU costs measured on your nodes: {m.NanosPerPacket:0} ns a packet, {m.NanosPerKilobyte:0} ns a kilobyte (sfuCpuNanosPerPacket/-PerKilobyte); band ±{FitError * 100:0}%."
            : $"CPU costs from the published fit ({Reference.NanosPerPacket:0} ns a packet, {Reference.NanosPerKilobyte:0} ns a kilobyte on c2-standard-16, LiveKit 2022) " +
              $"× {VersionFactor:0.00} for LiveKit ≥ 1.8 × hardware class {hw.Name} {hw.Factor:0.0} (band {hw.Low:0.0}–{hw.High:0.0}, ±{FitError * 100:0}% model error): {hw.Examples}.";
        return
        [
            cpu,
            "Audio: every participant's microphone is on and forwarded to everyone else; " + SpeakersPerCall + " speak at a time (Opus " + SpeechKbps + " kbit/s, " +
                SpeechPacketsPerSecond + " packets/s); " + (a.Dtx ? "DTX on: a silent microphone sends " + DtxPacketsPerSecond + " packets/s" : "DTX off: a silent microphone sends " + SpeechPacketsPerSecond + " packets/s") + ". Audio costs per packet, not per byte.",
            "Video: simulcast (3 layers) with adaptive stream: a subscriber receives video only for the tiles it shows (at most " + VisibleTiles + "); 1-2 tiles high (" +
                Math.Round(HighLayerKbps) + " kbit/s, benchmark), 3-9 medium (" + MediumLayerKbps + "), 10+ low (" + LowLayerKbps + "); video packets are bitrate ÷ " + MediaStream.VideoPacketBytes + " bytes.",
            "Dynacast: a publisher sends only the layers someone watches: high for 1-2 tiles, high and medium for 3-9, all three for 10+.",
            "No end-to-end encryption overhead is modelled (E2EE adds a few bytes a packet, no packets).",
            "TURN-relayed participants send and receive all their media through coturn; coturn's NIC carries it twice (client side and SFU side).",
            "Memory is an assumption: " + BaseMemoryGiB + " GiB per SFU + " + (a.MeasuredMemoryMiBPerParticipant ?? MemoryPerParticipantMiB) + " MiB per participant" +
                (a.MeasuredMemoryMiBPerParticipant is null ? "" : " (measured)") + " + " + MemoryPerForwardedTrackMiB + " MiB per forwarded track.",
            "A call (room) lives on one SFU node; load spreads evenly across nodes.",
        ];
    }

    /// <summary>
    /// Video a subscriber receives when showing <paramref name="tiles"/> tiles. More tiles means lower layers,
    /// but a client never receives less than it did with fewer tiles (bandwidth estimation fills the link),
    /// so the figure never falls as a call grows.
    /// </summary>
    public static double VideoDownlinkKbps(double tiles)
    {
        var layerKbps = tiles <= 2 ? HighLayerKbps : tiles <= 9 ? MediumLayerKbps : LowLayerKbps;
        return Math.Max(tiles * layerKbps, Math.Max(Math.Min(tiles, 2) * HighLayerKbps, Math.Min(tiles, 9) * MediumLayerKbps));
    }

    /// <summary>Layers a video publisher sends under dynacast when subscribers show <paramref name="tiles"/> tiles.</summary>
    public static IReadOnlyList<double> WatchedLayersKbps(double tiles) =>
        tiles <= 0 ? [] : tiles <= 2 ? [HighLayerKbps] : tiles <= 9 ? [HighLayerKbps, MediumLayerKbps] : [HighLayerKbps, MediumLayerKbps, LowLayerKbps];

    /// <summary>The packets and bytes one call of the load sends through its SFU.</summary>
    public static Traffic CallTraffic(CallLoad load, bool dtx)
    {
        var p = (double)load.ParticipantsPerCall;
        var others = Math.Max(0, p - 1);
        var speakers = Math.Min(p, SpeakersPerCall);
        var speech = MediaStream.Audio(SpeechPacketsPerSecond, SpeechKbps * 1000 / 8 / SpeechPacketsPerSecond);
        var silence = dtx ? MediaStream.Audio(DtxPacketsPerSecond, DtxPayloadBytes) : speech;
        var audio = speakers * Traffic.Forwarded(speech, others) + (p - speakers) * Traffic.Forwarded(silence, others);

        var videoPublishers = p * load.VideoShare;
        var tiles = Tiles(load);
        var ingress = WatchedLayersKbps(tiles).Aggregate(Traffic.None, (t, kbps) => t + Traffic.Received(MediaStream.Video(kbps, 0)));
        var video = videoPublishers * ingress + Traffic.Sent(MediaStream.Video(VideoDownlinkKbps(tiles), 0), p);
        return audio + video;
    }

    private static double Tiles(CallLoad load)
    {
        var p = (double)load.ParticipantsPerCall;
        var othersWithVideo = p <= 1 ? 0 : p * load.VideoShare * (p - 1) / p;
        return Math.Min(othersWithVideo, VisibleTiles);
    }

    /// <summary>CPU for <paramref name="traffic"/> under the assumptions, with its band.</summary>
    public static CpuBand Cpu(Traffic traffic, SizingAssumptions a)
    {
        if (a.MeasuredCpu is { } measured)
        {
            var c = measured.Cores(traffic);
            return new CpuBand(c * (1 - FitError), c, c * (1 + FitError));
        }
        var hw = Hardware(a.Hardware);
        var reference = Reference.Cores(traffic) * VersionFactor;
        return new CpuBand(reference * hw.Low * (1 - FitError), reference * hw.Factor, reference * hw.High * (1 + FitError));
    }

    /// <summary>Tracks, bytes, CPU, memory and TURN bandwidth for a load.</summary>
    public static CapacityEstimate Estimate(CallLoad load, SizingAssumptions? assumptions = null)
    {
        var a = assumptions ?? SizingAssumptions.Default;
        var p = (double)load.ParticipantsPerCall;
        var tiles = Tiles(load);
        var layer = tiles <= 2 ? "high" : tiles <= 9 ? "medium" : "low";
        var traffic = load.Calls * CallTraffic(load, a.Dtx);

        var audioForwarded = load.Calls * p * Math.Max(0, p - 1);
        var videoForwarded = load.Calls * p * tiles;
        var memoryGiB = (load.Participants * (a.MeasuredMemoryMiBPerParticipant ?? MemoryPerParticipantMiB) +
                         (audioForwarded + videoForwarded) * MemoryPerForwardedTrackMiB) / 1024;
        var egressMbps = traffic.BytesOut * 8 / 1e6;
        var ingressMbps = traffic.BytesIn * 8 / 1e6;
        var turnMbps = load.TurnShare * (egressMbps + ingressMbps);
        return new CapacityEstimate(load, a, traffic, audioForwarded, videoForwarded, layer, Cpu(traffic, a), memoryGiB, egressMbps, ingressMbps, turnMbps);
    }

    /// <summary>SFU nodes of <paramref name="coresPerNode"/> needed to carry the band's upper edge with the target headroom.</summary>
    public static int NodesNeeded(CapacityEstimate estimate, double coresPerNode) =>
        Math.Max(1, (int)Math.Ceiling(estimate.Cpu.High / (coresPerNode * (1 - TargetHeadroom)) - 1e-9));

    /// <summary>Free CPU share at the band's upper edge when <paramref name="nodes"/> nodes carry the load.</summary>
    public static double Headroom(CapacityEstimate estimate, int nodes, double coresPerNode) =>
        1 - estimate.Cpu.High / (nodes * coresPerNode);
}
