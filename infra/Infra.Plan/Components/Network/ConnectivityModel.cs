using System.Net;
using Infra.Plan.Contract;
using Infra.Plan.Net;
using Infra.Plan.Spec;

namespace Infra.Plan.Components.Network;

/// <summary>
/// One endpoint of the connectivity model: a <see cref="Peer"/> at an address. <see cref="Namespace"/> is null outside
/// the cluster. Host-network pods carry their node's <see cref="Address"/> and no pod identity: NetworkPolicies
/// neither select them nor match them with pod/namespace selectors.
/// </summary>
public sealed record Workload(Peer Peer, IPAddress Address)
{
    public string Name => Peer.Name;

    public string? Namespace => Peer.Namespace;

    /// <summary>The pods' labels (what a policy's selector is matched against).</summary>
    public IReadOnlyDictionary<string, string> Labels => Peer.Labels;

    public bool HostNetwork => Peer.HostNetwork;

    public IReadOnlyList<Listener> Listens => Peer.Listens;

    public bool IsPod => Peer.IsPod;
}

/// <summary>
/// The workloads the report talks about (<see cref="NetworkPeers.All"/>), at addresses as the cluster would give
/// them: pods get addresses from the first pod CIDR (pods of one peer set share one: Redis and Sentinel are two
/// containers of the same pods), host-network pods from the first node CIDR, the internet a public documentation
/// address (203.0.113.10).
/// </summary>
public static class ConnectivityModel
{
    public static readonly IPAddress InternetAddress = IPAddress.Parse("203.0.113.10");

    public static IReadOnlyList<Workload> For(EnvironmentSpec spec, NetworkPeers peers)
    {
        var podIndex = 10;
        var podCidr = spec.Nodes.PodCidrs.FirstOrDefault() ?? Cidr.Parse("10.244.0.0/16");
        var nodeIp = Offset(spec.Nodes.NodeCidrs.FirstOrDefault() ?? Cidr.Parse("10.10.0.0/24"), 10);
        var podAddresses = new Dictionary<(string?, string), IPAddress>();
        IPAddress AddressOf(Peer p)
        {
            if (p.Namespace is null)
            {
                return InternetAddress;
            }
            if (p.HostNetwork)
            {
                return nodeIp;
            }
            var pods = (p.Namespace, string.Join(",", p.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")));
            if (!podAddresses.TryGetValue(pods, out var address))
            {
                address = Offset(podCidr, podIndex++);
                podAddresses[pods] = address;
            }
            return address;
        }
        return peers.All.Select(p => new Workload(p, AddressOf(p))).ToList();
    }

    private static IPAddress Offset(Cidr cidr, int n) => IpRange.FromNumber(IpRange.ToNumber(cidr.Network) + (UInt128)n, cidr.Family);
}
