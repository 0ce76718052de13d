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
    public void Synapse_and_well_known_exports_come_from_the_plan_files()
    {
        // GIVEN a plan with Synapse files and a .well-known document
        var plan = Stacks.Plan("dev");
        plan = plan with
        {
            Files = [.. plan.Files,
                new PlanFile("synapse/matrixrtc.yaml", "matrix_rtc:\n  transports: []\n"),
                new PlanFile("synapse/README.md", "not config"),
                new PlanFile("well-known/matrix/client", "{\"org.matrix.msc4143.rtc_foci\":[]}")],
        };

        // THEN the fragment holds only the YAML, headed by its path, and the JSON is returned as is
        Assert.Equal("# synapse/matrixrtc.yaml\nmatrix_rtc:\n  transports: []\n", StackExports.SynapseFragment(plan));
        Assert.Equal("{\"org.matrix.msc4143.rtc_foci\":[]}", StackExports.WellKnownClient(plan));
        Assert.Equal("", StackExports.WellKnownClient(Stacks.Plan("dev")));
    }
}
