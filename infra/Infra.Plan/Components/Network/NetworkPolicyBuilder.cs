using k8s.Models;
using Infra.Plan.Components.Authorizer;
using Infra.Plan.Components.Egress;
using Infra.Plan.Components.Redis;
using Infra.Plan.Contract;
using Infra.Plan.Kubernetes;
using Infra.Plan.Net;
using Infra.Plan.Ports;
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
/// the node firewall rules of the port plan, not here. Off the host network (<c>sfuMediaExposure</c> nodePort or
/// loadBalancer) the SFU is a pod like the others: default-deny applies to it and <see cref="SfuPolicy"/> opens its flows.
/// </summary>
public static class NetworkPolicyBuilder
{
    public const string DefaultDeny = "default-deny";
    public const string AllowDns = "allow-dns";
    public const string Redis = "redis";
    public const string RedisMetrics = "redis-metrics";
    public const string Authorizer = "lk-jwt-service";
    public const string Egress = "livekit-egress";
    public const string Sfu = "livekit-sfu";

    public static IReadOnlyList<V1NetworkPolicy> Build(NetworkInput input, NetworkPeers peers)
    {
        var app = input.Site.Namespace;
        var media = input.Site.MediaNamespace;
        var policies = new List<V1NetworkPolicy>
        {
            DenyAll(app), DnsPolicy(input, app, peers.Dns),
            // The media namespace's host-network pods ignore these; they make sure any pod-network pod ever
            // added there starts closed (and off the host network, the SFU).
            DenyAll(media), DnsPolicy(input, media, peers.Dns),
        };
        if (peers is { Redis: { } redis, Sentinel: { } sentinel })
        {
            policies.Add(RedisPolicy(input, redis, sentinel, peers.Sfu, peers.Egress?.Pods));
            if (redis.Listens.Any(l => l.Purpose == RedisPlan.MetricsPurpose))
            {
                policies.Add(RedisMetricsPolicy(input, redis, peers.Prometheus));
            }
        }
        policies.Add(AuthorizerPolicy(input, peers));
        if (peers.Sfu.IsPod)
        {
            policies.Add(SfuPolicy(input, peers));
        }
        if (peers.Egress is { } egress)
        {
            policies.Add(EgressPolicy(input, peers, egress));
        }
        return policies;
    }

    private static V1NetworkPolicy DenyAll(string ns) =>
        Policy(DefaultDeny, ns, All(), ingress: [], egress: []);

    /// <summary>DNS: the DNS pods, and NodeLocal DNSCache's addresses (<see cref="DnsAddresses"/>), on 53/UDP+TCP.</summary>
    private static V1NetworkPolicy DnsPolicy(NetworkInput input, string ns, Peer dns)
    {
        var rule = To(input, ns, dns, dns.Listens)!;
        foreach (var block in DnsAddresses.Blocks(input))
        {
            rule.To.Add(Block(block));
        }
        return Policy(AllowDns, ns, All(), ingress: null, egress: [rule]);
    }

    /// <summary>Redis and Sentinel: from their own pods (replication, gossip), from the SFU (the CNI profile's host-network sources) and from Egress.</summary>
    private static V1NetworkPolicy RedisPolicy(NetworkInput input, Peer redis, Peer sentinel, Peer sfu, Peer? egress)
    {
        Listener[] ports = [redis.Listener(RedisPlan.RedisPurpose), sentinel.Listener(RedisPlan.SentinelPurpose)];
        var ns = redis.Namespace!;
        return Policy(Redis, ns, Selector(redis.Selector),
            ingress: Rules(From(input, ns, redis, ports), From(input, ns, sfu, ports), egress is null ? null : From(input, ns, egress, ports)),
            egress: Rules(To(input, ns, redis, ports)));
    }

    /// <summary>
    /// LiveKit Egress: nothing in but Prometheus on the metrics port; out to Redis (its room-job bus), the SFU's API and
    /// media at the node addresses and at the public addresses it advertises, the bucket, and RTMP(S) servers when
    /// streaming is on. With an existing Sentinel cluster, whose addresses the spec gives only as names, the Redis
    /// ports are open to any destination.
    /// </summary>
    private static V1NetworkPolicy EgressPolicy(NetworkInput input, NetworkPeers peers, EgressPeers egress)
    {
        var self = egress.Pods;
        var ns = self.Namespace!;
        var sfu = peers.Sfu;
        Listener[] media = [sfu.Listener(PortPlan.RtcTcpPurpose), sfu.Listener(PortPlan.RtcUdpPurpose)];
        var rules = new List<V1NetworkPolicyEgressRule?>();
        if (peers is { Redis: { } redis, Sentinel: { } sentinel })
        {
            rules.Add(To(input, ns, redis, [redis.Listener(RedisPlan.RedisPurpose), sentinel.Listener(RedisPlan.SentinelPurpose)]));
        }
        else
        {
            rules.Add(new V1NetworkPolicyEgressRule { Ports = PortsOf(ExistingRedisPorts(input)) });
        }
        // The node addresses (on Cilium the host/remote-node entities: CiliumPolicyBuilder); off the host network the SFU
        // pods, which its Service and its node ports and in-cluster load-balancer addresses translate to before any policy.
        rules.Add(To(input, ns, sfu, [sfu.Listener(PortPlan.SfuApiPurpose), .. media]));
        rules.Add(To(input, ns, egress.SfuPublic, egress.SfuPublic.Listens));
        if (input.Sfu.Media.Exposure == MediaExposure.LoadBalancer)
        {
            // A load balancer the node does not short-circuit (a private one among them) is reached at its own address.
            rules.Add(new V1NetworkPolicyEgressRule { To = LoadBalancerBlocks(input), Ports = PortsOf(media) });
        }
        if (egress.Storage is { } storage)
        {
            rules.Add(input.Egress.StorageCidrs.Count > 0
                ? new V1NetworkPolicyEgressRule { To = input.Egress.StorageCidrs.Select(c => Block(c)).ToList(), Ports = PortsOf(storage.Listens) }
                : To(input, ns, storage, storage.Listens));
        }
        if (egress.Streams is { } streams)
        {
            rules.Add(To(input, ns, streams, streams.Listens));
        }
        var ingress = input.Cluster.Monitoring ? Rules(From(input, ns, peers.Prometheus, [self.Listener(EgressPlan.MetricsPurpose)])) : [];
        return Policy(Egress, ns, Selector(self.Selector), ingress: ingress, egress: Rules([.. rules]));
    }

    /// <summary>
    /// The SFU off the host network. In: its media ports (the port plan's internet-exposed ones: ICE-TCP, RTC UDP, LiveKit's
    /// TURN/UDP and, behind a load balancer, TURN/TLS) from anywhere, since clients call from everywhere and
    /// externalTrafficPolicy Local keeps their own addresses; the API only from the routing data plane (as the
    /// authorizer's public paths), from Egress (its in-cluster ws_url) and from the authorizer when it reaches the SFU
    /// directly; metrics only from Prometheus. Out: Redis and Sentinel (room state; with an existing Sentinel cluster its
    /// ports to any destination, as for Egress), the authorizer's webhook, DNS (allow-dns), and what its own TURN and STUN
    /// need (<see cref="SfuOutsidePeers"/>): the relay's UDP to its advertised address on the RTC UDP port, which the node
    /// translates to an SFU pod where the address is its own or an in-cluster load-balancer address, and which otherwise
    /// leaves the pod for the load balancers' addresses or, found by STUN, a public address; the STUN servers' UDP ports.
    /// Nothing else: the relay cannot be used to reach other hosts, and replies to clients are return traffic.
    /// </summary>
    private static V1NetworkPolicy SfuPolicy(NetworkInput input, NetworkPeers peers)
    {
        var self = peers.Sfu;
        var ns = self.Namespace!;
        Listener[] api = [self.Listener(PortPlan.SfuApiPurpose)];
        var ingress = new List<V1NetworkPolicyIngressRule?>
        {
            // No "from": every source (NetworkPolicyIngressRule: "If this field is empty or missing, this rule matches all sources").
            new() { Ports = PortsOf(input.SfuMediaListeners) },
            From(input, ns, peers.Ingress, api),
            peers.Egress is { } egress ? From(input, ns, egress.Pods, api) : null,
            input.Cluster.AuthorizerSfuRoute == SfuRoute.Direct ? From(input, ns, peers.Authorizer, api) : null,
            input.Cluster.Monitoring ? From(input, ns, peers.Prometheus, [self.Listener(PortPlan.MetricsPurpose)]) : null,
        };
        var egressRules = new List<V1NetworkPolicyEgressRule?>();
        if (peers is { Redis: { } redis, Sentinel: { } sentinel })
        {
            egressRules.Add(To(input, ns, redis, [redis.Listener(RedisPlan.RedisPurpose), sentinel.Listener(RedisPlan.SentinelPurpose)]));
        }
        else
        {
            egressRules.Add(new V1NetworkPolicyEgressRule { Ports = PortsOf(ExistingRedisPorts(input)) });
        }
        egressRules.Add(To(input, ns, peers.Authorizer, [peers.Authorizer.Listener(AuthorizerPlan.HttpPurpose)]));
        Listener[] relay = [self.Listener(PortPlan.RtcUdpPurpose)];
        egressRules.Add(To(input, ns, self, relay));
        if (peers.SfuOutside?.Advertised is { } advertised)
        {
            egressRules.Add(input.Sfu.Media.Exposure == MediaExposure.LoadBalancer
                ? new V1NetworkPolicyEgressRule { To = LoadBalancerBlocks(input), Ports = PortsOf(relay) }
                : To(input, ns, advertised, relay));
        }
        if (peers.SfuOutside?.Stun is { } stun)
        {
            egressRules.Add(To(input, ns, stun, stun.Listens));
        }
        return Policy(Sfu, ns, Selector(self.Selector), ingress: Rules([.. ingress]), egress: Rules([.. egressRules]));
    }

    /// <summary>Each load-balancer address the SFUs advertise, as a /32 (/128).</summary>
    private static List<V1NetworkPolicyPeer> LoadBalancerBlocks(NetworkInput input) =>
        input.Sfu.Media.LoadBalancerAddresses.Select(a => Block(DnsAddresses.Host(a))).ToList();

    /// <summary>The ports of the existing sentinels, and Redis's own (the master address Sentinel hands out).</summary>
    private static IEnumerable<Listener> ExistingRedisPorts(NetworkInput input) =>
        (input.ExistingRedis?.Addresses ?? [])
            .Select(a => int.TryParse(a[(a.LastIndexOf(':') + 1)..], out var port) ? port : Names.SentinelPort)
            .Append(Names.RedisPort)
            .Distinct()
            .Select(p => new Listener(p, Protocol.Tcp, "existing Redis Sentinel"));

    private static V1NetworkPolicy RedisMetricsPolicy(NetworkInput input, Peer redis, Peer prometheus) =>
        Policy(RedisMetrics, redis.Namespace!, Selector(redis.Selector),
            ingress: Rules(From(input, redis.Namespace!, prometheus, [redis.Listener(RedisPlan.MetricsPurpose)])),
            egress: null);

    /// <summary>
    /// The authorizer: its public paths only through the ingress controller, its webhook from the SFU (node
    /// addresses); out to the local Synapse, to other homeservers (OpenID userinfo over federation, 443/8448)
    /// and to the SFU's public URL the way the spec says it is reached.
    /// </summary>
    private static V1NetworkPolicy AuthorizerPolicy(NetworkInput input, NetworkPeers peers)
    {
        var self = peers.Authorizer;
        var ns = self.Namespace!;
        Listener[] http = [self.Listener(AuthorizerPlan.HttpPurpose)];
        var egress = new List<V1NetworkPolicyEgressRule?>
        {
            To(input, ns, peers.Synapse, peers.Synapse.Listens),
            To(input, ns, peers.Internet, peers.Internet.Listens),
        };
        switch (input.Cluster.AuthorizerSfuRoute)
        {
            case SfuRoute.Ingress:
                egress.Add(To(input, ns, peers.Ingress, [peers.Ingress.Listener("HTTPS")]));
                break;
            case SfuRoute.Direct:
                egress.Add(To(input, ns, peers.Sfu, [peers.Sfu.Listener(PortPlan.SfuApiPurpose)]));
                break;
            case SfuRoute.Public:
                break; // the internet rule above covers 443
        }
        return Policy(Authorizer, ns, Selector(self.Selector),
            ingress: Rules(From(input, ns, peers.Ingress, http), From(input, ns, peers.Sfu, http)),
            egress: Rules([.. egress]));
    }

    /// <summary>The rules that can be written as NetworkPolicy peers (a null one is Cilium's to admit).</summary>
    private static List<T> Rules<T>(params T?[] rules) where T : class => rules.OfType<T>().ToList();

    // An empty from/to list would admit every peer: a rule without peers is dropped instead (null).
    private static V1NetworkPolicyIngressRule? From(NetworkInput input, string ns, Peer source, IEnumerable<Listener> on) =>
        PeersFor(input, ns, source, HostSources.IngressBlocks) is { Count: > 0 } peers ? new() { FromProperty = peers, Ports = PortsOf(on) } : null;

    private static V1NetworkPolicyEgressRule? To(NetworkInput input, string ns, Peer destination, IEnumerable<Listener> on) =>
        PeersFor(input, ns, destination, HostSources.EgressBlocks) is { Count: > 0 } peers ? new() { To = peers, Ports = PortsOf(on) } : null;

    /// <summary>How a policy in <paramref name="ns"/> names <paramref name="peer"/>; <paramref name="hostBlocks"/> for a host-network one.</summary>
    private static IList<V1NetworkPolicyPeer> PeersFor(NetworkInput input, string ns, Peer peer, Func<NetworkInput, IReadOnlyList<Cidr>> hostBlocks)
    {
        if (peer.HostNetwork)
        {
            // A host-network pod has no pod identity: its traffic carries whatever address the CNI gives the node's own traffic.
            return hostBlocks(input).Select(c => Block(c)).ToList();
        }
        if (peer.Namespace is null)
        {
            return InternetRanges.Blocks(input).Select(b => Block(b.Cidr, b.Except)).ToList();
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
