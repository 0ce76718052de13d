using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Infra.Plan.Net;

namespace Infra.Plan.Spec.Sections;

/// <summary>
/// The cluster's network plugin, as far as the NetworkPolicies care: how traffic of host-network pods (the SFU, coturn)
/// looks when it reaches a pod on another node. Each profile admits exactly the source addresses (or, on Cilium, the
/// identities) its data paths produce; <c>infra/Infra.Render/Network/Dataplanes.cs</c> holds the evidence.
/// </summary>
public enum CniProfile
{
    /// <summary>Any CNI that enforces ipBlocks by address (every one below but Cilium): node and pod CIDRs.</summary>
    Generic,
    /// <summary>Calico routing without encapsulation (BGP): the sender's node address.</summary>
    CalicoBgp,
    /// <summary>Calico IPIP or VXLAN (Always or CrossSubnet): the sender's tunnel address, anywhere in the pool, or its node address.</summary>
    CalicoOverlay,
    /// <summary>flannel (VXLAN, WireGuard, host-gw), Canal, k3s, RKE2: the first address of the sender's node subnet, or its node address.</summary>
    Flannel,
    /// <summary>Cilium: identities host and remote-node, which ipBlocks do not match; CiliumNetworkPolicies admit them.</summary>
    Cilium,
}

/// <summary>How the authorizer reaches the SFU when it creates rooms through its <c>LIVEKIT_URL</c>.</summary>
public enum SfuRoute
{
    /// <summary>
    /// The public URL resolves to the cluster's own load balancer; kube-proxy short-circuits that address to
    /// the routing data plane (the Gateway's proxy pods or the ingress controller pods), so the policy must allow those
    /// pods on their HTTPS container port.
    /// </summary>
    Ingress,
    /// <summary>The public URL leaves the cluster (external load balancer/CDN): covered by the internet 443 rule.</summary>
    Public,
    /// <summary>The URL names the SFU's host port directly (private setups): node CIDRs on the SFU API port.</summary>
    Direct,
}

/// <summary>The pods that carry the RTC host's traffic into the cluster: where they run, their labels, their HTTPS container port.</summary>
public sealed record DataPlanePods(string Namespace, IReadOnlyList<NodeLabel> Selector, int HttpsPort);

/// <summary>Cluster services the NetworkPolicies must let traffic reach or come from.</summary>
public sealed record ClusterSpec(
    string DnsNamespace,
    IReadOnlyList<NodeLabel> DnsPodSelector,
    string IngressNamespace,
    IReadOnlyList<NodeLabel> IngressPodSelector,
    bool Monitoring,
    string MonitoringNamespace,
    int IngressPodHttpsPort,
    DataPlanePods GatewayPods,
    SfuRoute AuthorizerSfuRoute,
    CniProfile Cni,
    string ClusterDomain,
    IPAddress? NodeLocalDns,
    IPAddress? DnsServiceIp)
{
    /// <summary>The ingress controller's pods (routing ingress).</summary>
    public DataPlanePods IngressPods => new(IngressNamespace, IngressPodSelector, IngressPodHttpsPort);

    /// <summary>The pods that carry the RTC host's traffic in the stack's routing mode.</summary>
    public DataPlanePods RoutingPods(RoutingMode mode) => mode == RoutingMode.Gateway ? GatewayPods : IngressPods;

    /// <summary>
    /// The DNS Service's ClusterIP: as configured, else the 10th address of the first service CIDR, where kubeadm,
    /// k3s, RKE2, EKS and AKS put it. Null when there is no service CIDR to take it from.
    /// </summary>
    public IPAddress? DnsServiceAddress(NodesSpec nodes) =>
        DnsServiceIp ?? nodes.ServiceCidrs.Select(c => IpRange.FromNumber(IpRange.ToNumber(c.Network) + 10, c.Family)).FirstOrDefault();
}

public static partial class ClusterSection
{
    public static readonly ConfigKey DnsNamespace = new("dnsNamespace", ConfigType.String,
        "Namespace of the cluster DNS.", "kube-system");
    public static readonly ConfigKey DnsPodSelector = new("dnsPodSelector", ConfigType.StringArray,
        "Labels (key=value) of the cluster DNS pods.", new[] { "k8s-app=kube-dns" });
    public static readonly ConfigKey IngressNamespace = new("ingressNamespace", ConfigType.String,
        "Namespace of the ingress controller pods (routing ingress).", "ingress-nginx");
    public static readonly ConfigKey IngressPodSelector = new("ingressPodSelector", ConfigType.StringArray,
        "Labels (key=value) of the ingress controller pods (routing ingress).", new[] { "app.kubernetes.io/name=ingress-nginx" });
    public static readonly ConfigKey Monitoring = new("monitoring", ConfigType.Boolean,
        "ServiceMonitors, PrometheusRules and a Grafana dashboard (needs the Prometheus operator CRDs).", false);
    public static readonly ConfigKey MonitoringNamespace = new("monitoringNamespace", ConfigType.String,
        "Namespace of Prometheus; only it may scrape the metrics ports.", "monitoring");
    public static readonly ConfigKey IngressPodHttpsPort = new("ingressPodHttpsPort", ConfigType.Integer,
        "HTTPS container port of the ingress controller pods (routing ingress; the authorizer reaches the SFU's public URL through them).", 443);
    public static readonly ConfigKey GatewayPodNamespace = new("gatewayPodNamespace", ConfigType.String,
        "Namespace of the Gateway's data-plane (proxy) pods (routing gateway). Envoy Gateway runs them in its own namespace " +
        "unless its Gateway namespace mode is on.", "envoy-gateway-system");
    public static readonly ConfigKey GatewayPodSelector = new("gatewayPodSelector", ConfigType.StringArray,
        "Labels (key=value) of the Gateway's data-plane pods (routing gateway); the default is Envoy Gateway's proxy labels. " +
        "Add gateway.envoyproxy.io/owning-gateway-name=<gatewayName> to admit only that Gateway's proxies.",
        new[] { "app.kubernetes.io/name=envoy", "app.kubernetes.io/component=proxy", "app.kubernetes.io/managed-by=envoy-gateway" });
    public static readonly ConfigKey GatewayPodHttpsPort = new("gatewayPodHttpsPort", ConfigType.Integer,
        "HTTPS container port of the Gateway's data-plane pods (routing gateway): Envoy Gateway listens on the listener port " +
        "plus 10000 for ports below 1024 (443 -> 10443); Cilium, Istio, Traefik and NGINX Gateway Fabric differ (README).", 10443);
    public static readonly ConfigKey AuthorizerSfuRoute = new("authorizerSfuRoute", ConfigType.String,
        "How the authorizer reaches the SFU's public URL: ingress (the URL resolves to this cluster's load balancer: the Gateway's " +
        "or ingress controller's pods), " +
        "public (it leaves the cluster) or direct (node addresses on the SFU API port).", "ingress");
    public static readonly ConfigKey Cni = new("cni", ConfigType.String,
        "The cluster's network plugin, for how host-network traffic (the SFU) reaches Redis and the authorizer webhook: " +
        "generic (any CNI but Cilium: admits the node and pod CIDRs), calico-bgp (node CIDRs), calico-overlay (Calico IPIP/VXLAN: " +
        "node and pod CIDRs), flannel (flannel, Canal, k3s, RKE2: node CIDRs and each node subnet's first address) or cilium " +
        "(CiliumNetworkPolicies admitting the host and remote-node entities). Each opens only Redis, Sentinel and the authorizer's port to them.", "generic");
    public static readonly ConfigKey ClusterDomain = new("clusterDomain", ConfigType.String,
        "The cluster's DNS domain (kubelet --cluster-domain): every in-cluster name is built with it (Sentinel addresses, " +
        "the webhook URL, the Redis TLS names).", "cluster.local");
    public static readonly ConfigKey NodeLocalDnsAddress = new("nodeLocalDnsAddress", ConfigType.String,
        "Address NodeLocal DNSCache listens on (upstream 169.254.20.10, kubespray 169.254.25.10): allow-dns admits it and " +
        "dnsServiceIp on 53/UDP+TCP, since the cache answers both from the host network without DNAT. Empty: no NodeLocal DNSCache.",
        "169.254.20.10");
    public static readonly ConfigKey DnsServiceIp = new("dnsServiceIp", ConfigType.String,
        "ClusterIP of the cluster DNS Service (kubectl -n kube-system get svc kube-dns), admitted with nodeLocalDnsAddress. " +
        "Empty: the 10th address of the first service CIDR (kubeadm, k3s, RKE2, EKS and AKS put it there, e.g. 10.96.0.10).", "");

    public static IReadOnlyList<ConfigKey> Keys { get; } =
        [DnsNamespace, DnsPodSelector, IngressNamespace, IngressPodSelector, Monitoring, MonitoringNamespace, IngressPodHttpsPort,
         GatewayPodNamespace, GatewayPodSelector, GatewayPodHttpsPort, AuthorizerSfuRoute, Cni, ClusterDomain, NodeLocalDnsAddress, DnsServiceIp];

    private static readonly Dictionary<string, SfuRoute> Routes = new()
    {
        ["ingress"] = SfuRoute.Ingress,
        ["public"] = SfuRoute.Public,
        ["direct"] = SfuRoute.Direct,
    };

    private static readonly Dictionary<string, CniProfile> Profiles = new()
    {
        ["generic"] = CniProfile.Generic,
        ["calico-bgp"] = CniProfile.CalicoBgp,
        ["calico-overlay"] = CniProfile.CalicoOverlay,
        ["flannel"] = CniProfile.Flannel,
        ["cilium"] = CniProfile.Cilium,
    };

    /// <summary>The config spelling of a profile (the report and the README name profiles this way).</summary>
    public static string Name(CniProfile profile) => Profiles.Single(p => p.Value == profile).Key;

    public static ClusterSpec Read(ConfigReader r) => new(
        r.DnsLabel(DnsNamespace),
        Labels(r, DnsPodSelector),
        r.DnsLabel(IngressNamespace),
        Labels(r, IngressPodSelector),
        r.Bool(Monitoring),
        r.DnsLabel(MonitoringNamespace),
        r.Int(IngressPodHttpsPort, 1, 65535),
        new DataPlanePods(r.DnsLabel(GatewayPodNamespace), Labels(r, GatewayPodSelector), r.Int(GatewayPodHttpsPort, 1, 65535)),
        r.Choice(AuthorizerSfuRoute, Routes, SfuRoute.Ingress),
        r.Choice(Cni, Profiles, CniProfile.Generic),
        Domain(r),
        Address(r, NodeLocalDnsAddress),
        Address(r, DnsServiceIp));

    /// <summary>The cluster domain; a bad or empty one was reported and the default stands in.</summary>
    private static string Domain(ConfigReader r)
    {
        var errors = r.Errors.Count;
        var domain = r.DnsName(ClusterDomain);
        return domain.Length == 0 || r.Errors.Count > errors ? (string)ClusterDomain.Default! : domain;
    }

    /// <summary>
    /// One unicast IPv4 or IPv6 address, or null when empty. IPv4 must be four plain decimal octets (IPAddress.TryParse
    /// would take "10.96.10" as 10.96.0.10).
    /// </summary>
    private static IPAddress? Address(ConfigReader r, ConfigKey key)
    {
        var text = r.String(key);
        if (text.Length == 0)
        {
            return null;
        }
        if (IPAddress.TryParse(text, out var address) && !text.Contains('%') &&
            (address.AddressFamily == AddressFamily.InterNetworkV6 || address.ToString() == text) &&
            !IPAddress.Any.Equals(address) && !IPAddress.IPv6Any.Equals(address) && !IPAddress.IsLoopback(address) &&
            !(address.AddressFamily == AddressFamily.InterNetwork ? Cidr.Parse("224.0.0.0/4") : Cidr.Parse("ff00::/8")).Contains(address))
        {
            return address;
        }
        r.Fail(key, "one unicast IPv4 or IPv6 address such as 169.254.20.10 or 10.96.0.10, or empty");
        return null;
    }

    /// <summary>
    /// A pod selector as key=value labels. Empty is an error: in a NetworkPolicy an empty selector matches
    /// every pod, which would silently open the flow to the whole namespace.
    /// </summary>
    internal static IReadOnlyList<NodeLabel> Labels(ConfigReader r, ConfigKey key)
    {
        var labels = new List<NodeLabel>();
        foreach (var item in r.List(key))
        {
            var m = LabelPattern().Match(item);
            if (m.Success)
            {
                labels.Add(new NodeLabel(m.Groups["key"].Value, m.Groups["value"].Value));
            }
            else
            {
                r.Fail(key, $"\"{item}\"", "labels as key=value with a Kubernetes label key and value, e.g. app.kubernetes.io/name=ingress-nginx");
            }
        }
        if (labels.Count == 0 && r.Errors.All(e => e.Key != key.FullName))
        {
            r.Fail(key, "[]", "at least one key=value label: an empty selector would match every pod");
        }
        if (labels.GroupBy(l => l.Key).FirstOrDefault(g => g.Count() > 1) is { } dup)
        {
            r.Fail(key, $"\"{dup.Key}\" twice", "each label key once (a selector matches one value per key)");
        }
        return labels;
    }

    [GeneratedRegex(NodesSection.LabelPair)]
    private static partial Regex LabelPattern();
}
