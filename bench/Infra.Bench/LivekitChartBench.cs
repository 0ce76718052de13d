using System.Diagnostics;
using Infra.Plan;
using Infra.Plan.Components;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Spec;
using Infra.PostRender;
using Infra.PostRender.Contract;
using Infra.Servers;

namespace Infra.Bench;

/// <summary>
/// What the LiveKit release costs each `pulumi preview/up`: planning the values, the post-renderer in process, and
/// `helm template` of the real chart with the post-renderer as Helm runs it (the installed matrix-rtc-postrender tool,
/// found in PATH by command name; a new process each time). Figures only; needs helm, the chart copy and the tool for
/// the last part.
/// </summary>
public static class LivekitChartBench
{
    public static Benchmark Benchmark { get; } = new("livekit-chart",
        "plan the LiveKit values, post-render in process, helm template + post-renderer (prod stack) [runs=5]", Run);

    private static int Run(string[] args, TextWriter output)
    {
        var runs = args.Length > 0 && int.TryParse(args[0], out var n) && n > 0 ? n : 5;
        var root = StackFile.FindProjectDirectory(AppContext.BaseDirectory) ?? throw new InvalidOperationException("Pulumi.yaml not found");
        var spec = Planner.Validate("prod", StackFile.ReadConfig(StackFile.StackFilePath(root, "prod"))).OrThrow();

        var planTimes = Time(runs * 20, () => _ = Planner.Build(spec).Livekit.Release.Values);
        output.WriteLine($"plan (whole prod plan incl. livekit values): median {Median(planTimes):0.00} ms over {planTimes.Count} runs");

        var helm = Tools.Helm;
        var chart = Tools.LivekitChart;
        if (helm is null || chart is null)
        {
            output.WriteLine("SKIPPED helm template: helm or the livekit-server chart not found (MATRIX_RTC_HELM, MATRIX_RTC_CHART_DIR)");
            return 0;
        }
        var plan = Planner.Build(spec);
        var scratch = Directory.CreateTempSubdirectory("matrix-rtc-bench-").FullName;
        try
        {
            var values = Path.Combine(scratch, "values.yaml");
            File.WriteAllText(values, plan.Livekit.Release.Values.Content);
            var env = new Dictionary<string, string>
            {
                ["HELM_CACHE_HOME"] = Path.Combine(scratch, "cache"),
                ["HELM_CONFIG_HOME"] = Path.Combine(scratch, "config"),
                ["HELM_DATA_HOME"] = Path.Combine(scratch, "data"),
            };
            string[] common = ["template", Names.LivekitRelease, chart, "--namespace", plan.Spec.Site.MediaNamespace, "-f", values];
            var raw = "";
            var plain = Time(runs, () => raw = Exec(helm, common, env));
            var postRender = Time(runs * 20, () => _ = LivekitPostRenderer.Apply(raw, PostRendererIdentity.Version));
            output.WriteLine($"helm template (no post-renderer): median {Median(plain):0} ms over {runs} runs");
            output.WriteLine($"post-renderer in process ({raw.Length} bytes of manifests): median {Median(postRender):0.00} ms over {postRender.Count} runs");
            if (Tools.Find(PostRendererIdentity.Command) is null)
            {
                output.WriteLine($"SKIPPED helm template + post-renderer: {PostRendererIdentity.Command} not in PATH ({PostRendererIdentity.InstallCommand(PostRendererIdentity.Version)})");
                return 0;
            }
            var full = Time(runs, () => _ = Exec(helm, [.. common, "--post-renderer", PostRendererIdentity.Command], env));
            output.WriteLine($"helm template + post-renderer ({PostRendererIdentity.Command} from PATH): median {Median(full):0} ms over {runs} runs");
            return 0;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static string Exec(string file, IEnumerable<string> args, Dictionary<string, string> env)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("helm template did not finish in 120 s");
        }
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"helm template failed: {stderr.Result}");
        }
        return stdout.Result;
    }

    private static List<double> Time(int runs, Action action)
    {
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        return times;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
