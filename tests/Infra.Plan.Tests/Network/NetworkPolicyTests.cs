using System.Net;
using Infra.Plan.Components;
using Infra.Plan.Components.Network;
using Infra.Plan.Kubernetes;
using Infra.Plan.Net;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.PeerNames;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Network;

public class NetworkPolicyTests
{
    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Both_owned_namespaces_are_default_deny_both_ways_and_no_other_namespace_gets_a_policy(string stack)
    {
        var spec = Stacks.Spec(stack);
        var policies = Planner.Build(spec).Network.Policies;

        Assert.All(policies, p => Assert.Contains(p.Metadata.NamespaceProperty, new[] { spec.Site.Namespace, spec.Site.MediaNamespace }));
        foreach (var ns in new[] { spec.Site.Namespace, spec.Site.MediaNamespace })
        {
            var deny = Assert.Single(policies, p => p.Metadata.NamespaceProperty == ns && p.Metadata.Name == NetworkPolicyBuilder.DefaultDeny);
            Assert.Empty(deny.Spec.PodSelector.MatchLabels ?? new Dictionary<string, string>());
            Assert.Equal(["Ingress", "Egress"], deny.Spec.PolicyTypes);
            Assert.Null(deny.Spec.Ingress);
            Assert.Null(deny.Spec.Egress);
        }
    }

    [Fact]
    public void Dns_egress_uses_the_configured_namespace_and_selector()
    {
        var spec = Parse(With(("dnsNamespace", S("dns-system")), ("dnsPodSelector", L("app=coredns", "tier=dns")))).OrThrow();
        var dns = Planner.Build(spec).Network.Policies.Where(p => p.Metadata.Name == NetworkPolicyBuilder.AllowDns).ToList();

        Assert.Equal(2, dns.Count);
        foreach (var policy in dns)
        {
            var peer = Assert.Single(policy.Spec.Egress).To[0];
            Assert.Equal("dns-system", peer.NamespaceSelector.MatchLabels[NetworkPolicyPeer.NamespaceNameLabel]);
            Assert.Equal(new Dictionary<string, string> { ["app"] = "coredns", ["tier"] = "dns" }, peer.PodSelector.MatchLabels);
            Assert.Equal(["53/UDP", "53/TCP"], policy.Spec.Egress[0].Ports.Select(p => $"{p.Port.Value}/{p.Protocol}"));
        }
    }

    [Fact]
    public void Policies_select_pods_by_the_labels_the_components_put_on_them()
    {
        var policies = Stacks.Plan("dev").Network.Policies;

        Assert.Equal(Meta.Selector(Names.Redis), policies.Single(p => p.Metadata.Name == NetworkPolicyBuilder.Redis).Spec.PodSelector.MatchLabels);
        Assert.Equal(Meta.Selector(Names.Authorizer), policies.Single(p => p.Metadata.Name == NetworkPolicyBuilder.Authorizer).Spec.PodSelector.MatchLabels);
    }

    [Fact]
    public void The_internet_rule_excludes_metadata_node_pod_and_service_ranges()
    {
        // GIVEN cluster ranges outside RFC 1918 (so only the explicit cluster excepts can exclude them)
        var spec = Parse(With(("nodeCidrs", L("198.18.0.0/24")), ("podCidrs", L("100.100.0.0/16")), ("serviceCidrs", L("198.19.0.0/16")))).OrThrow();
        var plan = Planner.Build(spec);
        var network = plan.Network;
        var policies = network.Policies;
        var authorizer = NetworkAnalysis.Of(plan).Workloads.Single(w => w.Name == AuthorizerName);
        Workload At(string name, string ip) =>
            new(new Peer(name, null, new Dictionary<string, string>(), new Dictionary<string, string>(), false, [new Listener(443, Protocol.Tcp, "https")]), IPAddress.Parse(ip));

        // WHEN the authorizer's egress is evaluated towards addresses in each range
        var targets = new[]
        {
            At("metadata", "169.254.169.254"), At("node", "198.18.0.7"), At("service", "198.19.0.1"),
            At("private", "192.168.1.1"), At("homeserver", "93.184.215.14"), At("homeserver6", "2606:4700::1111"),
        };
        var reached = ConnectivityEvaluator.Evaluate(policies, [authorizer, .. targets])
            .Where(e => e.Source == AuthorizerName).Select(e => e.Destination).ToHashSet();

        // THEN only public addresses are reachable
        Assert.Equal(["homeserver", "homeserver6"], reached.Order());
    }

    [Fact]
    public void Ports_are_numeric_with_explicit_protocols()
    {
        var ports = Stacks.Plan("prod").Network.Policies
            .SelectMany(p => (p.Spec.Ingress ?? []).SelectMany(r => r.Ports ?? []).Concat((p.Spec.Egress ?? []).SelectMany(r => r.Ports ?? [])))
            .ToList();

        Assert.NotEmpty(ports);
        Assert.All(ports, p => Assert.True(int.TryParse(p.Port.Value, out _) && p.Protocol is "TCP" or "UDP"));
    }

    [Fact]
    public void Manifest_is_deterministic_and_serializes_ports_as_numbers()
    {
        var a = ManifestWriter.Write(Planner.Build(Stacks.Spec("prod")).Network.Policies);
        var b = ManifestWriter.Write(Planner.Build(Stacks.Spec("prod")).Network.Policies);

        Assert.Equal(a, b);
        Assert.Contains("- port: 6379\n", a);
        Assert.DoesNotContain("port: \"6379\"", a);
    }

    [Fact]
    public void Namespaces_carry_the_pod_security_levels_the_design_asks_for()
    {
        var spec = Stacks.Spec("dev");
        var namespaces = NamespacesPlan.Build(NamespacesInput.From(Derived.From(spec)));
        var objects = new[] { namespaces.App, namespaces.Media }.ToDictionary(n => n.Metadata.Name);

        // restricted for the authorizer and Redis; privileged admits hostNetwork (baseline forbids it)
        Assert.Equal("restricted", objects[spec.Site.Namespace].Metadata.Labels["pod-security.kubernetes.io/enforce"]);
        Assert.Equal("privileged", objects[spec.Site.MediaNamespace].Metadata.Labels["pod-security.kubernetes.io/enforce"]);
    }
}

public class NetworkManifestSchemaTests
{
    [Theory]
    [InlineData("dev", "network-policies")]
    [InlineData("prod", "network-policies")]
    [InlineData("prod", "synapse")]
    public void Manifests_load_strictly_as_kubernetes_objects(string stack, string component)
    {
        // GIVEN the rendered manifest WHEN KubernetesClient loads it rejecting unknown fields
        var plan = Stacks.Plan(stack);
        var yaml = Infra.Plan.Rendering.RenderOutput.Files(plan).Single(f => f.Path == $"manifests/{component}.yaml").Content;
        var objects = k8s.KubernetesYaml.LoadAllFromString(yaml, strict: true);

        // THEN every object round-trips with its kind
        Assert.Equal(plan.Components.Single(c => c.Name == component).Objects.Count + (component == "synapse" ? 1 : 0), objects.Count);
        Assert.All(objects, o => Assert.IsAssignableFrom<k8s.IKubernetesObject>(o));
    }
}
