using k8s.Models;
using Infra.Plan.Components.Authorizer;
using Infra.Plan.Components.Redis;
using Infra.Plan.Contract;
using Infra.Plan.Kubernetes;
using Infra.Plan.Net;
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
/// Host-network pods (SFU, coturn) are not selected by NetworkPolicies and their traffic carries no pod identity:
/// flows from them are admitted by the ipBlocks of the stack's CNI profile (<see cref="HostSources"/>), on the
/// needed ports only. On Cilium, whose ipBlocks never match nodes, those rules are left out and
/// <see cref="CiliumPolicyBuilder"/> admits the host and remote-node entities instead. Their own ports are protected by
/// the node firewall rules of the port plan, not here.
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

    /// <summary>DNS: the DNS pods, and NodeLocal DNSCache's addresses (<see cref="DnsAddresses"/>), on 53/UDP+TCP.</summary>
    private static V1NetworkPolicy DnsPolicy(EnvironmentSpec spec, string ns, Peer dns)
    {
        var rule = To(spec, ns, dns, dns.Listens)!;
        foreach (var block in DnsAddresses.Blocks(spec))
        {
            rule.To.Add(Block(block));
        }
        return Policy(AllowDns, ns, All(), ingress: null, egress: [rule]);
    }

    /// <summary>Redis and Sentinel: from their own pods (replication, gossip) and from the SFU (the CNI profile's host-network sources).</summary>
    private static V1NetworkPolicy RedisPolicy(EnvironmentSpec spec, Peer redis, Peer sentinel, Peer sfu)
    {
        Listener[] ports = [redis.Listener(RedisPlan.RedisPurpose), sentinel.Listener(RedisPlan.SentinelPurpose)];
        var ns = redis.Namespace!;
        return Policy(Redis, ns, Selector(redis.Selector),
            ingress: Rules(From(spec, ns, redis, ports), From(spec, ns, sfu, ports)),
            egress: Rules(To(spec, ns, redis, ports)));
    }

    private static V1NetworkPolicy RedisMetricsPolicy(EnvironmentSpec spec, Peer redis, Peer prometheus) =>
        Policy(RedisMetrics, redis.Namespace!, Selector(redis.Selector),
            ingress: Rules(From(spec, redis.Namespace!, prometheus, [redis.Listener(RedisPlan.MetricsPurpose)])),
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
        var egress = new List<V1NetworkPolicyEgressRule?>
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
            ingress: Rules(From(spec, ns, peers.Ingress, http), From(spec, ns, peers.Sfu, http)),
            egress: Rules([.. egress]));
    }

    /// <summary>The rules that can be written as NetworkPolicy peers (a null one is Cilium's to admit).</summary>
    private static List<T> Rules<T>(params T?[] rules) where T : class => rules.OfType<T>().ToList();

    // An empty from/to list would admit every peer: a rule without peers is dropped instead (null).
    private static V1NetworkPolicyIngressRule? From(EnvironmentSpec spec, string ns, Peer source, IEnumerable<Listener> on) =>
        PeersFor(spec, ns, source, HostSources.IngressBlocks) is { Count: > 0 } peers ? new() { FromProperty = peers, Ports = PortsOf(on) } : null;

    private static V1NetworkPolicyEgressRule? To(EnvironmentSpec spec, string ns, Peer destination, IEnumerable<Listener> on) =>
        PeersFor(spec, ns, destination, HostSources.EgressBlocks) is { Count: > 0 } peers ? new() { To = peers, Ports = PortsOf(on) } : null;

    /// <summary>How a policy in <paramref name="ns"/> names <paramref name="peer"/>; <paramref name="hostBlocks"/> for a host-network one.</summary>
    private static IList<V1NetworkPolicyPeer> PeersFor(EnvironmentSpec spec, string ns, Peer peer, Func<EnvironmentSpec, IReadOnlyList<Cidr>> hostBlocks)
    {
        if (peer.HostNetwork)
        {
            // A host-network pod has no pod identity: its traffic carries whatever address the CNI gives the node's own traffic.
            return hostBlocks(spec).Select(c => Block(c)).ToList();
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
