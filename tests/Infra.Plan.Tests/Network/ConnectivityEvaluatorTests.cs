using System.Net;
using k8s.Models;
using Infra.Plan.Components.Network;
using Infra.Plan.Contract;
using Infra.Plan.Net;
using static Infra.Plan.Components.Network.NetworkPolicyPeer;
using static Infra.Plan.Components.Network.NetworkPolicyPort;

namespace Infra.Plan.Tests.Network;

/// <summary>The evaluator's NetworkPolicy semantics on small hand-made cases, independent of the project's policies.</summary>
public class ConnectivityEvaluatorTests
{
    private static readonly Dictionary<string, string> WebLabels = new() { ["app"] = "web" };
    private static readonly Dictionary<string, string> DbLabels = new() { ["app"] = "db" };

    private static Workload Pod(string name, string ns, Dictionary<string, string> labels, string ip, params Listener[] listens) =>
        new(new Peer(name, ns, labels, labels, false, listens), IPAddress.Parse(ip));

    private static readonly Workload Web = Pod("web", "a", WebLabels, "10.244.0.2");
    private static readonly Workload Db = Pod("db", "a", DbLabels, "10.244.0.3", new Listener(5432, Protocol.Tcp, "sql"), new Listener(5432, Protocol.Udp, "x"));
    private static readonly Workload OtherNsWeb = Pod("web-b", "b", WebLabels, "10.244.1.2");
    private static readonly Workload Node = new(new Peer("node", "media", WebLabels, WebLabels, true, []), IPAddress.Parse("10.10.0.5"));
    private static readonly Workload Outside = new(new Peer("outside", null, new Dictionary<string, string>(), new Dictionary<string, string>(), false, []), IPAddress.Parse("203.0.113.9"));

    private static V1NetworkPolicy Ingress(string ns, Dictionary<string, string> selects, params V1NetworkPolicyIngressRule[] rules) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = ns },
        Spec = new V1NetworkPolicySpec { PodSelector = Selector(selects), PolicyTypes = ["Ingress"], Ingress = rules },
    };

    private static HashSet<string> Edges(V1NetworkPolicy policy) =>
        ConnectivityEvaluator.Evaluate([policy], [Web, Db, OtherNsWeb, Node, Outside])
            .Where(e => e.Destination == "db").Select(e => e.ToString()).ToHashSet();

    [Fact]
    public void Pod_selector_without_namespace_selector_means_the_policy_namespace_only()
    {
        var edges = Edges(Ingress("a", DbLabels, new V1NetworkPolicyIngressRule { FromProperty = [Pods(WebLabels)], Ports = [Tcp(5432)] }));

        // web in "a" gets TCP only; web in "b" and the host-network pod with the same labels do not
        Assert.Equal(["web -> db 5432/TCP"], edges);
    }

    [Fact]
    public void Namespace_selector_admits_that_namespace_by_name()
    {
        var edges = Edges(Ingress("a", DbLabels, new V1NetworkPolicyIngressRule { FromProperty = [Namespace("b")] }));

        // no ports listed: every port and protocol
        Assert.Equal(["web-b -> db 5432/TCP", "web-b -> db 5432/UDP"], edges.Order());
    }

    [Fact]
    public void Ip_block_matches_host_network_and_external_addresses_minus_except()
    {
        var block = Block(Cidr.Parse("0.0.0.0/0"), [Cidr.Parse("203.0.113.0/24"), Cidr.Parse("10.244.0.0/16")]);
        var edges = Edges(Ingress("a", DbLabels, new V1NetworkPolicyIngressRule { FromProperty = [block], Ports = [Udp(5432)] }));

        // the node address matches; the excepted external range and pod ranges do not
        Assert.Equal(["node -> db 5432/UDP"], edges);
    }

    [Fact]
    public void Policies_select_no_host_network_pod()
    {
        // a deny-all in the host-network pod's namespace does not stop it
        var deny = new V1NetworkPolicy
        {
            Metadata = new V1ObjectMeta { Name = "deny", NamespaceProperty = "media" },
            Spec = new V1NetworkPolicySpec { PodSelector = new V1LabelSelector(), PolicyTypes = ["Ingress", "Egress"] },
        };
        var edges = ConnectivityEvaluator.Evaluate([deny], [Node, Db]);
        Assert.Contains(edges, e => e.Source == "node" && e.Destination == "db");
    }

    [Fact]
    public void Unselected_pods_are_not_isolated_and_selected_ones_with_no_rule_are_denied()
    {
        var edges = Edges(Ingress("a", WebLabels));   // selects web, not db
        Assert.Contains("web -> db 5432/TCP", edges);

        var denied = Edges(Ingress("a", DbLabels));
        Assert.Empty(denied);
    }

    [Fact]
    public void Named_ports_are_refused_rather_than_guessed()
    {
        var policy = Ingress("a", DbLabels, new V1NetworkPolicyIngressRule { Ports = [new V1NetworkPolicyPort { Port = "postgres", Protocol = "TCP" }] });
        var e = Assert.Throws<NotSupportedException>(() => ConnectivityEvaluator.Evaluate([policy], [Web, Db]));
        Assert.Contains("named port postgres", e.Message);
    }

    private static CiliumPolicy FromEntities(string ns, Dictionary<string, string> selects, params string[] entities) =>
        new(new V1ObjectMeta { Name = "c", NamespaceProperty = ns },
            new CiliumPolicySpec(Selector(selects), [new CiliumIngressRule(entities, [CiliumPolicy.Ports([(5432, Protocol.Tcp)])])], null));

    private static HashSet<string> CiliumEdges(IReadOnlyList<V1NetworkPolicy> policies, IReadOnlyList<CiliumPolicy> cilium, params Workload[] workloads) =>
        ConnectivityEvaluator.Evaluate(new PolicySet(policies, cilium), workloads, PolicyEngine.Cilium)
            .Where(e => e.Destination == "db").Select(e => e.ToString()).ToHashSet();

    private static readonly Workload RemoteNode = Node with { Peer = Node.Peer with { Name = "remote" } };
    private static readonly Workload LocalHost = Node with { Peer = Node.Peer with { Name = "local" }, Identity = Identity.Host, OwnNode = true };

    [Fact]
    public void Cilium_entities_match_node_identities_and_ip_blocks_only_outside_addresses()
    {
        // an ipBlock covering the node address and the pod, the way node CIDRs or a pod CIDR would
        var blocks = Ingress("a", DbLabels, new V1NetworkPolicyIngressRule
        {
            FromProperty = [Block(Cidr.Parse("10.0.0.0/8")), Block(Cidr.Parse("203.0.113.0/24"))],
            Ports = [Tcp(5432)],
        });

        // THEN on Cilium it admits only the outside address: nodes are identities, pods too
        Assert.Equal(["outside -> db 5432/TCP"], CiliumEdges([blocks], [], Web, Db, RemoteNode, LocalHost, Outside));

        // AND fromEntities admit exactly the entities listed
        Assert.Equal(["remote -> db 5432/TCP"], CiliumEdges([], [FromEntities("a", DbLabels, "remote-node")], Web, Db, RemoteNode, LocalHost, Outside));
        Assert.Equal(["local -> db 5432/TCP", "remote -> db 5432/TCP"],
            CiliumEdges([], [FromEntities("a", DbLabels, "host", "remote-node")], Web, Db, RemoteNode, LocalHost, Outside).Order());
    }

    [Fact]
    public void The_own_node_is_always_admitted_by_address_engines_but_not_by_cilium()
    {
        var deny = Ingress("a", DbLabels);

        var byAddress = ConnectivityEvaluator.Evaluate([deny], [Db, LocalHost, RemoteNode]).Where(e => e.Destination == "db").ToList();
        Assert.Equal(["local -> db 5432/TCP", "local -> db 5432/UDP"], byAddress.Select(e => e.ToString()).Order());
        Assert.All(byAddress, e => Assert.Equal(ConnectivityEvaluator.OwnNode, e.Ingress));

        Assert.Empty(CiliumEdges([deny], [], Db, LocalHost, RemoteNode));
    }

    [Fact]
    public void A_host_network_source_is_matched_by_the_address_the_cni_gives_it()
    {
        // the node is 10.10.0.5, but its traffic arrives from a tunnel address (flannel.1)
        var tunnelled = Node with { From = IPAddress.Parse("10.244.3.0") };
        var nodeOnly = Ingress("a", DbLabels, new V1NetworkPolicyIngressRule { FromProperty = [Block(Cidr.Parse("10.10.0.0/24"))], Ports = [Tcp(5432)] });
        var tunnel = Ingress("a", DbLabels, new V1NetworkPolicyIngressRule { FromProperty = [Block(Cidr.Parse("10.244.3.0/32"))], Ports = [Tcp(5432)] });

        Assert.DoesNotContain(ConnectivityEvaluator.Evaluate([nodeOnly], [tunnelled, Db]), e => e.Destination == "db");
        Assert.Equal(["node -> db 5432/TCP"], ConnectivityEvaluator.Evaluate([tunnel], [tunnelled, Db]).Where(e => e.Destination == "db").Select(e => e.ToString()));
    }

    [Fact]
    public void Cilium_policies_are_refused_outside_cilium_and_unknown_entities_everywhere()
    {
        var cilium = FromEntities("a", DbLabels, "host");
        Assert.Throws<NotSupportedException>(() => ConnectivityEvaluator.Evaluate(new PolicySet([], [cilium]), [Db], PolicyEngine.Addresses));

        var world = FromEntities("a", DbLabels, "world");
        var e = Assert.Throws<NotSupportedException>(() => ConnectivityEvaluator.Evaluate(new PolicySet([], [world]), [Db], PolicyEngine.Cilium));
        Assert.Contains("entity world", e.Message);
    }
}
