using k8s.Models;
using Infra.Plan.Components.Authorizer;
using Infra.Plan.Components.Redis;
using Infra.Plan.Contract;
using Infra.Plan.Kubernetes;
using Infra.Plan.Ports;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;
using static Infra.Plan.Components.Network.NetworkPolicyPeer;
using static Infra.Plan.Components.Network.NetworkPolicyPort;

namespace Infra.Plan.Components.Network;

/// <summary>
/// The NetworkPolicies (networking.k8s.io/v1) of the two namespaces this project owns; never Synapse's or
/// anyone else's. Each namespace is default-deny in both directions, then each flow the system needs is
/// opened for exactly its pods and ports. Every selector and port comes from a <see cref="Peer"/>, i.e. from the
/// workload itself (<see cref="NetworkPeers"/>), so nothing here retypes a label or a port.
///
/// Host-network pods (SFU, coturn) are not selected by NetworkPolicies and their traffic carries a node address,
/// so flows from them are admitted by ipBlocks of the node CIDRs. Their own ports are protected by the node
/// firewall rules of the port plan, not here. Cilium identifies node addresses as the host / remote-node
/// entities, which ipBlocks do not match unless policy-cidr-match-mode includes nodes: there, add a
/// CiliumNetworkPolicy with fromEntities [host, remote-node] for the same ports.
/// </summary>
public static class NetworkPolicyBuilder
{
    public const string DefaultDeny = "default-deny";
    public const string AllowDns = "allow-dns";
    public const string Redis = "redis";
    public const string RedisMetrics = "redis-metrics";
    public const string Authorizer = "lk-jwt-service";

    public static IReadOnlyList<V1NetworkPolicy> Build(EnvironmentSpec spec, NetworkPeers peers)
    {
        var app = spec.Site.Namespace;
        var media = spec.Site.MediaNamespace;
        var policies = new List<V1NetworkPolicy>
        {
            DenyAll(app), DnsPolicy(spec, app, peers.Dns),
            // The media namespace's host-network pods ignore these; they make sure any pod-network pod ever
            // added there starts closed.
            DenyAll(media), DnsPolicy(spec, media, peers.Dns),
        };
        if (peers is { Redis: { } redis, Sentinel: { } sentinel })
        {
            policies.Add(RedisPolicy(spec, redis, sentinel, peers.Sfu));
            if (redis.Listens.Any(l => l.Purpose == RedisPlan.MetricsPurpose))
            {
                policies.Add(RedisMetricsPolicy(spec, redis, peers.Prometheus));
            }
        }
        policies.Add(AuthorizerPolicy(spec, peers));
        return policies;
    }

    private static V1NetworkPolicy DenyAll(string ns) =>
        Policy(DefaultDeny, ns, All(), ingress: [], egress: []);

    private static V1NetworkPolicy DnsPolicy(EnvironmentSpec spec, string ns, Peer dns) =>
        Policy(AllowDns, ns, All(), ingress: null, egress: [To(spec, ns, dns, dns.Listens)]);

    /// <summary>Redis and Sentinel: from their own pods (replication, gossip) and from the SFU (node addresses).</summary>
    private static V1NetworkPolicy RedisPolicy(EnvironmentSpec spec, Peer redis, Peer sentinel, Peer sfu)
    {
        Listener[] ports = [redis.Listener(RedisPlan.RedisPurpose), sentinel.Listener(RedisPlan.SentinelPurpose)];
        var ns = redis.Namespace!;
        return Policy(Redis, ns, Selector(redis.Selector),
            ingress: [From(spec, ns, redis, ports), From(spec, ns, sfu, ports)],
            egress: [To(spec, ns, redis, ports)]);
    }

    private static V1NetworkPolicy RedisMetricsPolicy(EnvironmentSpec spec, Peer redis, Peer prometheus) =>
        Policy(RedisMetrics, redis.Namespace!, Selector(redis.Selector),
            ingress: [From(spec, redis.Namespace!, prometheus, [redis.Listener(RedisPlan.MetricsPurpose)])],
            egress: null);

    /// <summary>
    /// The authorizer: its public paths only through the ingress controller, its webhook from the SFU (node
    /// addresses); out to the local Synapse, to other homeservers (OpenID userinfo over federation, 443/8448)
    /// and to the SFU's public URL the way the spec says it is reached.
    /// </summary>
    private static V1NetworkPolicy AuthorizerPolicy(EnvironmentSpec spec, NetworkPeers peers)
    {
        var self = peers.Authorizer;
        var ns = self.Namespace!;
        Listener[] http = [self.Listener(AuthorizerPlan.HttpPurpose)];
        var egress = new List<V1NetworkPolicyEgressRule>
        {
            To(spec, ns, peers.Synapse, peers.Synapse.Listens),
            To(spec, ns, peers.Internet, peers.Internet.Listens),
        };
        switch (spec.Cluster.AuthorizerSfuRoute)
        {
            case SfuRoute.Ingress:
                egress.Add(To(spec, ns, peers.Ingress, [peers.Ingress.Listener("HTTPS")]));
                break;
            case SfuRoute.Direct:
                egress.Add(To(spec, ns, peers.Sfu, [peers.Sfu.Listener(PortPlan.SfuApiPurpose)]));
                break;
            case SfuRoute.Public:
                break; // the internet rule above covers 443
        }
        return Policy(Authorizer, ns, Selector(self.Selector),
            ingress: [From(spec, ns, peers.Ingress, http), From(spec, ns, peers.Sfu, http)],
            egress: egress);
    }

    private static V1NetworkPolicyIngressRule From(EnvironmentSpec spec, string ns, Peer source, IEnumerable<Listener> on) =>
        new() { FromProperty = PeersFor(spec, ns, source), Ports = PortsOf(on) };

    private static V1NetworkPolicyEgressRule To(EnvironmentSpec spec, string ns, Peer destination, IEnumerable<Listener> on) =>
        new() { To = PeersFor(spec, ns, destination), Ports = PortsOf(on) };

    /// <summary>How a policy in <paramref name="ns"/> names <paramref name="peer"/>.</summary>
    private static IList<V1NetworkPolicyPeer> PeersFor(EnvironmentSpec spec, string ns, Peer peer)
    {
        if (peer.HostNetwork)
        {
            // A host-network pod has no pod identity; its traffic carries its node's address.
            return spec.Nodes.NodeCidrs.Select(c => Block(c)).ToList();
        }
        if (peer.Namespace is null)
        {
            return InternetRanges.Blocks(spec).Select(b => Block(b.Cidr, b.Except)).ToList();
        }
        if (peer.Selector.Count == 0)
        {
            return [Namespace(peer.Namespace)];
        }
        return peer.Namespace == ns ? [Pods(peer.Selector)] : [PodsIn(peer.Namespace, peer.Selector)];
    }

    // Fresh lists per rule: the objects are mutable, so no two rules share one.
    private static IList<V1NetworkPolicyPort> PortsOf(IEnumerable<Listener> listeners) =>
        listeners.Select(l => NetworkPolicyPort.Of(l.Port, l.Protocol)).ToList();

    /// <summary>
    /// A policy; a null direction is not governed by it, an empty list denies that direction for the
    /// selected pods (Kubernetes' own meaning of policyTypes with no rules).
    /// </summary>
    private static V1NetworkPolicy Policy(string name, string ns, V1LabelSelector podSelector,
        IList<V1NetworkPolicyIngressRule>? ingress, IList<V1NetworkPolicyEgressRule>? egress)
    {
        var types = new List<string>();
        if (ingress is not null)
        {
            types.Add("Ingress");
        }
        if (egress is not null)
        {
            types.Add("Egress");
        }
        return new V1NetworkPolicy
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "NetworkPolicy",
            Metadata = Meta.Object(name, ns, NetworkPlan.Component),
            Spec = new V1NetworkPolicySpec
            {
                PodSelector = podSelector,
                PolicyTypes = types,
                Ingress = ingress is { Count: > 0 } ? ingress : null,
                Egress = egress is { Count: > 0 } ? egress : null,
            },
        };
    }
}
