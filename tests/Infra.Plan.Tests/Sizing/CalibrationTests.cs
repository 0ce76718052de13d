using Infra.Plan.Sizing;
using Infra.Plan.Spec;
using Infra.Plan.Tests.Support;

namespace Infra.Plan.Tests.Sizing;

/// <summary>Costs measured on the operator's own nodes replace the published fit everywhere the plan uses CPU or memory.</summary>
public class CalibrationTests
{
    private static SizingPlan Small(params (string Key, ConfigValue Value)[] extra) =>
        SizingPlan.For(Stacks.Parse(Stacks.With(extra)).OrThrow());

    [Fact]
    public void Measured_cpu_costs_replace_the_published_fit_exactly()
    {
        // GIVEN 4,000 ns a packet and 5,000 ns a kilobyte measured on the operator's node
        var sizing = Small(("sfuCpuNanosPerPacket", Stacks.S("4000")), ("sfuCpuNanosPerKilobyte", Stacks.S("5000")));

        // THEN the central figure is exactly those costs on the load's traffic, the band ±15%, no hardware factor
        var t = sizing.Estimate.Traffic;
        var expected = 4000e-9 * t.Packets + 5000e-12 * t.Bytes;
        Assert.Equal(expected, sizing.Estimate.Cpu.Central, 9);
        Assert.Equal(expected * 1.15, sizing.Estimate.Cpu.High, 9);
        Assert.Contains("CPU costs measured on your nodes: 4000 ns a packet, 5000 ns a kilobyte", sizing.ToMarkdown("test"));
    }

    [Fact]
    public void Cheaper_measured_costs_let_the_tier_carry_its_load_and_dearer_ones_do_not()
    {
        // GIVEN the small tier at its stated maximum, which the published band says it cannot carry
        var published = Small();
        Assert.Contains(published.Warnings, w => w.StartsWith("Tier small cannot carry"));

        // WHEN the operator measured a fast node / a slow node
        var fast = Small(("sfuCpuNanosPerPacket", Stacks.S("3000")), ("sfuCpuNanosPerKilobyte", Stacks.S("3000")));
        var slow = Small(("sfuCpuNanosPerPacket", Stacks.S("100000")), ("sfuCpuNanosPerKilobyte", Stacks.S("100000")));

        // THEN the fast node carries it with no capacity warning; the slow one needs more SFUs than the published band
        Assert.True(fast.SeedCarriesLoad);
        Assert.DoesNotContain(fast.Warnings, w => w.StartsWith("Tier small cannot carry") || w.StartsWith("CPU headroom"));
        Assert.True(slow.SfuNodesNeeded > published.SfuNodesNeeded);
        Assert.Equal(fast.Estimate.Traffic, slow.Estimate.Traffic);
    }

    [Fact]
    public void Measured_memory_per_participant_changes_the_memory_estimate()
    {
        var modelled = Small();
        var measured = Small(("sfuMemoryMiBPerParticipant", Stacks.S("20")));

        var participants = modelled.Load.Participants;
        Assert.Equal((20 - CapacityModel.MemoryPerParticipantMiB) * participants / 1024.0, measured.Estimate.SfuMemoryGiB - modelled.Estimate.SfuMemoryGiB, 9);
    }

    [Theory]
    [InlineData("sfuCpuNanosPerPacket", "5", "\"5\" is not allowed; 0 (not measured: the model's own figure) or a whole number from 500 to 500000 nanoseconds of CPU per packet")]
    [InlineData("sfuCpuNanosPerPacket", "13.9", "\"13.9\" is not allowed; 0 (not measured: the model's own figure) or a whole number from 500 to 500000 nanoseconds of CPU per packet")]
    [InlineData("sfuCpuNanosPerKilobyte", "9000000", "\"9000000\" is not allowed; 0 (not measured: the model's own figure) or a whole number from 500 to 500000 nanoseconds of CPU per 1000 bytes")]
    [InlineData("sfuMemoryMiBPerParticipant", "-3", "\"-3\" is not allowed; 0 (not measured: the model's own figure) or a whole number from 1 to 256 MiB per participant")]
    public void A_bad_measured_cost_is_an_error_naming_the_key_the_value_and_the_range(string key, string value, string message)
    {
        var config = Stacks.With((key, Stacks.S(value)));
        if (key == "sfuCpuNanosPerPacket")
        {
            config["matrix-rtc:sfuCpuNanosPerKilobyte"] = Stacks.S("14000");
        }
        else if (key == "sfuCpuNanosPerKilobyte")
        {
            config["matrix-rtc:sfuCpuNanosPerPacket"] = Stacks.S("14000");
        }

        var errors = Stacks.Parse(config).Errors;

        var error = Assert.Single(errors, e => e.Key == $"matrix-rtc:{key}");
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void One_cpu_cost_without_the_other_is_an_error_naming_the_missing_key()
    {
        var errors = Stacks.Parse(Stacks.With(("sfuCpuNanosPerPacket", Stacks.S("14000")))).Errors;

        var error = Assert.Single(errors);
        Assert.Equal("matrix-rtc:sfuCpuNanosPerKilobyte", error.Key);
        Assert.Contains("a measured value too when matrix-rtc:sfuCpuNanosPerPacket is set", error.Message);
    }

    [Fact]
    public void An_unknown_hardware_class_is_an_error_listing_the_classes()
    {
        var error = Assert.Single(Stacks.Parse(Stacks.With(("sfuHardwareClass", Stacks.S("fast")))).Errors);

        Assert.Equal("matrix-rtc:sfuHardwareClass", error.Key);
        Assert.Contains("one of: compute, general, shared", error.Message);
    }

    [Fact]
    public void Hardware_class_and_dtx_change_the_plan_as_they_should()
    {
        var general = Small();
        var compute = Small(("sfuHardwareClass", Stacks.S("compute")));
        var noDtx = Small(("audioDtx", Stacks.S("false")));

        Assert.True(compute.Estimate.Cpu.High < general.Estimate.Cpu.High);
        Assert.True(compute.SfuNodesNeeded <= general.SfuNodesNeeded);
        Assert.True(noDtx.Estimate.Traffic.Packets > general.Estimate.Traffic.Packets);
        Assert.True(noDtx.Estimate.Cpu.Central > general.Estimate.Cpu.Central);
    }
}
