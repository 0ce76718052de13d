using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Infra.Plan.Components.Observability;
using Infra.Plan.Kubernetes;
using Infra.Plan.Tests.Chart;
using Infra.Plan.Tests.Spec;
using Infra.Plan.Tests.Support;
using Infra.Servers;
using k8s;

namespace Infra.Plan.Tests.Observability;

/// <summary>
/// The rendered alert rules checked by Prometheus's own tool (promtool, Debian package prometheus): `check rules` on the
/// PrometheusRule of every stack, and `test rules` with the unit tests in promtool/*.yaml, which fire the alerts that
/// matter most on synthetic series and stay silent on healthy ones. The rules file is the PrometheusRule's
/// <c>spec</c> (its <c>groups</c>), written as JSON, which is YAML.
/// </summary>
public sealed partial class PromtoolTests : IDisposable
{
    private static readonly string TestsDir = Path.Combine(Stacks.RepoRoot, "tests", "Infra.Plan.Tests", "Observability", "promtool");

    /// <summary>The alerts the unit tests must fire.</summary>
    private static readonly string[] Covered = ["MatrixRtcSfuNodeDown", "MatrixRtcSentinelQuorumLost", "MatrixRtcCoturnDown", "MatrixRtcEgressNoCapacity"];

    private readonly string _dir = Directory.CreateTempSubdirectory("matrix-rtc-promtool-").FullName;

    [SkippableTheory]
    [MemberData(nameof(CliConfigGateTests.StackNames), MemberType = typeof(CliConfigGateTests))]
    public void Promtool_accepts_the_rendered_rules_of_every_stack(string stack)
    {
        // GIVEN the stack with monitoring on (a stack that has it off renders no PrometheusRule)
        var promtool = Promtool();
        var rules = RulesOf(Planner.Build(Stacks.Spec(stack, ("monitoring", Stacks.S("true")))));
        var file = Write("rules.yaml", rules);

        // WHEN promtool checks the rules file
        var result = ToolRun.Run(promtool, ["check", "rules", file], timeout: TimeSpan.FromSeconds(60));

        // THEN it accepts every rule (PromQL, durations, labels, annotation templates)
        var count = rules["groups"]!.AsArray().Sum(g => g!["rules"]!.AsArray().Count);
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Contains($"SUCCESS: {count} rules found", result.Stdout, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void The_alerts_that_matter_most_fire_on_failure_and_stay_silent_when_healthy()
    {
        // GIVEN the rules rendered for the smallest config with monitoring and Egress on, and the unit tests
        var promtool = Promtool();
        var tests = UnitTests();

        // WHEN promtool runs the unit tests THEN every expectation holds
        var result = ToolRun.Run(promtool, ["test", "rules", .. tests], timeout: TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
    }

    [SkippableFact]
    public void The_unit_tests_fail_when_the_alerts_never_fire()
    {
        // GIVEN the same rules with every expression made one that is never true
        var promtool = Promtool();
        var tests = UnitTests(expr => "vector(1) == 0");

        // WHEN promtool runs the unit tests
        var result = ToolRun.Run(promtool, ["test", "rules", .. tests], timeout: TimeSpan.FromSeconds(60));

        // THEN they fail, naming each alert that should have fired: the tests do assert the firing
        Assert.NotEqual(0, result.ExitCode);
        var failed = FailedAlert().Matches(result.Stdout + result.Stderr).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.All(Covered, alert => Assert.Contains(alert, failed));
    }

    /// <summary>The rules for the unit tests (annotations left out: they are prose), copied next to the test files.</summary>
    private string[] UnitTests(Func<string, string>? expr = null)
    {
        var spec = Stacks.Parse(Stacks.With(("monitoring", Stacks.S("true")), ("egress", Stacks.S("true")), ("egressStorage", Stacks.S("none")))).OrThrow();
        var rules = RulesOf(Planner.Build(spec));
        foreach (var rule in rules["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray()))
        {
            rule!.AsObject().Remove("annotations");
            if (expr is not null)
            {
                rule["expr"] = expr((string)rule["expr"]!);
            }
        }
        Write("rules.yaml", rules);
        var tests = Directory.GetFiles(TestsDir, "*.yaml").Order(StringComparer.Ordinal)
            .Select(f => { var copy = Path.Combine(_dir, Path.GetFileName(f)); File.Copy(f, copy); return copy; })
            .ToArray();
        Assert.NotEmpty(tests);
        return tests;
    }

    /// <summary>The PrometheusRule's spec (groups of rules) as the plan renders it.</summary>
    private static JsonObject RulesOf(EnvironmentPlan plan)
    {
        var rule = plan.Observability!.Contract.Objects.OfType<CustomObject>().Single(o => o.Kind == "PrometheusRule");
        return JsonNode.Parse(KubernetesJson.Serialize(rule))!["spec"]!.AsObject().DeepClone().AsObject();
    }

    private string Write(string name, JsonObject content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content.ToJsonString());
        return path;
    }

    private static string Promtool()
    {
        var path = Tools.Find("promtool");
        if (path is null)
        {
            const string reason = "promtool not found (Debian package prometheus; scripts/test.sh installs it)";
            Assert.False(Tools.Required, reason);
            Skip.If(true, "SKIPPED promtool test: " + reason);
        }
        return path!;
    }

    [GeneratedRegex(@"alertname: (\w+), time:")]
    private static partial Regex FailedAlert();

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
