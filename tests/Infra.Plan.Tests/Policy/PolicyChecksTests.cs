using k8s.Models;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Policy;
using Infra.Plan.Spec;
using Infra.Plan.Tests.Support;
using Infra.Render;
using static Infra.Plan.Tests.Policy.PolicyFixtures;

namespace Infra.Plan.Tests.Policy;

public sealed class PolicyChecksTests
{
    private static IReadOnlyList<PolicyViolation> Violations(EnvironmentPlan plan, PolicyRule rule) => Violations(PolicyInput.Of(plan), rule);

    private static Infra.Plan.Sizing.SizingPlan SizingPlanOf(EnvironmentSpec spec) => Derived.From(spec).Sizing;

    private static IReadOnlyList<PolicyViolation> Violations(PolicyInput input, PolicyRule rule) =>
        PolicyChecks.Check(input).Where(v => v.Rule == rule).ToList();

    private static readonly V1ResourceRequirements Burstable = Resources("100m", "128Mi", null, "256Mi");

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void The_repository_stacks_break_no_policy(string stack)
    {
        // GIVEN the plan of a real stack file WHEN checking THEN nothing is reported (every stack and the checks of our own
        // output: Checks/EveryStackChecks.cs)
        var violations = PolicyChecks.Check(Stacks.Plan(stack));
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void Production_rejects_an_image_pinned_only_by_tag_and_dev_accepts_it()
    {
        // GIVEN a workload running a tag-only image
        var workload = Deployment("web", Container("app", "registry.example.org/app:1.2.3", Burstable));

        // WHEN checked in prod and in dev
        var prod = Violations(Stacks.Plan("prod").With(workload), PolicyRule.ImagePinnedByDigest);
        var dev = Violations(Stacks.Plan("dev").With(workload), PolicyRule.ImagePinnedByDigest);

        // THEN only prod reports it, naming the object, the container and the image
        var v = Assert.Single(prod);
        Assert.Equal("Deployment matrix-rtc/web container app", v.Subject);
        Assert.Contains("\"registry.example.org/app:1.2.3\" is not pinned by digest", v.Message);
        Assert.Empty(dev);
        Assert.Empty(Violations(Stacks.Plan("prod").With(Deployment("web", Container("app", PinnedImage, Burstable))), PolicyRule.ImagePinnedByDigest));
    }

    [Fact]
    public void Helm_values_images_are_checked_like_a_pods()
    {
        // GIVEN chart values whose pod (host network) is Burstable and not pinned
        var plan = Stacks.Plan("prod").WithSfuValues(v => v with
        {
            Image = new ChartImage("registry.example.org/media-relay", "v1", "IfNotPresent"),
            Resources = Resources("4", "8Gi", null, "8Gi"),
        });

        // WHEN checked THEN the digest rule fires for the values file (the Guaranteed check: Checks/OwnOutputChecksTests.cs)
        Assert.Contains(Violations(plan, PolicyRule.ImagePinnedByDigest), v => v.Message.Contains("registry.example.org/media-relay:v1"));
    }

    [Fact]
    public void Production_Redis_must_use_tls()
    {
        var spec = Stacks.Spec("prod");
        var plan = Planner.Build(spec with { Redis = spec.Redis with { Tls = false } });
        var v = Assert.Single(Violations(plan, PolicyRule.TlsInProduction));
        Assert.Equal("matrix-rtc:redisTls", v.Subject);
    }

    [Fact]
    public void Too_few_SFUs_for_the_capacity_model_is_a_violation()
    {
        // GIVEN the large tier at its maximum with one SFU on three nodes
        var spec = Stacks.Parse(Stacks.With(("tier", Stacks.S("large")), ("mediaNodeCount", Stacks.S("3")), ("sfuReplicas", Stacks.S("1")))).OrThrow();

        // WHEN planned and checked
        var v = Assert.Single(Violations(Planner.Build(spec), PolicyRule.SfuCapacity));

        // THEN the message names the key and the count the model needs (more than the one SFU given)
        var needed = SizingPlanOf(spec).SfuNodesNeeded;
        Assert.True(needed > 1);
        Assert.Equal("matrix-rtc:sfuReplicas", v.Subject);
        Assert.Contains($"the capacity model needs {needed}", v.Message);
    }

    [Fact]
    public void Ports_in_the_ephemeral_range_or_overlapping_are_config_errors()
    {
        // GIVEN a spec whose SFU media port sits in the ephemeral range and whose TURN metrics port collides with the SFU API port
        var errors = Stacks.Parse(Stacks.With(("sfuRtcUdpPort", Stacks.S("40000")), ("turnMetricsPort", Stacks.S("7880")))).Errors;

        // THEN both are named by the key that set the port, by the one rule that owns the port plan
        Assert.Contains(errors, e => e.Key == "matrix-rtc:sfuRtcUdpPort" && e.Message.Contains("ephemeral range 32768-60999"));
        Assert.Contains(errors, e => e.Key == "matrix-rtc:turnMetricsPort" && e.Message.Contains("does not overlap"));
    }

    [Fact]
    public void Enforce_throws_with_one_line_per_violation()
    {
        // GIVEN prod with two workloads running tag-only images
        var violations = PolicyChecks.Check(Stacks.Plan("prod").With(
            Deployment("a", Container("app", "registry.example.org/a:1", Burstable)), Deployment("b", Container("app", "registry.example.org/b:1", Burstable))));
        var e = new PolicyException(violations);
        Assert.Equal(2, e.Violations.Count);
        Assert.Equal(3, e.Message.Split(Environment.NewLine).Length);
        var dev = Stacks.Plan("dev");
        Assert.Same(dev, PolicyChecks.Enforce(dev));
    }

    [Fact]
    public void Render_exits_2_and_writes_nothing_when_the_plan_breaks_policy()
    {
        // GIVEN a project whose stack is valid config but too small for its load
        var tmp = Directory.CreateTempSubdirectory("policy-render-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(tmp, "Pulumi.yaml"), "name: matrix-rtc\nruntime: dotnet\n");
            var lines = Stacks.With(("tier", Stacks.S("large")), ("mediaNodeCount", Stacks.S("3")), ("sfuReplicas", Stacks.S("1")))
                .Select(e => e.Value is ConfigValue.Sequence q
                    ? $"  {e.Key}:\n" + string.Concat(q.Items.Select(i => $"    - {((ConfigValue.Scalar)i).Text}\n"))
                    : $"  {e.Key}: \"{((ConfigValue.Scalar)e.Value).Text}\"\n");
            File.WriteAllText(Path.Combine(tmp, "Pulumi.small.yaml"), "config:\n" + string.Concat(lines));
            var stdout = new StringWriter();
            var stderr = new StringWriter();

            // WHEN rendering
            var code = Cli.Run(["--stack", "small", "--out", Path.Combine(tmp, "out")], tmp, stdout, stderr);

            // THEN exit 2, the violation on its own line, no output
            Assert.Equal(Cli.BadInput, code);
            Assert.Contains("error: policy SfuCapacity: matrix-rtc:sfuReplicas:", stderr.ToString());
            Assert.Contains("1 policy violation(s); nothing was written.", stderr.ToString());
            Assert.False(Directory.Exists(Path.Combine(tmp, "out")));
        }
        finally
        {
            Directory.Delete(tmp, recursive: true);
        }
    }
}
