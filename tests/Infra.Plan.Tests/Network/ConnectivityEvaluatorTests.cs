using System.Net;
using k8s.Models;
using Infra.Plan.Components.Network;
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
}
