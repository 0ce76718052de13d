using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Spec;

/// <summary>The routing keys: each mistake one error naming the key, the bad value and what is allowed.</summary>
public class RoutingSpecTests
{
    [Fact]
    public void Gateway_routing_is_the_default_and_reads_the_listener()
    {
        var spec = Parse(With()).OrThrow();

        Assert.Equal(RoutingMode.Gateway, spec.Routing.Mode);
        Assert.Equal(new GatewayListener("public", "gateway", "https"), spec.Routing.Gateway);
        Assert.Equal(new DataPlanePods("envoy-gateway-system",
            [new("app.kubernetes.io/name", "envoy"), new("app.kubernetes.io/component", "proxy"), new("app.kubernetes.io/managed-by", "envoy-gateway")], 10443),
            spec.Cluster.GatewayPods with { Selector = spec.Cluster.GatewayPods.Selector.ToList() }, new PodsComparer());
    }

    [Theory]
    [InlineData("matrix-rtc:gatewayName", "the name of the Gateway")]
    [InlineData("matrix-rtc:gatewayNamespace", "the namespace of that Gateway")]
    [InlineData("matrix-rtc:gatewaySectionName", "plain HTTP included")]
    public void Each_listener_key_is_required_on_gateway_routing(string key, string why)
    {
        var config = With();
        config.Remove(key);

        var error = Assert.Single(Parse(config).Errors);

        Assert.Equal(key, error.Key);
        Assert.Contains(why, error.Message);
        Assert.Contains("(routing is gateway)", error.Message);
    }

    [Theory]
    [InlineData("routing", "traefik", "one of: gateway, ingress")]
    [InlineData("gatewaySectionName", "HTTPS", "a listener name (Gateway API SectionName)")]
    [InlineData("gatewayNamespace", "Gateway_NS", "a Kubernetes name")]
    [InlineData("ingressController", "nginx-inc", "one of: generic, ingress-nginx")]
    [InlineData("gatewayPodHttpsPort", "70000", "1")]
    public void A_bad_value_is_named_with_what_is_allowed(string key, string value, string allowed)
    {
        var config = key == "ingressController" ? WithIngress((key, S(value))) : With((key, S(value)));

        var error = Assert.Single(Parse(config).Errors);

        Assert.Equal($"matrix-rtc:{key}", error.Key);
        Assert.Contains(value, error.Message);
        Assert.Contains(allowed, error.Message);
    }

    [Theory]
    [InlineData("ingressNamespace", "kube-ingress")]
    [InlineData("ingressClass", "nginx")]
    [InlineData("ingressController", "ingress-nginx")]
    [InlineData("ingressPodHttpsPort", "8443")]
    [InlineData("externalDns", "true")]
    public void An_ingress_key_changed_on_gateway_routing_is_refused(string key, string value)
    {
        var error = Assert.Single(Parse(With((key, S(value)))).Errors);

        Assert.Equal($"matrix-rtc:{key}", error.Key);
        Assert.Contains($"\"{value}\"", error.Message);
        Assert.Contains("applies to routing ingress only", error.Message);
    }

    [Fact]
    public void Gateway_keys_on_ingress_routing_are_refused_but_defaults_handed_over_by_pulumi_are_not()
    {
        // GIVEN routing ingress with the gateway listener still named, and every other key at its default, given explicitly
        // (Pulumi hands the program every declared key)
        var config = WithIngress(("gatewayName", S("public")), ("gatewayPodNamespace", S("envoy-gateway-system")),
            ("gatewayPodHttpsPort", S("10443")), ("ingressNamespace", S("ingress-nginx")));

        var error = Assert.Single(Parse(config).Errors);

        Assert.Equal("matrix-rtc:gatewayName", error.Key);
        Assert.Contains("applies to routing gateway only", error.Message);
    }

    [Fact]
    public void The_rtc_host_secret_is_the_listeners_own_on_gateway_routing()
    {
        var error = Assert.Single(Parse(With(("tlsMode", S("existing-secret")), ("rtcTlsSecret", S("my-rtc")), ("turnTlsSecret", S("my-turn")))).Errors);

        Assert.Equal("matrix-rtc:rtcTlsSecret", error.Key);
        Assert.Contains("certificateRefs", error.Message);
    }

    private sealed class PodsComparer : IEqualityComparer<DataPlanePods>
    {
        public bool Equals(DataPlanePods? a, DataPlanePods? b) =>
            a!.Namespace == b!.Namespace && a.HttpsPort == b.HttpsPort && a.Selector.SequenceEqual(b.Selector);

        public int GetHashCode(DataPlanePods p) => p.Namespace.GetHashCode();
    }
}
