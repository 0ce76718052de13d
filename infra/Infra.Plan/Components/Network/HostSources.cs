using System.Net.Sockets;
using Infra.Plan.Net;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Network;

/// <summary>
/// What each CNI profile admits as "a host-network pod" (the SFU, coturn) in a NetworkPolicy, in both directions.
/// Their traffic carries no pod identity: it arrives with an address the CNI picks for the node's own traffic
/// (infra/Infra.Render/Network/Dataplanes.cs holds the evidence per data path), so a profile admits exactly the addresses its data
/// paths produce, and only on the ports the flows need (Redis, Sentinel, the authorizer's webhook port).
/// </summary>
public static class HostSources
{
    /// <summary>More per-node tunnel addresses than this is not a policy anyone can review: use generic instead.</summary>
    public const int MaxFlannelTunnelAddresses = 1024;

    /// <summary>
    /// The ipBlocks a pod admits host-network traffic from on another node. Empty for Cilium, whose policies match
    /// identities (<see cref="CiliumPolicyBuilder"/>): an ipBlock there matches only addresses outside the cluster, so
    /// node CIDRs would admit machines that merely share the node subnet, and nothing of the nodes.
    /// </summary>
    public static IReadOnlyList<Cidr> IngressBlocks(NetworkInput input)
    {
        var nodes = input.Nodes;
        return input.Cluster.Cni switch
        {
            CniProfile.CalicoBgp => nodes.NodeCidrs,
            // host-gw routes from the node address; VXLAN and WireGuard from flannel.1 (flannel-wg, flannel-wg-v6), the node subnet's first address.
            CniProfile.Flannel => [.. nodes.NodeCidrs, .. FlannelTunnelAddresses(nodes)],
            // Calico's tunl0/vxlan.calico address comes from the node's IPAM block, anywhere in the pool; CrossSubnet and
            // routed setups use the node address. Generic covers every address-based data path at once.
            CniProfile.CalicoOverlay or CniProfile.Generic => [.. nodes.NodeCidrs, .. nodes.PodCidrs],
            CniProfile.Cilium => [],
            _ => throw new ArgumentOutOfRangeException(nameof(input), input.Cluster.Cni, null),
        };
    }

    /// <summary>
    /// The ipBlocks under which a pod reaches a host-network pod (authorizerSfuRoute direct): its node's address on
    /// every address-based data path (tunnel addresses are only ever source addresses). Empty for Cilium.
    /// </summary>
    public static IReadOnlyList<Cidr> EgressBlocks(NetworkInput input) =>
        input.Cluster.Cni == CniProfile.Cilium ? [] : input.Nodes.NodeCidrs;

    /// <summary>
    /// flannel gives each node a pod subnet (the Node's spec.podCIDR, sized by --node-cidr-mask-size) and puts its first
    /// address on flannel.1 (WireGuard: flannel-wg, flannel-wg-v6) as a /32 (/128): flannel-io/flannel pkg/backend/vxlan/vxlan.go
    /// <c>dev.Configure(ip.IP4Net{IP: lease.Subnet.IP, PrefixLen: 32}, …)</c>; pkg/backend/wireguard/wireguard.go
    /// creates "flannel-wg" and calls <c>dev.Configure(lease.Subnet.IP, …)</c> (device.go: a /32). Host-local IPAM
    /// never hands that network address to a pod, so these /32s admit host traffic only.
    /// </summary>
    public static IReadOnlyList<Cidr> FlannelTunnelAddresses(NodesSpec nodes)
    {
        var result = new List<Cidr>();
        foreach (var pod in nodes.PodCidrs)
        {
            var (mask, bits) = MaskOf(nodes, pod.Family);
            if (mask < pod.PrefixLength || Count(pod, mask) > MaxFlannelTunnelAddresses)
            {
                continue; // refused by CheckFlannel; total over a spec with errors
            }
            var step = UInt128.One << (bits - mask);
            var first = IpRange.ToNumber(pod.Network);
            for (UInt128 i = 0; i < Count(pod, mask); i++)
            {
                result.Add(new Cidr(IpRange.FromNumber(first + i * step, pod.Family), bits));
            }
        }
        return result;
    }

    /// <summary>The cni flannel rules: node subnets inside each pod CIDR, and few enough to list one by one.</summary>
    public static IEnumerable<ConfigError> CheckFlannel(NetworkInput input)
    {
        if (input.Cluster.Cni != CniProfile.Flannel)
        {
            yield break;
        }
        UInt128 total = 0;
        foreach (var pod in input.Nodes.PodCidrs)
        {
            var (mask, _) = MaskOf(input.Nodes, pod.Family);
            var key = pod.Family == AddressFamily.InterNetwork ? NodesSection.NodePodCidrMaskSizeIpv4 : NodesSection.NodePodCidrMaskSizeIpv6;
            if (mask < pod.PrefixLength)
            {
                yield return ConfigError.Invalid(key, mask.ToString(),
                    $"a prefix length of at least {pod.PrefixLength}: each node's subnet lies inside the pod CIDR {pod} ({NodesSection.PodCidrs.FullName})");
                continue;
            }
            total += Count(pod, mask);
        }
        if (total > MaxFlannelTunnelAddresses)
        {
            yield return ConfigError.Invalid(ClusterSection.Cni, "\"flannel\"",
                $"a pod CIDR with at most {MaxFlannelTunnelAddresses} node subnets for cni flannel (these give {total}: one ipBlock per " +
                $"node subnet); use cni generic, which admits the whole pod CIDR on the same ports");
        }
    }

    private static (int Mask, int Bits) MaskOf(NodesSpec nodes, AddressFamily family) =>
        family == AddressFamily.InterNetwork ? (nodes.NodePodMaskIpv4, 32) : (nodes.NodePodMaskIpv6, 128);

    /// <summary>How many node subnets of length <paramref name="mask"/> fit in <paramref name="pod"/> (saturating).</summary>
    private static UInt128 Count(Cidr pod, int mask) =>
        mask - pod.PrefixLength >= 64 ? UInt128.MaxValue : UInt128.One << (mask - pod.PrefixLength);
}
