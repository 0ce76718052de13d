using Infra.Plan.Sizing;
using Infra.Plan.Spec.Sections;
using Infra.Plan.Tests.Support;

namespace Infra.Plan.Tests.Sizing;

public class CapacityModelTests
{
    [Fact]
    public void The_load_tester_sends_what_its_source_says()
    {
        // loadtestprovider.go: bitrate / 8 / 30 bytes a sample, 30 samples a second
        Assert.Equal(12, LoadTester.BlankAudioPayloadBytes(3_000));
        Assert.Equal(41, LoadTester.BlankAudioPayloadBytes(10_000));
        // embeds.go: Inc() returns the new value, so the first publisher plays loop 1
        Assert.Equal("cartoon", LoadTester.LoopFor(0).Name);
        Assert.Equal("butterfly", LoadTester.LoopFor(5).Name);

        // the benchmark's audio room: 10 × 3000 tracks of 30 packets/s, 24 bytes each on the wire
        Assert.Equal(new Traffic(300, 900_000, 7_200, 21_600_000), LoadTester.AudioRoom2022(10, 3000, 3_000));
    }

    [Fact]
    public void Video_packets_are_bitrate_over_packet_size_but_at_least_one_a_frame()
    {
        var high = MediaStream.Video(1500, 30);
        Assert.Equal(187_500, high.BytesPerSecond);
        Assert.Equal(170.45, high.PacketsPerSecond, 2);
        Assert.Equal(15, MediaStream.Video(120, 15).PacketsPerSecond);
    }

    [Fact]
    public void Two_points_of_different_packet_size_give_the_per_packet_and_per_byte_cost()
    {
        // GIVEN 1000 packets + 100 kB → 0.012 cores and 2000 packets + 1 MB → 0.04 cores
        var fit = CpuCoefficients.Fit((new Traffic(0, 1000, 0, 100_000), 0.012), (new Traffic(0, 2000, 0, 1_000_000), 0.04));

        // THEN 10 µs a packet and 20 ns a byte
        Assert.Equal(10_000, fit.NanosPerPacket, 6);
        Assert.Equal(20_000, fit.NanosPerKilobyte, 6);
        Assert.Throws<ArgumentException>(() => CpuCoefficients.Fit((new Traffic(0, 1, 0, 10), 1), (new Traffic(0, 2, 0, 20), 2)));
    }

    [Fact]
    public void The_published_fit_and_version_factor_have_these_values()
    {
        Assert.Equal(13_950, CapacityModel.Reference.NanosPerPacket, 0);
        Assert.Equal(11_149, CapacityModel.Reference.NanosPerKilobyte, 0);
        Assert.Equal(2.19, CapacityModel.VersionFactor, 2);
    }

    [Fact]
    public void The_fit_points_are_reproduced_and_the_held_out_meeting_is_within_the_model_error()
    {
        Assert.Equal(0, PublishedLoadTests.Evaluate(PublishedLoadTests.AudioRoom).Error, 9);
        Assert.Equal(0, PublishedLoadTests.Evaluate(PublishedLoadTests.Livestream).Error, 9);
        Assert.Equal(0, PublishedLoadTests.Evaluate(PublishedLoadTests.Issue3285).Error, 9);

        var meeting = PublishedLoadTests.Evaluate(PublishedLoadTests.Meeting);
        Assert.Equal(PointUse.HeldOut, PublishedLoadTests.Meeting.Use);
        Assert.Equal(-0.10, meeting.Error, 2);
        Assert.True(Math.Abs(meeting.Error) < CapacityModel.FitError);
    }

    [Fact]
    public void Every_held_out_point_of_todays_livekit_lies_inside_its_band()
    {
        var current = PublishedLoadTests.All.Where(p => p.Use == PointUse.HeldOut && p.LivekitAtLeast18).ToList();
        Assert.NotEmpty(current);
        Assert.All(current, p => Assert.True(PublishedLoadTests.Evaluate(p).InsideBand, p.Name));
    }

    [Fact]
    public void Audio_costs_per_packet_and_dtx_silences_the_silent()
    {
        // GIVEN one 3-person audio call: 2 speak (50 packets/s of 80 + 12 bytes), 1 is silent
        var load = new CallLoad(1, 3, 0, 0);

        // WHEN DTX is on the silent microphone sends 2.5 packets/s of 3 + 12 bytes; off, as much as a speaker
        var dtx = CapacityModel.CallTraffic(load, dtx: true);
        var noDtx = CapacityModel.CallTraffic(load, dtx: false);

        Assert.Equal(new Traffic(102.5, 205, 9_237.5, 18_475), dtx);
        Assert.Equal(new Traffic(150, 300, 13_800, 27_600), noDtx);
    }

    [Fact]
    public void With_dynacast_a_publisher_sends_only_the_watched_layer()
    {
        // GIVEN a 2-person video call: each shows one tile, so only the high layer is watched
        var t = CapacityModel.CallTraffic(new CallLoad(1, 2, 1.0, 0), dtx: true);

        // THEN each publisher sends only the high layer (1416 kbit/s = 177,000 B/s), each subscriber receives it
        Assert.Equal([CapacityModel.HighLayerKbps], CapacityModel.WatchedLayersKbps(1));
        Assert.Equal(2 * 177_000 + 9_200, t.BytesIn, 6);
        Assert.Equal(2 * 177_000 + 9_200, t.BytesOut, 6);
        Assert.Equal(3, CapacityModel.WatchedLayersKbps(10).Count);
    }

    [Fact]
    public void Nodes_and_headroom_come_from_the_bands_upper_edge()
    {
        // GIVEN an estimate whose central figure fits one 4-CPU node with 25% headroom and whose upper edge does not
        var e = CapacityModel.Estimate(new CallLoad(1, 2, 0, 0)) with { Cpu = new CpuBand(1, 2.9, 3.1) };

        Assert.Equal(2, CapacityModel.NodesNeeded(e, 4));
        Assert.Equal(1 - 3.1 / 4, CapacityModel.Headroom(e, 1, 4), 9);
    }

    [Fact]
    public void The_band_is_the_hardware_class_range_with_the_model_error()
    {
        var traffic = new Traffic(0, 100_000, 0, 10_000_000);
        var reference = CapacityModel.Reference.Cores(traffic) * CapacityModel.VersionFactor;
        var general = CapacityModel.Cpu(traffic, SizingAssumptions.Default);

        Assert.Equal(reference * 1.6, general.Central, 9);
        Assert.Equal(reference * 1.1 * 0.85, general.Low, 9);
        Assert.Equal(reference * 2.2 * 1.15, general.High, 9);
        var shared = CapacityModel.Cpu(traffic, SizingAssumptions.Default with { Hardware = HardwareClass.Shared });
        var compute = CapacityModel.Cpu(traffic, SizingAssumptions.Default with { Hardware = HardwareClass.Compute });
        Assert.True(compute.High < general.High && general.High < shared.High);
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
        Assert.True(after.Cpu.High >= before.Cpu.High - 1e-9, $"CPU fell at {at}: {before.Cpu.High} → {after.Cpu.High}");
        Assert.True(after.SfuMemoryGiB >= before.SfuMemoryGiB - 1e-9, $"memory fell at {at}");
        Assert.True(after.TurnRelayMbps >= before.TurnRelayMbps - 1e-9, $"TURN bandwidth fell at {at}");
        Assert.True(after.IngressMbps >= before.IngressMbps - 1e-9, $"ingress fell at {at}");
        Assert.True(after.AudioTracksForwarded + after.VideoTracksForwarded >=
                    before.AudioTracksForwarded + before.VideoTracksForwarded - 1e-9, $"tracks fell at {at}");
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
    public void Each_preset_keeps_its_seed_size_and_says_whether_it_carries_its_stated_maximum(Tier tier)
    {
        var preset = TierCatalog.Get(tier);
        var sizing = SizingPlan.AtStatedMaximum(preset);

        Assert.Equal(preset.MaxCalls, sizing.Load.Calls);
        Assert.Equal(preset.SfuReplicas, sizing.SfuReplicas);
        if (sizing.SeedCarriesLoad)
        {
            Assert.True(sizing.Headroom >= CapacityModel.TargetHeadroom);
            Assert.DoesNotContain(sizing.Warnings, w => w.StartsWith($"Tier {preset.Name} cannot carry"));
        }
        else
        {
            Assert.Contains(sizing.Warnings, w => w.StartsWith($"Tier {preset.Name} cannot carry its stated maximum"));
            Assert.Contains($"| {preset.Name} |", Infra.Plan.Rendering.ConfigDocs.TierTable());
            Assert.Contains($"**no**: the upper edge needs {sizing.SfuNodesNeeded} SFUs", Infra.Plan.Rendering.ConfigDocs.TierTable());
        }
    }

    [Fact]
    public void An_overloaded_sfu_is_flagged_in_the_report()
    {
        // GIVEN the small tier forced to one SFU and far more load than it carries
        var spec = Stacks.Parse(Stacks.With(("calls", Stacks.S("10")), ("participantsPerCall", Stacks.S("100")), ("sfuReplicas", Stacks.S("1")))).OrThrow();

        var sizing = SizingPlan.For(spec);

        Assert.True(sizing.Headroom < CapacityModel.TargetHeadroom);
        Assert.Contains(sizing.Warnings, w => w.StartsWith("CPU headroom"));
        var report = sizing.ToMarkdown("test");
        Assert.Contains("## Warnings", report);
        Assert.Contains("| hardware class / DTX | general / on |", report);
        Assert.Contains("sizing uses the upper edge", report);
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
    public void Explicit_load_above_the_preset_adds_sfus_and_says_so()
    {
        var spec = Stacks.Parse(Stacks.With(
            ("tier", Stacks.S("medium")), ("calls", Stacks.S("30")), ("participantsPerCall", Stacks.S("4")),
            ("mediaNodeCount", Stacks.S("10")))).OrThrow();

        var sizing = SizingPlan.For(spec);

        Assert.True(sizing.SfuReplicas > TierCatalog.Get(Tier.Medium).SfuReplicas);
        Assert.True(sizing.Headroom >= CapacityModel.TargetHeadroom);
        Assert.Contains(sizing.Warnings, w => w.StartsWith($"{sizing.SfuReplicas} SFUs planned instead of tier medium's 2"));
    }

    [Fact]
    public void A_seed_the_band_says_is_too_small_is_a_warning_not_a_policy_violation_unless_the_operator_set_the_count()
    {
        // GIVEN the small tier at its stated maximum (its seed cannot carry it at the band's upper edge)
        var plan = Planner.Build(Stacks.Parse(Stacks.With()).OrThrow());
        Assert.False(plan.Sizing.SeedCarriesLoad);

        // THEN the plan keeps the seed's one SFU and warns; the capacity policy stays quiet
        Assert.Equal(1, plan.Sizing.SfuReplicas);
        Assert.Contains(plan.Sizing.Warnings, w => w.StartsWith("Tier small cannot carry its stated maximum"));
        Assert.DoesNotContain(Infra.Plan.Policy.PolicyChecks.Check(plan), v => v.Rule == Infra.Plan.Policy.PolicyRule.SfuCapacity);

        // WHEN the operator sets the SFU count below the band's need, THEN it is a violation naming sfuReplicas
        var forced = Planner.Build(Stacks.Parse(Stacks.With(("sfuReplicas", Stacks.S("1")))).OrThrow());
        var v = Assert.Single(Infra.Plan.Policy.PolicyChecks.Check(forced), v => v.Rule == Infra.Plan.Policy.PolicyRule.SfuCapacity);
        Assert.Equal("matrix-rtc:sfuReplicas", v.Subject);
        Assert.Contains("band up to", v.Message);
    }
}
