using System.Net;
using System.Net.Sockets;
using Infra.Plan.Contract;
using Infra.Plan.Net;

namespace Infra.Plan.Components.Network;

/// <summary>What Cilium classifies an endpoint as (address-based engines use only the addresses).</summary>
public enum Identity
{
    Pod,
    /// <summary>The local node, its host-network pods included.</summary>
    Host,
    /// <summary>Any other node, its host-network pods included.</summary>
    RemoteNode,
    /// <summary>An address outside the cluster, which ipBlocks match.</summary>
    World,
}

/// <summary>
/// One endpoint of the connectivity model: a <see cref="Peer"/> at an address. <see cref="Namespace"/> is null outside
/// the cluster. Host-network pods carry no pod identity: NetworkPolicies neither select them nor match them with
/// pod/namespace selectors; what a pod sees their traffic come from is the data path's doing (<see cref="From"/>,
/// <see cref="Identity"/>, <see cref="OwnNode"/>).
/// </summary>
/// <param name="Address">Where others reach it (a host-network pod: its node's address).</param>
public sealed record Workload(Peer Peer, IPAddress Address)
{
    /// <summary>The source address its packets carry at a pod on another node (a tunnel address, on overlays).</summary>
    public IPAddress From { get; init; } = Address;

    public Identity Identity { get; init; } =
        Peer.Namespace is null ? Identity.World : Peer.HostNetwork ? Identity.RemoteNode : Identity.Pod;

    /// <summary>A host-network workload on the node of the model's pods: address-based CNIs always admit it there.</summary>
    public bool OwnNode { get; init; }

    /// <summary>False for an address that only answers (NodeLocal DNSCache): never the source of a flow.</summary>
    public bool Initiates { get; init; } = true;

    public string Name => Peer.Name;

    public string? Namespace => Peer.Namespace;

    /// <summary>The pods' labels (what a policy's selector is matched against).</summary>
    public IReadOnlyDictionary<string, string> Labels => Peer.Labels;

    public bool HostNetwork => Peer.HostNetwork;

    public IReadOnlyList<Listener> Listens => Peer.Listens;

    public bool IsPod => Peer.IsPod;
}

/// <summary>
/// The workloads the report talks about (<see cref="NetworkPeers.All"/>), placed for one <see cref="Scenario"/> the way
/// the cluster would: two nodes, A with every pod (addresses from the first pod CIDR, in A's node subnet; pods of one
/// peer set share one: Redis and Sentinel are two containers of the same pods) and B, a media node (the first node
/// CIDR's 10th address, pod subnet the pod CIDR's last node subnet). The SFU and coturn run on B, or on A in the
/// same-node case, and their traffic reaches A's pods from what the scenario's data path makes of it: B's address,
/// B's tunnel address (flannel: B's subnet's first address; Calico: an address of B's IPAM block), or Cilium's
/// remote-node / host identity. NodeLocal DNSCache answers on every node, so on A. The internet is a public
/// documentation address (203.0.113.10).
/// </summary>
public static class ConnectivityModel
{
    public static readonly IPAddress InternetAddress = IPAddress.Parse("203.0.113.10");

    /// <summary>Offset of the Calico tunnel address inside node B's subnet: any address of its block, not the subnet's first.</summary>
    public const int CalicoTunnelOffset = 64;

    /// <summary>The model of the stack's own profile, first data path, first case (the report's main tables).</summary>
    public static IReadOnlyList<Workload> For(NetworkInput input, NetworkPeers peers) =>
        For(input, peers, Dataplanes.For(input.Cluster.Cni)[0].Scenarios[0]);

    public static IReadOnlyList<Workload> For(NetworkInput input, NetworkPeers peers, Scenario scenario)
    {
        var nodes = Nodes.Of(input);
        var podIndex = 10;
        var podAddresses = new Dictionary<(string?, string), IPAddress>();
        var hostAddress = scenario.SameNode ? nodes.A : nodes.B;
        var hostFrom = scenario.Path.Source switch
        {
            HostSource.SubnetTunnel => nodes.BSubnet,
            HostSource.PoolTunnel => Offset(nodes.BSubnet, CalicoTunnelOffset),
            _ => hostAddress,
        };
        Workload Place(Peer p)
        {
            if (p.Namespace is null)
            {
                // Egress's destinations outside (bucket, RTMP servers, the media nodes' public addresses) and the SFU's (its
                // advertised address, STUN servers) only answer:
                // as sources they would be "the internet" again.
                return peers.OutsideAddress(p.Name) is { } destination
                    ? new Workload(p, destination) { Initiates = false }
                    : new Workload(p, InternetAddress);
            }
            if (p.Name == NetworkPeers.NodeLocalDnsName)
            {
                return new Workload(p, input.Cluster.NodeLocalDns!) { Identity = Identity.Host, OwnNode = true, Initiates = false };
            }
            if (p.Name == NetworkPeers.DnsServiceIpName)
            {
                // Untranslated (NOTRACK), so Cilium has no endpoint for it: to Cilium an address like any outside one.
                return new Workload(p, input.Cluster.DnsServiceAddress(input.Nodes)!) { Identity = Identity.World, OwnNode = true, Initiates = false };
            }
            if (p.HostNetwork)
            {
                return new Workload(p, hostAddress)
                {
                    From = hostFrom,
                    Identity = scenario.SameNode ? Identity.Host : Identity.RemoteNode,
                    OwnNode = scenario.SameNode,
                };
            }
            var pods = (p.Namespace, string.Join(",", p.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")));
            if (!podAddresses.TryGetValue(pods, out var address))
            {
                address = Offset(nodes.PodCidr.Network, podIndex++);
                podAddresses[pods] = address;
            }
            return new Workload(p, address);
        }
        return peers.All.Select(Place).ToList();
    }

    /// <summary>The model's two nodes: A (the pods') and B (a media node), and B's pod subnet.</summary>
    private sealed record Nodes(Cidr PodCidr, IPAddress A, IPAddress B, IPAddress BSubnet)
    {
        public static Nodes Of(NetworkInput input)
        {
            var podCidr = input.Nodes.PodCidrs.FirstOrDefault() ?? Cidr.Parse("10.244.0.0/16");
            var nodeCidr = input.Nodes.NodeCidrs.FirstOrDefault() ?? Cidr.Parse("10.10.0.0/24");
            var bits = podCidr.Family == AddressFamily.InterNetwork ? 32 : 128;
            var mask = podCidr.Family == AddressFamily.InterNetwork ? input.Nodes.NodePodMaskIpv4 : input.Nodes.NodePodMaskIpv6;
            // The last node subnet, far from A's pods; a mask no longer than the pod CIDR's (refused for flannel) halves it.
            var subnetBits = bits - Math.Max(mask, podCidr.PrefixLength + 1);
            var last = IpRange.ToNumber(podCidr.Range.Last);
            var bSubnet = IpRange.FromNumber(last - ((UInt128.One << subnetBits) - 1), podCidr.Family);
            return new Nodes(podCidr, Offset(nodeCidr.Network, 20), Offset(nodeCidr.Network, 10), bSubnet);
        }
    }

    private static IPAddress Offset(IPAddress address, int n) =>
        IpRange.FromNumber(IpRange.ToNumber(address) + (UInt128)n, address.AddressFamily);
}
