namespace Infra.Plan.Spec.Sections;

/// <summary>SFU behaviour the tier does not decide.</summary>
/// <param name="DrainSeconds">terminationGracePeriodSeconds: how long a stopping SFU may keep serving its calls.</param>
/// <param name="Replicas">SFU pods; null means what the tier and the capacity model need.</param>
/// <param name="StunServers">Asked for the SFU's public address after the TURN host's own coturn (LivekitPlan.StunServers).</param>
public sealed record SfuSpec(int DrainSeconds, int? Replicas, string LogLevel, IReadOnlyList<StunServer> StunServers);

public static class SfuSection
{
    public static readonly ConfigKey DrainSeconds = new("sfuDrainSeconds", ConfigType.Integer,
        "Seconds a stopping SFU keeps serving its calls before it is killed (terminationGracePeriodSeconds, >= 60).", 10800);
    public static readonly ConfigKey Replicas = new("sfuReplicas", ConfigType.Integer,
        "SFU pods (one per media node); 0 means what the tier and capacity model need.", 0);
    public static readonly ConfigKey LogLevel = new("sfuLogLevel", ConfigType.String,
        "LiveKit log level: debug, info, warn or error.", "info");

    // LiveKit's own defaults when no STUN server is configured (livekit/mediatransportutil pkg/rtcconfig/config.go,
    // DefaultStunServers): the servers an SFU without any STUN config would ask anyway.
    public static readonly ConfigKey StunServers = new("sfuStunServers", ConfigType.StringArray,
        "STUN servers (host:port) the SFU asks for its public address at start when the TURN host's own coturn does not answer: " +
        "LiveKit exits after three rounds without an answer, so at least one outside this deployment.",
        new[] { "global.stun.twilio.com:3478", "stun.l.google.com:19302", "stun1.l.google.com:19302" });

    public static IReadOnlyList<ConfigKey> Keys { get; } = [DrainSeconds, Replicas, LogLevel, StunServers];

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
        var stun = new List<StunServer>();
        foreach (var item in r.List(StunServers))
        {
            if (StunServer.TryParse(item, out var server))
            {
                stun.Add(server);
            }
            else
            {
                r.Fail(StunServers, $"\"{item}\"", "STUN servers as host:port, e.g. stun.l.google.com:19302 or [2001:db8::1]:3478");
            }
        }
        if (stun.Count == 0 && r.Errors.All(e => e.Key != StunServers.FullName))
        {
            // With only the deployment's own coturn, an SFU cannot start while that coturn is down (LivekitPlan.StunServers).
            r.Fail(StunServers, "[]", "at least one STUN server outside this deployment: LiveKit exits at start when no STUN server answers, " +
                "and the TURN host's own coturn may be the one that is down");
        }
        return new SfuSpec(drain, replicas == 0 ? null : replicas, r.Choice(LogLevel, Levels, "info"), stun);
    }
}
