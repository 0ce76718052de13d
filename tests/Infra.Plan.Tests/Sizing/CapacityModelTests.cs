using Infra.Plan.Spec.Sections;
using Infra.Plan.Sizing;

namespace Infra.Plan.Tests.Sizing;

public class CapacityModelTests
{
    private const double BenchmarkCores = 16;

    public static TheoryData<string, MediaScenario, double> BenchmarkPoints => new()
    {
        // LiveKit's published benchmark, 16 vCPU c2-standard-16 (REFERENCE.md). Tracks: publishers × subscribers.
        { "audio 10 → 3000", new MediaScenario(10 * 3000 * CapacityModel.BenchmarkSpeakingShare, 0, EgressMBps: 23, IngressMBps: 0), 0.80 },
        { "meeting 150 × 150", new MediaScenario(0, 150 * 149, EgressMBps: 93, IngressMBps: 50), 0.85 },
        { "livestream 1 → 3000", new MediaScenario(0, 3000, EgressMBps: 531, IngressMBps: 0), 0.92 },
    };

    [Theory]
    [MemberData(nameof(BenchmarkPoints))]
    public void Reproduces_the_published_benchmark_within_15_percent(string name, MediaScenario scenario, double measuredCpuShare)
    {
        var predicted = CapacityModel.Cpu(scenario) / BenchmarkCores;
        var error = Math.Abs(predicted - measuredCpuShare) / measuredCpuShare;
        Assert.True(error <= 0.15, $"{name}: predicted {predicted:P1} CPU, measured {measuredCpuShare:P0} ({error:P1} off)");
    }

    [Fact]
    public void Bitrate_constants_come_from_the_benchmark()
    {
        Assert.Equal(6.13, CapacityModel.AudioTrackKbps, 2);
        Assert.Equal(1416, CapacityModel.HighLayerKbps, 0);
    }

    [Fact]
    public void More_load_never_needs_fewer_resources()
    {
        var shares = new[] { 0.0, 0.3, 0.7, 1.0 };
        foreach (var video in shares)
        {
            foreach (var turn in shares)
            {
                CapacityEstimate? previousCalls = null;
                for (var calls = 1; calls <= 100; calls += 3)
                {
                    var e = CapacityModel.Estimate(new CallLoad(calls, 6, video, turn));
                    if (previousCalls is not null)
                    {
                        AssertNotLess(previousCalls, e, $"calls {calls}, video {video}, turn {turn}");
                    }
                    previousCalls = e;
                }
                CapacityEstimate? previousSize = null;
                for (var size = 2; size <= 100; size++)
                {
                    var e = CapacityModel.Estimate(new CallLoad(5, size, video, turn));
                    if (previousSize is not null)
                    {
                        AssertNotLess(previousSize, e, $"participants {size}, video {video}, turn {turn}");
                    }
                    previousSize = e;
                }
            }
        }
    }

    private static void AssertNotLess(CapacityEstimate before, CapacityEstimate after, string at)
    {
        Assert.True(after.SfuCpuCores >= before.SfuCpuCores - 1e-9, $"CPU fell at {at}: {before.SfuCpuCores} → {after.SfuCpuCores}");
        Assert.True(after.SfuMemoryGiB >= before.SfuMemoryGiB - 1e-9, $"memory fell at {at}");
        Assert.True(after.TurnRelayMbps >= before.TurnRelayMbps - 1e-9, $"TURN bandwidth fell at {at}");
        Assert.True(after.IngressMbps >= before.IngressMbps - 1e-9, $"ingress fell at {at}");
        Assert.True(after.Media.AudioTracksForwarded + after.Media.VideoTracksForwarded >=
                    before.Media.AudioTracksForwarded + before.Media.VideoTracksForwarded - 1e-9, $"tracks fell at {at}");
        Assert.True(CapacityModel.NodesNeeded(after, 8) >= CapacityModel.NodesNeeded(before, 8), $"nodes fell at {at}");
    }

    [Fact]
    public void More_video_or_more_turn_never_needs_fewer_resources()
    {
        for (var i = 1; i <= 10; i++)
        {
            var less = CapacityModel.Estimate(new CallLoad(20, 8, (i - 1) / 10.0, 0.1));
            var more = CapacityModel.Estimate(new CallLoad(20, 8, i / 10.0, 0.1));
            Assert.True(more.IngressMbps > less.IngressMbps);
            var lessTurn = CapacityModel.Estimate(new CallLoad(20, 8, 0.5, (i - 1) / 10.0));
            var moreTurn = CapacityModel.Estimate(new CallLoad(20, 8, 0.5, i / 10.0));
            Assert.True(moreTurn.TurnRelayMbps > lessTurn.TurnRelayMbps);
        }
    }

    [Theory]
    [InlineData(Tier.Small)]
    [InlineData(Tier.Medium)]
    [InlineData(Tier.Large)]
    public void Each_preset_keeps_25_percent_headroom_at_its_stated_maximum_or_flags_it(Tier tier)
    {
        var preset = TierCatalog.Get(tier);
        var sizing = SizingPlan.AtStatedMaximum(preset);

        Assert.Equal(preset.MaxCalls, sizing.Load.Calls);
        if (sizing.Headroom < CapacityModel.TargetHeadroom)
        {
            Assert.Contains(sizing.Warnings, w => w.Contains("headroom"));
        }
        else
        {
            Assert.DoesNotContain(sizing.Warnings, w => w.StartsWith("CPU headroom"));
            Assert.True(sizing.SfuReplicas == preset.SfuReplicas, $"{preset.Name} needed more SFUs than its preset");
        }
    }

    [Fact]
    public void An_overloaded_sfu_is_flagged_in_the_report()
    {
        // GIVEN the small tier forced to one SFU and far more load than it carries
        var spec = Support.Stacks.Parse(Support.Stacks.With(
            ("calls", Support.Stacks.S("10")), ("participantsPerCall", Support.Stacks.S("100")), ("sfuReplicas", Support.Stacks.S("1")))).OrThrow();

        var sizing = SizingPlan.For(spec);

        Assert.True(sizing.Headroom < CapacityModel.TargetHeadroom);
        Assert.Contains(sizing.Warnings, w => w.StartsWith("CPU headroom"));
        Assert.Contains("## Warnings", sizing.ToMarkdown("test"));
    }

    [Fact]
    public void Presets_are_guaranteed_qos_with_whole_cpus_for_media()
    {
        foreach (var preset in TierCatalog.All)
        {
            Assert.True(preset.Sfu.Guaranteed && preset.Sfu.CpuMillis % 1000 == 0, preset.Name);
            Assert.True(preset.Coturn.Guaranteed && preset.Coturn.CpuMillis % 1000 == 0, preset.Name);
        }
        Assert.Equal([1, 2, 3], TierCatalog.All.Select(t => t.SfuReplicas));
        Assert.Equal(["2", "4", "8"], TierCatalog.All.Select(t => t.Sfu.Cpu));
        Assert.Equal(["4Gi", "8Gi", "16Gi"], TierCatalog.All.Select(t => t.Sfu.Memory));
    }

    [Fact]
    public void Explicit_load_above_the_preset_adds_sfus()
    {
        var spec = Support.Stacks.Parse(Support.Stacks.With(
            ("tier", Support.Stacks.S("medium")), ("calls", Support.Stacks.S("50")), ("participantsPerCall", Support.Stacks.S("20")),
            ("mediaNodeCount", Support.Stacks.S("10")))).OrThrow();

        var sizing = SizingPlan.For(spec);

        Assert.True(sizing.SfuReplicas > TierCatalog.Get(Tier.Medium).SfuReplicas);
        Assert.True(sizing.Headroom >= CapacityModel.TargetHeadroom);
    }
}
