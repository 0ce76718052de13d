using System.Net;
using Infra.Plan.Components.Network;
using Infra.Plan.Contract;
using Infra.Plan.Net;
using Infra.Plan.Spec.Sections;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.PeerNames;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Network;

/// <summary>
/// Host-network traffic (the SFU's Redis connections and webhooks) reaches Redis and the authorizer on the data paths
/// of every common CNI, from exactly the sources those data paths produce (REFERENCE.md "Real clusters").
/// </summary>
public class CniProfileTests
{
    /// <summary>The stack's policies with the SFU and coturn sending from <paramref name="from"/> (what the CNI makes of node traffic).</summary>
    private static HashSet<string> FromHostAt(EnvironmentPlan plan, string from)
    {
        var network = plan.Network;
        var workloads = NetworkAnalysis.Of(plan).Workloads
            .Select(w => w.HostNetwork && w.Name is SfuName or CoturnName ? new Workload(w.Peer, IPAddress.Parse(from)) : w)
            .ToList();
        return ConnectivityEvaluator.Evaluate(network.Policies, workloads).Select(e => e.ToString()).ToHashSet();
    }

    [Theory]
    [InlineData("10.244.7.0", "flannel.1 of the node with pod subnet 10.244.7.0/24 (flannel VXLAN, Canal, k3s, RKE2)")]
    [InlineData("10.244.7.193", "a Calico IPIP tunl0 / VXLAN vxlan.calico address, taken from the pool")]
    [InlineData("10.10.0.33", "the node address (Calico BGP, flannel host-gw)")]
    public void The_default_policies_admit_the_sfu_from_every_address_a_non_cilium_cni_gives_it(string from, string why)
    {
        // GIVEN the default profile (generic) WHEN the SFU's traffic arrives from that address
        var flows = FromHostAt(Stacks.Plan("dev"), from);

        // THEN Redis, Sentinel and the webhook are reachable
        Assert.True(flows.Contains("sfu -> redis 6379/TCP"), why);
        Assert.Contains("sfu -> sentinel 26379/TCP", flows);
        Assert.Contains("sfu -> authorizer 8080/TCP", flows);
    }

    [Fact]
    public void Flannel_admits_each_node_subnets_first_address_and_no_pod_address()
    {
        var plan = Planner.Build(Stacks.Spec("dev", ("cni", S("flannel"))));

        Assert.Contains("sfu -> redis 6379/TCP", FromHostAt(plan, "10.244.7.0"));
        Assert.Contains("sfu -> redis 6379/TCP", FromHostAt(plan, "10.10.0.33"));
        Assert.DoesNotContain("sfu -> redis 6379/TCP", FromHostAt(plan, "10.244.7.5"));
        // a Calico tunnel address is not a subnet's first address: flannel's policies do not fit Calico overlays
        Assert.DoesNotContain("sfu -> redis 6379/TCP", FromHostAt(plan, "10.244.7.193"));

        var redis = plan.Network.Policies.Single(p => p.Metadata.Name == NetworkPolicyBuilder.Redis);
        var blocks = redis.Spec.Ingress.SelectMany(r => r.FromProperty).Select(p => p.IpBlock?.Cidr).OfType<string>().ToList();
        Assert.Equal(1 + 256, blocks.Count);
        Assert.Equal("10.10.0.0/24", blocks[0]);
        Assert.Equal(Enumerable.Range(0, 256).Select(i => $"10.244.{i}.0/32"), blocks.Skip(1));
    }

    [Fact]
    public void Flannel_lists_ipv6_node_subnets_by_their_mask()
    {
        var spec = Parse(With(("cni", S("flannel")), ("podCidrs", L("10.244.0.0/16", "fd00:10:244::/56")), ("nodePodCidrMaskSizeIpv6", S("64")))).OrThrow();

        var blocks = HostSources.IngressBlocks(NetworkInput.From(Derived.From(spec))).Select(b => b.ToString()).ToList();

        Assert.Equal(1 + 256 + 256, blocks.Count);
        Assert.Contains("fd00:10:244::/128", blocks);
        Assert.Contains("fd00:10:244:1::/128", blocks);
        Assert.Contains("fd00:10:244:ff::/128", blocks);
    }

    [Fact]
    public void Flannel_refuses_too_many_node_subnets_and_a_mask_shorter_than_the_pod_cidr()
    {
        var many = Assert.Single(Parse(With(("cni", S("flannel")), ("podCidrs", L("10.0.0.0/8")), ("serviceCidrs", L("172.20.0.0/16")), ("nodeCidrs", L("192.168.1.0/24")))).Errors);
        Assert.Equal("matrix-rtc:cni", many.Key);
        Assert.Contains("65536", many.Message);
        Assert.Contains("use cni generic", many.Message);

        var mask = Assert.Single(Parse(With(("cni", S("flannel")), ("nodePodCidrMaskSizeIpv4", S("15")))).Errors);
        Assert.Equal("matrix-rtc:nodePodCidrMaskSizeIpv4", mask.Key);
        Assert.Contains("at least 16", mask.Message);

        // other profiles do not care how nodes split the pod CIDR
        Assert.Empty(Parse(With(("podCidrs", L("10.0.0.0/8")), ("serviceCidrs", L("172.20.0.0/16")), ("nodeCidrs", L("192.168.1.0/24")))).Errors);
    }

    [Fact]
    public void Unknown_cni_lists_the_profiles()
    {
        var error = Assert.Single(Parse(With(("cni", S("weave")))).Errors);

        Assert.Equal("matrix-rtc:cni", error.Key);
        Assert.Contains("\"weave\" is not allowed; one of: generic, calico-bgp, calico-overlay, flannel, cilium", error.Message);
    }

    /// <summary>Where each profile's needs hold, as evaluated (✓ = every need in every case of that data path).</summary>
    [Theory]
    [InlineData("generic", "calico-bgp calico-ipip calico-vxlan flannel-vxlan flannel-host-gw")]
    [InlineData("calico-bgp", "calico-bgp flannel-host-gw")]
    [InlineData("calico-overlay", "calico-bgp calico-ipip calico-vxlan flannel-vxlan flannel-host-gw")]
    [InlineData("flannel", "calico-bgp flannel-vxlan flannel-host-gw")]
    [InlineData("cilium", "cilium")]
    public void Each_profile_works_on_exactly_these_data_paths(string cni, string works)
    {
        foreach (var stack in new[] { "dev", "prod" })
        {
            var check = NetworkAnalysis.Of(Stacks.Plan(stack)).Profiles.Single(p => p.Name == cni);

            var where = Dataplanes.All.Where(check.WorksOn).Select(d => d.Name);

            Assert.Equal(works.Split(' '), where);
            // and every data path it is meant for is among them
            Assert.All(Dataplanes.For(check.Profile), d => Assert.True(check.WorksOn(d), $"{cni} on {d.Name}"));
        }
    }

    [Fact]
    public void Address_profiles_fail_on_cilium_because_ip_blocks_never_match_node_identities()
    {
        var generic = NetworkAnalysis.Of(Stacks.Plan("dev")).Profiles.Single(p => p.Profile == CniProfile.Generic);

        var other = generic.Scenarios.Single(s => s.Scenario.Dataplane == Dataplanes.Cilium && !s.Scenario.SameNode);

        Assert.Contains("sfu → redis", other.Unmet);
        Assert.Contains("sfu → webhook", other.Unmet);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Only_generic_and_calico_overlay_widen_and_only_pods_on_the_redis_sentinel_and_webhook_ports(string stack)
    {
        var plan = Stacks.Plan(stack);
        var pods = plan.Network.Peers.All.Where(p => p.IsPod).Select(p => p.Name).ToHashSet();
        var needed = new[] { "redis 6379/TCP", "sentinel 26379/TCP", "authorizer 8080/TCP" };

        foreach (var check in NetworkAnalysis.Of(plan).Profiles)
        {
            var beyond = check.Beyond;
            if (check.Profile is CniProfile.Generic or CniProfile.CalicoOverlay)
            {
                Assert.NotEmpty(beyond);
                Assert.All(beyond, e => Assert.Contains(e.Source, pods));
                Assert.All(beyond, e => Assert.Contains($"{e.Destination} {e.Listener}", needed));
                Assert.Contains(beyond, e => e.Source == AnyPodName && e.Destination == RedisName);
            }
            else
            {
                Assert.True(beyond.Count == 0, $"{check.Name} widens {string.Join(", ", beyond)}");
            }
        }
    }

    [Fact]
    public void Cilium_admits_the_node_entities_on_exactly_the_needed_ports_and_names_no_node_address()
    {
        var spec = Stacks.Spec("prod", ("cni", S("cilium")), ("authorizerSfuRoute", S("direct")));
        var plan = Planner.Build(spec);
        var network = plan.Network;
        Assert.Empty(Infra.Plan.Policy.PolicyChecks.Check(plan));

        // no NetworkPolicy names a node or pod range (there an ipBlock would only match machines outside the cluster)
        var cluster = spec.Nodes.NodeCidrs.Concat(spec.Nodes.PodCidrs).Select(c => c.ToString()).ToHashSet();
        var blocks = network.Policies.SelectMany(p => (p.Spec.Ingress ?? []).SelectMany(r => r.FromProperty ?? []).Concat((p.Spec.Egress ?? []).SelectMany(r => r.To ?? [])))
            .Select(p => p.IpBlock?.Cidr).OfType<string>();
        Assert.DoesNotContain(blocks, cluster.Contains);

        string Rules(string name)
        {
            var policy = network.CiliumPolicies.Single(p => p.Name == name && p.Namespace == spec.Site.Namespace);
            var ins = (policy.Spec.Ingress ?? []).Select(r => $"in {string.Join(",", r.FromEntities)} {string.Join(",", r.ToPorts.SelectMany(t => t.Ports).Select(p => $"{p.Port}/{p.Protocol}"))}");
            var outs = (policy.Spec.Egress ?? []).Select(r => $"out {string.Join(",", r.ToEntities)} {string.Join(",", r.ToPorts.SelectMany(t => t.Ports).Select(p => $"{p.Port}/{p.Protocol}"))}");
            return string.Join("; ", ins.Concat(outs));
        }
        Assert.Equal("in host,remote-node 6379/TCP,26379/TCP", Rules("redis-nodes"));
        Assert.Equal("in host,remote-node 8080/TCP; out host,remote-node 7880/TCP", Rules("lk-jwt-service-nodes"));
        Assert.Equal("out host 53/UDP,53/TCP", Rules("allow-dns-node-local"));
        // Egress (on in prod) joins the SFU's rooms at the node addresses: its API and both media ports, nothing else
        Assert.Equal("out host,remote-node 7880/TCP,7881/TCP,7882/UDP", Rules("livekit-egress-nodes"));
        Assert.Equal(
            ["matrix-rtc-media/allow-dns-node-local", "matrix-rtc/allow-dns-node-local", "matrix-rtc/livekit-egress-nodes", "matrix-rtc/lk-jwt-service-nodes", "matrix-rtc/redis-nodes"],
            network.CiliumPolicies.Select(p => $"{p.Namespace}/{p.Name}").Order());

        // the direct route reaches the SFU, on Cilium too, and so does Egress
        var edges = NetworkAnalysis.Of(plan).Edges;
        Assert.Contains(edges, e => e.ToString() == "authorizer -> sfu 7880/TCP");
        Assert.Contains(edges, e => e.ToString() == "egress -> sfu 7882/UDP");
        Assert.Contains(network.Contract.Objects, o => o.Kind == CiliumPolicy.Kind && o.ApiVersion == CiliumPolicy.ApiVersion);
    }

    [Fact]
    public void No_other_profile_emits_cilium_policies()
    {
        foreach (var cni in new[] { "generic", "calico-bgp", "calico-overlay", "flannel" })
        {
            var network = Planner.Build(Stacks.Spec("prod", ("cni", S(cni)))).Network;
            Assert.Empty(network.CiliumPolicies);
            Assert.DoesNotContain(network.Contract.Objects, o => o.Kind == CiliumPolicy.Kind);
        }
    }

    [Fact]
    public void Report_shows_every_profile_on_every_data_path_with_its_needs_and_widening()
    {
        var report = NetworkAnalysis.Of(Stacks.Plan("dev")).Report;

        Assert.Contains("## Host-network traffic per CNI profile", report);
        foreach (var d in Dataplanes.All)
        {
            Assert.Contains($"| `{d.Name}` (", report);
        }
        Assert.Contains("| **`generic`** (this stack) | 10.10.0.0/24, 10.244.0.0/16 | ✓ | ✓ | ✓ | ✓ | ✓ | ✗ sfu → redis (other node) |", report);
        Assert.Contains("| `cilium` | entities `host`, `remote-node` (CiliumNetworkPolicies) | n/a", report);
        foreach (var name in new[] { "generic", "calico-bgp", "calico-overlay", "flannel", "cilium" })
        {
            Assert.Contains($"### Profile `{name}`", report);
        }
        // the flows the SFU and coturn need, per case, and what the pod CIDR widens, with why it is safe
        Assert.Contains("| `flannel-vxlan` | other node via flannel.1 | ✓ | ✓ | ✓ | ✓ | ✓ |", report);
        Assert.Contains("the first address of the node's pod subnet (10.244.255.0)", report);
        Assert.Contains("- any-pod -> redis 6379/TCP", report);
        Assert.Contains("webhook.ReceiveWebhookEvent", report);
        Assert.Contains("Nothing is allowed beyond what node addresses alone", report);
    }
}
