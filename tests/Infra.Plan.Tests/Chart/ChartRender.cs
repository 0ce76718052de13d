using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Infra.Plan.Components;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Tests.Support;
using Infra.Servers;

namespace Infra.Plan.Tests.Chart;

/// <summary>A real chart (livekit-server, egress) rendered by helm v3 with a plan's values and our post-renderer (the installed tool).</summary>
public sealed record RenderedChart(EnvironmentPlan Plan, string Output, IReadOnlyList<JsonObject> Objects)
{
    public JsonObject Single(string kind) => Objects.Single(o => o.Kind() == kind);

    public JsonNode Container => Single("Deployment").At("spec.template.spec.containers.0")!;
}

public static class ChartRender
{
    private static readonly ConcurrentDictionary<string, Lazy<RenderedChart>> Cache = new();

    /// <summary>helm, or a skip (a failure when the test script installed the tools).</summary>
    public static string Helm()
    {
        var helm = Tools.Helm;
        if (helm is null)
        {
            Assert.False(Tools.Required, "helm v3 not found: set MATRIX_RTC_HELM (scripts/test.sh installs it)");
            Skip.If(true, "SKIPPED real-chart test: helm v3 not found (set MATRIX_RTC_HELM or put helm on PATH)");
        }
        return helm!;
    }

    /// <summary>The chart copy; without it the chart tests skip (the test script says so), never fail.</summary>
    public static string Chart()
    {
        var chart = Tools.LivekitChart;
        Skip.If(chart is null || !File.Exists(Path.Combine(chart, "Chart.yaml")),
            "SKIPPED real-chart test: chart livekit-server-1.9.0 not found (../shared/charts or MATRIX_RTC_CHART_DIR)");
        return chart!;
    }

    /// <summary>The egress chart copy; without it the egress chart tests skip, never fail.</summary>
    public static string EgressChart()
    {
        var chart = Tools.EgressChart;
        Skip.If(chart is null || !File.Exists(Path.Combine(chart, "Chart.yaml")),
            "SKIPPED real-chart test: chart egress-1.9.0 not found (../shared/charts or MATRIX_RTC_EGRESS_CHART_DIR)");
        return chart!;
    }

    /// <summary>The egress release of <paramref name="plan"/> (which must deploy Egress) on the real egress chart.</summary>
    public static RenderedChart RenderEgress(string key, EnvironmentPlan plan, bool postRender = true)
    {
        var helm = Helm();
        var chart = EgressChart();
        var release = plan.Egress?.Release ?? throw new ArgumentException($"{key}: the plan deploys no Egress", nameof(plan));
        return Cache.GetOrAdd($"egress/{key}/{postRender}", _ => new Lazy<RenderedChart>(() => Template(helm, chart, plan, release, postRender))).Value;
    }

    public static Dictionary<string, string> HelmEnv(string scratch) => new()
    {
        // Keep helm's caches out of the user's home.
        ["HELM_CACHE_HOME"] = Path.Combine(scratch, "cache"),
        ["HELM_CONFIG_HOME"] = Path.Combine(scratch, "config"),
        ["HELM_DATA_HOME"] = Path.Combine(scratch, "data"),
    };

    public static RenderedChart Render(string stack) => Render(stack, Stacks.Plan(stack));

    public static RenderedChart Render(string key, EnvironmentPlan plan) => Render(key, plan, plan.Livekit.Release);

    /// <summary>The livekit-server chart with <paramref name="release"/>'s values (a plan's release changed by a test), post-rendered.</summary>
    public static RenderedChart Render(string key, EnvironmentPlan plan, Infra.Plan.Contract.HelmReleasePlan release)
    {
        var helm = Helm();
        var chart = Chart();
        return Cache.GetOrAdd(key, _ => new Lazy<RenderedChart>(() => Template(helm, chart, plan, release, postRender: true))).Value;
    }

    /// <summary>The chart's own output for the same values, without the post-renderer.</summary>
    public static RenderedChart RenderWithoutPostRenderer(string stack)
    {
        var helm = Helm();
        var chart = Chart();
        var plan = Stacks.Plan(stack);
        return Cache.GetOrAdd(stack + "/raw", _ => new Lazy<RenderedChart>(() => Template(helm, chart, plan, plan.Livekit.Release, postRender: false))).Value;
    }

    /// <summary>
    /// Asserts that the post-rendered Deployment's wiring annotation is the plan's wiring without the version it asked for
    /// (a new version alone changes no pod template), then puts the chart's (the plan's) annotation back.
    /// </summary>
    public static void TakeOutAnnotationChange(JsonObject deployment, SecretWiring wiring)
    {
        var annotations = deployment.At("spec.template.metadata.annotations")!.AsObject();
        Assert.Equal((wiring with { PostRenderer = null }).ToJson(), (string)annotations[SecretWiring.Annotation]!);
        Assert.NotNull(wiring.PostRenderer);
        annotations[SecretWiring.Annotation] = wiring.ToJson();
    }

    public static string WriteValues(EnvironmentPlan plan, string dir) => WriteValues(plan.Livekit.Release, dir);

    public static string WriteValues(Infra.Plan.Contract.HelmReleasePlan release, string dir)
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, Path.GetFileName(release.Values.Path));
        File.WriteAllText(path, release.Values.Content);
        return path;
    }

    private static RenderedChart Template(string helm, string chart, EnvironmentPlan plan, Infra.Plan.Contract.HelmReleasePlan release, bool postRender)
    {
        var scratch = Directory.CreateTempSubdirectory("matrix-rtc-chart-").FullName;
        try
        {
            var values = WriteValues(release, scratch);
            List<string> args = ["template", release.Name, chart, "--namespace", release.Namespace, "-f", values];
            var env = HelmEnv(scratch);
            if (postRender)
            {
                // As the plan names it (a command, not a path): Helm finds the installed tool in PATH.
                args.AddRange(["--post-renderer", release.PostRenderer ?? throw new ArgumentException($"{release.Name} has no post-renderer")]);
                foreach (var (k, v) in PostRenderTool.Env())
                {
                    env[k] = v;
                }
            }
            var result = ToolRun.Run(helm, args, env: env);
            Assert.True(result.ExitCode == 0, $"helm template failed: {result.Stderr}");
            return new RenderedChart(plan, result.Stdout, Manifests.Parse(result.Stdout));
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
}
