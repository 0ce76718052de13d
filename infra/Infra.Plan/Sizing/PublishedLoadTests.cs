using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Sizing;

/// <summary>How a published point is used: to set a coefficient, or only to check the model.</summary>
public enum PointUse
{
    /// <summary>Sets the per-packet and per-byte CPU cost.</summary>
    FitCoefficients,
    /// <summary>Sets the LiveKit version factor.</summary>
    FitVersion,
    /// <summary>Not used to set anything: the model is checked against it.</summary>
    HeldOut,
}

/// <summary>What a published result states: CPU at a load, or the largest load a machine carried.</summary>
public enum FigureKind
{
    /// <summary>Cores in use at the load.</summary>
    Cores,
    /// <summary>Subscribers carried at saturation (<see cref="PublishedLoadTests.SaturationCores"/>).</summary>
    MaxSubscribers,
}

/// <summary>
/// One published LiveKit load result: where from, on what, which LiveKit, what the load tester sent (as
/// <paramref name="TrafficAt"/>, from the tester's source) and the published figure.
/// </summary>
/// <param name="TrafficAt">Traffic at a number of subscribers (for <see cref="FigureKind.Cores"/> points the published count).</param>
/// <param name="PublishedTraffic">Packets and bytes as published, when they were (a check of <paramref name="TrafficAt"/>).</param>
public sealed record PublishedPoint(
    string Name,
    string Source,
    string Livekit,
    bool LivekitAtLeast18,
    string Hardware,
    HardwareClass Class,
    double MachineCores,
    string Scenario,
    FigureKind Kind,
    double Figure,
    int Subscribers,
    Func<int, Traffic> TrafficAt,
    Traffic? PublishedTraffic,
    PointUse Use,
    string Notes);

/// <summary>The model's figure for a published point, its band, and its error against the published figure.</summary>
public sealed record PointResult(PublishedPoint Point, double Model, double BandLow, double BandHigh, double Error)
{
    public bool InsideBand => Point.Figure >= BandLow && Point.Figure <= BandHigh;
}

/// <summary>The published load results the model is fitted on and checked against (the bench prints them all).</summary>
public static class PublishedLoadTests
{
    private const string BenchmarkPage = "docs.livekit.io self-hosting/benchmark (c2-standard-16; tables unchanged since 2022, livekit/livekit#671)";

    /// <summary>A "maximum" is read at the benchmark's own maximum-load utilisation: the livestream point's 92% of 16 cores.</summary>
    public static double SaturationCores(double machineCores) => 0.92 * machineCores;

    public static PublishedPoint AudioRoom { get; } = new(
        "benchmark audio room", BenchmarkPage, "v1.x (mid-2022)", false, "GCP c2-standard-16", HardwareClass.Compute, 16,
        "10 audio publishers → 3000 subscribers, blank audio at 3 kbit/s: 12-byte payload, 30 packets/s", FigureKind.Cores, 0.80 * 16, 3000,
        s => LoadTester.AudioRoom2022(10, s, LoadTester.BenchmarkAudioBitrate),
        new Traffic(305, 959_156, 7.3e3, 23e6), PointUse.FitCoefficients,
        "packet-heavy: 24 bytes a packet (7.3 kB/s ÷ 305 packets/s), so every one of the 30,000 tracks was sending");

    public static PublishedPoint Livestream { get; } = new(
        "benchmark livestream", BenchmarkPage, "v1.x (mid-2022)", false, "GCP c2-standard-16", HardwareClass.Compute, 16,
        "1 publisher (blank audio 10 kbit/s + 3 simulcast layers, loop 'cartoon' 120/400/1500 kbit/s) → 3000 subscribers at HIGH",
        FigureKind.Cores, 0.92 * 16, 3000, s => LoadTester.VideoRoom2022(1, s),
        new Traffic(246, 560_962, 233e3, 531e6), PointUse.FitCoefficients,
        "byte-heavy: 947 bytes a packet; all three layers arrive (233 kB/s in)");

    public static PublishedPoint Meeting { get; } = new(
        "benchmark large meeting", BenchmarkPage, "v1.x (mid-2022)", false, "GCP c2-standard-16", HardwareClass.Compute, 16,
        "150 publishers (audio + 3 layers) × 150 subscribers: every subscriber takes 150 audio tracks, 1 video at HIGH and 5 at LOW",
        FigureKind.Cores, 0.85 * 16, 150, s => LoadTester.VideoRoom2022(150, s),
        new Traffic(51_068, 762_749, 50e6, 93e6), PointUse.HeldOut,
        "22,500 small audio streams and 900 videos forwarded, not 22,350 videos");

    public static PublishedPoint Issue3285 { get; } = new(
        "livekit/livekit#3285", "github.com/livekit/livekit/issues/3285 (2024-12-23; maintainer: 'not as efficient as it used to be')",
        "latest Docker image, Dec 2024 (v1.8)", true, "GCP c2-standard-16 (same as the benchmark)", HardwareClass.Compute, 16,
        "today's tester: 1 video publisher (no audio) → subscribers at HIGH; the benchmark's command", FigureKind.MaxSubscribers, 1500, 1500,
        LoadTester.Livestream2024, null, PointUse.FitVersion,
        "the same machine and command reached 1500 subscribers instead of 3000: sets the version factor");

    public static PublishedPoint Docs2021 { get; } = new(
        "benchmark page, 2021 version", "livekit docs (2021) deploy/benchmark: 'Video room' with Chrometester", "v0.x (2021)", false,
        "GCP c2-standard-16", HardwareClass.Compute, 16,
        "4 browser publishers (Opus + 960×540 simulcast) → headless-Chrome subscribers until CPU maxed out (~440)",
        FigureKind.MaxSubscribers, 440, 440, Browser4Publishers, null, PointUse.HeldOut,
        "browser bitrates are not published: assumed 540p top layer 1.2 Mbit/s, lower layers 0.4 Mbit/s, Opus 32 kbit/s; pre-1.0 server");

    public static PublishedPoint Issue294 { get; } = new(
        "livekit/livekit#294", "github.com/livekit/livekit/issues/294 (2021-12-28)", "v0.15.1", false, "32 cores at 2.1 GHz", HardwareClass.General, 32,
        "1 Go-SDK video publisher → 200 subscribers; 201 Mbit/s out, 5 cores used", FigureKind.Cores, 5, 200,
        s => new Traffic(1e6 / 8 / MediaStream.VideoPacketBytes, 201e6 / 8 / MediaStream.VideoPacketBytes * s / 200, 1e6 / 8, 201e6 / 8 * s / 200),
        null, PointUse.HeldOut, "pre-1.0 server; packets are the bytes ÷ 1,100");

    public static PublishedPoint ThirdPartyV19 { get; } = new(
        "third-party v1.9.0 on Kubernetes", "'LiveKit Load Testing Analysis' (public GitHub report, livekit-demo.cloudportal.app, 2025-07-10)",
        "v1.9.0", true, "OpenStack VMs, CPU model not stated", HardwareClass.General, 4,
        "one 100-person room per pod (10 publishers, 90 subscribers, medium video); tester side 89.52 Mbit/s in, 9.86 Mbit/s out, 10,274,882 packets in 318 s",
        FigureKind.Cores, 2.4, 90,
        s => new Traffic(0, 10_274_882 / 318.0 * s / 90, 9.86e6 / 8, 89.52e6 / 8 * s / 90), null, PointUse.HeldOut,
        "'~2400m per pod at peak' (join included); interface bytes, packets not split by direction");

    public static IReadOnlyList<PublishedPoint> All { get; } = [AudioRoom, Livestream, Meeting, Issue3285, Docs2021, Issue294, ThirdPartyV19];

    /// <summary>
    /// The model against one point: the point's LiveKit (the 2022 fit, × <see cref="CapacityModel.VersionFactor"/> for
    /// ≥ 1.8) and hardware class, on the traffic the tester sent. A maximum is the subscriber count at which the
    /// model reaches saturation (traffic grows linearly with subscribers).
    /// </summary>
    public static PointResult Evaluate(PublishedPoint point)
    {
        var version = point.LivekitAtLeast18 ? CapacityModel.VersionFactor : 1.0;
        var hw = CapacityModel.Hardware(point.Class);
        double Cost(int subscribers, double factor) => CapacityModel.Reference.Cores(point.TrafficAt(subscribers)) * version * factor;
        double Figure(double factor) => point.Kind == FigureKind.Cores
            ? Cost(point.Subscribers, factor)
            : (PublishedLoadTests.SaturationCores(point.MachineCores) - Cost(0, factor)) / (Cost(1, factor) - Cost(0, factor));
        var low = hw.Low * (1 - CapacityModel.FitError);
        var high = hw.High * (1 + CapacityModel.FitError);
        var (bandLow, bandHigh) = point.Kind == FigureKind.Cores ? (Figure(low), Figure(high)) : (Figure(high), Figure(low));
        var model = Figure(hw.Factor);
        return new PointResult(point, model, bandLow, bandHigh, model / point.Figure - 1);
    }

    /// <summary>4 browser publishers as assumed for the 2021 page (see its notes); each subscriber takes all 4 at the top layer.</summary>
    private static Traffic Browser4Publishers(int subscribers)
    {
        var opus = MediaStream.Audio(50, 32_000 / 8 / 50);
        var top = MediaStream.Video(1200, 30);
        var lower = MediaStream.Video(400, 20);
        var perPublisher = Traffic.Forwarded(opus, subscribers) + Traffic.Forwarded(top, subscribers) + Traffic.Received(lower);
        return 4 * perPublisher;
    }
}
