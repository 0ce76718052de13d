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
/// component plans, and the cluster's (ingress controller, Prometheus, DNS, Synapse) and the internet, taken from the
/// spec. <see cref="All"/> is the report's order.
/// </summary>
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
    Peer Internet)
{
    public const string IngressName = "ingress-controller";
    public const string PrometheusName = "prometheus";
    public const string DnsName = "cluster-dns";
    public const string SynapseName = "synapse";
    public const string InternetName = "internet";

    /// <summary>This project's workloads: the report lists every flow that touches one of them.</summary>
    public IReadOnlyList<Peer> Ours => new[] { Redis, Sentinel, Authorizer, Sfu, Coturn }.OfType<Peer>().ToList();

    public IReadOnlyList<Peer> All => [.. Ours, Ingress, Prometheus, Dns, Synapse, Internet];

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
                [new Listener(443, Protocol.Tcp, "HTTPS"), new Listener(8448, Protocol.Tcp, "federation")]));
    }

    /// <summary>Pods of another namespace, selected by the labels the stack gives for them.</summary>
    private static Peer Pods(string name, string ns, IReadOnlyList<NodeLabel> selector, params Listener[] listens)
    {
        var labels = selector.ToDictionary(l => l.Key, l => l.Value);
        return new Peer(name, ns, labels, labels, false, listens);
    }
}
