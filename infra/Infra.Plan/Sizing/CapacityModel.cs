namespace Infra.Plan.Sizing;

/// <summary>
/// What an SFU forwards, in the units the benchmark measured: forwarded (subscribed) tracks and bytes.
/// </summary>
/// <param name="AudioTracksForwarded">Forwarded audio tracks that carry speech (DTX makes silent tracks nearly free).</param>
public sealed record MediaScenario(
    double AudioTracksForwarded,
    double VideoTracksForwarded,
    double EgressMBps,
    double IngressMBps);

/// <summary>Load given as calls: how many, how big, how many with video, how many through TURN.</summary>
public sealed record CallLoad(int Calls, int ParticipantsPerCall, double VideoShare, double TurnShare)
{
    public int Participants => Calls * ParticipantsPerCall;
}

/// <summary>The model's answer for one load.</summary>
public sealed record CapacityEstimate(
    CallLoad Load,
    MediaScenario Media,
    string VideoLayer,
    double SfuCpuCores,
    double SfuMemoryGiB,
    double EgressMbps,
    double IngressMbps,
    double TurnRelayMbps);

/// <summary>
/// SFU cost model calibrated on LiveKit's published benchmark (docs.livekit.io, self-hosting/benchmark:
/// 16 vCPU c2-standard-16; see REFERENCE.md):
///   audio:      10 publishers → 3000 subscribers, 23 MB/s out, 80% CPU (12.8 cores)
///   meeting:    150 video publishers × 150 subscribers, 50 MB/s in, 93 MB/s out, 85% CPU (13.6 cores)
///   livestream: 1 video publisher → 3000 subscribers, 531 MB/s out, 92% CPU (14.72 cores)
/// CPU = a·(forwarded speaking audio tracks) + v·(forwarded video tracks) + e·(egress MB/s). The three
/// constants solve the three points (exactly: a = 0.002127, v = 0.000505, e = 0.02487) and are rounded
/// here, so the model reproduces each point within 2%. The audio point's 23 MB/s over 30,000 tracks is
/// 6.1 kbit/s a track: with 32 kbit/s Opus, 19% of the tracks carried speech at a time (DTX), so the
/// benchmark forwarded ≈ 5,750 speaking tracks. Everything else is an assumption and says so.
/// </summary>
public static class CapacityModel
{
    /// <summary>Cores per forwarded speaking audio track (fit; benchmark audio point).</summary>
    public const double CpuPerAudioTrack = 0.0021;

    /// <summary>Cores per forwarded video track (fit; benchmark meeting and livestream points).</summary>
    public const double CpuPerVideoTrack = 0.0005;

    /// <summary>Cores per MB/s of egress (fit; dominated by the livestream point: ~40 MB/s per core).</summary>
    public const double CpuPerEgressMBps = 0.025;

    /// <summary>Average egress per forwarded audio track in the benchmark: 23 MB/s ÷ 30,000 tracks (DTX silences most tracks).</summary>
    public const double AudioTrackKbps = 23.0 * 8000 / 30_000;

    /// <summary>Opus speech bitrate while speaking. Assumption: LiveKit's default speech preset.</summary>
    public const double SpeechKbps = 32;

    /// <summary>Share of the benchmark's audio tracks carrying speech at a time: 6.1 ÷ 32 kbit/s.</summary>
    public const double BenchmarkSpeakingShare = AudioTrackKbps / SpeechKbps;

    /// <summary>People speaking at once in a call. Assumption: conversation, not a choir.</summary>
    public const int SpeakersPerCall = 2;

    /// <summary>High simulcast layer as forwarded: 531 MB/s ÷ 3000 subscribers (benchmark livestream point).</summary>
    public const double HighLayerKbps = 531.0 * 8000 / 3000;

    /// <summary>Medium simulcast layer (~360p). Assumption: LiveKit client default simulcast presets.</summary>
    public const double MediumLayerKbps = 500;

    /// <summary>Low simulcast layer (~180p). Assumption: LiveKit client default simulcast presets.</summary>
    public const double LowLayerKbps = 150;

    /// <summary>Opus uplink per participant, averaged (most are silent most of the time, but a mic is always published).</summary>
    public const double AudioUplinkKbps = SpeechKbps;

    /// <summary>Tiles a client shows at once; adaptive stream pauses the rest. Assumption: Element Call grid.</summary>
    public const int VisibleTiles = 25;

    /// <summary>Memory: base per SFU process, per participant, per forwarded track. Assumption (not in the benchmark).</summary>
    public const double BaseMemoryGiB = 0.5;
    public const double MemoryPerParticipantMiB = 4;
    public const double MemoryPerForwardedTrackMiB = 0.05;

    /// <summary>Share of CPU kept free at the stated maximum (spikes, rejoin storms, a drained node's calls).</summary>
    public const double TargetHeadroom = 0.25;

    public static IReadOnlyList<string> Assumptions { get; } =
    [
        "Simulcast on (3 layers); adaptive stream on: a subscriber receives video only for the tiles it shows (at most " + VisibleTiles + ").",
        "Layer per subscriber by tiles shown: 1-2 tiles high (" + Math.Round(HighLayerKbps) + " kbit/s, benchmark), 3-9 medium (" + MediumLayerKbps + " kbit/s), 10+ low (" + LowLayerKbps + " kbit/s); a subscriber never receives less video than it would with fewer tiles.",
        "Every participant subscribes to every other participant's audio; " + SpeakersPerCall + " people speak at a time (" + SpeechKbps + " kbit/s Opus); DTX makes silent tracks nearly free, as in the benchmark (" + AudioTrackKbps.ToString("0.0") + " kbit/s per audio track on average).",
        "Publishers send all simulcast layers; audio uplink " + AudioUplinkKbps + " kbit/s.",
        "TURN-relayed participants send and receive all their media through coturn; coturn's NIC carries it twice (client side and SFU side).",
        "Memory is an assumption, not measured by the benchmark: " + BaseMemoryGiB + " GiB per SFU + " + MemoryPerParticipantMiB + " MiB per participant + " + MemoryPerForwardedTrackMiB + " MiB per forwarded track.",
        "A call (room) lives on one SFU node; load spreads evenly across nodes.",
    ];

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

    public static double Cpu(MediaScenario m) =>
        CpuPerAudioTrack * m.AudioTracksForwarded + CpuPerVideoTrack * m.VideoTracksForwarded + CpuPerEgressMBps * m.EgressMBps;

    /// <summary>Tracks, bytes, CPU, memory and TURN bandwidth for a load.</summary>
    public static CapacityEstimate Estimate(CallLoad load)
    {
        var p = (double)load.ParticipantsPerCall;
        var videoPublishers = p * load.VideoShare;
        // Each subscriber sees the other video publishers, up to the visible tile count.
        var othersWithVideo = p <= 1 ? 0 : videoPublishers * (p - 1) / p;
        var tiles = Math.Min(othersWithVideo, VisibleTiles);
        var layer = tiles <= 2 ? "high" : tiles <= 9 ? "medium" : "low";
        var downlinkKbps = VideoDownlinkKbps(tiles);

        var audioForwarded = load.Calls * Math.Min(p, SpeakersPerCall) * (p - 1);
        var videoForwarded = load.Calls * p * tiles;
        var egressKbps = audioForwarded * SpeechKbps + load.Calls * p * downlinkKbps;
        var ingressKbps = load.Calls * (p * AudioUplinkKbps + videoPublishers * (HighLayerKbps + MediumLayerKbps + LowLayerKbps));
        var media = new MediaScenario(audioForwarded, videoForwarded, egressKbps / 8000, ingressKbps / 8000);

        var cpu = Cpu(media);
        var allAudioSubscriptions = load.Calls * p * (p - 1);
        var memoryGiB = (load.Participants * MemoryPerParticipantMiB + (allAudioSubscriptions + videoForwarded) * MemoryPerForwardedTrackMiB) / 1024;
        var turnMbps = load.TurnShare * (egressKbps + ingressKbps) / 1000;
        return new CapacityEstimate(load, media, layer, cpu, memoryGiB, egressKbps / 1000, ingressKbps / 1000, turnMbps);
    }

    /// <summary>SFU nodes of <paramref name="coresPerNode"/> needed to carry <paramref name="estimate"/> with the target headroom.</summary>
    public static int NodesNeeded(CapacityEstimate estimate, double coresPerNode) =>
        Math.Max(1, (int)Math.Ceiling(estimate.SfuCpuCores / (coresPerNode * (1 - TargetHeadroom)) - 1e-9));

    /// <summary>Free CPU share when <paramref name="nodes"/> nodes carry the load.</summary>
    public static double Headroom(CapacityEstimate estimate, int nodes, double coresPerNode) =>
        1 - estimate.SfuCpuCores / (nodes * coresPerNode);
}
