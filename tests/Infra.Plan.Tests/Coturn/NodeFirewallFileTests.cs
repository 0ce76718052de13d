using Infra.Plan.Components.Coturn;
using Infra.Plan.Rendering;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Coturn;

public sealed class NodeFirewallFileTests
{
    [Fact]
    public void Render_writes_the_media_nodes_rule_for_coturn_with_the_stacks_ports()
    {
        // GIVEN a stack with a non-default SFU media port and relay range
        var plan = Planner.Build(Parse(With(("sfuRtcUdpPort", S("7892")), ("turnRelayPorts", S("61100-65500")))).OrThrow());

        // WHEN rendered
        var files = RenderOutput.Files(plan);

        // THEN the nftables rule is a file of its own, for exactly these ports, and the ports report points at it
        var rule = files.Single(f => f.Path == CoturnPlan.NodeFirewallFile).Content;
        Assert.Contains($"table inet {CoturnNodeFirewall.Table}", rule);
        Assert.Contains("udp dport != { 7892, 61100-65500 } drop", rule);
        Assert.Contains(CoturnPlan.NodeFirewallFile, files.Single(f => f.Path == "report/ports.md").Content);
    }
}
