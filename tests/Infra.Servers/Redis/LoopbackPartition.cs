using Infra.Servers.Coturn;

namespace Infra.Servers.Redis;

/// <summary>
/// A network partition on loopback: an nftables table (named after the cluster's ports, so a table left by a
/// crashed run is replaced by name) that drops every TCP segment between one 127.0.0.x address and the others
/// on the cluster's own ports, in both directions. Packets are dropped, not refused: as on a real network, the
/// peers see silence and TCP retransmits with its usual back-off. Other addresses (a client on 127.0.0.1) and
/// other ports (other clusters, other tests) are untouched. Dispose (or <see cref="Remove"/>) deletes the table by
/// name; the cluster's nodes must leave from their own address (<see cref="SentinelCluster"/> sees to that).
/// </summary>
public sealed class LoopbackPartition : IDisposable
{
    private LoopbackPartition(string table) => Table = table;

    public string Table { get; }

    public static string? Nft => Tools.Find("nft");

    /// <summary>Why a partition cannot be cut here (nft missing, or no CAP_NET_ADMIN), or null.</summary>
    public static string? Unavailable()
    {
        if (Nft is null)
        {
            return "nft not installed (Debian package nftables)";
        }
        const string probe = "matrix_rtc_redis_probe";
        var (exit, output) = CoturnTools.Run(Nft, ["add", "table", "inet", probe], TimeSpan.FromSeconds(10));
        if (exit != 0)
        {
            return $"cannot add an nftables table (needs CAP_NET_ADMIN): {output.Trim()}";
        }
        Remove(probe);
        return null;
    }

    /// <summary>The table name for a cluster on <paramref name="port"/>: one per cluster, stable across runs.</summary>
    public static string TableFor(int port) => $"matrix_rtc_redis_{port}";

    /// <summary>Cuts <paramref name="isolated"/> off from <paramref name="others"/> on <paramref name="ports"/> (all 127.0.0.x).</summary>
    public static LoopbackPartition Cut(string table, string isolated, IReadOnlyList<string> others, IReadOnlyList<int> ports)
    {
        foreach (var address in others.Append(isolated))
        {
            if (!address.StartsWith("127.", StringComparison.Ordinal))
            {
                throw new ArgumentException($"loopback addresses only, not {address}", nameof(others));
            }
        }
        var set = $"{{ {string.Join(", ", others)} }}";
        var portSet = $"{{ {string.Join(", ", ports)} }}";
        // Both directions, both ends of each connection (the listener's port is the destination one way, the source
        // the other way). Loopback packets pass the output hook once: dropping there is enough.
        var rules = $$"""
            table inet {{table}}
            delete table inet {{table}}
            table inet {{table}} {
              chain output {
                type filter hook output priority 0; policy accept;
                ip saddr {{isolated}} ip daddr {{set}} tcp dport {{portSet}} drop
                ip saddr {{isolated}} ip daddr {{set}} tcp sport {{portSet}} drop
                ip saddr {{set}} ip daddr {{isolated}} tcp dport {{portSet}} drop
                ip saddr {{set}} ip daddr {{isolated}} tcp sport {{portSet}} drop
              }
            }
            """;
        var nft = Nft ?? throw new InvalidOperationException("nft not installed (Debian package nftables)");
        var (exit, output) = CoturnTools.Run(nft, ["-f", "-"], TimeSpan.FromSeconds(10), stdin: rules);
        if (exit != 0)
        {
            Remove(table);
            throw new InvalidOperationException($"nft could not add table {table}: {output.Trim()}");
        }
        return new LoopbackPartition(table);
    }

    /// <summary>Deletes the table by name; no error when it does not exist.</summary>
    public static void Remove(string table)
    {
        if (Nft is { } nft)
        {
            CoturnTools.Run(nft, ["delete", "table", "inet", table], TimeSpan.FromSeconds(10));
        }
    }

    public void Dispose() => Remove(Table);
}
