using System.Net;
using k8s.Models;
using Infra.Plan.Components;
using Infra.Plan.Components.Network;
using Infra.Plan.Kubernetes;
using Infra.Plan.Net;
using Infra.Plan.Ports;
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
    [InlineData("nodeport", "network-policies")]
    [InlineData("loadbalancer", "network-policies")]
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

/// <summary>
/// Off the host network (<c>sfuMediaExposure</c> nodePort, loadBalancer) the SFU is a pod the policies select: exactly
/// its media ports from anywhere, its API from the routing data plane, metrics from Prometheus; out to Redis, the
/// webhook, its relay loop-back and STUN only. With host networking no policy selects it (dev and prod unchanged).
/// </summary>
public class SfuPodNetworkPolicyTests
{
    private const string Redis = "matrix-rtc/app.kubernetes.io/name=redis,app.kubernetes.io/part-of=matrix-rtc: 6379/TCP 26379/TCP";
    private const string Webhook = "matrix-rtc/app.kubernetes.io/name=lk-jwt-service,app.kubernetes.io/part-of=matrix-rtc: 8080/TCP";
    private const string IngressNginx = "ingress-nginx/app.kubernetes.io/name=ingress-nginx";
    private const string EnvoyGateway = "envoy-gateway-system/app.kubernetes.io/component=proxy,app.kubernetes.io/managed-by=envoy-gateway,app.kubernetes.io/name=envoy";

    private static V1NetworkPolicy SfuPolicy(EnvironmentPlan plan) =>
        Assert.Single(plan.Network.Policies, p => p.Metadata.Name == NetworkPolicyBuilder.Sfu);

    private static string Labels(IEnumerable<KeyValuePair<string, string>> labels) =>
        string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    /// <summary>The nodeport stack with STUN-found addresses, monitoring and Egress on: every optional rule present.</summary>
    private static EnvironmentPlan NodePortStun() => Planner.Build(Stacks.Spec("nodeport",
        ("sfuNodeAddress", S("stun")), ("monitoring", S("true")), ("egress", S("true")), ("egressS3Bucket", S("recordings"))));

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void On_the_host_network_no_policy_selects_the_sfu(string stack)
    {
        // GIVEN a host-network stack WHEN its policies are planned THEN none is the SFU's (NetworkPolicies cannot select it)
        Assert.DoesNotContain(Stacks.Plan(stack).Network.Policies, p => p.Metadata.Name == NetworkPolicyBuilder.Sfu);
    }

    [Fact]
    public void NodePort_with_the_nodes_own_addresses_admits_the_media_ports_from_anywhere_and_the_api_from_the_ingress_controller()
    {
        // GIVEN the nodeport stack (sfuNodeAddress hostIP, routing ingress, no monitoring, no Egress)
        var policy = SfuPolicy(Stacks.Plan("nodeport"));

        // THEN it selects the SFU pods of the one release in the media namespace, both directions
        Assert.Equal("matrix-rtc-media", policy.Metadata.NamespaceProperty);
        Assert.Equal("app.kubernetes.io/instance=livekit,app.kubernetes.io/name=livekit-server", Labels(policy.Spec.PodSelector.MatchLabels));
        Assert.Equal(["Ingress", "Egress"], policy.Spec.PolicyTypes);
        // AND in: ICE-TCP, RTC UDP and TURN/UDP (node ports) from anywhere, the API from the ingress controller only
        Assert.Equal(["anywhere: 30001/TCP 30002/UDP 30004/UDP", $"{IngressNginx}: 7880/TCP"], PolicyText.Ingress(policy));
        // AND out: Redis and Sentinel, the webhook, and the relay loop-back to the SFU pods (the node translates its own address)
        Assert.Equal([Redis, Webhook, "app.kubernetes.io/instance=livekit,app.kubernetes.io/name=livekit-server: 30002/UDP"], PolicyText.Egress(policy));
    }

    [Fact]
    public void LoadBalancer_admits_turn_tls_too_and_lets_the_relay_reach_exactly_the_load_balancer_addresses()
    {
        // GIVEN the loadbalancer stack (two addresses, one release each; routing gateway)
        var policy = SfuPolicy(Stacks.Plan("loadbalancer"));

        // THEN it selects every release's SFU pods
        Assert.Equal("app.kubernetes.io/name=livekit-server", Labels(policy.Spec.PodSelector.MatchLabels));
        // AND in: the media ports and LiveKit's TURN/UDP and TURN/TLS from anywhere, the API from the Gateway's proxies
        Assert.Equal(["anywhere: 7881/TCP 7882/UDP 3478/UDP 5349/TCP", $"{EnvoyGateway}: 7880/TCP"], PolicyText.Ingress(policy));
        // AND out: the relay's UDP to the SFU pods and to each load balancer's address, nothing wider
        Assert.Equal([Redis, Webhook, "app.kubernetes.io/name=livekit-server: 7882/UDP", "203.0.113.80/32,203.0.113.81/32: 7882/UDP"],
            PolicyText.Egress(policy));
    }

    [Fact]
    public void NodePort_with_stun_reaches_public_addresses_on_the_media_port_and_the_stun_ports_only_and_admits_prometheus_and_egress()
    {
        // GIVEN nodePort with addresses found by STUN, monitoring and Egress on
        var plan = NodePortStun();
        var policy = SfuPolicy(plan);
        var egress = Labels(Infra.Plan.Components.Egress.EgressPlan.PodSelector);

        // THEN in: media from anywhere, the API from the ingress controller and from Egress, metrics from the monitoring namespace
        Assert.Equal(["anywhere: 30001/TCP 30002/UDP 30004/UDP", $"{IngressNginx}: 7880/TCP", $"matrix-rtc/{egress}: 7880/TCP", "monitoring/: 6789/TCP"],
            PolicyText.Ingress(policy));
        // AND out: the relay to any public address on the RTC UDP port (the STUN-found address), STUN on the servers' ports
        Assert.Equal([Redis, Webhook, "app.kubernetes.io/instance=livekit,app.kubernetes.io/name=livekit-server: 30002/UDP",
                      "0.0.0.0/0,::/0: 30002/UDP", "0.0.0.0/0,::/0: 3478/UDP 19302/UDP"], PolicyText.Egress(policy));
        // AND "public" excludes the private, metadata and cluster ranges, as for every internet rule
        var expected = InternetRanges.Blocks(NetworkInput.From(plan.Derived)).Select(b => b.Except.Select(c => c.ToString()).ToList()).ToList();
        foreach (var rule in policy.Spec.Egress.Where(r => r.To.Any(t => t.IpBlock?.Cidr == "0.0.0.0/0")))
        {
            Assert.Equal(expected, rule.To.Select(t => t.IpBlock.Except.ToList()));
        }
    }

    [Theory]
    [InlineData("nodeport")]
    [InlineData("loadbalancer")]
    [InlineData("nodeport-stun")]
    public void No_rule_opens_the_api_or_the_metrics_port_to_every_source(string variant)
    {
        // GIVEN an SFU policy off the host network
        var plan = variant == "nodeport-stun" ? NodePortStun() : Stacks.Plan(variant);
        var peers = plan.Network.Peers;
        int[] closed = [peers.Sfu.Listener(PortPlan.SfuApiPurpose).Port, peers.Sfu.Listener(PortPlan.MetricsPurpose).Port];

        // WHEN its rules without sources are collected THEN they name only media ports, never the API or metrics
        var open = SfuPolicy(plan).Spec.Ingress.Where(r => r.FromProperty is not { Count: > 0 }).SelectMany(r => r.Ports).ToList();
        Assert.NotEmpty(open);
        Assert.DoesNotContain(open, p => closed.Contains(int.Parse(p.Port.Value)));
        // AND the evaluator agrees: the internet reaches no API or metrics port of the SFU
        var edges = NetworkAnalysis.Of(plan).Edges;
        Assert.DoesNotContain(edges, e => e.Source == InternetName && e.Destination == SfuName && closed.Contains(e.Listener.Port));
    }

    [Fact]
    public void Dropping_the_media_rule_leaves_the_sfu_closed_by_default_deny_and_is_caught()
    {
        // GIVEN the nodeport plan with the SFU policy's rule for every source removed
        var plan = Stacks.Plan("nodeport");
        var policies = plan.Network.Policies.Select(p => p.Metadata.Name != NetworkPolicyBuilder.Sfu ? p : new V1NetworkPolicy
        {
            ApiVersion = p.ApiVersion, Kind = p.Kind, Metadata = p.Metadata,
            Spec = new V1NetworkPolicySpec
            {
                PodSelector = p.Spec.PodSelector, PolicyTypes = p.Spec.PolicyTypes, Egress = p.Spec.Egress,
                Ingress = p.Spec.Ingress.Where(r => r.FromProperty is { Count: > 0 }).ToList(),
            },
        }).ToList();

        // WHEN the needs are checked THEN media from the internet is named as denied on every data path, and so is the relay
        // loop-back (it arrives on the same port), and nothing else
        var unmet = Checks.NetworkNeeds.Unmet(NetworkInput.From(plan.Derived), plan.Network.Peers, new PolicySet(policies, plan.Network.CiliumPolicies));
        Assert.Equal(["sfu TURN relay → its advertised address", "sfu media and TURN from the internet"],
            unmet.Select(u => u[..u.IndexOf(" (", StringComparison.Ordinal)]).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(12 * 2, unmet.Count); // both, in each of the 12 cases of cni generic's data paths
        // AND the unchanged plan meets it
        Assert.Empty(Checks.NetworkNeeds.Unmet(plan));
    }

    [Fact]
    public void Without_host_networking_cilium_gets_no_node_entity_policies()
    {
        // GIVEN the nodeport stack on cni cilium WHEN planned THEN only NodeLocal DNSCache's host entity remains (no SFU on the nodes)
        var plan = Planner.Build(Stacks.Spec("nodeport", ("cni", S("cilium"))));
        Assert.Equal(["matrix-rtc/allow-dns-node-local", "matrix-rtc-media/allow-dns-node-local"],
            plan.Network.CiliumPolicies.Select(p => $"{p.Namespace}/{p.Name}"));
        // AND the host-network stack keeps its node-entity policies
        Assert.Contains(Planner.Build(Stacks.Spec("dev", ("cni", S("cilium")))).Network.CiliumPolicies, p => p.Name == NetworkPolicyBuilder.Redis + CiliumPolicyBuilder.Suffix);
    }

    [Fact]
    public void Egress_reaches_the_sfu_pods_and_the_load_balancer_addresses_on_the_media_ports()
    {
        // GIVEN the loadbalancer stack with LiveKit Egress
        var plan = Planner.Build(Stacks.Spec("loadbalancer", ("egress", S("true")), ("egressS3Bucket", S("recordings"))));
        var policy = Assert.Single(plan.Network.Policies, p => p.Metadata.Name == NetworkPolicyBuilder.Egress);

        // THEN Egress reaches the SFU pods (API and media, after Service or load-balancer translation) and each address
        var rules = PolicyText.Egress(policy).ToList();
        Assert.Contains("matrix-rtc-media/app.kubernetes.io/name=livekit-server: 7880/TCP 7881/TCP 7882/UDP", rules);
        Assert.Contains("203.0.113.80/32,203.0.113.81/32: 7881/TCP 7882/UDP", rules);
        // AND the SFU admits Egress on its API
        Assert.Contains($"matrix-rtc/{Labels(Infra.Plan.Components.Egress.EgressPlan.PodSelector)}: 7880/TCP", PolicyText.Ingress(SfuPolicy(plan)));
        // AND every need holds (Egress to the SFU's API and media among them)
        Assert.Empty(Checks.NetworkNeeds.Unmet(plan));
    }

    [Fact]
    public void A_direct_authorizer_reaches_the_sfu_pods_api_and_the_sfu_admits_it()
    {
        // GIVEN the loadbalancer stack with the authorizer reaching the SFU directly
        var plan = Planner.Build(Stacks.Spec("loadbalancer", ("authorizerSfuRoute", S("direct"))));

        // THEN the SFU admits the authorizer's pods on its API port, and the need holds
        Assert.Contains($"{Webhook.Split(':')[0]}: 7880/TCP", PolicyText.Ingress(SfuPolicy(plan)));
        var authorizer = Assert.Single(plan.Network.Policies, p => p.Metadata.Name == NetworkPolicyBuilder.Authorizer);
        Assert.Contains("matrix-rtc-media/app.kubernetes.io/name=livekit-server: 7880/TCP", PolicyText.Egress(authorizer));
        Assert.Empty(Checks.NetworkNeeds.Unmet(plan));
    }
}
