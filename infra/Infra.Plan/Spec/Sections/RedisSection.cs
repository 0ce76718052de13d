using System.Text.RegularExpressions;

namespace Infra.Plan.Spec.Sections;

public enum RedisMode
{
    /// <summary>This project deploys a 3-pod Sentinel StatefulSet.</summary>
    Managed,
    /// <summary>LiveKit is wired to an existing Sentinel cluster; nothing is deployed.</summary>
    Existing,
}

/// <summary>A key of an existing Kubernetes Secret, written <c>name/key</c>.</summary>
public sealed record SecretKeyRef(string Name, string Key)
{
    public override string ToString() => $"{Name}/{Key}";
}

/// <summary>An existing Sentinel cluster LiveKit should use instead of a new one.</summary>
public sealed record ExistingSentinelSpec(
    string MasterName,
    IReadOnlyList<string> Addresses,
    SecretKeyRef? PasswordSecret,
    SecretKeyRef? SentinelPasswordSecret,
    SecretKeyRef? CaSecret = null);

/// <summary>The shared state store of the SFU nodes.</summary>
public sealed record RedisSpec(
    RedisMode Mode,
    int DataNodes,
    int Quorum,
    int DownAfterMilliseconds,
    int FailoverTimeoutMilliseconds,
    bool Persistence,
    string StorageClass,
    string StorageSize,
    bool Tls,
    ExistingSentinelSpec? Existing);

public static partial class RedisSection
{
    public static readonly ConfigKey Mode = new("redisMode", ConfigType.String,
        "managed: deploy a Redis Sentinel StatefulSet; existing: use the Sentinel cluster given by the existingSentinel* keys.", "managed");
    public static readonly ConfigKey DataNodes = new("redisDataNodes", ConfigType.Integer,
        "Redis pods (each a data + a sentinel container); odd, 3 to 7.", 3);
    public static readonly ConfigKey Quorum = new("redisQuorum", ConfigType.Integer,
        "Sentinels that must agree the master is down: from 2 to a majority of redisDataNodes.", 2);
    // The Sentinel timings. The rules they are chosen against are redis/redis src/sentinel.c (valkey's is the same):
    // sentinels PING every 1000 ms (SENTINEL_PING_PERIOD) and count a master's silence from the first PING it has not
    // answered (sentinelCheckSubjectivelyDown); +odown needs quorum sentinels saying so (is-master-down-by-addr, asked
    // every 1000 ms, sentinel_ask_period); the vote takes a round trip; the leader then sends SLAVEOF NO ONE and sees the
    // promotion in the replica's next INFO, sent every 1000 ms during a failover (sentinelSendPeriodicCommands); the
    // other sentinels follow its hello message at once (sentinelForceHelloUpdateForMaster). Measured (bench
    // redis-failover): +sdown at down-after + ~0.05 s, +odown and the vote within ~0.2 s more, promotion ~1 s later.
    //
    // down-after 2500 ms: a SIGKILLed master is replaced in about 2.5 + 1.2 = 3.7 s, while a master that is only
    // stalled keeps its role: a 2 s freeze (GC-like pause, CPU throttling) answers the PING that was sent at the
    // earliest when the freeze began, and a 1.5 s loss of packets, which TCP's retransmission back-off (200 ms,
    // doubling) and Sentinel's reconnect of a link silent for down-after/2 (links older than 15 s,
    // sentinel_min_link_reconnect_period) stretch to at most ~2.3 s of silence. Below ~2200 ms those margins vanish;
    // above ~2700 ms the failover no longer fits in 4 s.
    public static readonly ConfigKey DownAfter = new("redisDownAfterMilliseconds", ConfigType.Integer,
        "Sentinel down-after-milliseconds: how long the master may be silent before failover (>= 1000; 2500 rides out a 2 s freeze or a 1.5 s packet loss and fails over in under 4 s).", 2500);

    // failover-timeout 5000 ms (sentinel.c uses it for: the election, min(10 s, failover-timeout); the wait for the
    // promoted replica to report role master, normally one INFO period, ~1 s; the replicas' reconfiguration; the
    // correction of a replica following a wrong master; and the retry of a failover that failed, 2 x failover-timeout,
    // sentinelStartFailoverIfNeeded). 5 s is five INFO periods of slack for the promotion on a loaded node, and a split
    // vote (possible when only two sentinels are left after a node is lost) is retried after 10 s instead of 60 s.
    public static readonly ConfigKey FailoverTimeout = new("redisFailoverTimeoutMilliseconds", ConfigType.Integer,
        "Sentinel failover-timeout (>= 2 x down-after; when unset and down-after is raised, 2 x down-after): bounds a failover attempt; a failed one is retried after twice this.", 5000);
    public static readonly ConfigKey Persistence = new("redisPersistence", ConfigType.Boolean,
        "Keep Redis data on PVCs (LiveKit keeps only ephemeral room state: off by default).", false);
    public static readonly ConfigKey StorageClass = new("redisStorageClass", ConfigType.String,
        "StorageClass for Redis PVCs; empty uses the cluster default.", "");
    public static readonly ConfigKey StorageSize = new("redisStorageSize", ConfigType.String,
        "Size of each Redis PVC.", "1Gi");
    public static readonly ConfigKey ClusterHasDefaultStorageClass = new("clusterHasDefaultStorageClass", ConfigType.Boolean,
        "Whether the cluster has a default StorageClass (needed for redisPersistence without redisStorageClass).", true);
    public static readonly ConfigKey Tls = new("redisTls", ConfigType.Boolean,
        "TLS between LiveKit, Redis and Sentinel (certificates from Pulumi.Tls).", false);
    public static readonly ConfigKey ExistingMaster = new("existingSentinelMasterName", ConfigType.String,
        "Master name of the existing Sentinel cluster (redisMode existing).", "");
    public static readonly ConfigKey ExistingAddresses = new("existingSentinelAddresses", ConfigType.StringArray,
        "host:port of each sentinel of the existing cluster (redisMode existing).", Array.Empty<string>());
    public static readonly ConfigKey ExistingPassword = new("existingRedisPasswordSecret", ConfigType.String,
        "Secret holding the existing Redis password, as name/key in the media namespace (redisMode existing).", "");
    public static readonly ConfigKey ExistingSentinelPassword = new("existingSentinelPasswordSecret", ConfigType.String,
        "Secret holding the existing sentinels' password, as name/key (redisMode existing; empty if none).", "");
    public static readonly ConfigKey ExistingCa = new("existingRedisCaSecret", ConfigType.String,
        "With redisTls and redisMode existing: the CA certificate LiveKit and Egress trust for Redis, as name/key of a Secret " +
        "in the media namespace (e.g. a RedisSentinel's caSecret output); empty: the images' system roots.", "");

    public static IReadOnlyList<ConfigKey> Keys { get; } =
        [Mode, DataNodes, Quorum, DownAfter, FailoverTimeout, Persistence, StorageClass, StorageSize, ClusterHasDefaultStorageClass, Tls,
         ExistingMaster, ExistingAddresses, ExistingPassword, ExistingSentinelPassword, ExistingCa];

    private static readonly Dictionary<string, RedisMode> Modes = new()
    {
        ["managed"] = RedisMode.Managed,
        ["existing"] = RedisMode.Existing,
    };

    public static RedisSpec Read(ConfigReader r)
    {
        var mode = r.Choice(Mode, Modes, RedisMode.Managed);
        var nodes = r.Int(DataNodes, 3, 7);
        if (nodes % 2 == 0)
        {
            r.Fail(DataNodes, "an odd number (3, 5 or 7): an even count adds no failure tolerance and risks a tie");
        }
        var quorum = r.Int(Quorum, 1, 7);
        var majority = nodes / 2 + 1;
        if (quorum < 2 || quorum > majority)
        {
            // A quorum above the majority would make one lost sentinel block every failover; below 2 one
            // sentinel's view alone could start one.
            r.Fail(Quorum, $"from 2 to {majority} with {nodes} data nodes (one sentinel alone must never decide; " +
                "a quorum above the majority blocks failover as soon as one sentinel is lost)");
        }
        var downAfter = r.Int(DownAfter, 1000, 600_000);
        var failover = r.Int(FailoverTimeout, 2000, 3_600_000);
        if (failover < 2 * downAfter)
        {
            if (r.IsSet(FailoverTimeout))
            {
                r.Fail(FailoverTimeout, $"at least 2 x {DownAfter.FullName} ({2 * downAfter} ms)");
            }
            else
            {
                // Only down-after was raised: keep the documented rule instead of failing on a default.
                failover = 2 * downAfter;
            }
        }
        var persistence = r.Bool(Persistence);
        var storageClass = r.String(StorageClass);
        var size = r.Matching(StorageSize, QuantityPattern(), "a storage size such as 1Gi or 512Mi");
        var hasDefault = r.Bool(ClusterHasDefaultStorageClass);
        if (persistence && storageClass.Length == 0 && !hasDefault)
        {
            r.Fail(StorageClass, "\"\"", $"a StorageClass name when {Persistence.FullName} is true and the cluster has no default StorageClass");
        }
        var tls = r.Bool(Tls);

        ExistingSentinelSpec? existing = null;
        var master = r.String(ExistingMaster);
        var addresses = r.List(ExistingAddresses);
        var password = SecretRef(r, ExistingPassword);
        var sentinelPassword = SecretRef(r, ExistingSentinelPassword);
        var ca = SecretRef(r, ExistingCa);
        if (mode == RedisMode.Existing)
        {
            if (master.Length == 0)
            {
                r.Fail(ExistingMaster, "the Sentinel master name when redisMode is existing");
            }
            if (addresses.Count == 0)
            {
                r.Fail(ExistingAddresses, "[]", "at least one sentinel host:port when redisMode is existing");
            }
            foreach (var address in addresses.Where(a => !HostPortPattern().IsMatch(a)))
            {
                r.Fail(ExistingAddresses, $"\"{address}\"", "host:port entries such as sentinel-0.redis.svc:26379");
            }
            if (password is null && r.Raw(ExistingPassword) is null or ConfigValue.Scalar { Text.Length: 0 })
            {
                r.Fail(ExistingPassword, "a Secret reference name/key when redisMode is existing (LiveKit must authenticate)");
            }
            existing = new ExistingSentinelSpec(master, addresses, password, sentinelPassword, tls ? ca : null);
        }
        return new RedisSpec(mode, nodes, quorum, downAfter, failover, persistence, storageClass, size, tls, existing);
    }

    private static SecretKeyRef? SecretRef(ConfigReader r, ConfigKey key)
    {
        var text = r.String(key);
        if (text.Length == 0)
        {
            return null;
        }
        var m = SecretRefPattern().Match(text);
        if (!m.Success)
        {
            r.Fail(key, "a Secret reference name/key, e.g. redis-auth/password");
            return null;
        }
        return new SecretKeyRef(m.Groups["name"].Value, m.Groups["key"].Value);
    }

    /// <summary>
    /// The Redis image must be BSD licensed and maintained: valkey (any 7.2+ release) or redis up to 7.2
    /// (7.4 is RSAL/SSPL, 8.x adds AGPL), never Bitnami (its free versioned images stopped in Aug 2025).
    /// A rule of Checks/ConfigRules.cs (RedisImageLicence): the image key lives in the images section.
    /// </summary>
    public static IEnumerable<ConfigError> CheckImage(ImageRef image)
    {
        if (RedisImage.Classify(image) is { } problem)
        {
            yield return ConfigError.Invalid(ImagesSection.RedisImage, $"\"{image}\"", problem);
        }
    }

    [GeneratedRegex(@"^(?<name>[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?)/(?<key>[-._a-zA-Z0-9]+)$")]
    private static partial Regex SecretRefPattern();

    [GeneratedRegex(@"^[A-Za-z0-9.-]+:\d{1,5}$")]
    private static partial Regex HostPortPattern();

    [GeneratedRegex(@"^\d+(\.\d+)?(Ki|Mi|Gi|Ti|K|M|G|T)?$")]
    private static partial Regex QuantityPattern();
}

/// <summary>Which server family an image carries: the binaries are named after it.</summary>
public enum RedisFlavor
{
    Valkey,
    Redis,
}

/// <summary>Recognises the Redis image family and version from its reference.</summary>
public static partial class RedisImage
{
    private const string Allowed =
        "a BSD-licensed image: valkey/valkey:<7.2 or newer> (e.g. valkey/valkey:8.1.9) or redis:<7.2 or older>; never Bitnami";

    /// <summary>Null when the image is acceptable, else what is allowed.</summary>
    public static string? Classify(ImageRef image)
    {
        if (image.Repository.Contains("bitnami", StringComparison.Ordinal))
        {
            return Allowed + " (Bitnami's free versioned images are no longer updated)";
        }
        if (Flavor(image) is not { } flavor)
        {
            return Allowed + " (the repository's last path segment must be valkey or redis)";
        }
        var m = VersionPattern().Match(image.Tag);
        if (!m.Success)
        {
            return Allowed + " (the tag must start with the version, e.g. 8.1.9, so the licence can be checked)";
        }
        var version = new Version(int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value));
        return flavor switch
        {
            RedisFlavor.Redis when version > new Version(7, 2) => Allowed + " (redis 7.4 is RSAL/SSPL, 8.x adds AGPL)",
            RedisFlavor.Valkey when version < new Version(7, 2) => Allowed,
            _ => null,
        };
    }

    /// <summary>valkey or redis by the repository's last path segment (so private mirrors work).</summary>
    public static RedisFlavor? Flavor(ImageRef image) => image.Repository.Split('/')[^1] switch
    {
        "valkey" => RedisFlavor.Valkey,
        "redis" => RedisFlavor.Redis,
        _ => null,
    };

    [GeneratedRegex(@"^(\d+)\.(\d+)")]
    private static partial Regex VersionPattern();
}
