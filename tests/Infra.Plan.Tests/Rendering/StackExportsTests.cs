using Infra.Plan.Rendering;
using Infra.Plan.Tests.Support;

namespace Infra.Plan.Tests.Rendering;

public sealed class StackExportsTests
{
    [Fact]
    public void The_capacity_summary_states_the_tier_its_load_and_its_headroom()
    {
        var summary = StackExports.CapacitySummary(Stacks.Plan("prod"));
        Assert.StartsWith("tier large: 100 calls × 10 participants on 3 SFU(s) of 8 CPU / 16Gi; 17.0 cores needed", summary);
        Assert.Contains("headroom 29%", summary);
    }

    [Fact]
    public void Synapse_and_well_known_exports_are_the_rendered_files()
    {
        // GIVEN dev's plan WHEN exporting THEN the outputs are byte for byte what render writes for review
        var plan = Stacks.Plan("dev");
        Assert.Equal(plan.Synapse.FragmentYaml, StackExports.SynapseFragment(plan));
        Assert.Equal(plan.Synapse.WellKnownClientJson, StackExports.WellKnownClient(plan));
        Assert.Contains("https://rtc.dev.example.org", StackExports.WellKnownClient(plan));
    }
}
