using Infra.Plan.Contract;
using Infra.Plan.Net;
using Infra.Plan.Ports;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Network;

/// <summary>
/// LiveKit Egress's pods and what it reaches outside the cluster (only when Egress is deployed): the bucket, RTMP(S)
/// servers (only with streaming on) and the media nodes' public addresses. The SFU advertises those in its ICE
/// candidates (use_external_ip rewrites the node address), so Egress, a WebRTC client like any other, sends media there
/// and the router's hairpin NAT brings it back to the node. <see cref="Addresses"/> places them in the connectivity model.
/// </summary>
public sealed record EgressPeers(Peer Pods, Peer? Storage, Peer? Streams, Peer SfuPublic, IReadOnlyDictionary<string, System.Net.IPAddress> Addresses)
{
    public const string StorageName = "object-storage";
    public const string StreamsName = "rtmp-servers";
    public const string SfuPublicName = "sfu-public";

    /// <summary>Standard RTMP and RTMPS ports (YouTube, Twitch and Facebook ingest use 1935 and 443).</summary>
    public const int RtmpPort = 1935;
    public const int RtmpsPort = 443;

    public IEnumerable<Peer> OutsidePeers => new[] { Storage, Streams, SfuPublic }.OfType<Peer>();

    /// <summary>Egress's peers from its pods (<paramref name="pods"/>) and its section and the SFU's media ports in <paramref name="input"/>.</summary>
    public static EgressPeers From(NetworkInput input, Peer pods)
    {
        var e = input.Egress;
        var addresses = new Dictionary<string, System.Net.IPAddress>
        {
            // Documentation addresses (RFC 5737) unless the bucket sits in a private range the spec names.
            [StorageName] = e.StorageCidrs.Count > 0 ? e.StorageCidrs[0].Network : System.Net.IPAddress.Parse("203.0.113.20"),
            [StreamsName] = System.Net.IPAddress.Parse("203.0.113.30"),
            [SfuPublicName] = System.Net.IPAddress.Parse("203.0.113.40"),
        };
        var ports = input.Ports;
        return new EgressPeers(
            pods,
            e.S3 is { } s3 ? Outside(StorageName, new Listener(s3.Port, Protocol.Tcp, "S3 API (recording uploads)")) : null,
            e.Streaming
                ? Outside(StreamsName, new Listener(RtmpPort, Protocol.Tcp, "RTMP"), new Listener(RtmpsPort, Protocol.Tcp, "RTMPS"))
                : null,
            Outside(SfuPublicName,
                new Listener(ports.SfuRtcTcp, Protocol.Tcp, "ICE-TCP media (public address, hairpin NAT)"),
                new Listener(ports.SfuRtcUdp, Protocol.Udp, "RTC media (public address, hairpin NAT)")),
            addresses);
    }

    private static Peer Outside(string name, params Listener[] listens) =>
        new(name, null, new Dictionary<string, string>(), new Dictionary<string, string>(), false, listens);
}

/// <summary>
/// Where an SFU off the host network sends outside the cluster (null on the host network): its relay loop-back and its STUN
/// queries. LiveKit's own TURN relays a client's media as real UDP to the peer the client names, the SFU's advertised
/// candidate (livekit/livekit 788d4c35 pkg/service/turn.go: <c>RelayAddressGeneratorPortRange</c>, the permission handler
/// admits any public peer), i.e. its RTC UDP port at the address it advertises. That address is the load balancer's
/// (<c>loadBalancer</c>) or, with <c>sfuNodeAddress: stun</c>, the public address STUN finds for the node; with
/// <c>hostIP</c> it is the node's own, which the node translates to an SFU pod before any policy sees it (kube-proxy's
/// KUBE-NODEPORTS for destinations of type LOCAL, Cilium's NodePort/socket load balancing), so only the SFU pods need admitting
/// (<see cref="NetworkPolicyBuilder"/>). Any SFU pod: kube-proxy sends a pod's traffic to a node port or an in-cluster
/// load-balancer address by the Cluster policy whatever externalTrafficPolicy says (kubernetes pkg/proxy/iptables/proxier.go,
/// "pod traffic for … external destinations"). With STUN, LiveKit asks <c>rtc.stun_servers</c> over UDP at start and exits when none
/// answers (mediatransportutil <c>pkg/rtcconfig/ip.go</c>, <c>determineIP</c>). <see cref="Addresses"/> places both in the
/// connectivity model: the first load-balancer address, or documentation addresses (RFC 5737).
/// </summary>
/// <param name="Advertised">The SFU's advertised address on its RTC UDP port; null with <c>hostIP</c>.</param>
/// <param name="Stun">The STUN servers on their ports; null unless the SFU asks STUN for its address.</param>
public sealed record SfuOutsidePeers(Peer? Advertised, Peer? Stun, IReadOnlyDictionary<string, System.Net.IPAddress> Addresses)
{
    public const string AdvertisedName = "sfu-advertised";
    public const string StunName = "stun-servers";

    public IEnumerable<Peer> All => new[] { Advertised, Stun }.OfType<Peer>();

    /// <summary>The SFU's outside destinations for <paramref name="input"/>; null on the host network (no policy selects the SFU there).</summary>
    public static SfuOutsidePeers? From(NetworkInput input, Peer sfu)
    {
        var media = input.Sfu.Media;
        if (media.HostNetwork)
        {
            return null;
        }
        var udp = sfu.Listener(PortPlan.RtcUdpPurpose);
        var relay = new Listener(udp.Port, udp.Protocol, "RTC media at the SFU's advertised address (TURN relay loop-back)");
        var addresses = new Dictionary<string, System.Net.IPAddress>();
        Peer? advertised = null;
        Peer? stun = null;
        if (media.Exposure == MediaExposure.LoadBalancer)
        {
            advertised = Outside(AdvertisedName, relay);
            addresses[AdvertisedName] = media.LoadBalancerAddresses[0];
        }
        else if (media.NodeAddress == NodeAddressSource.Stun)
        {
            advertised = Outside(AdvertisedName, relay);
            addresses[AdvertisedName] = System.Net.IPAddress.Parse("203.0.113.50");
            stun = Outside(StunName, [.. input.Sfu.StunServers.Select(s => s.Port).Distinct().Order()
                .Select(p => new Listener(p, Protocol.Udp, "STUN (the SFU's public address, at start)"))]);
            addresses[StunName] = System.Net.IPAddress.Parse("203.0.113.60");
        }
        return new SfuOutsidePeers(advertised, stun, addresses);
    }

    private static Peer Outside(string name, params Listener[] listens) =>
        new(name, null, new Dictionary<string, string>(), new Dictionary<string, string>(), false, listens);
}

/// <summary>
/// Every peer the policies and the connectivity report talk about: this project's workloads, as their
/// component plans give them, and the cluster's (the routing data plane: the Gateway's proxy pods or the ingress controller; Prometheus, DNS and NodeLocal DNSCache, Synapse, any other
/// pod) and the internet, taken from the <see cref="NetworkInput"/>. <see cref="All"/> is the report's order.
/// </summary>
/// <param name="NodeLocalDns">NodeLocal DNSCache at its link-local address (host network, on every node); null without it.</param>
/// <param name="DnsServiceIp">The DNS Service's ClusterIP as NodeLocal DNSCache answers it, untranslated; null without the cache.</param>
/// <param name="Ingress">The pods that carry the RTC host's traffic in: the Gateway's data plane (routing gateway,
/// <see cref="GatewayName"/>) or the ingress controller (routing ingress, <see cref="IngressName"/>).</param>
/// <param name="AnyPod">Any other pod of the cluster: what a pod-CIDR ipBlock admits besides the nodes.</param>
public sealed record NetworkPeers(
    Peer? Redis,
    Peer? Sentinel,
    Peer Authorizer,
    Peer Sfu,
    Peer? Coturn,
    Peer Ingress,
    Peer Prometheus,
    Peer Dns,
    Peer Synapse,
    Peer Internet,
    Peer? NodeLocalDns,
    Peer? DnsServiceIp,
    Peer AnyPod,
    EgressPeers? Egress = null,
    SfuOutsidePeers? SfuOutside = null)
{
    public const string IngressName = "ingress-controller";
    public const string GatewayName = "gateway-proxy";
    public const string PrometheusName = "prometheus";
    public const string DnsName = "cluster-dns";
    public const string SynapseName = "synapse";
    public const string InternetName = "internet";
    public const string NodeLocalDnsName = "node-local-dns";
    public const string DnsServiceIpName = "dns-service-ip";
    public const string AnyPodName = "any-pod";

    /// <summary>A namespace name no cluster can have (not a DNS label): the any-pod stand-in lives in none of ours.</summary>
    public const string AnyNamespace = "(any other)";

    /// <summary>This project's workloads: the report lists every flow that touches one of them.</summary>
    public IReadOnlyList<Peer> Ours => new[] { Redis, Sentinel, Authorizer, Sfu, Coturn, Egress?.Pods }.OfType<Peer>().ToList();

    public IReadOnlyList<Peer> All =>
        [.. Ours, Ingress, Prometheus, Dns, .. new[] { NodeLocalDns, DnsServiceIp }.OfType<Peer>(), Synapse, AnyPod, Internet, .. Egress?.OutsidePeers ?? [], .. SfuOutside?.All ?? []];

    /// <summary>Where the model places an outside destination (Egress's, the SFU's); null for the internet itself.</summary>
    public System.Net.IPAddress? OutsideAddress(string name) =>
        Egress?.Addresses.GetValueOrDefault(name) ?? SfuOutside?.Addresses.GetValueOrDefault(name);

    /// <summary>
    /// The workloads' peers as their components give them (<paramref name="redis"/> and <paramref name="sentinel"/> null
    /// with an existing Sentinel cluster, <paramref name="egress"/> null without Egress), and the cluster's from <paramref name="input"/>.
    /// </summary>
    public static NetworkPeers From(NetworkInput input, Peer? redis, Peer? sentinel, Peer authorizer, Peer sfu, Peer? coturn, Peer? egress = null)
    {
        var cluster = input.Cluster;
        return new NetworkPeers(
            redis,
            sentinel,
            authorizer,
            sfu,
            coturn,
            RoutingPeer(input),
            // Prometheus is admitted as its whole namespace (empty selector); the labels are the model's stand-in pod.
            new Peer(PrometheusName, cluster.MonitoringNamespace, new Dictionary<string, string>(),
                new Dictionary<string, string> { ["app.kubernetes.io/name"] = "prometheus" }, false, []),
            Pods(DnsName, cluster.DnsNamespace, cluster.DnsPodSelector, new Listener(53, Protocol.Udp, "DNS"), new Listener(53, Protocol.Tcp, "DNS")),
            Pods(SynapseName, input.Synapse.Namespace, input.Synapse.PodSelector, new Listener(input.Synapse.Port, Protocol.Tcp, "client API")),
            new Peer(InternetName, null, new Dictionary<string, string>(), new Dictionary<string, string>(), false,
                [new Listener(443, Protocol.Tcp, "HTTPS"), new Listener(8448, Protocol.Tcp, "federation")]),
            cluster.NodeLocalDns is null ? null : HostDns(NodeLocalDnsName, cluster.DnsNamespace, "NodeLocal DNSCache"),
            cluster.NodeLocalDns is null || cluster.DnsServiceAddress(input.Nodes) is null
                ? null : HostDns(DnsServiceIpName, cluster.DnsNamespace, "DNS Service IP, answered by NodeLocal DNSCache"),
            new Peer(AnyPodName, AnyNamespace, new Dictionary<string, string>(),
                new Dictionary<string, string> { ["app.kubernetes.io/name"] = "any" }, false, []),
            egress is null ? null : EgressPeers.From(input, egress),
            SfuOutsidePeers.From(input, sfu));
    }

    /// <summary>
    /// The routing data plane of the stack's routing mode and its HTTPS container port (the only one a policy opens). The
    /// ingress controller is also listed on 80; a Gateway's HTTP port depends on its listeners, so none is assumed.
    /// </summary>
    private static Peer RoutingPeer(NetworkInput input)
    {
        var pods = input.Cluster.RoutingPods(input.Routing.Mode);
        var https = new Listener(pods.HttpsPort, Protocol.Tcp, "HTTPS");
        return input.Routing.Mode == RoutingMode.Gateway
            ? Pods(GatewayName, pods.Namespace, pods.Selector, https)
            : Pods(IngressName, pods.Namespace, pods.Selector, new Listener(80, Protocol.Tcp, "HTTP"), https);
    }

    /// <summary>NodeLocal DNSCache: host network on the querying pod's node, DNS on 53.</summary>
    private static Peer HostDns(string name, string ns, string purpose) =>
        new(name, ns, new Dictionary<string, string>(), new Dictionary<string, string>(), true,
            [new Listener(53, Protocol.Udp, purpose), new Listener(53, Protocol.Tcp, purpose)]);

    /// <summary>Pods of another namespace, selected by the labels the stack gives for them.</summary>
    private static Peer Pods(string name, string ns, IReadOnlyList<NodeLabel> selector, params Listener[] listens)
    {
        var labels = selector.ToDictionary(l => l.Key, l => l.Value);
        return new Peer(name, ns, labels, labels, false, listens);
    }
}
