using System.Text;

namespace Infra.Plan.Components.Redis;

/// <summary>
/// redis.conf and sentinel.conf as templates. Only values that differ per pod or per run are placeholders
/// (<c>@NAME@</c>, filled by the start scripts from their environment); every tuned setting is literal, so
/// the ConfigMap shows the real configuration. Passwords are never here: the start scripts append them from
/// the mounted Secret into a file on a memory-backed volume.
/// </summary>
public static class RedisConfigFiles
{
    /// <summary>Placeholders the start scripts replace; the plan tests check both sides agree.</summary>
    public static readonly IReadOnlyList<string> Placeholders =
        ["@BIND_ADDRESS@", "@REDIS_PORT@", "@SENTINEL_PORT@", "@SELF_HOST@", "@DATA_DIR@", "@SENTINEL_DIR@", "@TLS_DIR@", "@MASTER_HOST@"];

    public static string RedisConf(RedisLayout l)
    {
        var sb = new StringBuilder();
        sb.Append("""
            # redis.conf template (matrix-rtc). redis-start.sh fills the @...@ values, appends requirepass,
            # masterauth and (on a replica) replicaof, and writes the result to a memory-backed volume.
            bind @BIND_ADDRESS@
            # Every client must authenticate (requirepass is appended at start), so protected mode, which only
            # guards password-less servers, would add nothing but refuse the other pods.
            protected-mode no
            dir @DATA_DIR@
            # Announce the stable pod name, not the pod IP, which changes on every restart.
            replica-announce-ip @SELF_HOST@
            replica-announce-port @REDIS_PORT@
            # Bounded split brain: a master that has had no replication ack (replicas send one every second) from
            # any replica for more than min-replicas-max-lag seconds refuses writes (NOREPLICAS). An old master cut
            # off from its replicas keeps taking writes for at most that long, and those writes are the ones the
            # failover discards. It does not make a write durable: replication is asynchronous and LiveKit issues no
            # WAIT, so a write acknowledged just before the master dies may exist nowhere else (redis.conf: "does
            # not GUARANTEE that N replicas will accept the write").
            min-replicas-to-write 1

            """);
        sb.Append($"min-replicas-max-lag {RedisLayout.MinReplicasMaxLagSeconds}\n");
        sb.Append("""
            replica-read-only yes
            replica-serve-stale-data yes
            # Resync without a disk round trip: a restarted replica is usable a moment after it starts.
            repl-diskless-sync yes
            repl-diskless-sync-delay 0
            repl-timeout 30
            tcp-keepalive 30
            timeout 0

            """);
        sb.Append($"""
            # Three quarters of the {l.DataSize.Memory} container limit: room for replication buffers and forks.
            maxmemory {l.MaxMemoryMiB}mb
            # LiveKit's room and node state must not vanish silently: when full, writes fail loudly instead.
            maxmemory-policy noeviction

            """);
        sb.Append(l.Persistence
            ? """
              # Persistence on (PVC): an append-only file, fsync once a second.
              appendonly yes
              appendfsync everysec
              save ""

              """
            : """
              # No persistence: LiveKit keeps only ephemeral room state; a restarted node resyncs from the master.
              appendonly no
              save ""

              """);
        if (l.Tls)
        {
            sb.Append("""
                # TLS only: the plain port is closed; replication and clients use TLS on the same port number.
                port 0
                tls-port @REDIS_PORT@
                tls-cert-file @TLS_DIR@/tls.crt
                tls-key-file @TLS_DIR@/tls.key
                tls-ca-cert-file @TLS_DIR@/ca.crt
                tls-replication yes
                # Clients prove who they are with the password; LiveKit has no client certificate.
                tls-auth-clients no

                """);
        }
        else
        {
            sb.Append("port @REDIS_PORT@\n");
        }
        return sb.ToString();
    }

    public static string SentinelConf(RedisLayout l)
    {
        var sb = new StringBuilder();
        sb.Append("""
            # sentinel.conf template (matrix-rtc). sentinel-start.sh fills the @...@ values, appends the
            # passwords and copies it to a writable volume: Sentinel rewrites its config file as it learns.
            bind @BIND_ADDRESS@
            protected-mode no
            dir @SENTINEL_DIR@
            # Must precede "sentinel monitor": without it a host name there is a fatal config error.
            sentinel resolve-hostnames yes
            sentinel announce-hostnames yes
            sentinel announce-ip @SELF_HOST@
            sentinel announce-port @SENTINEL_PORT@

            """);
        sb.Append(l.Tls
            ? """
              port 0
              tls-port @SENTINEL_PORT@
              tls-cert-file @TLS_DIR@/tls.crt
              tls-key-file @TLS_DIR@/tls.key
              tls-ca-cert-file @TLS_DIR@/ca.crt
              tls-replication yes
              tls-auth-clients no

              """
            : "port @SENTINEL_PORT@\n");
        sb.Append($"""
            # Quorum {l.Quorum}: that many sentinels must see the master down; the failover leader also needs a majority's votes.
            sentinel monitor {RedisLayout.MasterName} @MASTER_HOST@ @REDIS_PORT@ {l.Quorum}
            # Silence, counted from the first unanswered PING (sentinels PING every second), after which a sentinel
            # calls the master down; the failover completes about 1.2 s later (vote, SLAVEOF NO ONE, and the promoted
            # replica's next INFO, polled every second during a failover). matrix-rtc's default, 2500, rides out a 2 s
            # freeze of the master and a 1.5 s loss of packets (which TCP retransmission stretches to ~2.3 s); the
            # reasons are beside redisDownAfterMilliseconds. Bitnami's default waits 60 s.
            sentinel down-after-milliseconds {RedisLayout.MasterName} {l.DownAfterMilliseconds}
            # Bounds the election (at most 10 s), the wait for the promotion and the replicas' reconfiguration; a
            # failover attempt that failed (e.g. a split vote) is retried after twice this.
            sentinel failover-timeout {RedisLayout.MasterName} {l.FailoverTimeoutMilliseconds}
            # Replicas are moved to the new master one at a time (with three nodes there is only one to move).
            sentinel parallel-syncs {RedisLayout.MasterName} 1

            """);
        return sb.ToString();
    }
}
