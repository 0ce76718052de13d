using Infra.Plan.Components.Authorizer;
using Infra.Plan.Components.Redis;
using Infra.Plan.Contract;
using Infra.Plan.Kubernetes;
using Infra.Plan.Net;
using Infra.Plan.Ports;
using Infra.Plan.Spec.Sections;
using static Infra.Plan.Components.Network.NetworkPolicyPeer;

namespace Infra.Plan.Components.Network;

/// <summary>
/// The CiliumNetworkPolicies of the cilium profile: there, host-network traffic carries the identity <c>host</c>
/// (same node) or <c>remote-node</c> (any other node), which NetworkPolicy ipBlocks never match (Cilium docs: "By
/// default, CIDR-based selectors do not match in-cluster entities (pods or nodes)"), so these admit the two entities
/// on exactly the ports the NetworkPolicies would have opened to node addresses, and nothing else. Cilium adds them
/// to the NetworkPolicies selecting the same pods. Listing <c>host</c> keeps the same-node case working under
/// <c>--allow-localhost=policy</c> too. No other profile emits them: without Cilium's CRD they could not be applied.
/// </summary>
public static class CiliumPolicyBuilder
{
    public const string Suffix = "-nodes";
    public const string NodeLocalDns = "allow-dns-node-local";

    private static readonly string[] Nodes = [CiliumPolicy.EntityName(CiliumEntity.Host), CiliumPolicy.EntityName(CiliumEntity.RemoteNode)];

    public static IReadOnlyList<CiliumPolicy> Build(NetworkInput input, NetworkPeers peers)
    {
        if (input.Cluster.Cni != CniProfile.Cilium)
        {
            return [];
        }
        var policies = new List<CiliumPolicy>();
        // Only a host-network SFU talks from the nodes; off the host network it is an endpoint the NetworkPolicies select
        // and name like any pod, and no workload of ours runs on the host network (no coturn either).
        var hostSfu = peers.Sfu.HostNetwork;
        if (hostSfu && peers is { Redis: { } redis, Sentinel: { } sentinel })
        {
            policies.Add(Policy(NetworkPolicyBuilder.Redis + Suffix, redis,
                ingress: [redis.Listener(RedisPlan.RedisPurpose), sentinel.Listener(RedisPlan.SentinelPurpose)], egress: []));
        }
        var authorizer = peers.Authorizer;
        Listener[] toSfu = input.Cluster.AuthorizerSfuRoute == SfuRoute.Direct ? [peers.Sfu.Listener(PortPlan.SfuApiPurpose)] : [];
        if (hostSfu)
        {
            policies.Add(Policy(NetworkPolicyBuilder.Authorizer + Suffix, authorizer,
                ingress: [authorizer.Listener(AuthorizerPlan.HttpPurpose)], egress: toSfu));
        }
        if (hostSfu && peers.Egress is { } egress)
        {
            // Egress joins the SFU's rooms at the node addresses (its in-cluster Service, its ICE host candidates).
            policies.Add(Policy(NetworkPolicyBuilder.Egress + Suffix, egress.Pods, ingress: [],
                egress: [peers.Sfu.Listener(PortPlan.SfuApiPurpose), peers.Sfu.Listener(PortPlan.RtcTcpPurpose), peers.Sfu.Listener(PortPlan.RtcUdpPurpose)]));
        }
        if (input.Cluster.NodeLocalDns is not null)
        {
            // NodeLocal DNSCache answers from the host network of the pod's own node: the host entity (an ipBlock of its
            // address, in allow-dns, matches only if Cilium classifies the address as outside the cluster).
            foreach (var ns in new[] { input.Site.Namespace, input.Site.MediaNamespace })
            {
                policies.Add(new CiliumPolicy(Meta.Object(NodeLocalDns, ns, NetworkPlan.Component),
                    new CiliumPolicySpec(All(), null,
                        [new CiliumEgressRule([CiliumPolicy.EntityName(CiliumEntity.Host)], [CiliumPolicy.Ports(peers.Dns.Listens.Select(l => (l.Port, l.Protocol)))])])));
            }
        }
        return policies;
    }

    /// <summary>A policy for <paramref name="pods"/>: the node entities in on <paramref name="ingress"/>, out to them on <paramref name="egress"/>.</summary>
    private static CiliumPolicy Policy(string name, Peer pods, IReadOnlyList<Listener> ingress, IReadOnlyList<Listener> egress) =>
        new(Meta.Object(name, pods.Namespace, NetworkPlan.Component),
            new CiliumPolicySpec(Selector(pods.Selector),
                ingress.Count > 0 ? [new CiliumIngressRule(Nodes, [CiliumPolicy.Ports(ingress.Select(l => (l.Port, l.Protocol)))])] : null,
                egress.Count > 0 ? [new CiliumEgressRule(Nodes, [CiliumPolicy.Ports(egress.Select(l => (l.Port, l.Protocol)))])] : null));
}
