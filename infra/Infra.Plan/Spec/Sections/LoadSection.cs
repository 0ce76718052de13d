namespace Infra.Plan.Spec.Sections;

/// <summary>A call tier: the preset that sizes everything (the presets themselves are in Sizing/Tier.cs).</summary>
public enum Tier
{
    Small,
    Medium,
    Large,
}

/// <summary>How much the environment must carry: a tier, or explicit load.</summary>
/// <param name="Tier">The preset that sizes the pods; null for <c>auto</c>: the smallest tier that carries <paramref name="Calls"/>.</param>
/// <param name="Calls">Concurrent calls to plan for; null means the tier's stated maximum.</param>
/// <param name="ParticipantsPerCall">Average participants per call; null means the tier's stated average.</param>
/// <param name="VideoPercent">Share of participants publishing camera video.</param>
/// <param name="TurnPercent">Share of participants whose media is relayed by TURN.</param>
/// <param name="LargestCall">Participants in the largest single call (a call lives on one SFU node); null means from the tier.</param>
public sealed record LoadSpec(
    Tier? Tier,
    int? Calls,
    int? ParticipantsPerCall,
    int VideoPercent,
    int TurnPercent,
    int? LargestCall);

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

    public static IReadOnlyList<ConfigKey> Keys { get; } =
        [Tier, Calls, ParticipantsPerCall, VideoPercent, TurnPercent, LargestCall];

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
        return new LoadSpec(tier, calls == 0 ? null : calls, perCall == 0 ? null : perCall, video, turn, largest == 0 ? null : largest);
    }
}
