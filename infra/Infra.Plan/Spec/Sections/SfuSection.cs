namespace Infra.Plan.Spec.Sections;

/// <summary>SFU behaviour the tier does not decide.</summary>
/// <param name="DrainSeconds">terminationGracePeriodSeconds: how long a stopping SFU may keep serving its calls.</param>
/// <param name="Replicas">SFU pods; null means what the tier and the capacity model need.</param>
public sealed record SfuSpec(int DrainSeconds, int? Replicas, string LogLevel);

public static class SfuSection
{
    public static readonly ConfigKey DrainSeconds = new("sfuDrainSeconds", ConfigType.Integer,
        "Seconds a stopping SFU keeps serving its calls before it is killed (terminationGracePeriodSeconds, >= 60).", 10800);
    public static readonly ConfigKey Replicas = new("sfuReplicas", ConfigType.Integer,
        "SFU pods (one per media node); 0 means what the tier and capacity model need.", 0);
    public static readonly ConfigKey LogLevel = new("sfuLogLevel", ConfigType.String,
        "LiveKit log level: debug, info, warn or error.", "info");

    public static IReadOnlyList<ConfigKey> Keys { get; } = [DrainSeconds, Replicas, LogLevel];

    private static readonly Dictionary<string, string> Levels = new()
    {
        ["debug"] = "debug",
        ["info"] = "info",
        ["warn"] = "warn",
        ["error"] = "error",
    };

    /// <summary>Below a minute a stopping SFU cannot even tell its clients to move: calls would just drop.</summary>
    public const int MinDrainSeconds = 60;

    public static SfuSpec Read(ConfigReader r)
    {
        var drain = r.Int(DrainSeconds, 0, 86_400);
        if (drain < MinDrainSeconds)
        {
            r.Fail(DrainSeconds, $"a whole number of seconds from {MinDrainSeconds} to 86400: a stopping SFU keeps serving its calls for this long " +
                "(terminationGracePeriodSeconds); the default 10800 lets a 3-hour call finish");
            drain = (int)DrainSeconds.Default!;
        }
        var replicas = r.Int(Replicas, 0, 1000);
        return new SfuSpec(drain, replicas == 0 ? null : replicas, r.Choice(LogLevel, Levels, "info"));
    }
}
