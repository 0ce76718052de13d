using k8s.Models;
using Infra.Plan.Kubernetes;
using Infra.Plan.Net;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;
using static Infra.Plan.Components.Network.NetworkPolicyPeer;
using static Infra.Plan.Components.Network.NetworkPolicyPort;

namespace Infra.Plan.Components.Network;

/// <summary>
/// The NetworkPolicies (networking.k8s.io/v1) of the two namespaces this project owns; never Synapse's or
/// anyone else's. Each namespace is default-deny in both directions, then each flow the system needs is
/// opened for exactly its pods and ports.
///
/// Host-network pods (SFU, coturn) are not selected by NetworkPolicies and their traffic carries the node's
/// address, so flows from them are admitted by ipBlocks of the node CIDRs. Their own ports are protected by
/// the node firewall rules of the port plan, not here. Cilium identifies node addresses as the host /
/// remote-node entities, which ipBlocks do not match unless policy-cidr-match-mode includes nodes: there,
/// add a CiliumNetworkPolicy with fromEntities [host, remote-node] for the same ports.
/// </summary>
public static class NetworkPolicyBuilder
{
    public const string DefaultDeny = "default-deny";
    public const string AllowDns = "allow-dns";
    public const string Redis = "redis";
    public const string RedisMetrics = "redis-metrics";
    public const string Authorizer = "lk-jwt-service";

    /// <summary>
    /// redis_exporter's port. The Redis component is expected to run it as a sidecar when monitoring is on;
    /// Prometheus in the monitoring namespace is the only client allowed to reach it.
    /// </summary>
    public const int RedisExporterPort = 9121;

    public static IReadOnlyList<V1NetworkPolicy> Build(EnvironmentSpec spec)
    {
        var app = spec.Site.Namespace;
        var media = spec.Site.MediaNamespace;
        var policies = new List<V1NetworkPolicy>
        {
            DenyAll(app), DnsPolicy(spec, app),
            // The media namespace's host-network pods ignore these; they make sure any pod-network pod ever
            // added there starts closed.
            DenyAll(media), DnsPolicy(spec, media),
        };
        if (spec.Redis.Mode == RedisMode.Managed)
        {
            policies.Add(RedisPolicy(spec));
            if (spec.Cluster.Monitoring)
            {
                policies.Add(RedisMetricsPolicy(spec));
            }
        }
        policies.Add(AuthorizerPolicy(spec));
        return policies;
    }

    private static V1NetworkPolicy DenyAll(string ns) =>
        Policy(DefaultDeny, ns, All(), ingress: [], egress: []);

    private static V1NetworkPolicy DnsPolicy(EnvironmentSpec spec, string ns) =>
        Policy(AllowDns, ns, All(), ingress: null, egress:
        [
            new V1NetworkPolicyEgressRule
            {
                To = [PodsIn(spec.Cluster.DnsNamespace, spec.Cluster.DnsPodSelector)],
                Ports = Dns(),
            },
        ]);

    /// <summary>Redis and Sentinel: from their own pods (replication, gossip) and from the SFU (node addresses).</summary>
    private static V1NetworkPolicy RedisPolicy(EnvironmentSpec spec)
    {
        // Fresh lists per rule: the objects are mutable, so no two rules share one.
        static IList<V1NetworkPolicyPort> Ports() => [Tcp(Names.RedisPort), Tcp(Names.SentinelPort)];
        static V1NetworkPolicyPeer RedisPods() => Pods(Meta.Selector(Names.Redis));
        return Policy(Redis, spec.Site.Namespace, Selector(Meta.Selector(Names.Redis)),
            ingress:
            [
                new V1NetworkPolicyIngressRule { FromProperty = [RedisPods()], Ports = Ports() },
                new V1NetworkPolicyIngressRule { FromProperty = NodeBlocks(spec), Ports = Ports() },
            ],
            egress:
            [
                new V1NetworkPolicyEgressRule { To = [RedisPods()], Ports = Ports() },
            ]);
    }

    private static V1NetworkPolicy RedisMetricsPolicy(EnvironmentSpec spec) =>
        Policy(RedisMetrics, spec.Site.Namespace, Selector(Meta.Selector(Names.Redis)),
            ingress: [new V1NetworkPolicyIngressRule { FromProperty = [Namespace(spec.Cluster.MonitoringNamespace)], Ports = [Tcp(RedisExporterPort)] }],
            egress: null);

    /// <summary>
    /// The authorizer: its public paths only through the ingress controller, its webhook from the SFU (node
    /// addresses); out to the local Synapse, to other homeservers (OpenID userinfo over federation, 443/8448)
    /// and to the SFU's public URL the way the spec says it is reached.
    /// </summary>
    private static V1NetworkPolicy AuthorizerPolicy(EnvironmentSpec spec)
    {
        var port = spec.Ports.AuthorizerHttp;
        var egress = new List<V1NetworkPolicyEgressRule>
        {
            new() { To = [PodsIn(spec.Synapse.Namespace, spec.Synapse.PodSelector)], Ports = [Tcp(spec.Synapse.Port)] },
            new() { To = InternetRanges.Blocks(spec).Select(b => Block(b.Cidr, b.Except)).ToList(), Ports = [Tcp(443), Tcp(8448)] },
        };
        switch (spec.Cluster.AuthorizerSfuRoute)
        {
            case SfuRoute.Ingress:
                egress.Add(new V1NetworkPolicyEgressRule { To = [PodsIn(spec.Cluster.IngressNamespace, spec.Cluster.IngressPodSelector)], Ports = [Tcp(spec.Cluster.IngressPodHttpsPort)] });
                break;
            case SfuRoute.Direct:
                egress.Add(new V1NetworkPolicyEgressRule { To = NodeBlocks(spec), Ports = [Tcp(spec.Ports.SfuApi)] });
                break;
            case SfuRoute.Public:
                break; // the internet rule above covers 443
        }
        return Policy(Authorizer, spec.Site.Namespace, Selector(Meta.Selector(Names.Authorizer)),
            ingress:
            [
                new V1NetworkPolicyIngressRule { FromProperty = [PodsIn(spec.Cluster.IngressNamespace, spec.Cluster.IngressPodSelector)], Ports = [Tcp(port)] },
                new V1NetworkPolicyIngressRule { FromProperty = NodeBlocks(spec), Ports = [Tcp(port)] },
            ],
            egress: egress);
    }

    private static IList<V1NetworkPolicyPeer> NodeBlocks(EnvironmentSpec spec) =>
        spec.Nodes.NodeCidrs.Select(c => Block(c)).ToList();

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
