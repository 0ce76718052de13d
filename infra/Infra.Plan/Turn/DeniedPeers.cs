using System.Net;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Net;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Turn;

/// <summary>Why an address range is denied as a TURN peer (<paramref name="Label"/> and reason are the comment next to the rule).</summary>
public sealed record DeniedRange(IpRange Range, string Label, string Reason)
{
    public DeniedRange(Cidr cidr, string reason) : this(cidr.Range, cidr.ToString(), reason)
    {
    }
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
        new(Cidr.Parse("fec0::/10"), "site-local (deprecated, RFC 3879)"),
        new(Cidr.Parse("ff00::/8"), "multicast"),
    ];

    /// <summary>
    /// IPv4-compatible addresses ::a.b.c.d (::/96 without ::), for releases that compare such a peer as IPv6 rather than
    /// as the IPv4 address it embeds (<see cref="CoturnVersion.CanonicalizesEmbeddedIpv4"/>; coturn #1945). ::/96 itself
    /// cannot be a rule (an all-zero bound is "no bound"), and those releases compare IPv6 bounds byte by byte, so four
    /// per-byte boxes cover it: last byte 1-255; last byte 0 and the one before 1-255; and so on. Under the later span
    /// comparison the first alone covers it all.
    /// </summary>
    public static IReadOnlyList<DeniedRange> Ipv4Compatible { get; } =
    [
        Box("::0.0.0.1-::255.255.255.255"),
        Box("::0.0.1.0-::255.255.255.0"),
        Box("::0.1.0.0-::255.255.0.0"),
        Box("::1.0.0.0-::255.0.0.0"),
    ];

    private static DeniedRange Box(string range) =>
        new(IpRange.ParseCoturn(range)!, "::/96 except ::", "IPv4-compatible IPv6 (compared as IPv6 by this release: would bypass every IPv4 rule)");

    /// <summary>
    /// The special ranges (plus <see cref="Ipv4Compatible"/> where the release needs them) and the cluster's pod, service
    /// and node CIDRs, in that order. Denying the node CIDRs keeps TURN clients out of the node network (kubelet, VXLAN
    /// and every other host port), and it is also why relayed media must reach the SFU at its public address, through the
    /// cloud router's hairpin NAT (docs/coturn.md). The rules stay written out even where a release denies a range by
    /// itself (4.13.1+: link-local, unique-local, site-local): the file then says what is denied on every release.
    /// </summary>
    public static IReadOnlyList<DeniedRange> For(NodesSpec nodes, CoturnVersion version) =>
        Special
            .Concat(version.CanonicalizesEmbeddedIpv4 ? [] : Ipv4Compatible)
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
    /// Whether coturn <paramref name="version"/> counts <paramref name="peer"/> as inside <paramref name="range"/>,
    /// re-stated from coturn's <c>ioa_addr_in_range</c> and <c>addr_less_eq</c> (src/client/ns_turn_ioaddr.c at 4.6.1,
    /// 4.7.0, 4.13.1 and 4.17.1): an all-zero bound (0.0.0.0 or ::) means "open on that side"; addresses of different
    /// families compare by family number (AF_INET 2 before AF_INET6 10), so a range starting at :: holds every IPv4
    /// address and "::" alone holds everything; IPv6 bounds compare byte by byte before 4.16.0 (a box) and in order from
    /// it (the span); from 4.13.1 a peer that embeds an IPv4 address (::ffff:a.b.c.d, ::a.b.c.d, 2002:AABB:CCDD::,
    /// 64:ff9b::a.b.c.d) is reduced to that address when the range is IPv4.
    /// </summary>
    public static bool CoturnMatches(IpRange range, IPAddress peer, CoturnVersion version)
    {
        static int Family(IPAddress a) => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 2 : 10;
        static bool Zero(IPAddress a) => IpRange.ToNumber(a) == 0;
        bool LessEq(IPAddress a, IPAddress b)
        {
            if (a.AddressFamily != b.AddressFamily)
            {
                return Family(a) < Family(b);
            }
            if (a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !version.ComparesIpv6AsSpan)
            {
                return a.GetAddressBytes().Zip(b.GetAddressBytes()).All(p => p.First <= p.Second);
            }
            return IpRange.ToNumber(a) <= IpRange.ToNumber(b);
        }
        if (version.CanonicalizesEmbeddedIpv4 && range.Family == System.Net.Sockets.AddressFamily.InterNetwork && EmbeddedIpv4(peer) is { } v4)
        {
            peer = v4;
        }
        return (Zero(range.First) || LessEq(range.First, peer)) && (Zero(range.Last) || LessEq(peer, range.Last));
    }

    /// <summary>
    /// The IPv4 address an IPv6 peer embeds, as coturn 4.13.1+ reads it (<c>ioa_addr_get_embedded_ipv4</c>): IPv4-mapped,
    /// 6to4 (bytes 2-5), NAT64 64:ff9b::/96, IPv4-compatible (except :: and ::1); null otherwise.
    /// </summary>
    public static IPAddress? EmbeddedIpv4(IPAddress peer)
    {
        if (peer.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return null;
        }
        var u = peer.GetAddressBytes();
        bool ZeroUpTo(int n) => u.Take(n).All(b => b == 0);
        if (ZeroUpTo(10) && u[10] == 0xff && u[11] == 0xff)
        {
            return new IPAddress(u[12..16]);
        }
        if (u[0] == 0x20 && u[1] == 0x02)
        {
            return new IPAddress(u[2..6]);
        }
        if (u[0] == 0x00 && u[1] == 0x64 && u[2] == 0xff && u[3] == 0x9b && u[4..12].All(b => b == 0))
        {
            return new IPAddress(u[12..16]);
        }
        if (ZeroUpTo(12) && !(u[12] == 0 && u[13] == 0 && u[14] == 0 && u[15] is 0 or 1))
        {
            return new IPAddress(u[12..16]);
        }
        return null;
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
