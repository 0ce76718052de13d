using System.Diagnostics;
using System.Globalization;
using Infra.Plan;
using Infra.Plan.Spec;
using Infra.Servers;
using Infra.Servers.Redis;

namespace Infra.Bench;

/// <summary>
/// Failover time of the generated Sentinel config against Bitnami's defaults (down-after 60000 ms,
/// failover-timeout 180000 ms), both rendered by the plan from the dev stack and run by the plan's own
/// scripts on 127.0.0.11-13 with Debian's redis. Per trial: a fresh 3+3 cluster, a client writing plain
/// (un-WAITed) SETs, SIGKILL of the master, time until every sentinel names the same new master, and how
/// many of the writes acknowledged in the last second before the kill are missing on the new master.
/// </summary>
public static class RedisFailoverBenchmark
{
    public static Benchmark Entry { get; } = new("redis-failover",
        "Sentinel failover time: generated config vs Bitnami defaults (args: [trials=3])", Run);

    private sealed record Trial(double FailoverSeconds, int WritesLastSecond, int LostLastSecond);

    public static int Run(string[] args, TextWriter @out)
    {
        var trials = args.Length > 0 && int.TryParse(args[0], out var t) && t >= 1 ? t : 3;
        var server = Tools.Find("redis-server");
        var sentinel = Tools.Find("redis-sentinel");
        var cli = Tools.Find("redis-cli");
        if (server is null || sentinel is null || cli is null)
        {
            @out.WriteLine("SKIPPED redis-failover: redis-server, redis-sentinel and redis-cli are needed (Debian packages redis-server, redis-sentinel)");
            return Tools.Required ? 1 : 0;
        }

        var generated = Plan([]);
        var bitnami = Plan([("redisDownAfterMilliseconds", "60000"), ("redisFailoverTimeoutMilliseconds", "180000")]);
        var configs = new[]
        {
            ("generated", generated, $"{generated.Spec.Redis.DownAfterMilliseconds}/{generated.Spec.Redis.FailoverTimeoutMilliseconds}"),
            ("bitnami-defaults", bitnami, "60000/180000"),
        };
        @out.WriteLine($"redis-failover: {trials} trial(s) per config; 3 data + 3 sentinels on 127.0.0.11-13, {Path.GetFileName(server)} {Version(server)}");
        var medians = new Dictionary<string, double>();
        foreach (var (name, plan, timings) in configs)
        {
            var results = new List<Trial>();
            for (var i = 0; i < trials; i++)
            {
                var trial = RunTrial(plan, server, sentinel, cli, TimeSpan.FromMilliseconds(plan.Spec.Redis.DownAfterMilliseconds * 2 + 30_000));
                results.Add(trial);
                @out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {name,-17} ({timings}) trial {i + 1}: failover {trial.FailoverSeconds:0.00} s; plain writes in the last second {trial.WritesLastSecond}, lost {trial.LostLastSecond}"));
            }
            var median = Median(results.Select(r => r.FailoverSeconds));
            medians[name] = median;
            @out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: median failover {median:0.00} s over {trials} trials; lost un-WAITed writes from the last second: median {Median(results.Select(r => (double)r.LostLastSecond)):0} of {Median(results.Select(r => (double)r.WritesLastSecond)):0} (max {results.Max(r => r.LostLastSecond)})"));
        }
        var ratio = medians["generated"] / medians["bitnami-defaults"];
        @out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratio generated / bitnami-defaults: {ratio:0.000} (target <= 0.12); generated median {medians["generated"]:0.00} s (target <= 7 s)"));
        return 0;
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

    private static Trial RunTrial(EnvironmentPlan plan, string server, string sentinel, string cli, TimeSpan bound)
    {
        using var cluster = new SentinelCluster(SentinelCluster.FilesOf(plan), ClusterAddresses.Bench, server, sentinel, cli);
        cluster.Start(TimeSpan.FromSeconds(30));
        var old = cluster.AgreedMaster()!;

        // A client writes plain SETs (no WAIT) on its own thread, stamping the time each OK arrived; the master
        // is SIGKILLed under it after 2 s, so the newest writes may not have reached a replica yet.
        var acked = new List<(string Key, string Value, TimeSpan At)>();
        var clock = Stopwatch.StartNew();
        var writer = new Thread(() =>
        {
            try
            {
                using var client = cluster.ConnectData(old);
                for (var n = 0; clock.Elapsed < TimeSpan.FromSeconds(10) && n < 5_000_000; n++)
                {
                    var (key, value) = ($"plain:{n}", $"v{n}");
                    if (client.Call("SET", key, value).AsText == "OK")
                    {
                        lock (acked)
                        {
                            acked.Add((key, value, clock.Elapsed));
                        }
                    }
                }
            }
            catch (IOException)
            {
                // the master was killed
            }
        }) { IsBackground = true };
        writer.Start();
        Thread.Sleep(TimeSpan.FromSeconds(2));
        var killedAt = clock.Elapsed;
        cluster.KillData(cluster.IndexOf(old));
        writer.Join(TimeSpan.FromSeconds(15));
        var (master, elapsed) = cluster.WaitForAgreedMaster(h => h != old, bound, TimeSpan.FromMilliseconds(50));
        if (master is null)
        {
            throw new InvalidOperationException($"no failover within {bound.TotalSeconds:0} s\n{cluster.Logs()}");
        }

        List<(string Key, string Value, TimeSpan At)> lastSecond;
        lock (acked)
        {
            lastSecond = acked.Where(w => killedAt - w.At <= TimeSpan.FromSeconds(1)).ToList();
        }
        using var reader = cluster.ConnectData(master, 5000);
        var lost = lastSecond.Count(w => reader.Call("GET", w.Key).AsText != w.Value);
        return new Trial(elapsed.TotalSeconds, lastSecond.Count, lost);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
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
