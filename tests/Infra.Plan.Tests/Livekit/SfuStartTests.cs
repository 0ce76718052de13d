using Infra.Plan.Components.Livekit;
using Infra.Plan.Spec.Sections;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Livekit;

/// <summary>
/// The SFU must start while its own coturn is down: LiveKit asks STUN for its public address at start and exits
/// when no server answers (<see cref="LivekitStartModel"/>). The real STUN answers through a 1:1 NAT are shown by
/// CoturnNatTests.The_SFU_learns_its_public_address_by_STUN_even_while_its_own_coturn_is_down.
/// </summary>
public class SfuStartTests
{
    private const string PublicAddress = "203.0.113.11";

    private static LivekitServerConfig ConfigOf(EnvironmentPlan plan) => LivekitPlan.ServerConfig(LivekitInput.From(plan.Derived));

    private static string[] LivekitDefaults => (string[])SfuSection.StunServers.Default!;

    private static Func<string, string?> OnlyOutsideAnswers(string turnHost) =>
        server => server.StartsWith(turnHost + ":", StringComparison.Ordinal) ? null : PublicAddress;

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void The_generated_config_starts_the_SFU_while_its_own_coturn_is_down(string stack)
    {
        // GIVEN the stack's LiveKit config, and no answer from the TURN host's coturn
        var plan = Support.Stacks.Plan(stack);
        var rtc = ConfigOf(plan).Rtc;

        var outcome = LivekitStartModel.Start(rtc.UseExternalIp, rtc.StunServers, nodeIp: null,
            OnlyOutsideAnswers(plan.Spec.Site.TurnHost), LivekitDefaults);

        // THEN a second STUN source answers in the first round: the SFU starts with its public address
        Assert.True(outcome.Starts, string.Join(", ", outcome.Asked));
        Assert.Equal(PublicAddress, outcome.NodeIp);
        Assert.Equal([$"{plan.Spec.Site.TurnHost}:3478", rtc.StunServers[1]], outcome.Asked);
    }

    [Fact]
    public void With_only_its_own_coturn_as_STUN_server_the_SFU_exits_after_three_rounds()
    {
        // The config before sfuStunServers: stun_servers = [turnHost:3478] only.
        var outcome = LivekitStartModel.Start(true, ["turn.example.org:3478"], nodeIp: null, OnlyOutsideAnswers("turn.example.org"), LivekitDefaults);

        Assert.False(outcome.Starts);
        Assert.Equal(Enumerable.Repeat("turn.example.org:3478", 3), outcome.Asked);
    }

    [Fact]
    public void A_healthy_own_coturn_is_the_only_server_asked()
    {
        var plan = Planner.Build(Parse(With()).OrThrow());
        var rtc = ConfigOf(plan).Rtc;

        var outcome = LivekitStartModel.Start(rtc.UseExternalIp, rtc.StunServers, nodeIp: null, _ => PublicAddress, LivekitDefaults);

        Assert.True(outcome.Starts);
        Assert.Equal(["turn.example.org:3478"], outcome.Asked);
    }

    [Fact]
    public void Configured_fallbacks_replace_LiveKits_defaults_and_follow_the_own_coturn()
    {
        var plan = Planner.Build(Parse(With(("sfuStunServers", L("stun.example.net:3478", "[2001:db8::3]:3478", "192.0.2.53:19302")))).OrThrow());

        Assert.Equal(["turn.example.org:3478", "stun.example.net:3478", "[2001:db8::3]:3478", "192.0.2.53:19302"], ConfigOf(plan).Rtc.StunServers);
    }

    [Theory]
    [InlineData("stun.example.net")]        // no port
    [InlineData("stun.example.net:0")]
    [InlineData("stun.example.net:70000")]
    [InlineData("Stun_Example:3478")]
    [InlineData("2001:db8::3:3478")]        // IPv6 without brackets
    [InlineData("10.1:3478")]               // an IPv4 shorthand
    public void A_STUN_server_that_is_not_host_port_is_refused(string value)
    {
        var error = Assert.Single(Parse(With(("sfuStunServers", L(value)))).Errors);

        Assert.Equal("matrix-rtc:sfuStunServers", error.Key);
        Assert.Contains($"\"{value}\"", error.Message);
        Assert.Contains("host:port", error.Message);
    }

    [Fact]
    public void No_STUN_fallback_at_all_is_refused()
    {
        var error = Assert.Single(Parse(With(("sfuStunServers", L()))).Errors);

        Assert.Equal("matrix-rtc:sfuStunServers", error.Key);
        Assert.Contains("at least one STUN server outside this deployment", error.Message);
    }

    [Fact]
    public void The_TURN_host_is_no_fallback()
    {
        var error = Assert.Single(Parse(With(("sfuStunServers", L("turn.example.org:3478")))).Errors);

        Assert.Equal("matrix-rtc:sfuStunServers", error.Key);
        Assert.Contains("matrix-rtc:turnHost (turn.example.org) is asked first anyway", error.Message);
    }
}
