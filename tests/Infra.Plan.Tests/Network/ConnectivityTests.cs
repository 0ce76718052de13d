using Infra.Plan.Components.Network;
using Infra.Plan.Spec;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.PeerNames;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Network;

/// <summary>The exact set of flows the emitted policies allow, for the real stacks.</summary>
public class ConnectivityTests
{
    /// <summary>Every flow a policy of ours decides, for the dev stack on cni calico-bgp (node addresses only): nothing more, nothing less.</summary>
    private static readonly string[] DevPoliced =
    [
        // the authorizer: DNS (the DNS pods and NodeLocal DNSCache's two addresses), the local Synapse, other
        // homeservers (OpenID over federation), the SFU via the Gateway
        "authorizer -> cluster-dns 53/TCP",
        "authorizer -> cluster-dns 53/UDP",
        "authorizer -> node-local-dns 53/TCP",
        "authorizer -> node-local-dns 53/UDP",
        "authorizer -> dns-service-ip 53/TCP",
        "authorizer -> dns-service-ip 53/UDP",
        "authorizer -> gateway-proxy 10443/TCP",
        "authorizer -> internet 443/TCP",
        "authorizer -> internet 8448/TCP",
        "authorizer -> synapse 8008/TCP",
        // into the authorizer: the Gateway (public paths) and node addresses (SFU webhook; coturn shares them)
        "gateway-proxy -> authorizer 8080/TCP",
        "sfu -> authorizer 8080/TCP",
        "coturn -> authorizer 8080/TCP",
        // Redis/Sentinel: their own pods, DNS, and the SFU from node addresses (coturn shares them)
        "redis -> cluster-dns 53/TCP",
        "redis -> cluster-dns 53/UDP",
        "redis -> node-local-dns 53/TCP",
        "redis -> node-local-dns 53/UDP",
        "redis -> dns-service-ip 53/TCP",
        "redis -> dns-service-ip 53/UDP",
        "redis -> redis 6379/TCP",
        "redis -> sentinel 26379/TCP",
        "sentinel -> cluster-dns 53/TCP",
        "sentinel -> cluster-dns 53/UDP",
        "sentinel -> node-local-dns 53/TCP",
        "sentinel -> node-local-dns 53/UDP",
        "sentinel -> dns-service-ip 53/TCP",
        "sentinel -> dns-service-ip 53/UDP",
        "sentinel -> redis 6379/TCP",
        "sentinel -> sentinel 26379/TCP",
        "sfu -> redis 6379/TCP",
        "sfu -> sentinel 26379/TCP",
        "coturn -> redis 6379/TCP",
        "coturn -> sentinel 26379/TCP",
    ];

    /// <summary>
    /// What cni generic (the default) adds: it admits the pod CIDRs for the tunnel addresses of flannel and Calico
    /// overlays, so every pod of the cluster reaches exactly Redis, Sentinel and the authorizer's port, and nothing else.
    /// </summary>
    private static readonly string[] PodCidrWidening =
    [
        .. new[] { AnyPodName, DnsName, GatewayName, PrometheusName, SynapseName }.SelectMany(p => new[]
        {
            $"{p} -> redis 6379/TCP", $"{p} -> sentinel 26379/TCP", $"{p} -> authorizer 8080/TCP",
        }).Where(f => f != "gateway-proxy -> authorizer 8080/TCP"), // the Gateway reaches the authorizer anyway
    ];

    /// <summary>
    /// What LiveKit Egress (on in prod, with streaming) adds: DNS, the SFU's Redis, the SFU's API and media at the node
    /// addresses and at the public addresses it advertises (hairpin NAT), the bucket and RTMP(S) servers; in, only
    /// Prometheus on its metrics port. The authorizer's federation rule (any public address on 443) reaches the bucket
    /// and RTMPS servers too, as Egress's rules reach any public address on 443: policies cannot tell hosts apart.
    /// </summary>
    private static readonly string[] EgressPoliced =
    [
        "egress -> cluster-dns 53/TCP",
        "egress -> cluster-dns 53/UDP",
        "egress -> node-local-dns 53/TCP",
        "egress -> node-local-dns 53/UDP",
        "egress -> dns-service-ip 53/TCP",
        "egress -> dns-service-ip 53/UDP",
        "egress -> redis 6379/TCP",
        "egress -> sentinel 26379/TCP",
        "egress -> sfu 7880/TCP",
        "egress -> sfu 7881/TCP",
        "egress -> sfu 7882/UDP",
        "egress -> sfu-public 7881/TCP",
        "egress -> sfu-public 7882/UDP",
        "egress -> object-storage 443/TCP",
        "egress -> rtmp-servers 1935/TCP",
        "egress -> rtmp-servers 443/TCP",
        "egress -> internet 443/TCP",
        "prometheus -> egress 9090/TCP",
        "authorizer -> object-storage 443/TCP",
        "authorizer -> rtmp-servers 443/TCP",
    ];

    private static HashSet<string> Policed(EnvironmentPlan plan) =>
        NetworkAnalysis.Of(plan).Edges.Where(ConnectivityReport.IsPoliced).Select(e => e.ToString()).ToHashSet();


    private static HashSet<string> All(EnvironmentSpec spec) => NetworkAnalysis.Of(Planner.Build(spec)).Edges.Select(e => e.ToString()).ToHashSet();

    [Theory]
    [InlineData("calico-bgp")]
    [InlineData("flannel")]
    [InlineData("cilium")]
    public void Dev_on_an_exact_profile_allows_exactly_the_needed_flows(string cni)
    {
        // GIVEN the dev stack on a profile that admits exactly its data paths' sources WHEN evaluated on them
        var policed = Policed(Planner.Build(Stacks.Spec("dev", ("cni", S(cni)))));

        // THEN the policy-decided flows are exactly the needed ones
        Assert.Equal(DevPoliced.Order(), policed.Order());
    }

    [Fact]
    public void Dev_on_generic_adds_only_pods_on_the_redis_sentinel_and_authorizer_ports()
    {
        var policed = Policed(Stacks.Plan("dev"));

        Assert.Equal(DevPoliced.Concat(PodCidrWidening).Order(), policed.Order());
    }

    [Fact]
    public void Prod_adds_only_the_metrics_scrape_from_the_monitoring_namespace_and_egress()
    {
        // GIVEN prod (monitoring and Egress on) WHEN evaluated
        var policed = Policed(Stacks.Plan("prod"));

        // THEN it is dev's set plus Prometheus scraping the Redis exporter, plus Egress's flows, and nothing else
        Assert.Equal(DevPoliced.Concat(PodCidrWidening).Append("prometheus -> redis 9121/TCP").Concat(EgressPoliced).Order(), policed.Order());
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Redis_cannot_reach_the_internet_nor_anything_but_itself_and_DNS(string stack)
    {
        var edges = NetworkAnalysis.Of(Planner.Build(Stacks.Spec(stack))).Edges;

        var fromRedis = edges.Where(e => e.Source is RedisName or SentinelName).Select(e => e.Destination).ToHashSet();

        Assert.Equal([DnsName, DnsServiceIpName, NodeLocalDnsName, RedisName, SentinelName], fromRedis.Order());
        Assert.DoesNotContain(edges, e => e.Source == RedisName && e.Destination == InternetName);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void The_authorizer_cannot_reach_redis_and_only_the_gateway_and_node_addresses_reach_it(string stack)
    {
        var edges = NetworkAnalysis.Of(Planner.Build(Stacks.Spec(stack, ("cni", S("calico-bgp"))))).Edges;

        Assert.DoesNotContain(edges, e => e.Source == AuthorizerName && e.Destination is RedisName or SentinelName);
        var into = edges.Where(e => e.Destination == AuthorizerName).Select(e => e.Source).ToHashSet();
        // coturn is there only because host-network traffic carries the node address the SFU webhook needs
        Assert.Equal([CoturnName, GatewayName, SfuName], into.Order());
        Assert.DoesNotContain(InternetName, into);
        Assert.DoesNotContain(SynapseName, into);
        Assert.DoesNotContain(PrometheusName, into);
    }

    [Fact]
    public void On_routing_ingress_the_ingress_controller_pods_carry_the_rtc_host_instead_of_the_gateway()
    {
        // GIVEN dev moved to routing ingress (no gateway keys), on an exact CNI profile
        var edges = All(SpecOnIngress("dev", ("cni", S("calico-bgp"))));

        // THEN the same two flows, with the ingress controller's pods on their HTTPS port; no gateway proxy anywhere
        Assert.Contains("authorizer -> ingress-controller 443/TCP", edges);
        Assert.Contains("ingress-controller -> authorizer 8080/TCP", edges);
        Assert.DoesNotContain(edges, e => e.Contains(GatewayName));
    }

    [Fact]
    public void Without_monitoring_nobody_reaches_a_metrics_port_of_a_policed_pod()
    {
        var edges = NetworkAnalysis.Of(Planner.Build(Stacks.Spec("dev"))).Edges;
        Assert.DoesNotContain(edges, e => e.Listener.Port == Infra.Plan.Components.Observability.RedisExporter.Port);
    }

    [Fact]
    public void Direct_sfu_route_opens_node_addresses_on_the_api_port_instead_of_the_gateway()
    {
        // GIVEN an authorizer that reaches the SFU's host port directly
        var spec = Parse(With(("authorizerSfuRoute", S("direct")))).OrThrow();

        var edges = All(spec);

        Assert.Contains("authorizer -> sfu 7880/TCP", edges);
        Assert.DoesNotContain("authorizer -> gateway-proxy 10443/TCP", edges);
        Assert.DoesNotContain("authorizer -> sfu 7882/UDP", edges);
    }

    [Fact]
    public void Public_sfu_route_relies_on_the_internet_rule_alone()
    {
        var edges = All(Parse(With(("authorizerSfuRoute", S("public")))).OrThrow());

        Assert.DoesNotContain("authorizer -> gateway-proxy 10443/TCP", edges);
        Assert.DoesNotContain("authorizer -> sfu 7880/TCP", edges);
        Assert.Contains("authorizer -> internet 443/TCP", edges);
    }

    [Fact]
    public void Synapse_port_follows_the_internal_url()
    {
        var edges = All(Parse(With(("synapseInternalUrl", S("http://synapse.matrix.svc.cluster.local:8448")))).OrThrow());

        Assert.Contains("authorizer -> synapse 8448/TCP", edges);
        Assert.DoesNotContain("authorizer -> synapse 8008/TCP", edges);
    }

    [Fact]
    public void Existing_sentinel_means_no_redis_policy_and_no_redis_workload()
    {
        var plan = Planner.Build(Parse(With(
            ("redisMode", S("existing")),
            ("existingSentinelMasterName", S("phase1")),
            ("existingSentinelAddresses", L("sentinel-a.redis:26379")),
            ("existingRedisPasswordSecret", S("phase1-redis/password")))).OrThrow());

        Assert.DoesNotContain(plan.Network.Policies, p => p.Metadata.Name == NetworkPolicyBuilder.Redis);
        Assert.DoesNotContain(NetworkAnalysis.Of(plan).Workloads, w => w.Name == RedisName);
    }

    [Theory]
    [InlineData("nodeport", "the node's own, which the node translates to an SFU pod")]
    [InlineData("loadbalancer", "its load balancer's address (203.0.113.80, 203.0.113.81;")]
    public void Off_the_host_network_the_report_says_the_sfu_is_a_policed_pod_and_no_node_address_is_admitted(string stack, string relay)
    {
        // GIVEN a stack whose SFU runs in the pod network WHEN its report is written
        var analysis = NetworkAnalysis.Of(Stacks.Plan(stack));
        var report = analysis.Report;

        // THEN it names the SFU's policy and where its relay goes, and claims no host-network workload or source
        Assert.Contains("- The SFU runs in the pod network (`matrix-rtc:sfuMediaExposure: ", report);
        Assert.Contains($"policy `{NetworkPolicyBuilder.Sfu}` selects it", report);
        Assert.Contains(relay, report);
        Assert.DoesNotContain("The SFU and coturn use the host network", report);
        Assert.DoesNotContain("## Host-network traffic per CNI profile", report);
        Assert.Contains("## Needs per CNI profile", report);
        Assert.All(analysis.Profiles, p => Assert.Contains($"| none (no host-network workload) |", report));
        // AND the SFU is listed as a pod, its media flows from the internet decided by its own policy
        Assert.Contains($"| {SfuName} | matrix-rtc-media |", report);
        Assert.Contains(analysis.Edges, e => e.Source == InternetName && e.Destination == SfuName && e.Ingress == NetworkPolicyBuilder.Sfu);
        Assert.DoesNotContain(analysis.Workloads, w => w.Name == CoturnName);
    }

    [Fact]
    public void Report_lists_every_policed_edge_and_the_cilium_caveat()
    {
        var plan = Stacks.Plan("dev");
        var network = NetworkAnalysis.Of(plan);
        var report = network.Report;

        foreach (var edge in network.Edges.Where(ConnectivityReport.IsPoliced))
        {
            Assert.Contains($"| {edge.Source} | {edge.Destination} | {edge.Listener} ", report);
        }
        Assert.Contains("remote-node", report);
        Assert.DoesNotContain("| redis | internet |", report);
    }
}
