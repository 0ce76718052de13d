using Infra.Plan.Secrets;
using Infra.Plan.Sizing;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Redis;

/// <summary>
/// Every fact the Redis objects, config templates and scripts share, computed once from the spec: names,
/// ports, mount paths, hostnames and the Sentinel timings. The scripts get these as defaults, so the same
/// scripts run in a pod (defaults) and in the real-server tests (environment overrides on 127.0.0.x).
/// </summary>
public sealed record RedisLayout(
    string Namespace,
    int DataNodes,
    int Quorum,
    int DownAfterMilliseconds,
    int FailoverTimeoutMilliseconds,
    bool Persistence,
    string StorageClass,
    string StorageSize,
    bool Tls,
    ImageRef Image,
    RedisFlavor Flavor,
    ResourceSize DataSize,
    ResourceSize SentinelSize,
    bool RequiredAntiAffinity,
    ClusterDns Dns)
{
    public const string Component = "redis-sentinel";
    public const string ConfigMapName = "redis-config";

    public const string MasterName = Names.RedisMasterName;
    public const int RedisPort = Names.RedisPort;
    public const int SentinelPort = Names.SentinelPort;

    /// <summary>The uid/gid of the valkey and redis images' own user: the pod runs as it, never as root.</summary>
    public const long RunAsUser = 999;

    // Mount paths. The root filesystem is read-only; every path written to is a volume.
    public const string ScriptDir = "/opt/redis";
    public const string AuthDir = "/etc/redis-auth";
    public const string TlsDir = "/etc/redis-tls";
    public const string DataDir = "/data";
    public const string ConfDir = "/run/redis";
    public const string SentinelDir = "/sentinel";
    public const string TmpDir = "/tmp";

    public const string RedisPasswordKey = "redis-password";
    public const string SentinelPasswordKey = "sentinel-password";

    /// <summary>min-replicas-max-lag: after this many seconds without a replica's ack, a master refuses writes.</summary>
    public const int MinReplicasMaxLagSeconds = 10;

    /// <summary>
    /// How long preStop waits for the sentinels to name another master after SENTINEL FAILOVER. The forced failover
    /// skips detection and the vote; the leader sees the promotion in the replica's next INFO (every 1000 ms during a
    /// failover, redis/redis src/sentinel.c sentinelSendPeriodicCommands) and the others follow its hello: about 1-2 s.
    /// 20 s also covers an attempt aborted after failover-timeout and a slow, loaded node; the pod stops either way.
    /// </summary>
    public const int PreStopWaitSeconds = 20;

    /// <summary>
    /// How long preStop first waits for every sentinel to see the replicas as replicas (sentinels refresh a
    /// replica's role by INFO every 10 s, sentinel.c sentinel_info_period, fixed): a failover onto a node a sentinel
    /// still thinks is a master gets undone. One INFO period plus 2 s; it is not part of an unplanned failover.
    /// </summary>
    public const int PreStopSettleSeconds = 12;

    public string HeadlessService => Names.RedisHeadless;

    public string StatefulSetName => Names.Redis;

    /// <summary>The name each pod announces (replica-announce-ip, sentinel announce-ip): stable across restarts.</summary>
    public string PodHost(int index) => Dns.Pod($"{StatefulSetName}-{index}", HeadlessService, Namespace);

    public IReadOnlyList<string> PodHosts => Enumerable.Range(0, DataNodes).Select(PodHost).ToArray();

    /// <summary>Suffix appended to $POD_NAME to get the pod's own host name.</summary>
    public string HostSuffix => $".{Dns.Service(HeadlessService, Namespace)}";

    public string ServerBinary => Flavor == RedisFlavor.Valkey ? "valkey-server" : "redis-server";

    public string SentinelBinary => Flavor == RedisFlavor.Valkey ? "valkey-sentinel" : "redis-sentinel";

    public string CliBinary => Flavor == RedisFlavor.Valkey ? "valkey-cli" : "redis-cli";

    /// <summary>
    /// maxmemory: three quarters of the container's memory, so replication buffers and fork copy-on-write
    /// fit under the limit instead of the kernel OOM-killing the master.
    /// </summary>
    public int MaxMemoryMiB => DataSize.MemoryMiB * 3 / 4;

    /// <summary>
    /// The longest a restarting old master waits for the sentinels to promote a replica: detection
    /// (down-after) plus one full failover attempt, plus slack.
    /// </summary>
    public int MasterWaitSeconds => (DownAfterMilliseconds + FailoverTimeoutMilliseconds) / 1000 + 5;

    public static RedisLayout For(RedisInput input) => new(
        input.Namespace,
        input.Redis.DataNodes,
        input.Redis.Quorum,
        input.Redis.DownAfterMilliseconds,
        input.Redis.FailoverTimeoutMilliseconds,
        input.Redis.Persistence,
        input.Redis.StorageClass,
        input.Redis.StorageSize,
        input.Redis.Tls,
        input.Image,
        RedisImage.Flavor(input.Image) ?? RedisFlavor.Valkey,
        input.DataSize,
        input.SentinelSize,
        input.Production,
        input.Dns);

    /// <summary>The Secret the pods read the passwords from (in the Redis namespace).</summary>
    public SecretRef RedisPassword => new(Namespace, SecretNames.RedisAuth, RedisPasswordKey);

    public SecretRef SentinelPassword => new(Namespace, SecretNames.RedisAuth, SentinelPasswordKey);

    /// <summary>DNS names the Redis TLS certificate must cover: every pod, the headless and the sentinel Service.</summary>
    public IReadOnlyList<string> TlsDnsNames =>
    [
        Dns.AnyPod(HeadlessService, Namespace),
        Dns.Service(HeadlessService, Namespace),
        Dns.Service(Names.RedisSentinelService, Namespace),
        $"{Names.RedisSentinelService}.{Namespace}.svc",
    ];
}
