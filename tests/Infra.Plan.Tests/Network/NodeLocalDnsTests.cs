using System.Net;
using Infra.Plan.Components.Network;
using Infra.Plan.Contract;
using Infra.Plan.Net;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.PeerNames;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Network;

/// <summary>
/// DNS works with NodeLocal DNSCache: it answers from the host network on a link-local address and on the DNS
/// Service's ClusterIP, without DNAT, so allow-dns must admit both (kubernetes/kubernetes cluster/addons/dns/nodelocaldns).
/// </summary>
public class NodeLocalDnsTests
{
    private static readonly Peer Cache = new("cache", "kube-system", new Dictionary<string, string>(), new Dictionary<string, string>(), true,
        [new Listener(53, Protocol.Udp, "dns"), new Listener(53, Protocol.Tcp, "dns")]);

    /// <summary>What our pods may send to the DNS cache at <paramref name="address"/> (old API: a host-network workload at an address).</summary>
    private static HashSet<string> ToCacheAt(EnvironmentPlan plan, string address)
    {
        var workloads = NetworkAnalysis.Of(plan).Workloads.Append(new Workload(Cache, IPAddress.Parse(address))).ToList();
        // our pods only: the others are not isolated (and host-network ones not policed)
        return ConnectivityEvaluator.Evaluate(plan.Network.Policies, workloads)
            .Where(e => e.Destination == "cache" && e.Source is AuthorizerName or RedisName or SentinelName).Select(e => e.ToString()).ToHashSet();
    }

    [Theory]
    [InlineData("169.254.20.10")]
    [InlineData("10.96.0.10")]
    public void Pods_reach_node_local_dns_on_its_link_local_address_and_the_service_ip(string address)
    {
        var reached = ToCacheAt(Stacks.Plan("dev"), address);

        foreach (var pod in new[] { AuthorizerName, RedisName, SentinelName })
        {
            Assert.Contains($"{pod} -> cache 53/UDP", reached);
            Assert.Contains($"{pod} -> cache 53/TCP", reached);
        }
    }

    [Fact]
    public void Only_port_53_of_those_addresses_is_admitted()
    {
        var plan = Stacks.Plan("dev");
        var other = Cache with { Listens = [new Listener(8080, Protocol.Tcp, "other"), new Listener(5353, Protocol.Udp, "other")] };
        var workloads = NetworkAnalysis.Of(plan).Workloads.Append(new Workload(other, IPAddress.Parse("169.254.20.10"))).ToList();

        Assert.DoesNotContain(ConnectivityEvaluator.Evaluate(plan.Network.Policies, workloads),
            e => e.Destination == "cache" && e.Source is AuthorizerName or RedisName or SentinelName);
    }

    [Fact]
    public void Both_addresses_are_configurable_and_the_service_ip_follows_the_service_cidr()
    {
        var spec = Parse(With(("nodeLocalDnsAddress", S("169.254.25.10")), ("serviceCidrs", L("10.43.0.0/16")), ("dnsServiceIp", S("10.43.0.53")))).OrThrow();
        Assert.Equal(["169.254.25.10/32", "10.43.0.53/32"], DnsAddresses.Blocks(NetworkInput.From(Derived.From(spec))).Select(b => b.ToString()));

        // not set: the 10th address of the first service CIDR, where kubeadm, k3s and RKE2 put kube-dns
        var k3s = Parse(With(("serviceCidrs", L("10.43.0.0/16")))).OrThrow();
        Assert.Equal(["169.254.20.10/32", "10.43.0.10/32"], DnsAddresses.Blocks(NetworkInput.From(Derived.From(k3s))).Select(b => b.ToString()));

        var v6 = Parse(With(("nodeLocalDnsAddress", S("fd00::a")), ("serviceCidrs", L("fd00:96::/112")), ("podCidrs", L("fd00:244::/56")), ("nodeCidrs", L("fd00:10::/64")))).OrThrow();
        Assert.Equal(["fd00::a/128", "fd00:96::a/128"], DnsAddresses.Blocks(NetworkInput.From(Derived.From(v6))).Select(b => b.ToString()));
    }

    [Fact]
    public void Without_node_local_dns_only_the_dns_pods_are_admitted()
    {
        var plan = Planner.Build(Parse(With(("nodeLocalDnsAddress", S("")))).OrThrow());

        var dns = plan.Network.Policies.Where(p => p.Metadata.Name == NetworkPolicyBuilder.AllowDns).ToList();
        Assert.All(dns, p => Assert.Single(Assert.Single(p.Spec.Egress).To));
        Assert.Empty(ToCacheAt(plan, "169.254.20.10"));
        Assert.DoesNotContain(NetworkAnalysis.Of(plan).Workloads, w => w.Name is NodeLocalDnsName or DnsServiceIpName);
    }

    [Theory]
    [InlineData("nodeLocalDnsAddress", "169.254.20")]
    [InlineData("nodeLocalDnsAddress", "169.254.20.10/32")]
    [InlineData("nodeLocalDnsAddress", "127.0.0.1")]
    [InlineData("nodeLocalDnsAddress", "224.0.0.251")]
    [InlineData("dnsServiceIp", "0.0.0.0")]
    [InlineData("dnsServiceIp", "kube-dns")]
    public void Malformed_dns_addresses_are_named(string key, string value)
    {
        var error = Assert.Single(Parse(With((key, S(value)))).Errors);

        Assert.Equal($"matrix-rtc:{key}", error.Key);
        Assert.Contains($"\"{value}\" is not allowed; one unicast IPv4 or IPv6 address", error.Message);
    }

    [Fact]
    public void Dns_service_ip_outside_the_service_cidrs_is_refused()
    {
        var error = Assert.Single(Parse(With(("dnsServiceIp", S("10.43.0.10")))).Errors);

        Assert.Equal("matrix-rtc:dnsServiceIp", error.Key);
        Assert.Contains("\"10.43.0.10\" is not allowed; the DNS Service's ClusterIP, an address inside matrix-rtc:serviceCidrs (10.96.0.0/12)", error.Message);
    }
}
