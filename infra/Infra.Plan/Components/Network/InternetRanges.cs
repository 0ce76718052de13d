using Infra.Plan.Net;

namespace Infra.Plan.Components.Network;

/// <summary>
/// "The internet" as ipBlocks: everything except private, shared, loopback, link-local (cloud metadata),
/// multicast and reserved ranges, and the cluster's own ranges. Federated homeservers live there; the
/// cluster, the metadata service and the node network do not.
/// </summary>
public static class InternetRanges
{
    public static readonly IReadOnlyList<Cidr> NonPublicV4 =
    [
        Cidr.Parse("0.0.0.0/8"), Cidr.Parse("10.0.0.0/8"), Cidr.Parse("100.64.0.0/10"), Cidr.Parse("127.0.0.0/8"),
        Cidr.Parse("169.254.0.0/16"), Cidr.Parse("172.16.0.0/12"), Cidr.Parse("192.168.0.0/16"),
        Cidr.Parse("224.0.0.0/4"), Cidr.Parse("240.0.0.0/4"),
    ];

    public static readonly IReadOnlyList<Cidr> NonPublicV6 =
    [
        Cidr.Parse("::1/128"), Cidr.Parse("fc00::/7"), Cidr.Parse("fe80::/10"), Cidr.Parse("ff00::/8"),
    ];

    /// <summary>One ipBlock per family: 0.0.0.0/0 and ::/0, each minus the non-public and cluster ranges.</summary>
    public static IReadOnlyList<(Cidr Cidr, IReadOnlyList<Cidr> Except)> Blocks(NetworkInput input)
    {
        var cluster = input.Nodes.PodCidrs.Concat(input.Nodes.ServiceCidrs).Concat(input.Nodes.NodeCidrs).ToList();
        return
        [
            (Cidr.Parse("0.0.0.0/0"), Except(NonPublicV4, cluster, System.Net.Sockets.AddressFamily.InterNetwork)),
            (Cidr.Parse("::/0"), Except(NonPublicV6, cluster, System.Net.Sockets.AddressFamily.InterNetworkV6)),
        ];
    }

    /// <summary>Fixed ranges plus the cluster ranges of this family that they do not already cover.</summary>
    private static IReadOnlyList<Cidr> Except(IReadOnlyList<Cidr> fixedRanges, IEnumerable<Cidr> cluster, System.Net.Sockets.AddressFamily family) =>
        fixedRanges
            .Concat(cluster.Where(c => c.Family == family && !fixedRanges.Any(f => f.Range.Contains(c.Range))))
            .Distinct()
            .ToList();
}
