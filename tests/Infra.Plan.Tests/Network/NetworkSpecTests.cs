using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Network;

/// <summary>Bad network-related config gets one clear error naming the key, the value and what is allowed.</summary>
public class NetworkSpecTests
{
    [Fact]
    public void Malformed_node_cidr_is_named_with_its_value()
    {
        var errors = Parse(With(("nodeCidrs", L("10.10.0/24", "10.11.0.0/33")))).Errors;

        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Equal("matrix-rtc:nodeCidrs", e.Key));
        Assert.Contains(errors, e => e.Message.Contains("\"10.10.0/24\" is not allowed") && e.Message.Contains("CIDRs such as"));
        Assert.Contains(errors, e => e.Message.Contains("\"10.11.0.0/33\""));
    }

    [Fact]
    public void Node_cidr_overlapping_the_pod_cidr_is_refused()
    {
        var error = Assert.Single(Parse(With(("nodeCidrs", L("10.244.8.0/24")))).Errors);

        Assert.Equal("matrix-rtc:nodeCidrs", error.Key);
        Assert.Contains("\"10.244.8.0/24\"", error.Message);
        Assert.Contains("does not overlap the pod CIDR 10.244.0.0/16", error.Message);
    }

    [Fact]
    public void Missing_dns_selector_is_refused_because_it_would_match_every_pod()
    {
        var error = Assert.Single(Parse(With(("dnsPodSelector", L()))).Errors);

        Assert.Equal("matrix-rtc:dnsPodSelector", error.Key);
        Assert.Contains("at least one key=value label", error.Message);
    }

    [Theory]
    [InlineData("dnsPodSelector", "k8s-app")]
    [InlineData("ingressPodSelector", "=nginx")]
    [InlineData("gatewayPodSelector", "app.kubernetes.io/name")]
    [InlineData("synapsePodSelector", "app=has space")]
    public void Malformed_selector_labels_are_named(string key, string item)
    {
        var config = key.StartsWith("ingress", StringComparison.Ordinal) ? WithIngress((key, L(item))) : With((key, L(item)));

        var error = Assert.Single(Parse(config).Errors);

        Assert.Equal($"matrix-rtc:{key}", error.Key);
        Assert.Contains($"\"{item}\" is not allowed; labels as key=value", error.Message);
    }

    [Fact]
    public void Unknown_sfu_route_lists_the_choices()
    {
        var error = Assert.Single(Parse(With(("authorizerSfuRoute", S("cluster")))).Errors);

        Assert.Equal("matrix-rtc:authorizerSfuRoute", error.Key);
        Assert.Contains("one of: ingress, public, direct", error.Message);
    }
}
