using Infra.Plan.Spec;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Coturn;

/// <summary>
/// A stack must say where each media node's public address comes from when its node addresses are private
/// (TurnChecks.PublicAddressChecks): discovery (the default), or a mapping for every node.
/// </summary>
public class PublicAddressSpecTests
{
    [Fact]
    public void Private_node_addresses_without_discovery_or_mapping_are_refused_naming_the_keys()
    {
        var result = Parse(With(("nodeCidrs", L("10.20.0.0/22")), ("turnExternalIpDiscovery", S("false"))));

        var error = Assert.Single(result.Errors);
        Assert.Equal("matrix-rtc:turnExternalIpDiscovery", error.Key);
        Assert.Contains("is false and matrix-rtc:turnExternalIps maps no node", error.Message);
        Assert.Contains("matrix-rtc:nodeCidrs (10.20.0.0/22) holds private addresses", error.Message);
        Assert.Contains("private relay addresses", error.Message);
        Assert.Contains("Set matrix-rtc:turnExternalIpDiscovery: true", error.Message);
    }

    [Theory]
    [InlineData("100.64.0.0/16")] // carrier-grade NAT
    [InlineData("172.16.4.0/24")]
    [InlineData("fd00:10::/64")]
    public void Every_private_kind_of_node_range_needs_a_source(string cidr)
    {
        var result = Parse(With(("nodeCidrs", L(cidr)), ("podCidrs", L("10.244.0.0/16")), ("turnExternalIpDiscovery", S("false"))));

        Assert.Equal("matrix-rtc:turnExternalIpDiscovery", Assert.Single(result.Errors).Key);
    }

    [Fact]
    public void A_mapping_for_fewer_nodes_than_the_stack_has_is_refused()
    {
        var result = Parse(With(("nodeCidrs", L("10.20.0.0/22")), ("mediaNodeCount", S("3")), ("turnExternalIpDiscovery", S("false")),
            ("turnExternalIps", L("10.20.0.5=203.0.113.10", "10.20.0.6=203.0.113.11"))));

        var error = Assert.Single(result.Errors);
        Assert.Equal("matrix-rtc:turnExternalIps", error.Key);
        Assert.Contains("maps 2 node(s) but matrix-rtc:mediaNodeCount is 3", error.Message);
    }

    [Theory]
    [InlineData("true", "10.20.0.0/22", null)]                 // the default: discovery
    [InlineData("false", "10.20.0.0/22", "10.20.0.5=203.0.113.10")] // one node, mapped
    [InlineData("false", "198.51.100.0/24", null)]             // public node addresses: relayed as they are
    public void A_stack_with_a_source_for_every_public_address_is_accepted(string discovery, string nodes, string? mapping)
    {
        var changes = new List<(string, ConfigValue)> { ("nodeCidrs", L(nodes)), ("turnExternalIpDiscovery", S(discovery)) };
        if (mapping is not null)
        {
            changes.Add(("turnExternalIps", L(mapping)));
        }

        var result = Parse(With(changes.ToArray()));

        Assert.True(result.Ok, string.Join("\n", result.Errors));
    }

    [Fact]
    public void The_repositorys_stacks_rely_on_discovery()
    {
        foreach (var stack in new[] { "dev", "prod" })
        {
            Assert.True(Support.Stacks.Spec(stack).Turn.DiscoverExternalIp, stack);
        }
    }

    [Fact]
    public void Discovery_with_an_Alpine_coturn_image_is_refused_it_has_no_openssl()
    {
        var error = Assert.Single(Parse(With(("coturnImage", S("coturn/coturn:4.7.0-alpine")))).Errors);

        Assert.Equal("matrix-rtc:coturnImage", error.Key);
        Assert.Contains("Debian-based coturn image", error.Message);
        Assert.Contains("matrix-rtc:turnExternalIpDiscovery is true", error.Message);
        Assert.True(Parse(With(("coturnImage", S("coturn/coturn:4.7.0-alpine")), ("turnExternalIpDiscovery", S("false")),
            ("turnExternalIps", L("10.10.0.5=203.0.113.10")))).Ok);
    }
}
