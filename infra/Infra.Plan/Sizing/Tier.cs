using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Sizing;

/// <summary>CPU (millicores) and memory (MiB) of one container; Guaranteed when requests equal limits.</summary>
public sealed record ResourceSize(int CpuMillis, int MemoryMiB, bool Guaranteed)
{
    public string Cpu => CpuMillis % 1000 == 0 ? (CpuMillis / 1000).ToString() : $"{CpuMillis}m";

    public string Memory => MemoryMiB % 1024 == 0 ? $"{MemoryMiB / 1024}Gi" : $"{MemoryMiB}Mi";
}

/// <summary>
/// What a tier plans for LiveKit Egress (when <c>egress</c> is on): <paramref name="Recordings"/> room-composite
/// recordings or streams at once, on pods of <paramref name="CpuPerPod"/> CPUs (EgressCapacityModel turns that into
/// pods, memory and scratch space). Recording is an operator's choice per call, not a share of the calls: these are
/// assumptions, set with <c>egressRecordings</c>.
/// </summary>
public sealed record EgressPreset(int Recordings, int CpuPerPod);

/// <summary>
/// A call tier: the load it is stated to carry and the size of everything it deploys. Change a tier here
/// and nowhere else.
/// </summary>
/// <param name="Sfu">Per SFU pod: requests = limits, whole CPUs, so media is never CPU-throttled.</param>
public sealed record TierPreset(
    Tier Tier,
    string Name,
    int MinCalls,
    int MaxCalls,
    int MinParticipants,
    int MaxParticipants,
    int SfuReplicas,
    ResourceSize Sfu,
    ResourceSize Coturn,
    ResourceSize RedisData,
    ResourceSize RedisSentinel,
    ResourceSize Authorizer,
    int TurnUserQuota,
    int TurnTotalQuota,
    EgressPreset Egress)
{
    /// <summary>Average participants per call at the tier's stated maximum.</summary>
    public int ParticipantsPerCallAtMax => Math.Max(2, MaxParticipants / MaxCalls);

    /// <summary>The largest single call planned for unless the stack says otherwise: all the tier's participants, at most 100.</summary>
    public int LargestCallDefault => Math.Min(MaxParticipants, TierCatalog.MaxParticipantsPerCall);
}

public static class TierCatalog
{
    /// <summary>Element Call's practical ceiling for one call; also LiveKit's room.max_participants here.</summary>
    public const int MaxParticipantsPerCall = LoadSection.MaxParticipantsPerCall;

    public static IReadOnlyList<TierPreset> All { get; } =
    [
        new(Tier.Small, "small", 1, 10, 10, 50, SfuReplicas: 1,
            Sfu: new(2000, 4096, true),
            Coturn: new(1000, 512, true),
            RedisData: new(100, 256, false),
            RedisSentinel: new(50, 64, false),
            Authorizer: new(100, 128, false),
            TurnUserQuota: 12, TurnTotalQuota: 300,
            // 4 CPUs: LiveKit's minimum per Egress instance, one room composite at a time.
            Egress: new(Recordings: 1, CpuPerPod: 4)),
        new(Tier.Medium, "medium", 10, 50, 50, 200, SfuReplicas: 2,
            Sfu: new(4000, 8192, true),
            Coturn: new(2000, 1024, true),
            RedisData: new(250, 512, false),
            RedisSentinel: new(50, 64, false),
            Authorizer: new(200, 256, false),
            TurnUserQuota: 12, TurnTotalQuota: 1200,
            Egress: new(Recordings: 2, CpuPerPod: 4)),
        new(Tier.Large, "large", 50, 100, 200, 1000, SfuReplicas: 3,
            Sfu: new(8000, 16384, true),
            Coturn: new(2000, 2048, true),
            RedisData: new(500, 1024, false),
            RedisSentinel: new(100, 128, false),
            Authorizer: new(500, 512, false),
            TurnUserQuota: 12, TurnTotalQuota: 4000,
            // 10 CPUs admit two room composites (0.8 × 10 − 4 ≥ 4): half the pods for the same recordings.
            Egress: new(Recordings: 4, CpuPerPod: 10)),
    ];

    public static TierPreset Get(Tier tier) => All.Single(t => t.Tier == tier);

    /// <summary>The tier a spec asks for: its own, or for <c>auto</c> the smallest that carries its load (the largest when none does).</summary>
    public static TierPreset For(LoadSpec load)
    {
        if (load.Tier is { } tier)
        {
            return Get(tier);
        }
        var calls = load.Calls ?? 0;
        return calls == 0 ? Get(Tier.Small) : SmallestFor(calls, calls * (load.ParticipantsPerCall ?? 0)) ?? All[^1];
    }

    /// <summary>The smallest tier whose stated maximum covers the load; null when none does.</summary>
    public static TierPreset? SmallestFor(int calls, int participants) =>
        All.FirstOrDefault(t => calls <= t.MaxCalls && participants <= t.MaxParticipants);
}
