using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Network;

/// <summary>How a CNI decides whether a policy peer matches: by address (ipBlocks see every address), or by Cilium identity.</summary>
public enum PolicyEngine
{
    /// <summary>
    /// Calico, Canal, kube-router and the other ipBlock-by-address enforcers: an ipBlock matches the packet's address,
    /// pod addresses included, and a node always reaches its own pods (Kubernetes' NetworkPolicy rule).
    /// </summary>
    Addresses,
    /// <summary>
    /// Cilium: endpoints carry identities; ipBlocks match only addresses outside the cluster (without
    /// policy-cidr-match-mode nodes), nodes are the host and remote-node entities.
    /// </summary>
    Cilium,
}

/// <summary>What a pod on another node sees a host-network pod's traffic come from.</summary>
public enum HostSource
{
    /// <summary>Routed without encapsulation or SNAT to a device: the sender node's own address.</summary>
    NodeAddress,
    /// <summary>Calico IPIP/VXLAN: the sender's tunl0 / vxlan.calico address, which IPAM takes from the node's block of the pool.</summary>
    PoolTunnel,
    /// <summary>flannel VXLAN/WireGuard: the sender's flannel.1 (flannel-wg) address, the first address of its node subnet.</summary>
    SubnetTunnel,
    /// <summary>Cilium: the remote-node identity, whatever the address (carried in the tunnel header or looked up).</summary>
    RemoteNode,
    /// <summary>The pod's own node: always admitted by address-based CNIs; Cilium's host identity.</summary>
    OwnNode,
}

/// <summary>One way host-network traffic reaches a pod on a data path, e.g. "other node via tunl0".</summary>
public sealed record HostPath(string Case, HostSource Source);

/// <summary>One data path a pod's policy may meet: a <see cref="Dataplane"/> and one of its <see cref="HostPath"/>s.</summary>
public sealed record Scenario(Dataplane Dataplane, HostPath Path)
{
    public bool SameNode => Path.Source == HostSource.OwnNode;

    public override string ToString() => $"{Dataplane.Name}, {Path.Case}";
}

/// <summary>
/// A CNI data path as the policies meet it: its policy engine and the ways host-network traffic reaches a pod on
/// another node, with the upstream evidence. Every data path also has the same-node case (<see cref="Scenarios"/>).
/// </summary>
public sealed record Dataplane(string Name, string Title, PolicyEngine Engine, IReadOnlyList<HostPath> OtherNode, string Evidence)
{
    public IReadOnlyList<Scenario> Scenarios =>
        [.. OtherNode.Select(p => new Scenario(this, p)), new Scenario(this, new HostPath("same node", HostSource.OwnNode))];
}

/// <summary>The data paths of the common CNIs (research: ../shared/REFERENCE.md "Real clusters"), and which profile is meant for which.</summary>
public static class Dataplanes
{
    public static readonly Dataplane CalicoBgp = new("calico-bgp", "Calico, BGP without encapsulation", PolicyEngine.Addresses,
        [new("other node", HostSource.NodeAddress)],
        "calico#2271, calico#3440: the node's host IP is the source");

    public static readonly Dataplane CalicoIpip = new("calico-ipip", "Calico IPIP (Always or CrossSubnet)", PolicyEngine.Addresses,
        [new("other node via tunl0", HostSource.PoolTunnel), new("other node in the same subnet (CrossSubnet)", HostSource.NodeAddress)],
        "calico#3665, calico#721, calico#741: the source is the node's ipv4IPIPTunnelAddr");

    public static readonly Dataplane CalicoVxlan = new("calico-vxlan", "Calico VXLAN (Always or CrossSubnet)", PolicyEngine.Addresses,
        [new("other node via vxlan.calico", HostSource.PoolTunnel), new("other node in the same subnet (CrossSubnet)", HostSource.NodeAddress)],
        "Calico docs (NodeLocal DNSCache: allow the tunnel addresses with encapsulation); as IPIP");

    public static readonly Dataplane FlannelVxlan = new("flannel-vxlan", "flannel VXLAN or WireGuard (also Canal, k3s, RKE2)", PolicyEngine.Addresses,
        [new("other node via flannel.1", HostSource.SubnetTunnel)],
        "kube-router#332, rke2#1227 (policy rke2-flannel-host-networking), flannel pkg/backend/vxlan/vxlan.go");

    public static readonly Dataplane FlannelHostGw = new("flannel-host-gw", "flannel host-gw", PolicyEngine.Addresses,
        [new("other node", HostSource.NodeAddress)],
        "flannel pkg/backend/hostgw/hostgw.go: routes via the node's public address on its external interface");

    public static readonly Dataplane Cilium = new("cilium", "Cilium (tunnel or native routing)", PolicyEngine.Cilium,
        [new("other node", HostSource.RemoteNode)],
        "Cilium docs (policy language: entities host, remote-node; ipBlocks and nodes), cilium#12277, cilium#16308");

    public static IReadOnlyList<Dataplane> All { get; } = [CalicoBgp, CalicoIpip, CalicoVxlan, FlannelVxlan, FlannelHostGw, Cilium];

    /// <summary>The data paths a profile is meant for (the report checks each one, and every other one too).</summary>
    public static IReadOnlyList<Dataplane> For(CniProfile profile) => profile switch
    {
        CniProfile.Generic => [CalicoBgp, CalicoIpip, CalicoVxlan, FlannelVxlan, FlannelHostGw],
        CniProfile.CalicoBgp => [CalicoBgp],
        CniProfile.CalicoOverlay => [CalicoIpip, CalicoVxlan],
        CniProfile.Flannel => [FlannelVxlan, FlannelHostGw],
        CniProfile.Cilium => [Cilium],
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, null),
    };
}
