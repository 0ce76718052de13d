using Infra.Plan.Components.Network;
using Infra.Plan.Spec;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Egress;

/// <summary>Egress's NetworkPolicy by what the spec asks for (the exact prod set is in Network/ConnectivityTests).</summary>
public class EgressNetworkTests
{
    private static IReadOnlyList<Edge> Edges(params (string Key, ConfigValue Value)[] more) =>
        NetworkAnalysis.Of(Planner.Build(Parse(With([("egress", S("true")), ("egressS3Bucket", S("recordings")), ("cni", S("calico-bgp")), .. more])).OrThrow())).Edges;

    private static HashSet<string> From(IReadOnlyList<Edge> edges, string source) =>
        edges.Where(e => e.Source == source).Select(e => $"{e.Destination} {e.Listener}").ToHashSet();

    [Fact]
    public void Without_streaming_no_rtmp_port_is_open_and_without_monitoring_nothing_comes_in()
    {
        var edges = Edges();

        var outbound = From(edges, "egress");
        Assert.DoesNotContain(outbound, f => f.Contains("1935"));
        Assert.DoesNotContain(outbound, f => f.StartsWith(EgressPeers.StreamsName, StringComparison.Ordinal));
        // the bucket on the internet, at the endpoint's port (AWS: 443)
        Assert.Contains($"{EgressPeers.StorageName} 443/TCP", outbound);
        Assert.DoesNotContain(edges, e => e.Destination == "egress");
    }

    [Fact]
    public void A_bucket_in_a_private_range_is_reached_there_on_its_own_port_and_not_through_the_internet_rule()
    {
        // GIVEN MinIO on a private network at port 9000
        var edges = Edges(("egressS3Endpoint", S("http://10.30.0.5:9000")), ("egressStorageCidrs", L("10.30.0.0/24")));

        var outbound = From(edges, "egress");
        Assert.Contains($"{EgressPeers.StorageName} 9000/TCP", outbound);
        // no other policed pod reaches it (the internet rules exclude private ranges); host-network pods are not policed
        Assert.DoesNotContain(edges, e => e.Destination == EgressPeers.StorageName && e.Source != "egress" && ConnectivityReport.IsPoliced(e));
        Assert.DoesNotContain(outbound, f => f.StartsWith($"{NetworkPeers.InternetName} ", StringComparison.Ordinal));
    }

    [Fact]
    public void Egress_reaches_the_sfu_at_the_node_and_public_addresses_on_the_api_and_media_ports_only()
    {
        var outbound = From(Edges(), "egress");

        Assert.Equal(["sfu 7880/TCP", "sfu 7881/TCP", "sfu 7882/UDP"], outbound.Where(f => f.StartsWith("sfu ", StringComparison.Ordinal)).Order());
        Assert.Equal([$"{EgressPeers.SfuPublicName} 7881/TCP", $"{EgressPeers.SfuPublicName} 7882/UDP"],
            outbound.Where(f => f.StartsWith(EgressPeers.SfuPublicName, StringComparison.Ordinal)).Order());
        Assert.DoesNotContain(outbound, f => f.StartsWith("authorizer", StringComparison.Ordinal) || f.StartsWith("coturn", StringComparison.Ordinal));
    }

    [Fact]
    public void With_an_existing_sentinel_cluster_its_ports_are_open_and_nothing_else_is_added()
    {
        // GIVEN an existing Sentinel cluster known only by name
        var plan = Planner.Build(Parse(With(("egress", S("true")), ("egressS3Bucket", S("recordings")),
            ("redisMode", S("existing")), ("existingSentinelMasterName", S("phase1")), ("existingSentinelAddresses", L("s-0.redis.example:26380")),
            ("existingRedisPasswordSecret", S("phase1/password")))).OrThrow());

        // THEN the Egress policy has a rule for the sentinel and Redis ports to any destination (names cannot be ipBlocks)
        var policy = plan.Network.Policies.Single(p => p.Metadata.Name == NetworkPolicyBuilder.Egress);
        var redisRule = Assert.Single(policy.Spec.Egress, r => r.To is null);
        Assert.Equal(["26380", "6379"], redisRule.Ports.Select(p => p.Port.Value).Order());
    }
}
