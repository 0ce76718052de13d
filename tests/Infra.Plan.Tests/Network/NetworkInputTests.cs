using k8s.Models;
using Infra.Plan.Components.Authorizer;
using Infra.Plan.Components.Network;
using Infra.Plan.Components.Redis;
using Infra.Plan.Contract;
using Infra.Plan.Net;
using Infra.Plan.Ports;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.PolicyText;

namespace Infra.Plan.Tests.Network;

/// <summary>The NetworkPolicies planned alone, from their own input record and literal peers: no stack file, no parsed environment.</summary>
public sealed class NetworkInputTests
{
    private static NetworkInput Input() => new(
        Stack: "unit",
        Site: new SiteSpec("example.test", "rtc.example.test", "turn.example.test", "rtc-x", "media-x", Production: false, KubeContext: ""),
        Cluster: new ClusterSpec("dns-x", [new NodeLabel("k8s-app", "dns")], "ingress-x", [new NodeLabel("app", "ingress")], Monitoring: false,
            "monitoring-x", IngressPodHttpsPort: 443, new DataPlanePods("gateway-x", [new NodeLabel("app", "envoy")], 10443),
            SfuRoute.Ingress, CniProfile.CalicoBgp, "cluster.local", NodeLocalDns: null, DnsServiceIp: null),
        Nodes: new NodesSpec([new NodeLabel("media", "yes")], [], 1, [Cidr.Parse("10.244.0.0/16")], [Cidr.Parse("10.96.0.0/12")],
            [Cidr.Parse("192.168.5.0/24")], new PortRange(32768, 60999), 24, 64),
        Routing: new RoutingSpec(RoutingMode.Gateway, new GatewayListener("public-x", "gw-x", "https"), IngressController.Generic),
        Synapse: new SynapseSpec("synapse-x", [new NodeLabel("app", "synapse")], "http://synapse.synapse-x:8008", "", "", false, "", 8008, [], SecretInput.NotSet),
        Ports: PortsOf,
        Egress: new EgressSpec(false, new ImageRef("egress", "1.0.0", null), "1.9.0", null, 0, 0, false, EgressStorageKind.None, "", null, []),
        ExistingRedis: null,
        Sfu: new SfuSpec(10800, null, "info", [new StunServer("stun.example.test", 3478)], MediaSpec.Default),
        MediaPorts: new PortPlan(PortPlan.HostPorts(PortsOf, coturnDtls: false), new PortRange(32768, 60999)));

    private static readonly PortsSpec PortsOf =
        new(7880, 7881, 7882, 6789, 3478, 5349, new PortRange(49152, 49252), 9641, TurnTlsOn443: false, 8080, SfuTurnUdp: 3478, SfuTurnTls: 5349, new PortRange(20000, 29999));

    private static Peer Pods(string name, string ns, bool hostNetwork, params Listener[] listens)
    {
        var labels = new Dictionary<string, string> { ["app"] = name };
        return new Peer(name, ns, labels, labels, hostNetwork, listens);
    }

    /// <summary>The workloads as their components would give them: Redis and Sentinel share pods; the SFU and coturn use the host network.</summary>
    private static NetworkPeers Peers(NetworkInput input)
    {
        var redis = Pods("redis-x", "rtc-x", false, new Listener(6379, Protocol.Tcp, RedisPlan.RedisPurpose));
        return NetworkPeers.From(input,
            redis,
            redis with { Name = "sentinel-x", Listens = [new Listener(26379, Protocol.Tcp, RedisPlan.SentinelPurpose)] },
            Pods("authorizer-x", "rtc-x", false, new Listener(8080, Protocol.Tcp, AuthorizerPlan.HttpPurpose)),
            Pods("sfu-x", "media-x", true, new Listener(7880, Protocol.Tcp, PortPlan.SfuApiPurpose), new Listener(7881, Protocol.Tcp, PortPlan.RtcTcpPurpose),
                new Listener(7882, Protocol.Udp, PortPlan.RtcUdpPurpose)),
            Pods("coturn-x", "media-x", true, new Listener(3478, Protocol.Udp, "TURN")));
    }

    [Fact]
    public void Builds_the_policies_and_report_from_its_own_input_record_and_literal_peers()
    {
        // GIVEN a literal input: calico-bgp (host-network traffic comes from the node CIDR 192.168.5.0/24), routing gateway,
        // the authorizer reaching the SFU through the Gateway's pods, no Egress, no monitoring; and literal workload peers
        var input = Input();

        // WHEN the NetworkPolicies are planned from them alone
        var plan = NetworkPlan.Build(input, Peers(input));

        // THEN both owned namespaces are default-deny with their DNS rule, Redis and the authorizer get their own policy
        Assert.Equal(["rtc-x/default-deny", "rtc-x/allow-dns", "media-x/default-deny", "media-x/allow-dns", "rtc-x/redis", "rtc-x/lk-jwt-service"],
            plan.Policies.Select(p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}"));
        Assert.Empty(plan.CiliumPolicies);
        var dns = plan.Policies.First(p => p.Metadata.Name == NetworkPolicyBuilder.AllowDns);
        Assert.Equal(["dns-x/k8s-app=dns"], dns.Spec.Egress.Single().To.Select(Describe));

        // AND Redis admits its own pods and the node CIDR (the SFU) on the Redis and Sentinel ports only
        var redis = plan.Policies.Single(p => p.Metadata.Name == NetworkPolicyBuilder.Redis);
        Assert.Equal(["app=redis-x: 6379/TCP 26379/TCP", "192.168.5.0/24: 6379/TCP 26379/TCP"],
            redis.Spec.Ingress.Select(r => $"{string.Join(",", r.FromProperty.Select(Describe))}: {PolicyText.Ports(r.Ports)}"));

        // AND the authorizer admits the Gateway's pods and the nodes on 8080, and reaches Synapse, the internet and the Gateway's HTTPS port
        var authorizer = plan.Policies.Single(p => p.Metadata.Name == NetworkPolicyBuilder.Authorizer);
        Assert.Equal(["gateway-x/app=envoy: 8080/TCP", "192.168.5.0/24: 8080/TCP"],
            authorizer.Spec.Ingress.Select(r => $"{string.Join(",", r.FromProperty.Select(Describe))}: {PolicyText.Ports(r.Ports)}"));
        Assert.Equal(["synapse-x/app=synapse: 8008/TCP", "0.0.0.0/0,::/0: 443/TCP 8448/TCP", "gateway-x/app=envoy: 10443/TCP"],
            authorizer.Spec.Egress.Select(r => $"{string.Join(",", r.To.Select(Describe))}: {PolicyText.Ports(r.Ports)}"));

        // AND on its own data path every need is met, and the report is titled after the stack
        var analysis = NetworkAnalysis.Of(input, plan.Peers);
        var own = analysis.Profiles.Single(p => p.Profile == CniProfile.CalicoBgp);
        Assert.True(own.WorksOn(Dataplanes.CalicoBgp));
        Assert.Contains(analysis.Edges, e => e.Key == ("sfu-x", "redis-x", 6379, Protocol.Tcp));
        Assert.Contains(analysis.Edges, e => e.Key == ("sfu-x", "authorizer-x", 8080, Protocol.Tcp));
        Assert.StartsWith("# Network flows: stack `unit`\n", analysis.Report);
    }
}
