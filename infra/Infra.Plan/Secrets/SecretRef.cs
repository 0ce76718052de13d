namespace Infra.Plan.Secrets;

/// <summary>
/// Where a secret value lives: a key of a Kubernetes Secret. Plans only ever hold these; the Pulumi shell
/// creates the values (Pulumi.Random / Pulumi.Tls) under exactly these names.
/// </summary>
public sealed record SecretRef(string Namespace, string Name, string Key)
{
    public override string ToString() => $"secret {Namespace}/{Name} key {Key}";
}

/// <summary>The names of the Secrets this project creates. One place, so plan and shell cannot disagree.</summary>
public static class SecretNames
{
    /// <summary>LiveKit API key and secret: keys <c>api-key</c>, <c>api-secret</c>, and <c>keys.yaml</c> (LiveKit's key_file).</summary>
    public const string LivekitApi = "livekit-api";

    /// <summary>TURN REST shared secret: key <c>secret</c> (and <c>previous</c> while rotating).</summary>
    public const string TurnShared = "turn-shared-secret";

    /// <summary>Key of <see cref="TurnShared"/> holding the current secret.</summary>
    public const string TurnSharedKey = "secret";

    /// <summary>Key of <see cref="TurnShared"/> holding the secret being rotated out (present only while rotating).</summary>
    public const string TurnSharedPreviousKey = "previous";

    /// <summary>Redis and Sentinel passwords: keys <c>redis-password</c>, <c>sentinel-password</c>.</summary>
    public const string RedisAuth = "redis-auth";

    /// <summary>TLS (kubernetes.io/tls) for the TURN name.</summary>
    public const string TurnTls = "turn-tls";

    /// <summary>TLS (kubernetes.io/tls) for the RTC host's Ingresses.</summary>
    public const string RtcTls = "rtc-tls";

    /// <summary>The internal CA's certificate alone (<c>ca.crt</c>), for clients that must trust it (the authorizer in dev).</summary>
    public const string InternalCa = "matrix-rtc-internal-ca";

    /// <summary>
    /// Synapse's copy of the TURN shared secret, in Synapse's namespace: key <c>turn_shared_secret</c>, a file the
    /// fragment's <c>turn_shared_secret_path</c> points at.
    /// </summary>
    public const string SynapseTurn = "matrix-rtc-synapse-turn";

    /// <summary>Redis TLS: <c>ca.crt</c>, <c>tls.crt</c>, <c>tls.key</c>.</summary>
    public const string RedisTls = "redis-tls";

    /// <summary>The Redis CA certificate alone (<c>ca.crt</c>), in the media namespace for LiveKit.</summary>
    public const string RedisTlsCa = "redis-tls-ca";
}
