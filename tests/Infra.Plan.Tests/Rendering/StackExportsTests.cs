using Infra.Plan.Rendering;
using Infra.Plan.Tests.Support;

namespace Infra.Plan.Tests.Rendering;

public sealed class StackExportsTests
{
    [Fact]
    public void The_capacity_summary_states_the_tier_its_load_and_its_headroom()
    {
        // GIVEN a plan WHEN summarised THEN the line carries the plan's own figures in the documented order
        var plan = Stacks.Plan("prod");
        var s = plan.Sizing;
        var summary = StackExports.CapacitySummary(plan);
        Assert.StartsWith($"tier {s.Preset.Name}: {s.Load.Calls} calls × {s.Load.ParticipantsPerCall} participants on {s.SfuReplicas} SFU(s) of " +
            $"{s.Preset.Sfu.Cpu} CPU / {s.Preset.Sfu.Memory}; {s.Estimate.SfuCpuCores.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} cores needed", summary);
        Assert.Contains($"headroom {(s.Headroom * 100).ToString("0", System.Globalization.CultureInfo.InvariantCulture)}%", summary);
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
