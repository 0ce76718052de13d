namespace Infra.Plan.Sizing;

/// <summary>
/// What LiveKit's load tester (<c>lk load-test</c>, livekit/livekit-cli) really sends, re-stated from its source, so
/// that a published CPU figure can be read in packets and bytes. Two versions matter:
/// <list type="bullet">
/// <item>2022 (commit 4a032c5, 2022-04-28: the tester when LiveKit updated its benchmark page, livekit/livekit#671,
/// 2022-05-31). Every publisher sends a blank "audio" track and, unless video is off, three simulcast layers; every
/// subscriber auto-subscribes to everything.</item>
/// <item>Today (commit 29c2686): <c>--video-publishers</c> send video only, <c>--audio-publishers</c> send a real Opus
/// loop; a subscriber subscribes to the tracks of at most 6 publishers (speaker layout).</item>
/// </list>
/// </summary>
public static class LoadTester
{
    /// <summary>pkg/loadtester/loadtestprovider.go: <c>SampleDuration: time.Second / 30</c>, one RTP packet per sample.</summary>
    public const int BlankAudioPacketsPerSecond = 30;

    /// <summary>cmd/livekit-load-tester/main.go (4a032c5): <c>audio-bitrate</c> flag, <c>Value: 10000</c>.</summary>
    public const int DefaultAudioBitrate2022 = 10_000;

    /// <summary>The benchmark page's audio room: "It uses an average audio bitrate of 3kbps".</summary>
    public const int BenchmarkAudioBitrate = 3_000;

    /// <summary>loadtestprovider.go: <c>bytesPerSample := bitrate / 8 / 30</c> (integer division).</summary>
    public static int BlankAudioPayloadBytes(int bitrate) => bitrate / 8 / BlankAudioPacketsPerSecond;

    /// <summary>A 2022 publisher's blank audio track at <paramref name="bitrate"/> bit/s: 30 packets/s.</summary>
    public static MediaStream BlankAudio(int bitrate) => MediaStream.Audio(BlankAudioPacketsPerSecond, BlankAudioPayloadBytes(bitrate));

    /// <summary>One video loop's three simulcast layers (low, medium, high).</summary>
    public sealed record LoopSet(string Name, MediaStream Low, MediaStream Medium, MediaStream High)
    {
        public MediaStream[] Layers => [Low, Medium, High];
    }

    /// <summary>
    /// pkg/provider/embeds.go (unchanged from 4a032c5 to today): six loops, layers at 15, 20 and 30 fps with the
    /// kbit/s in their file names (createSpecs, circlesSpec).
    /// </summary>
    public static IReadOnlyList<LoopSet> LoopSets { get; } =
    [
        Loop("butterfly", 150, 400, 2000),
        Loop("cartoon", 120, 400, 1500),
        Loop("crescent", 150, 600, 2000),
        Loop("neon", 150, 600, 2000),
        Loop("tunnel", 150, 600, 2000),
        Loop("circles", 200, 700, 2000),
    ];

    /// <summary>
    /// The loop publisher number <paramref name="i"/> (0-based) of one tester process gets:
    /// <c>videoIndex.Inc() % len(filtered)</c>, and Inc returns the new value, so the first publisher gets loop 1.
    /// </summary>
    public static LoopSet LoopFor(int i) => LoopSets[(i + 1) % LoopSets.Count];

    /// <summary>
    /// pkg/loadtester/loadtester.go, speaker layout: the first video a subscriber gets is set to HIGH, the next five
    /// to LOW, the rest are disabled (<c>pub.SetEnabled(false)</c>): 6 videos per subscriber.
    /// </summary>
    public const int SpeakerLayoutHigh = 1;
    public const int SpeakerLayoutLow = 5;

    /// <summary>
    /// Today's <c>--audio-publishers</c> send a real Opus loop (pkg/provider/opuslooper.go): 20 ms frames, 50
    /// packets/s (the server logs <c>packetsExpectedRate: 50.15</c> for it, livekit/livekit-cli#581).
    /// </summary>
    public const int OpusPacketsPerSecond = 50;

    private static LoopSet Loop(string name, int low, int medium, int high) =>
        new(name, MediaStream.Video(low, 15), MediaStream.Video(medium, 20), MediaStream.Video(high, 30));

    /// <summary>2022: <paramref name="publishers"/> blank-audio publishers (no video), each track forwarded to every subscriber.</summary>
    public static Traffic AudioRoom2022(int publishers, int subscribers, int bitrate) =>
        publishers * Traffic.Forwarded(BlankAudio(bitrate), subscribers);

    /// <summary>
    /// 2022: <paramref name="publishers"/> publishers of blank audio (default bitrate) and three simulcast layers;
    /// <paramref name="subscribers"/> separate subscribers, each taking every audio track and, in the speaker layout,
    /// one video at HIGH and up to five at LOW. Which publisher a subscriber takes at HIGH is the order tracks arrive
    /// in: the average over the publishers' loops is used.
    /// </summary>
    public static Traffic VideoRoom2022(int publishers, int subscribers)
    {
        var audio = BlankAudio(DefaultAudioBitrate2022);
        var loops = Enumerable.Range(0, publishers).Select(LoopFor).ToList();
        var ingress = loops.Aggregate(Traffic.None, (t, l) => t + Traffic.Received(audio) + l.Layers.Aggregate(Traffic.None, (u, s) => u + Traffic.Received(s)));
        var audioOut = publishers * Traffic.Sent(audio, subscribers);
        var high = Math.Min(SpeakerLayoutHigh, publishers);
        var low = Math.Min(SpeakerLayoutLow, publishers - high);
        var videoOut = loops.Aggregate(Traffic.None, (t, l) => t + Traffic.Sent(l.High, high) + Traffic.Sent(l.Low, low));
        return ingress + audioOut + (subscribers / (double)publishers) * videoOut;
    }

    /// <summary>Today: one video publisher (no audio), every subscriber takes its video at HIGH.</summary>
    public static Traffic Livestream2024(int subscribers)
    {
        var loop = LoopFor(0);
        return loop.Layers.Aggregate(Traffic.None, (t, s) => t + Traffic.Received(s)) + Traffic.Sent(loop.High, subscribers);
    }
}
