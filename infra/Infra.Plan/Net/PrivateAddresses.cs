using System.Net;

namespace Infra.Plan.Net;

/// <summary>
/// Addresses a host may carry that no client on the internet can reach: a node whose only address is one of
/// these sits behind NAT, and coturn must advertise another address for it. coturn's init script
/// (<c>is_private</c> in <see cref="Components.Coturn.CoturnScripts"/>) applies the same list; a test runs
/// the script on the first and last address of each range and on their neighbours.
/// Documentation ranges (TEST-NET-1/2/3) are not here: no real host has them, and the tests use them as the
/// public side of a NAT.
/// </summary>
public static class PrivateAddresses
{
    public static IReadOnlyList<Cidr> Ranges { get; } =
    [
        Cidr.Parse("0.0.0.0/8"),       // "this network"
        Cidr.Parse("10.0.0.0/8"),      // RFC 1918
        Cidr.Parse("100.64.0.0/10"),   // carrier-grade NAT (RFC 6598)
        Cidr.Parse("127.0.0.0/8"),     // loopback
        Cidr.Parse("169.254.0.0/16"),  // link-local
        Cidr.Parse("172.16.0.0/12"),   // RFC 1918
        Cidr.Parse("192.168.0.0/16"),  // RFC 1918
        Cidr.Parse("::/128"),          // unspecified
        Cidr.Parse("::1/128"),         // loopback
        Cidr.Parse("::ffff:0:0/96"),   // IPv4-mapped: never a node's own address
        Cidr.Parse("fc00::/7"),        // unique local
        Cidr.Parse("fe80::/10"),       // link-local
    ];

    public static bool Contains(IPAddress address) => Ranges.Any(r => r.Contains(address));

    /// <summary>True when some address of <paramref name="cidr"/> is private: nodes there may sit behind NAT.</summary>
    public static bool Overlaps(Cidr cidr) => Ranges.Any(r => r.Overlaps(cidr));
}
