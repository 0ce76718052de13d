using System.Diagnostics;
using System.Globalization;
using Infra.Plan;
using Infra.Plan.Components.Redis;
using Infra.Plan.Spec;
using Infra.Servers;
using Infra.Servers.Redis;

namespace Infra.Bench;

/// <summary>
/// What the Sentinel timings cost and buy, on real servers: the plan's config templates and start scripts, unmodified,
/// as 3 data nodes + 3 sentinels on 127.0.0.11-13 (Debian's redis), a fresh cluster per trial. Scenarios:
/// <list type="bullet">
/// <item>kill: SIGKILL of the master. Reports when every sentinel names the new master (the sentinels' agreement),
/// the phases from the sentinels' own logs, and when a Sentinel-aware client's writes succeed on the new master.</item>
/// <item>freeze-1s / freeze-2s: the master SIGSTOPped (a GC-like pause, a throttled or overloaded node), then SIGCONT.</item>
/// <item>partition-1.5s: the master's pod (data node and its sentinel) cut off from the other pods by nftables on
/// loopback, packets dropped both ways, then healed. The client on 127.0.0.1 still reaches it.</item>
/// </list>
/// Each run reports whether a failover happened. Two writers run through every scenario: a StackExchange.Redis client
/// that resolves the master through the sentinels (<c>ServiceName</c>, as LiveKit's go-redis FailoverClient does) and
/// writes plain SETs like LiveKit (no WAIT), and a writer confirming each SET with <c>WAIT 1</c>. Afterwards every
/// acknowledged write is read back from the master the sentinels name: WAIT-acknowledged ones must all be there;
/// plain ones that are missing are reported as lost. The generated config and Bitnami's defaults (down-after 60000,
/// failover-timeout 180000) run in the same process for the kill ratio. Figures, never thresholds.
/// </summary>
public static class RedisFailoverBenchmark
{
    public static Benchmark Entry { get; } = new("redis-failover",
        "Sentinel: kill, 1 s/2 s freeze and 1.5 s partition of the master; client view; generated config vs Bitnami defaults " +
        "(args: [trials=5] [--scenarios kill,freeze-1s,freeze-2s,partition-1.5s] [--generated DOWN_AFTER_MS/FAILOVER_TIMEOUT_MS] [--no-bitnami])",
        Run);

    /// <summary>
    /// Sentinel closes and reopens a link whose ping is overdue only once the link is older than this
    /// (sentinel.c sentinel_min_link_reconnect_period, 15000 ms); the stalls start on links past it, as in a
    /// cluster that has been running, not on the links of a cluster that formed a moment ago.
    /// </summary>
    private static readonly TimeSpan SteadyLinks = TimeSpan.FromSeconds(16);

    /// <summary>The writers run this long before the disruption.</summary>
    private static readonly TimeSpan Lead = TimeSpan.FromSeconds(2);

    private sealed record Scenario(string Name, bool Kill, TimeSpan Freeze, TimeSpan Partition)
    {
        public TimeSpan Stall => Freeze + Partition;
    }

    private static readonly Scenario[] Scenarios =
    [
        new("kill", Kill: true, TimeSpan.Zero, TimeSpan.Zero),
        new("freeze-1s", Kill: false, TimeSpan.FromSeconds(1), TimeSpan.Zero),
        new("freeze-2s", Kill: false, TimeSpan.FromSeconds(2), TimeSpan.Zero),
        new("partition-1.5s", Kill: false, TimeSpan.Zero, TimeSpan.FromSeconds(1.5)),
    ];

    private sealed record Trial(
        bool Failover,
        double? AgreementSeconds,
        double? ClientSeconds,
        double ClientLongestGapSeconds,
        int ClientAcked,
        int ClientLost,
        int WaitAcked,
        int WaitLost,
        int SdownSentinels,
        bool Odown,
        string Phases,
        string? ClientError);

    public static int Run(string[] args, TextWriter @out)
    {
        var options = Options.Parse(args);
        if (options.Error is { } error)
        {
            @out.WriteLine("redis-failover: " + error);
            return 2;
        }
        var server = Tools.Find("redis-server");
        var sentinel = Tools.Find("redis-sentinel");
        var cli = Tools.Find("redis-cli");
        if (server is null || sentinel is null || cli is null)
        {
            @out.WriteLine("SKIPPED redis-failover: redis-server, redis-sentinel and redis-cli are needed (Debian packages redis-server, redis-sentinel)");
            return Tools.Required ? 1 : 0;
        }
        var scenarios = Scenarios.Where(s => options.Scenarios.Contains(s.Name)).ToArray();
        if (scenarios.Any(s => s.Partition > TimeSpan.Zero) && LoopbackPartition.Unavailable() is { } why)
        {
            @out.WriteLine($"SKIPPED partition scenarios: {why}");
            scenarios = scenarios.Where(s => s.Partition == TimeSpan.Zero).ToArray();
        }

        var generated = Plan(options.Generated is { } g
            ? [("redisDownAfterMilliseconds", g.DownAfter.ToString(CultureInfo.InvariantCulture)), ("redisFailoverTimeoutMilliseconds", g.FailoverTimeout.ToString(CultureInfo.InvariantCulture))]
            : []);
        var configs = new List<(string Name, EnvironmentPlan Plan, Scenario[] Scenarios)> { ("generated", generated, scenarios) };
        if (options.Bitnami && scenarios.Any(s => s.Kill))
        {
            configs.Add(("bitnami-defaults", Plan([("redisDownAfterMilliseconds", "60000"), ("redisFailoverTimeoutMilliseconds", "180000")]),
                scenarios.Where(s => s.Kill).ToArray()));
        }
        @out.WriteLine(Invariant($"redis-failover: {options.Trials} trial(s) per scenario; 3 data + 3 sentinels on 127.0.0.11-13, {Path.GetFileName(server)} {Version(server)}; ",
            $"client StackExchange.Redis {typeof(StackExchange.Redis.ConnectionMultiplexer).Assembly.GetName().Version} via the sentinels; {Environment.ProcessorCount} cores, load average {LoadAverage()} at start"));

        var kills = new Dictionary<string, (double Agreement, double Client)>();
        foreach (var (name, plan, planScenarios) in configs)
        {
            var redis = plan.Spec.Redis;
            var label = $"{name} ({redis.DownAfterMilliseconds}/{redis.FailoverTimeoutMilliseconds})";
            foreach (var scenario in planScenarios)
            {
                var results = new List<Trial>();
                for (var i = 0; i < options.Trials; i++)
                {
                    var trial = RunTrial(plan, scenario, server, sentinel, cli);
                    results.Add(trial);
                    @out.WriteLine(Invariant($"  {label} {scenario.Name} trial {i + 1}: {Describe(scenario, trial)}"));
                }
                @out.WriteLine(Summary(label, scenario, results));
                if (scenario.Kill)
                {
                    kills[name] = (Median(results.Select(r => r.AgreementSeconds ?? double.NaN)), Median(results.Select(r => r.ClientSeconds ?? double.NaN)));
                }
            }
        }
        if (kills.TryGetValue("generated", out var gen) && kills.TryGetValue("bitnami-defaults", out var bit))
        {
            @out.WriteLine(Invariant(
                $"kill, generated / bitnami-defaults: sentinels agree {gen.Agreement:0.00} s / {bit.Agreement:0.00} s = {gen.Agreement / bit.Agreement:0.000}; ",
                $"client writes succeed on the new master {gen.Client:0.00} s / {bit.Client:0.00} s = {gen.Client / bit.Client:0.000} (target: generated agreement <= 4 s)"));
        }
        @out.WriteLine($"load average at end {LoadAverage()} (the machine is shared: figures move with the load)");
        return 0;
    }

    private static string Describe(Scenario scenario, Trial t)
    {
        var writes = Invariant($"client acked {t.ClientAcked}, lost {t.ClientLost}; WAIT-acked {t.WaitAcked}, lost {t.WaitLost}");
        if (scenario.Kill)
        {
            return Invariant($"sentinels agree {t.AgreementSeconds:0.00} s, client writes on the new master {Format(t.ClientSeconds)} s ({t.Phases}); {writes}; client's last error before: {Shorten(t.ClientError)}");
        }
        return Invariant($"failover {(t.Failover ? "YES" : "no")} (+sdown by {t.SdownSentinels}/3 sentinels{(t.Odown ? ", +odown" : "")}), client's longest wait {t.ClientLongestGapSeconds:0.00} s; {writes}");
    }

    private static string Summary(string label, Scenario scenario, List<Trial> results)
    {
        var n = results.Count;
        var writes = Invariant(
            $"WAIT-acked writes lost {results.Sum(r => r.WaitLost)} of {results.Sum(r => r.WaitAcked)}; ",
            $"un-WAITed client writes lost {results.Sum(r => r.ClientLost)} of {results.Sum(r => r.ClientAcked)} (per trial median {Median(results.Select(r => (double)r.ClientLost)):0}, max {results.Max(r => r.ClientLost)})");
        if (scenario.Kill)
        {
            var agreement = results.Select(r => r.AgreementSeconds ?? double.NaN).ToArray();
            var client = results.Select(r => r.ClientSeconds ?? double.NaN).ToArray();
            return Invariant(
                $"{label} {scenario.Name}: median over {n} trials: sentinels agree on the new master {Median(agreement):0.00} s ({agreement.Min():0.00}-{agreement.Max():0.00}); ",
                $"Sentinel-aware client's writes succeed on it {Median(client):0.00} s ({client.Min():0.00}-{client.Max():0.00}) after the kill; {writes}");
        }
        return Invariant(
            $"{label} {scenario.Name}: failovers {results.Count(r => r.Failover)} of {n}; +sdown in {results.Count(r => r.SdownSentinels > 0)}, +odown in {results.Count(r => r.Odown)}; ",
            $"client's longest wait median {Median(results.Select(r => r.ClientLongestGapSeconds)):0.00} s; {writes}");
    }

    private static Trial RunTrial(EnvironmentPlan plan, Scenario scenario, string server, string sentinel, string cli)
    {
        var downAfter = TimeSpan.FromMilliseconds(plan.Spec.Redis.DownAfterMilliseconds);
        using var cluster = new SentinelCluster(SentinelCluster.FilesOf(plan), ClusterAddresses.Bench, server, sentinel, cli);
        try
        {
            // Generous: on a shared, loaded machine the start scripts' bounded sentinel queries add up.
            cluster.Start(TimeSpan.FromSeconds(90));
            var old = cluster.AgreedMaster()!;
            var m = cluster.IndexOf(old);
            if (!scenario.Kill)
            {
                Thread.Sleep(SteadyLinks);
            }
            using var writers = new FailoverWriters(cluster);
            writers.Start();
            Thread.Sleep(Lead);

            var disruptedAt = DateTime.UtcNow;
            var clock = Stopwatch.StartNew();
            double? agreement = null;
            var killedAt = disruptedAt;
            if (scenario.Kill)
            {
                cluster.KillData(m);
                // Acknowledgements stamped after this come from the new master: the old one is gone.
                killedAt = DateTime.UtcNow;
                var bound = downAfter * 2 + TimeSpan.FromSeconds(30);
                var (master, elapsed) = cluster.WaitForAgreedMaster(h => h != old, bound, TimeSpan.FromMilliseconds(20));
                if (master is null)
                {
                    throw new InvalidOperationException($"no failover within {bound.TotalSeconds:0} s");
                }
                // The sentinels' own log stamps say when each one named the new master (the poll above only confirms
                // it: on a loaded machine its round trips lag); the poll's time is the fallback.
                agreement = AgreedAt(cluster.SentinelEvents(), disruptedAt, cluster.Hosts.Count) ?? elapsed.TotalSeconds;
                // Let the client reach the new master (bounded), then a second of writes on it.
                ServerProcess.WaitUntil(() => writers.FirstClientAckAfter(killedAt) is not null, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));
                Thread.Sleep(TimeSpan.FromSeconds(1));
            }
            else
            {
                if (scenario.Freeze > TimeSpan.Zero)
                {
                    cluster.FreezeData(m);
                    Thread.Sleep(scenario.Freeze);
                    cluster.ThawData(m);
                }
                else
                {
                    using (cluster.Isolate(m))
                    {
                        Thread.Sleep(scenario.Partition);
                    }
                }
                // A failover the stall set off would show within detection + election + promotion; watch longer.
                Thread.Sleep(downAfter + TimeSpan.FromSeconds(4));
            }
            writers.Stop();

            var events = cluster.SentinelEvents().Where(e => e.At >= disruptedAt.AddSeconds(-1)).ToArray();
            var final = WaitForWritableMaster(cluster);
            var failover = final != old || events.Any(e => e.Type == "+switch-master");
            var (clientAcked, clientLost, waitAcked, waitLost) = writers.Verify(cluster, final);
            var clientAck = writers.FirstClientAckAfter(killedAt);
            return new Trial(
                failover,
                agreement,
                scenario.Kill && clientAck is { } ack ? (ack - disruptedAt).TotalSeconds : null,
                writers.LongestClientGap(disruptedAt.AddSeconds(-1)).TotalSeconds,
                clientAcked, clientLost, waitAcked, waitLost,
                events.Where(e => e.Type == "+sdown" && e.OnMaster).Select(e => e.Sentinel).Distinct().Count(),
                events.Any(e => e.Type == "+odown"),
                Phases(events, disruptedAt),
                clientAck is { } at ? writers.LastClientErrorBefore(at) : null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidOperationException($"{scenario.Name}: {e.Message}\n{cluster.Logs()}", e);
        }
    }

    /// <summary>
    /// Seconds after the disruption when the last sentinel began naming the new master: the leader from +promoted-slave
    /// (get-master-addr-by-name answers the promoted replica from then on, sentinel.c sentinelGetCurrentMasterAddress),
    /// the others from their +switch-master. Null when a sentinel logged neither.
    /// </summary>
    private static double? AgreedAt(IReadOnlyList<SentinelEvent> events, DateTime disruptedAt, int sentinels)
    {
        var named = events.Where(e => e.At >= disruptedAt && e.Type is "+promoted-slave" or "+switch-master")
            .GroupBy(e => e.Sentinel).Select(g => g.Min(e => e.At)).ToArray();
        return named.Length == sentinels ? (named.Max() - disruptedAt).TotalSeconds : null;
    }

    /// <summary>The failover's steps from the sentinels' logs, seconds after the disruption (first sentinel to log each).</summary>
    private static string Phases(IReadOnlyList<SentinelEvent> events, DateTime disruptedAt)
    {
        string Step(string label, Func<SentinelEvent, bool> match) =>
            events.FirstOrDefault(match) is { } e ? Invariant($"{label} {(e.At - disruptedAt).TotalSeconds:0.00}") : $"{label} -";
        return string.Join(", ",
            Step("sdown", e => e.Type == "+sdown" && e.OnMaster),
            Step("odown", e => e.Type == "+odown"),
            Invariant($"{events.Count(e => e.Type == "+try-failover")} candidate(s)"),
            Step("elected", e => e.Type == "+elected-leader"),
            Step("promoted", e => e.Type == "+promoted-slave"),
            Step("switch", e => e.Type == "+switch-master"));
    }

    /// <summary>The master every sentinel names once it answers writes (bounded): the one the acknowledged writes are checked on.</summary>
    private static string WaitForWritableMaster(SentinelCluster cluster)
    {
        string? master = null;
        var ok = ServerProcess.WaitUntil(() =>
            (master = cluster.AgreedMaster()) is { } h && cluster.Role(cluster.IndexOf(h)) == "master"
            && cluster.CallData(cluster.IndexOf(h), "SET", "bench:probe", "1")?.AsText == "OK",
            TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        return ok ? master! : throw new InvalidOperationException($"no writable master agreed by all sentinels: {string.Join(", ", cluster.SentinelMasters())}");
    }

    private static EnvironmentPlan Plan((string Key, string Value)[] overrides)
    {
        var root = StackFile.FindProjectDirectory(AppContext.BaseDirectory)
            ?? StackFile.FindProjectDirectory(Environment.CurrentDirectory)
            ?? throw new InvalidOperationException("Pulumi.yaml not found above the benchmark or the current directory");
        var config = StackFile.ReadConfig(StackFile.StackFilePath(root, "dev")).ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (key, value) in overrides)
        {
            config[$"{ConfigKey.Project}:{key}"] = new ConfigValue.Scalar(value);
        }
        return Planner.Build(Planner.Validate("dev", config).OrThrow());
    }

    private sealed record Options(int Trials, IReadOnlySet<string> Scenarios, (int DownAfter, int FailoverTimeout)? Generated, bool Bitnami, string? Error)
    {
        public static Options Parse(string[] args)
        {
            var trials = 5;
            var scenarios = RedisFailoverBenchmark.Scenarios.Select(s => s.Name).ToHashSet();
            (int, int)? generated = null;
            var bitnami = true;
            for (var i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--scenarios" when i + 1 < args.Length:
                        scenarios = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
                        var unknown = scenarios.Except(RedisFailoverBenchmark.Scenarios.Select(s => s.Name)).ToArray();
                        if (unknown.Length > 0)
                        {
                            return new(0, scenarios, null, false, $"unknown scenario {string.Join(", ", unknown)}; known: {string.Join(", ", RedisFailoverBenchmark.Scenarios.Select(s => s.Name))}");
                        }
                        break;
                    case "--generated" when i + 1 < args.Length && args[i + 1].Split('/') is [var d, var f]
                                                                && int.TryParse(d, out var down) && int.TryParse(f, out var failover):
                        generated = (down, failover);
                        i++;
                        break;
                    case "--no-bitnami":
                        bitnami = false;
                        break;
                    default:
                        if (!int.TryParse(args[i], out trials) || trials < 1)
                        {
                            return new(0, scenarios, null, false, $"unexpected argument \"{args[i]}\" (usage: [trials] [--scenarios a,b] [--generated DOWN_AFTER_MS/FAILOVER_TIMEOUT_MS] [--no-bitnami])");
                        }
                        break;
                }
            }
            return new(trials, scenarios, generated, bitnami, null);
        }
    }

    private static string Shorten(string? text) => text is null ? "none" : text.Length <= 120 ? text : text[..120] + "...";

    private static string Format(double? seconds) => seconds is { } s ? s.ToString("0.00", CultureInfo.InvariantCulture) : "never";

    private static string Invariant(params FormattableString[] parts) => string.Concat(parts.Select(p => p.ToString(CultureInfo.InvariantCulture)));

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static string Version(string server)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(server, "--version") { RedirectStandardOutput = true, UseShellExecute = false });
            var text = p?.StandardOutput.ReadToEnd() ?? "";
            p?.WaitForExit(5000);
            return text.Split(' ').FirstOrDefault(w => w.StartsWith("v=", StringComparison.Ordinal))?[2..] ?? "?";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }
}
