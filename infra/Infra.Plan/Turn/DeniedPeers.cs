using System.Net;
using Infra.Plan.Net;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Turn;

/// <summary>Why an address range is denied as a TURN peer (shown as a comment next to the rule).</summary>
public sealed record DeniedRange(Cidr Cidr, string Reason)
{
    public IpRange Range => Cidr.Range;
}

/// <summary>
/// The peer addresses coturn must never relay to: without these rules a TURN client can reach the cluster's
/// pods, services, nodes and the cloud metadata endpoint (169.254.169.254) through the relay (SSRF).
/// coturn's <c>denied-peer-ip</c> takes one address or <c>first-last</c>, never CIDR (4.17 aborts on CIDR,
/// 4.6.1 logs "Wrong address format" and drops the rule), so every range is written as first-last.
/// </summary>
public static class DeniedPeers
{
    /// <summary>Special-purpose ranges (IANA registries; REFERENCE.md), IPv4 then IPv6.</summary>
    public static IReadOnlyList<DeniedRange> Special { get; } =
    [
        new(Cidr.Parse("0.0.0.0/8"), "this network"),
        new(Cidr.Parse("10.0.0.0/8"), "private"),
        new(Cidr.Parse("100.64.0.0/10"), "carrier-grade NAT"),
        new(Cidr.Parse("127.0.0.0/8"), "loopback"),
        new(Cidr.Parse("169.254.0.0/16"), "link-local, cloud metadata 169.254.169.254"),
        new(Cidr.Parse("172.16.0.0/12"), "private"),
        new(Cidr.Parse("192.0.0.0/24"), "IETF protocol assignments"),
        new(Cidr.Parse("192.0.2.0/24"), "documentation TEST-NET-1"),
        new(Cidr.Parse("192.88.99.0/24"), "6to4 relay anycast"),
        new(Cidr.Parse("192.168.0.0/16"), "private"),
        new(Cidr.Parse("198.18.0.0/15"), "benchmarking"),
        new(Cidr.Parse("198.51.100.0/24"), "documentation TEST-NET-2"),
        new(Cidr.Parse("203.0.113.0/24"), "documentation TEST-NET-3"),
        new(Cidr.Parse("224.0.0.0/4"), "multicast"),
        new(Cidr.Parse("240.0.0.0/4"), "reserved, broadcast"),
        // Not "::/128": coturn reads an all-zero bound as "no bound" (CoturnMatches), so denied-peer-ip=:: denies every
        // peer, IPv4 and IPv6, and TURN relays nothing. coturn refuses the unspecified address as a peer by itself
        // (good_peer_addr: ioa_addr_is_zero), so nothing is lost.
        new(Cidr.Parse("::1/128"), "loopback"),
        new(Cidr.Parse("::ffff:0:0/96"), "IPv4-mapped IPv6 (would bypass every IPv4 rule)"),
        new(Cidr.Parse("64:ff9b::/96"), "NAT64 (maps onto IPv4, incl. private ranges)"),
        new(Cidr.Parse("2001:db8::/32"), "documentation"),
        new(Cidr.Parse("2002::/16"), "6to4 (embeds IPv4)"),
        new(Cidr.Parse("fc00::/7"), "unique local"),
        new(Cidr.Parse("fe80::/10"), "link-local"),
        new(Cidr.Parse("ff00::/8"), "multicast"),
    ];

    /// <summary>
    /// The special ranges plus the cluster's pod, service and node CIDRs, in that order. Denying the node CIDRs keeps
    /// TURN clients out of the node network (kubelet, VXLAN and every other host port), and it is also why relayed
    /// media must reach the SFU at its public address, through the cloud router's hairpin NAT (README "coturn").
    /// </summary>
    public static IReadOnlyList<DeniedRange> For(NodesSpec nodes) =>
        Special
            .Concat(nodes.PodCidrs.Select(c => new DeniedRange(c, "cluster pods (podCidrs)")))
            .Concat(nodes.ServiceCidrs.Select(c => new DeniedRange(c, "cluster services (serviceCidrs)")))
            .Concat(nodes.NodeCidrs.Select(c => new DeniedRange(c, "cluster nodes (nodeCidrs)")))
            .ToArray();

    /// <summary>
    /// Reads the <c>denied-peer-ip</c> rules of a turnserver.conf the way coturn does: <c>ip</c> or
    /// <c>ip-ip</c>. A value coturn would not accept (CIDR, a name) is returned in <c>Rejected</c>.
    /// </summary>
    public static (IReadOnlyList<IpRange> Accepted, IReadOnlyList<string> Rejected) ParseConfig(string turnserverConf)
    {
        var accepted = new List<IpRange>();
        var rejected = new List<string>();
        foreach (var raw in turnserverConf.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || !line.StartsWith("denied-peer-ip", StringComparison.Ordinal))
            {
                continue;
            }
            var eq = line.IndexOf('=');
            var value = eq < 0 ? "" : line[(eq + 1)..].Trim();
            if (IpRange.ParseCoturn(value) is { } range)
            {
                accepted.Add(range);
            }
            else
            {
                rejected.Add(value);
            }
        }
        return (accepted, rejected);
    }

    /// <summary>
    /// Whether coturn counts <paramref name="peer"/> as inside <paramref name="range"/>, re-stated from coturn's
    /// <c>ioa_addr_in_range</c> and <c>addr_less_eq</c> (src/client/ns_turn_ioaddr.c, the same from 4.6.1 to 4.17.1): an
    /// all-zero bound (0.0.0.0 or ::) means "open on that side", and addresses of different families compare by family
    /// number (AF_INET 2 before AF_INET6 10). So a range starting at :: holds every IPv4 address, and "::" alone holds
    /// everything. (4.17 also reduces IPv4-embedding IPv6 peers to IPv4 before comparing with an IPv4 range; the
    /// ::ffff:0:0/96, 64:ff9b::/96 and 2002::/16 rules deny those on every version.)
    /// </summary>
    public static bool CoturnMatches(IpRange range, IPAddress peer)
    {
        static int Family(IPAddress a) => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 2 : 10;
        static bool Zero(IPAddress a) => IpRange.ToNumber(a) == 0;
        static bool LessEq(IPAddress a, IPAddress b) =>
            a.AddressFamily != b.AddressFamily ? Family(a) < Family(b) : IpRange.ToNumber(a) <= IpRange.ToNumber(b);
        return (Zero(range.First) || LessEq(range.First, peer)) && (Zero(range.Last) || LessEq(peer, range.Last));
    }

    /// <summary>True when <paramref name="ranges"/> together cover every address of <paramref name="cidr"/>.</summary>
    public static bool Covers(IEnumerable<IpRange> ranges, Cidr cidr)
    {
        var target = cidr.Range;
        var next = target.FirstValue;
        foreach (var r in ranges.Where(r => r.Family == target.Family).OrderBy(r => r.FirstValue))
        {
            if (r.FirstValue > next)
            {
                break;
            }
            if (r.LastValue >= next)
            {
                if (r.LastValue >= target.LastValue)
                {
                    return true;
                }
                next = r.LastValue + 1;
            }
        }
        return false;
    }

    public static bool Covers(IEnumerable<IpRange> ranges, IPAddress address) => ranges.Any(r => r.Contains(address));
}
