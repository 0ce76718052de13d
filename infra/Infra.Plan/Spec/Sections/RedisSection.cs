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
    SecretKeyRef? SentinelPasswordSecret);

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
        "Sentinels that must agree the master is down; a majority of redisDataNodes at most.", 2);
    public static readonly ConfigKey DownAfter = new("redisDownAfterMilliseconds", ConfigType.Integer,
        "Sentinel down-after-milliseconds: how long the master may be silent before failover (>= 1000).", 5000);
    public static readonly ConfigKey FailoverTimeout = new("redisFailoverTimeoutMilliseconds", ConfigType.Integer,
        "Sentinel failover-timeout (>= 2 x down-after).", 30000);
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

    public static IReadOnlyList<ConfigKey> Keys { get; } =
        [Mode, DataNodes, Quorum, DownAfter, FailoverTimeout, Persistence, StorageClass, StorageSize, ClusterHasDefaultStorageClass, Tls,
         ExistingMaster, ExistingAddresses, ExistingPassword, ExistingSentinelPassword];

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
        if (quorum < 2 || quorum > nodes)
        {
            r.Fail(Quorum, $"from 2 to {nodes} (one sentinel alone must never decide; no more than there are sentinels)");
        }
        var downAfter = r.Int(DownAfter, 1000, 600_000);
        var failover = r.Int(FailoverTimeout, 2000, 3_600_000);
        if (failover < 2 * downAfter && r.IsSet(FailoverTimeout))
        {
            r.Fail(FailoverTimeout, $"at least 2 x {DownAfter.FullName} ({2 * downAfter} ms)");
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
            if (password is null)
            {
                r.Fail(ExistingPassword, "a Secret reference name/key when redisMode is existing (LiveKit must authenticate)");
            }
            existing = new ExistingSentinelSpec(master, addresses, password, sentinelPassword);
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

    [GeneratedRegex(@"^(?<name>[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?)/(?<key>[-._a-zA-Z0-9]+)$")]
    private static partial Regex SecretRefPattern();

    [GeneratedRegex(@"^[A-Za-z0-9.-]+:\d{1,5}$")]
    private static partial Regex HostPortPattern();

    [GeneratedRegex(@"^\d+(\.\d+)?(Ki|Mi|Gi|Ti|K|M|G|T)?$")]
    private static partial Regex QuantityPattern();
}
