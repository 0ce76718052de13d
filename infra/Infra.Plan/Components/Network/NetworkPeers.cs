using Infra.Plan.Components.Authorizer;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Components.Redis;
using Infra.Plan.Contract;
using Infra.Plan.Net;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Network;

/// <summary>
/// Every peer the policies and the connectivity report talk about: this project's workloads, taken from their
/// component plans, and the cluster's (ingress controller, Prometheus, DNS and NodeLocal DNSCache, Synapse, any other
/// pod) and the internet, taken from the spec. <see cref="All"/> is the report's order.
/// </summary>
/// <param name="NodeLocalDns">NodeLocal DNSCache at its link-local address (host network, on every node); null without it.</param>
/// <param name="DnsServiceIp">The DNS Service's ClusterIP as NodeLocal DNSCache answers it, untranslated; null without the cache.</param>
/// <param name="AnyPod">Any other pod of the cluster: what a pod-CIDR ipBlock admits besides the nodes.</param>
public sealed record NetworkPeers(
    Peer? Redis,
    Peer? Sentinel,
    Peer Authorizer,
    Peer Sfu,
    Peer Coturn,
    Peer Ingress,
    Peer Prometheus,
    Peer Dns,
    Peer Synapse,
    Peer Internet,
    Peer? NodeLocalDns,
    Peer? DnsServiceIp,
    Peer AnyPod)
{
    public const string IngressName = "ingress-controller";
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
    public IReadOnlyList<Peer> Ours => new[] { Redis, Sentinel, Authorizer, Sfu, Coturn }.OfType<Peer>().ToList();

    public IReadOnlyList<Peer> All =>
        [.. Ours, Ingress, Prometheus, Dns, .. new[] { NodeLocalDns, DnsServiceIp }.OfType<Peer>(), Synapse, AnyPod, Internet];

    public static NetworkPeers From(EnvironmentSpec spec, RedisPlan? redis, AuthorizerPlan authorizer, LivekitPlan livekit, CoturnPlan coturn)
    {
        var cluster = spec.Cluster;
        return new NetworkPeers(
            redis?.Redis,
            redis?.Sentinel,
            authorizer.Peer,
            livekit.Sfu,
            coturn.Peer,
            Pods(IngressName, cluster.IngressNamespace, cluster.IngressPodSelector,
                new Listener(80, Protocol.Tcp, "HTTP"), new Listener(cluster.IngressPodHttpsPort, Protocol.Tcp, "HTTPS")),
            // Prometheus is admitted as its whole namespace (empty selector); the labels are the model's stand-in pod.
            new Peer(PrometheusName, cluster.MonitoringNamespace, new Dictionary<string, string>(),
                new Dictionary<string, string> { ["app.kubernetes.io/name"] = "prometheus" }, false, []),
            Pods(DnsName, cluster.DnsNamespace, cluster.DnsPodSelector, new Listener(53, Protocol.Udp, "DNS"), new Listener(53, Protocol.Tcp, "DNS")),
            Pods(SynapseName, spec.Synapse.Namespace, spec.Synapse.PodSelector, new Listener(spec.Synapse.Port, Protocol.Tcp, "client API")),
            new Peer(InternetName, null, new Dictionary<string, string>(), new Dictionary<string, string>(), false,
                [new Listener(443, Protocol.Tcp, "HTTPS"), new Listener(8448, Protocol.Tcp, "federation")]),
            cluster.NodeLocalDns is null ? null : HostDns(NodeLocalDnsName, cluster.DnsNamespace, "NodeLocal DNSCache"),
            cluster.NodeLocalDns is null || cluster.DnsServiceAddress(spec.Nodes) is null
                ? null : HostDns(DnsServiceIpName, cluster.DnsNamespace, "DNS Service IP, answered by NodeLocal DNSCache"),
            new Peer(AnyPodName, AnyNamespace, new Dictionary<string, string>(),
                new Dictionary<string, string> { ["app.kubernetes.io/name"] = "any" }, false, []));
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
