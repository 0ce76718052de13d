using Infra.Plan.Net;
using Infra.Plan.Ports;
using Infra.Plan.Spec;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Ports;

public class PortPlanTests
{
    private static IReadOnlyList<ConfigError> Errors(params (string Key, ConfigValue Value)[] changes) => Parse(With(changes)).Errors;

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void The_repository_stacks_have_a_valid_port_plan_without_overlaps(string stack)
    {
        var plan = PortPlan.For(Stacks.Spec(stack));

        Assert.Empty(plan.Check());
        foreach (var a in plan.Ports)
        {
            Assert.False(a.Ports.Overlaps(PortPlan.NodePortRange), a.Label);
            Assert.False(a.Ports.Overlaps(plan.Ephemeral), a.Label);
            Assert.DoesNotContain(plan.Ports, b => !ReferenceEquals(a, b) && a.Protocol == b.Protocol && a.Ports.Overlaps(b.Ports));
        }
    }

    [Fact]
    public void Holds_every_host_port_of_LiveKit_and_coturn_with_the_design_defaults()
    {
        var ports = PortPlan.For(Parse(Minimal()).OrThrow()).Ports
            .Select(p => $"{p.Component} {p.Ports}/{p.Protocol}").ToHashSet();

        Assert.Equal(
            new[] { "livekit 7880/Tcp", "livekit 7881/Tcp", "livekit 7882/Udp", "livekit 6789/Tcp", "coturn 3478/Udp", "coturn 3478/Tcp",
                    "coturn 5349/Tcp", "coturn 61000-65535/Udp", "coturn 9641/Tcp" }.ToHashSet(),
            ports);
    }

    [Fact]
    public void Two_components_on_one_port_is_an_error_naming_both_keys()
    {
        // GIVEN coturn's TURN port moved onto the SFU's ICE-TCP port
        var errors = Errors(("turnPort", S("7881")));

        var error = Assert.Single(errors);
        Assert.Equal("matrix-rtc:turnPort", error.Key);
        Assert.Contains("\"7881\"", error.Message);
        Assert.Contains("matrix-rtc:sfuRtcTcpPort", error.Message);
    }

    [Fact]
    public void Ports_collide_per_protocol()
    {
        // TURN binds its port on UDP and TCP, so 7882 collides with the SFU's UDP media port
        Assert.Contains(Errors(("turnPort", S("7882"))), e => e.Key == "matrix-rtc:turnPort" && e.Message.Contains("sfuRtcUdpPort"));
        // while the SFU's TCP port may share the number of its UDP media port: different sockets
        Assert.Empty(Errors(("sfuRtcTcpPort", S("7882"))));
    }

    [Fact]
    public void A_relay_range_overlapping_another_port_is_refused()
    {
        var error = Assert.Single(Errors(("turnRelayPorts", S("7000-7999"))));

        Assert.Equal("matrix-rtc:turnRelayPorts", error.Key);
        Assert.Contains("matrix-rtc:sfuRtcUdpPort", error.Message);
    }

    [Fact]
    public void A_range_in_the_ephemeral_range_is_refused()
    {
        // LiveKit's and coturn's upstream defaults (50000-60000, 49152-65535) both sit in Linux's ephemeral range
        var errors = Errors(("turnRelayPorts", S("49152-65535")));

        var error = Assert.Single(errors);
        Assert.Equal("matrix-rtc:turnRelayPorts", error.Key);
        Assert.Contains("\"49152-65535\"", error.Message);
        Assert.Contains("ephemeral range 32768-60999 (matrix-rtc:ephemeralPortRange)", error.Message);
    }

    [Fact]
    public void The_ephemeral_range_comes_from_the_spec()
    {
        // GIVEN nodes whose ephemeral range is 20000-29999
        Assert.Empty(Errors(("ephemeralPortRange", S("20000-29999")), ("turnRelayPorts", S("40000-49999"))));
        var error = Assert.Single(Errors(("ephemeralPortRange", S("20000-29999")), ("sfuRtcUdpPort", S("25000"))));
        Assert.Equal("matrix-rtc:sfuRtcUdpPort", error.Key);
        Assert.Contains("20000-29999", error.Message);
    }

    [Theory]
    [InlineData("sfuRtcUdpPort", "31000")]
    [InlineData("turnMetricsPort", "30000")]
    [InlineData("turnRelayPorts", "29000-30100")]
    public void A_port_in_the_NodePort_range_is_refused(string key, string value)
    {
        var errors = Errors((key, S(value)));

        Assert.Contains(errors, e => e.Key == $"matrix-rtc:{key}" && e.Message.Contains($"\"{value}\"") && e.Message.Contains("NodePort range 30000-32767"));
    }

    [Fact]
    public void A_relay_range_smaller_than_the_total_quota_is_refused()
    {
        var error = Assert.Single(Errors(("turnRelayPorts", S("61000-61099")), ("turnTotalQuota", S("500"))));

        Assert.Equal("matrix-rtc:turnRelayPorts", error.Key);
        Assert.Contains("at least 500 ports", error.Message);
        Assert.Contains("matrix-rtc:turnTotalQuota", error.Message);
    }

    [Fact]
    public void Tls_on_443_is_planned_and_conflicts_with_an_explicit_tls_port()
    {
        var plan = PortPlan.For(Parse(With(("turnTlsOn443", S("true")))).OrThrow());
        Assert.Contains(plan.Ports, p => p.Ports == PortRange.Single(443) && p.Protocol == Protocol.Tcp && p.Exposure == Exposure.Internet);
        Assert.DoesNotContain(plan.Ports, p => p.Ports == PortRange.Single(5349));

        var error = Assert.Single(Errors(("turnTlsOn443", S("true")), ("turnTlsPort", S("5350"))));
        Assert.Equal("matrix-rtc:turnTlsPort", error.Key);
    }

    [Fact]
    public void Every_error_reaches_the_parse_result_so_render_and_pulumi_stop_before_planning()
    {
        // GIVEN three independent port mistakes WHEN parsed THEN each is reported, and the spec cannot be had
        var result = Parse(With(("turnPort", S("7881")), ("sfuMetricsPort", S("31000")), ("turnRelayPorts", S("40000-45000"))));

        Assert.False(result.Ok);
        Assert.Equal(3, result.Errors.Count);
        Assert.Throws<ConfigException>(() => result.OrThrow());
    }

    [Fact]
    public void Ports_report_lists_internet_and_cluster_rules()
    {
        var plan = Stacks.Plan("prod");

        var report = plan.Reports.Single(f => f.Path == "report/ports.md").Content;

        var internet = report[report.IndexOf("Open to the internet", StringComparison.Ordinal)..report.IndexOf("Open only inside", StringComparison.Ordinal)];
        var cluster = report[report.IndexOf("Open only inside", StringComparison.Ordinal)..];
        Assert.Contains("- allow TCP 3478, 5349, 7881", internet);
        Assert.Contains("- allow UDP 3478, 7882, 61000-65535", internet); // no DTLS on 5349: coturn 4.17 does not start it
        Assert.DoesNotContain("9641", internet);
        Assert.DoesNotContain("6789", internet);
        Assert.Contains("- allow TCP 6789, 7880, 9641 from 10.20.0.0/22, 10.244.0.0/16", cluster);
        Assert.Contains("| coturn | relay range | UDP | 61000-65535 | internet | `turnRelayPorts` |", report);
    }

    [Theory]
    [InlineData("nodeport", "it can reach another node's SFU, and that\nrelayed call fails")]
    [InlineData("loadbalancer", "each load balancer's Service selects its own SFU only, so the relay's media stays with it.")]
    public void Off_the_host_network_the_ports_report_says_where_the_relays_own_traffic_lands(string stack, string where)
    {
        // GIVEN a stack whose SFU is behind Services WHEN its ports report is written
        var report = Stacks.Plan(stack).Reports.Single(f => f.Path == "report/ports.md").Content;

        // THEN besides externalTrafficPolicy Local it says that a pod's own traffic (the TURN relay's) ignores it, per mode
        Assert.Contains("Not so for a pod's own traffic to a node port or a load-balancer address", report);
        Assert.Contains(where, report);
    }
}
