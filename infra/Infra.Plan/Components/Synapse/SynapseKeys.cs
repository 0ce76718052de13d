namespace Infra.Plan.Components.Synapse;

/// <summary>A Synapse config key the fragment writes, with the Synapse source file that reads it.</summary>
/// <param name="Path">Dotted path from the top level; <c>[]</c> marks "each item of a list".</param>
/// <param name="Source">File in element-hq/synapse that reads the key.</param>
public sealed record SynapseKey(string Path, string Source, string Why);

/// <summary>
/// Every key the fragment may write. A test walks the generated YAML and fails on any path not listed
/// here, so a misspelled key (Synapse ignores unknown keys silently) cannot ship. Note there is no
/// <c>livekit:</c> block: Synapse never holds LiveKit keys, it only advertises the authorizer.
/// </summary>
public static class SynapseKeys
{
    public const string ExperimentalFeatures = "experimental_features";
    public const string MaxEventDelayDuration = "max_event_delay_duration";
    public const string RcMessage = "rc_message";
    public const string RcDelayedEventMgmt = "rc_delayed_event_mgmt";
    public const string MatrixRtc = "matrix_rtc";
    public const string TurnUris = "turn_uris";
    public const string TurnSharedSecretPath = "turn_shared_secret_path";
    public const string TurnUserLifetime = "turn_user_lifetime";
    public const string TurnAllowGuests = "turn_allow_guests";

    /// <summary>Synapse refuses this together with turn_shared_secret_path (voip.py), and it is a secret.</summary>
    public const string TurnSharedSecret = "turn_shared_secret";

    private const string Experimental = "synapse/config/experimental.py";
    private const string Server = "synapse/config/server.py";
    private const string Ratelimiting = "synapse/config/ratelimiting.py";
    private const string MatrixRtcPy = "synapse/config/matrixrtc.py";
    private const string Voip = "synapse/config/voip.py";

    /// <summary>
    /// The top-level keys the fragment owns, in the order it writes them. Synapse's shallow merge means the
    /// fragment's value replaces homeserver.yaml's whole value for each of these.
    /// </summary>
    public static IReadOnlyList<string> OwnedSections { get; } =
    [
        ExperimentalFeatures, MaxEventDelayDuration, RcMessage, RcDelayedEventMgmt, MatrixRtc,
        TurnUris, TurnSharedSecretPath, TurnUserLifetime, TurnAllowGuests,
    ];

    public static IReadOnlyList<SynapseKey> Known { get; } =
    [
        new(ExperimentalFeatures, Experimental, "experimental MSC switches (one mapping)"),
        // Needed on Synapse 1.140-1.152; a no-op from 1.153, where MSC3266 is stable and the flag was removed
        // (element-hq/synapse #19720; Synapse ignores unknown experimental flags).
        new("experimental_features.msc3266_enabled", Experimental, "MSC3266 room summary API (Element Call joins by link); no-op on Synapse >= 1.153"),
        new("experimental_features.msc4143_enabled", Experimental, "MSC4143 MatrixRTC transports (/rtc/transports)"),
        new("experimental_features.msc4222_enabled", Experimental, "MSC4222 state_after in /sync (call membership state)"),
        new(MaxEventDelayDuration, Server, "MSC4140 delayed events: a call member's leave event fires if the client vanishes"),
        new(RcMessage, Ratelimiting, "message rate limit: call signalling sends many to-device/state events"),
        new("rc_message.per_second", Ratelimiting, "sustained rate"),
        new("rc_message.burst_count", Ratelimiting, "burst"),
        new(RcDelayedEventMgmt, Ratelimiting, "rate limit of delayed-event management (heartbeat restarts)"),
        new("rc_delayed_event_mgmt.per_second", Ratelimiting, "sustained rate"),
        new("rc_delayed_event_mgmt.burst_count", Ratelimiting, "burst"),
        new(MatrixRtc, MatrixRtcPy, "MatrixRTC transports advertised to clients (Synapse >= 1.140)"),
        new("matrix_rtc.transports", MatrixRtcPy, "list of transports"),
        new("matrix_rtc.transports[].type", MatrixRtcPy, "\"livekit\""),
        // Accepted by every Synapse with matrix_rtc (1.140+). Synapse #20146 (after 1.157) adds transports[].url, the SFU's
        // WebSocket URL, and deprecates this key but still accepts it and still returns it to clients; clients that use
        // `url` reach the authorizer through the client-server API, which needs lk-jwt-service registered as an application
        // service, which 0.6.0 (pinned) is not. So the fragment writes livekit_service_url only.
        new("matrix_rtc.transports[].livekit_service_url", MatrixRtcPy, "the authorizer's public URL"),
        new(TurnUris, Voip, "TURN URIs for legacy 1:1 calls"),
        new(TurnSharedSecretPath, Voip, "file holding the TURN REST shared secret (mounted from a Secret)"),
        new(TurnUserLifetime, Voip, "lifetime of TURN credentials Synapse hands out"),
        new(TurnAllowGuests, Voip, "whether guests get TURN credentials"),
    ];

    public static bool IsKnown(string path) => Known.Any(k => k.Path == path);
}
