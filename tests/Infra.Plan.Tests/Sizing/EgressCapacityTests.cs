using Infra.Plan.Sizing;
using Infra.Plan.Spec.Sections;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Sizing;

/// <summary>The Egress capacity model against Egress's own admission rule (livekit/egress v1.14.1 pkg/stats/monitor.go).</summary>
public class EgressCapacityTests
{
    /// <summary>
    /// Egress's admission, re-stated from monitor.go (canAcceptRequestLocked, getCPUUsageLocked): with no job running
    /// the whole CPU count is available, otherwise CPUs × max_cpu_utilization minus what the running jobs reserve
    /// (at least their cost). Jobs are admitted one by one until one is refused.
    /// </summary>
    private static int Admitted(double cpus, double cost)
    {
        var running = 0;
        while (running < 1000)
        {
            var available = running == 0 ? cpus : cpus * EgressCapacityModel.MaxCpuUtilization - running * cost;
            if (available < cost)
            {
                break;
            }
            running++;
        }
        return running;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(10)]
    [InlineData(15)]
    [InlineData(16)]
    public void Jobs_per_pod_are_what_egress_admits(int cpus)
    {
        Assert.Equal(Admitted(cpus, EgressCapacityModel.RoomCompositeCpuCost), EgressCapacityModel.JobsPerPod(cpus, EgressCapacityModel.RoomCompositeCpuCost));
        Assert.Equal(Admitted(cpus, EgressCapacityModel.TrackCpuCost), EgressCapacityModel.JobsPerPod(cpus, EgressCapacityModel.TrackCpuCost));
    }

    [Fact]
    public void A_room_composite_needs_4_cpus_and_a_second_one_10()
    {
        Assert.Equal(0, EgressCapacityModel.JobsPerPod(3, EgressCapacityModel.RoomCompositeCpuCost));
        Assert.Equal(1, EgressCapacityModel.JobsPerPod(4, EgressCapacityModel.RoomCompositeCpuCost));
        Assert.Equal(1, EgressCapacityModel.JobsPerPod(9, EgressCapacityModel.RoomCompositeCpuCost));
        Assert.Equal(2, EgressCapacityModel.JobsPerPod(10, EgressCapacityModel.RoomCompositeCpuCost));
    }

    [Fact]
    public void Every_tier_carries_its_planned_recordings_with_pods_egress_admits_them_on()
    {
        foreach (var tier in TierCatalog.All)
        {
            var s = EgressSizing.For(tier, null, 10800, 11400);
            Assert.True(s.RecordingsPerPod >= 1, tier.Name);
            Assert.True(s.Capacity >= s.Recordings, $"{tier.Name}: {s.Capacity} < {s.Recordings}");
            // no pod more than needed
            Assert.True((s.Replicas - 1) * s.RecordingsPerPod < s.Recordings, $"{tier.Name}: {s.Replicas} pods for {s.Recordings}");
            // memory follows LiveKit's 1 GB per CPU, at least its 4 CPU / 4 GB minimum per instance
            Assert.True(s.Pod.CpuMillis >= 4000 && s.Pod.MemoryMiB == s.Pod.CpuMillis / 1000 * 1024, tier.Name);
        }
    }

    [Fact]
    public void More_recordings_need_more_pods_and_a_longer_limit_more_scratch()
    {
        var large = TierCatalog.Get(Tier.Large);
        var few = EgressSizing.For(large, 2, 3600, 4200);
        var many = EgressSizing.For(large, 9, 3600, 4200);
        var longer = EgressSizing.For(large, 2, 10800, 11400);

        Assert.Equal(1, few.Replicas);
        Assert.Equal(5, many.Replicas);
        Assert.True(longer.ScratchGiB > few.ScratchGiB);
        // a 3-hour 720p recording is about 4.2 GB (3128 kbit/s), and the scratch holds every slot's file with margin
        Assert.Equal(4.22, EgressSizing.For(large, 2, 10800, 11400).RecordingBytes / 1e9, 2);
        Assert.True(longer.ScratchGiB * 1024.0 * 1024 * 1024 >= longer.RecordingsPerPod * longer.RecordingBytes * EgressCapacityModel.ScratchMargin);
    }

    /// <summary>
    /// Egress's memory admission, re-stated from monitor.go (checkMemoryAdmissionLocked, cgroup source): a job is refused
    /// when used + pending + memory_cost + 1.0 ≥ max_memory. Each admitted job counts at its memory_cost (pending for its
    /// first 15 s, then measured: at least that is what the cost says it grows to). Room composites are admitted one by one.
    /// </summary>
    private static int MemoryAdmitted(double maxMemory, double cost, double idle)
    {
        var running = 0;
        while (running < 1000 && !(idle + running * cost + cost + EgressCapacityModel.MemoryHeadroomGiB >= maxMemory))
        {
            running++;
        }
        return running;
    }

    [Theory]
    [InlineData(4, 1, 3.5, 1.75)]
    [InlineData(10, 2, 9.5, 3.75)]
    [InlineData(16, 3, 15.5, 4.5)]
    public void Memory_admission_sits_below_the_limit_and_prices_each_planned_composite(double limitGiB, int composites, double maxMemory, double cost) =>
        Assert.Equal((maxMemory, cost), EgressCapacityModel.MemoryAdmission(limitGiB, composites));

    [Fact]
    public void Memory_admission_admits_exactly_the_room_composites_cpu_admission_plans_on_every_tier()
    {
        foreach (var tier in TierCatalog.All)
        {
            var s = EgressSizing.For(tier, null, 10800, 11400);
            Assert.True(s.MaxMemoryGiB < s.Pod.MemoryMiB / 1024.0, tier.Name);
            Assert.Equal(s.RecordingsPerPod, MemoryAdmitted(s.MaxMemoryGiB, s.MemoryCostGiB, EgressCapacityModel.IdleMemoryGiB));
        }
    }

    [Fact]
    public void A_pod_too_small_for_its_composites_beside_the_headroom_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => EgressCapacityModel.MemoryAdmission(2, 1));
        Assert.Contains("2 GiB pod has no memory for 1 room composites", e.Message);
    }

    [Fact]
    public void The_scratch_holds_what_the_admitted_jobs_of_the_kind_that_writes_most_write()
    {
        // GIVEN a 3-hour limit: a 720p file is 4,222,800,000 bytes (3128 kbit/s), Chrome jobs add 1 GiB of scratch
        var small = EgressSizing.For(TierCatalog.Get(Tier.Small), null, 10800, 11400);
        var large = EgressSizing.For(TierCatalog.Get(Tier.Large), null, 10800, 11400);

        // THEN a 4-CPU pod admits 6 track jobs (0.5 CPU each): 6 × 4.22 GB × 1.25 = 29.5 GiB, more than its one room
        // composite (4.22 GB + 1 GiB) × 1.25 = 6.2 GiB; a 10-CPU pod 16 of them: 78.7 GiB
        Assert.Equal((30, "track", 6, 1, 32), (small.ScratchGiB, small.ScratchBy.Kind, small.ScratchBy.Jobs, small.TmpGiB, small.EphemeralGiB));
        Assert.Equal((79, "track", 16, 81), (large.ScratchGiB, large.ScratchBy.Kind, large.ScratchBy.Jobs, large.EphemeralGiB));
        // AND without the Chrome scratch a room composite alone would be 5 GiB: Chrome's share is counted
        var composite = EgressCapacityModel.JobKinds.Single(k => k.Name == "room composite");
        Assert.True(composite.Chrome);
    }

    [Fact]
    public void The_capacity_report_shows_recording_capacity_only_when_egress_is_on()
    {
        var prod = Stacks.Plan("prod").Files.Single(f => f.Path == "report/capacity.md").Content;
        var dev = Stacks.Plan("dev").Files.Single(f => f.Path == "report/capacity.md").Content;
        var s = Stacks.Plan("prod").Sizing.Egress!;

        Assert.Contains("## Recording and streaming (LiveKit Egress)", prod);
        Assert.Contains($"| room composites at once, all pods | {s.Capacity} |", prod);
        Assert.Contains($"| Egress pods | {s.Replicas} × {s.Pod.Cpu} CPU / {s.Pod.Memory} (Guaranteed), never on the media nodes |", prod);
        Assert.Contains("pkg/stats/monitor.go", prod);
        Assert.DoesNotContain("LiveKit Egress", dev);
    }

    [Fact]
    public void Egress_recordings_from_config_override_the_tier()
    {
        var spec = Parse(With(("egress", S("true")), ("egressS3Bucket", S("rec")), ("egressRecordings", S("3")))).OrThrow();
        Assert.Equal(3, SizingPlan.For(spec).Egress!.Recordings);
        Assert.Equal(3, SizingPlan.For(spec).Egress!.Replicas); // small tier: 4 CPUs, one room composite per pod
    }
}
