namespace Infra.Plan.Spec.Sections;

/// <summary>A call tier: the preset that sizes everything (the presets themselves are in Sizing/Tier.cs).</summary>
public enum Tier
{
    Small,
    Medium,
    Large,
}

/// <summary>
/// How fast the media nodes' CPUs forward packets, relative to LiveKit's benchmark machine (GCP c2-standard-16).
/// The factors and their bands are in Sizing/CapacityModel.cs (HardwareFactors).
/// </summary>
public enum HardwareClass
{
    /// <summary>Dedicated compute-optimised cores at 3 GHz or more (GCP c2/c3, AWS c5/c6i/c7i): the benchmark's class.</summary>
    Compute,
    /// <summary>General-purpose cloud or OpenStack vCPUs (GCP n2, AWS m5/m6i, most managed Kubernetes nodes).</summary>
    General,
    /// <summary>Shared or burstable vCPUs (AWS t3, GCP e2 shared-core, small VPS plans).</summary>
    Shared,
}

/// <summary>
/// Costs an operator measured on one of their own media nodes (README: "Calibrating on your own nodes"); null when
/// not measured, and the published fit is used. CPU costs are given together or not at all.
/// </summary>
public sealed record MeasuredCosts(int? CpuNanosPerPacket, int? CpuNanosPerKilobyte, int? MemoryMiBPerParticipant);

/// <summary>How much the environment must carry: a tier, or explicit load.</summary>
/// <param name="Tier">The preset that sizes the pods; null for <c>auto</c>: the smallest tier that carries <paramref name="Calls"/>.</param>
/// <param name="Calls">Concurrent calls to plan for; null means the tier's stated maximum.</param>
/// <param name="ParticipantsPerCall">Average participants per call; null means the tier's stated average.</param>
/// <param name="VideoPercent">Share of participants publishing camera video.</param>
/// <param name="TurnPercent">Share of participants whose media is relayed by TURN.</param>
/// <param name="LargestCall">Participants in the largest single call (a call lives on one SFU node); null means from the tier.</param>
/// <param name="Dtx">Opus DTX on: a silent microphone sends 2.5 packets/s instead of 50.</param>
public sealed record LoadSpec(
    Tier? Tier,
    int? Calls,
    int? ParticipantsPerCall,
    int VideoPercent,
    int TurnPercent,
    int? LargestCall,
    HardwareClass Hardware,
    bool Dtx,
    MeasuredCosts Measured)
{
    /// <summary>True when the load was given (calls or participants per call), not taken from the tier.</summary>
    public bool Explicit => Calls is not null || ParticipantsPerCall is not null;
}

public static class LoadSection
{
    public static readonly ConfigKey Tier = new("tier", ConfigType.String,
        "Call tier: small (1-10 calls), medium (10-50), large (50-100), or auto (smallest tier that carries `calls`).", "small");
    public static readonly ConfigKey Calls = new("calls", ConfigType.Integer,
        "Concurrent calls to plan for; 0 means the tier's stated maximum.", 0);
    public static readonly ConfigKey ParticipantsPerCall = new("participantsPerCall", ConfigType.Integer,
        "Average participants per call; 0 means the tier's stated average.", 0);
    public static readonly ConfigKey VideoPercent = new("videoPercent", ConfigType.Integer,
        "Percent of participants publishing camera video (the rest audio only).", 70);
    public static readonly ConfigKey TurnPercent = new("turnPercent", ConfigType.Integer,
        "Percent of participants whose media goes through the TURN relay.", 15);
    public static readonly ConfigKey LargestCall = new("largestCall", ConfigType.Integer,
        "Participants in the largest single call to plan for (2-100; 0 = the tier's participant maximum, at most 100); a call lives on one SFU node.", 0);

    public static readonly ConfigKey Hardware = new("sfuHardwareClass", ConfigType.String,
        "CPU class of the media nodes, for the capacity model's factor and band: compute (dedicated compute-optimised cores, " +
        "the benchmark's c2-standard-16), general (general-purpose vCPUs) or shared (burstable/shared vCPUs).", "general");
    public static readonly ConfigKey Dtx = new("audioDtx", ConfigType.Boolean,
        "Clients send Opus with DTX (livekit-client's default): a silent microphone sends 2.5 packets/s instead of 50.", true);
    public static readonly ConfigKey CpuNanosPerPacket = new("sfuCpuNanosPerPacket", ConfigType.Integer,
        "Measured SFU CPU per packet (in or out), in nanoseconds, from your own load test (README: Calibrating on your own nodes); " +
        "0 = the published fit. Set with sfuCpuNanosPerKilobyte.", 0);
    public static readonly ConfigKey CpuNanosPerKilobyte = new("sfuCpuNanosPerKilobyte", ConfigType.Integer,
        "Measured SFU CPU per 1000 bytes (in or out), in nanoseconds; 0 = the published fit. Set with sfuCpuNanosPerPacket.", 0);
    public static readonly ConfigKey MemoryMiBPerParticipant = new("sfuMemoryMiBPerParticipant", ConfigType.Integer,
        "Measured SFU memory per connected participant, in MiB; 0 = the model's assumption (4 MiB).", 0);

    public static IReadOnlyList<ConfigKey> Keys { get; } =
        [Tier, Calls, ParticipantsPerCall, VideoPercent, TurnPercent, LargestCall, Hardware, Dtx, CpuNanosPerPacket, CpuNanosPerKilobyte, MemoryMiBPerParticipant];

    /// <summary>
    /// The measured-cost keys: 0 means not measured; otherwise the value must lie in a range wide enough for any server
    /// and narrow enough to catch a unit mistake (seconds or microseconds for nanoseconds, bytes for kilobytes). The
    /// published fit is about 13,000 ns a packet and 14,000 ns a kilobyte on the benchmark machine (CapacityModel).
    /// </summary>
    public static IReadOnlyList<(ConfigKey Key, int Min, int Max, string Unit)> MeasuredRanges { get; } =
    [
        (CpuNanosPerPacket, 500, 500_000, "nanoseconds of CPU per packet"),
        (CpuNanosPerKilobyte, 500, 500_000, "nanoseconds of CPU per 1000 bytes"),
        (MemoryMiBPerParticipant, 1, 256, "MiB per participant"),
    ];

    private static readonly Dictionary<string, HardwareClass> HardwareNames = new()
    {
        ["compute"] = HardwareClass.Compute,
        ["general"] = HardwareClass.General,
        ["shared"] = HardwareClass.Shared,
    };

    /// <summary>Element Call's practical ceiling for one call; also LiveKit's room.max_participants here.</summary>
    public const int MaxParticipantsPerCall = 100;

    private static readonly Dictionary<string, Sections.Tier?> TierNames = new()
    {
        ["small"] = Sections.Tier.Small,
        ["medium"] = Sections.Tier.Medium,
        ["large"] = Sections.Tier.Large,
        ["auto"] = null,
    };

    public static LoadSpec Read(ConfigReader r)
    {
        var tier = r.Choice(Tier, TierNames, Sections.Tier.Small);
        var calls = r.Int(Calls, 0, 10_000);
        var perCall = r.Int(ParticipantsPerCall, 0, MaxParticipantsPerCall);
        if (perCall == 1)
        {
            r.Fail(ParticipantsPerCall, "0 (tier default) or 2 to 100: a call has at least two participants");
        }
        var video = r.Int(VideoPercent, 0, 100);
        var turn = r.Int(TurnPercent, 0, 100);
        var largest = r.Int(LargestCall, 0, MaxParticipantsPerCall);
        if (largest == 1)
        {
            r.Fail(LargestCall, "0 (from the tier) or 2 to 100");
        }
        // Whether the tier carries the calls (and which tier "auto" is) needs the tier catalogue: that is derived
        // (Sizing.SizingPlan) and checked after parsing (Checks.ConfigRules).
        var hardware = r.Choice(Hardware, HardwareNames, HardwareClass.General);
        var dtx = r.Bool(Dtx);
        return new LoadSpec(tier, calls == 0 ? null : calls, perCall == 0 ? null : perCall, video, turn, largest == 0 ? null : largest,
            hardware, dtx, ReadMeasured(r));
    }

    private static MeasuredCosts ReadMeasured(ConfigReader r)
    {
        var values = new Dictionary<ConfigKey, int?>();
        var errorsBefore = r.Errors.Count;
        foreach (var (key, min, max, unit) in MeasuredRanges)
        {
            var allowed = $"0 (not measured: the model's own figure) or a whole number from {min} to {max} {unit}";
            var value = r.Int(key, 0, max, allowed);
            if (value != 0 && value < min)
            {
                r.Fail(key, allowed);
                value = 0;
            }
            values[key] = value == 0 ? null : value;
        }
        if (r.Errors.Count == errorsBefore && (values[CpuNanosPerPacket] is null) != (values[CpuNanosPerKilobyte] is null))
        {
            var (given, missing) = values[CpuNanosPerPacket] is null ? (CpuNanosPerKilobyte, CpuNanosPerPacket) : (CpuNanosPerPacket, CpuNanosPerKilobyte);
            r.Fail(missing, "(not set)", $"a measured value too when {given.FullName} is set: the per-packet and per-byte costs come from the same " +
                "two load tests (README: Calibrating on your own nodes), and one without the other would mix your node with the published fit");
            values[CpuNanosPerPacket] = values[CpuNanosPerKilobyte] = null;
        }
        return new MeasuredCosts(values[CpuNanosPerPacket], values[CpuNanosPerKilobyte], values[MemoryMiBPerParticipant]);
    }
}
