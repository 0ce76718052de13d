namespace Infra.Plan.Sizing;

/// <summary>
/// What an SFU node receives and sends, per second: the units its CPU cost is measured in. LiveKit counts the same
/// (RTP header plus payload) in <c>livekit_packet_total</c> and <c>livekit_packet_bytes</c>, label <c>direction</c>
/// incoming/outgoing (livekit/livekit pkg/telemetry/prometheus/packets.go).
/// </summary>
public sealed record Traffic(double PacketsIn, double PacketsOut, double BytesIn, double BytesOut)
{
    public static readonly Traffic None = new(0, 0, 0, 0);

    public double Packets => PacketsIn + PacketsOut;

    public double Bytes => BytesIn + BytesOut;

    public static Traffic operator +(Traffic a, Traffic b) =>
        new(a.PacketsIn + b.PacketsIn, a.PacketsOut + b.PacketsOut, a.BytesIn + b.BytesIn, a.BytesOut + b.BytesOut);

    public static Traffic operator *(double k, Traffic t) => new(k * t.PacketsIn, k * t.PacketsOut, k * t.BytesIn, k * t.BytesOut);

    /// <summary>One stream received from a publisher and forwarded to <paramref name="subscribers"/>.</summary>
    public static Traffic Forwarded(MediaStream s, double subscribers) =>
        new(s.PacketsPerSecond, s.PacketsPerSecond * subscribers, s.BytesPerSecond, s.BytesPerSecond * subscribers);

    /// <summary>One stream received and never forwarded (a simulcast layer nobody watches, without dynacast).</summary>
    public static Traffic Received(MediaStream s) => new(s.PacketsPerSecond, 0, s.BytesPerSecond, 0);

    /// <summary>One stream only sent (its ingress is counted elsewhere).</summary>
    public static Traffic Sent(MediaStream s, double times) => new(0, s.PacketsPerSecond * times, 0, s.BytesPerSecond * times);
}

/// <summary>A media stream on the wire: packets per second and bytes per second (RTP header + payload).</summary>
public sealed record MediaStream(double PacketsPerSecond, double BytesPerSecond)
{
    /// <summary>RTP fixed header, counted by LiveKit with the payload.</summary>
    public const int RtpHeaderBytes = 12;

    /// <summary>
    /// Bytes per video packet: 531 MB/s over the livestream point's 560,962 packets/s, less its 3,000 × 30 audio
    /// packets of 53 bytes, is 1,117 bytes a video packet; 1,100 is the rounded figure (packets fill the MTU).
    /// </summary>
    public const int VideoPacketBytes = 1100;

    /// <summary>A video layer: bitrate ÷ packet size, but at least one packet per frame.</summary>
    public static MediaStream Video(double kbps, double fps)
    {
        var bytes = kbps * 1000 / 8;
        return new MediaStream(Math.Max(fps, bytes / VideoPacketBytes), bytes);
    }

    /// <summary>Audio: <paramref name="packetsPerSecond"/> packets of <paramref name="payloadBytes"/> plus the RTP header.</summary>
    public static MediaStream Audio(double packetsPerSecond, double payloadBytes) =>
        new(packetsPerSecond, packetsPerSecond * (payloadBytes + RtpHeaderBytes));
}

/// <summary>
/// CPU cost of traffic: seconds of CPU per packet and per byte, in either direction. Two published points with
/// different packet sizes determine both (<see cref="Fit"/>).
/// </summary>
public sealed record CpuCoefficients(double SecondsPerPacket, double SecondsPerByte)
{
    public double Cores(Traffic t) => SecondsPerPacket * t.Packets + SecondsPerByte * t.Bytes;

    public double NanosPerPacket => SecondsPerPacket * 1e9;

    /// <summary>Nanoseconds of CPU per 1,000 bytes (the unit of <c>sfuCpuNanosPerKilobyte</c>).</summary>
    public double NanosPerKilobyte => SecondsPerByte * 1e12;

    public static CpuCoefficients FromNanos(double nanosPerPacket, double nanosPerKilobyte) => new(nanosPerPacket * 1e-9, nanosPerKilobyte * 1e-12);

    /// <summary>Solves cores = p·packets + b·bytes through two measured points (Cramer's rule).</summary>
    public static CpuCoefficients Fit((Traffic Traffic, double Cores) a, (Traffic Traffic, double Cores) b)
    {
        var det = a.Traffic.Packets * b.Traffic.Bytes - b.Traffic.Packets * a.Traffic.Bytes;
        if (Math.Abs(det) < 1e-9)
        {
            throw new ArgumentException("the two points have the same packet size: they cannot separate the per-packet and per-byte cost");
        }
        var p = (a.Cores * b.Traffic.Bytes - b.Cores * a.Traffic.Bytes) / det;
        var bytes = (a.Traffic.Packets * b.Cores - b.Traffic.Packets * a.Cores) / det;
        return new CpuCoefficients(p, bytes);
    }
}
