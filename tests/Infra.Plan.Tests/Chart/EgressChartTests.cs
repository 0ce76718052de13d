using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using Infra.Plan.Components.Egress;
using Infra.Plan.Components.Observability;
using Infra.Plan.Contract;
using Infra.Plan.Kubernetes;
using Infra.Plan.Policy;
using Infra.Plan.Secrets;
using Infra.Plan.Spec;
using Infra.Plan.Tests.Egress;
using Infra.Plan.Tests.Checks;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Chart;

/// <summary>
/// The generated values on the real egress chart (the copy is 1.9.0, whose templates and values are those of the pinned
/// 1.8.4: <see cref="EgressChartIdentity"/>): helm lint, helm template with our post-renderer, Kubernetes
/// schema validation, Pod Security restricted, the secret scan, and what the Egress pods actually get.
/// </summary>
public class EgressChartTests
{
    /// <summary>prod (Redis TLS, keys from an existing Secret, streaming, monitoring), and a stack with secure S3 keys.</summary>
    public static TheoryData<string> Configs => ["prod", "secure-keys"];

    /// <summary>Real-looking secure S3 keys: they must appear in no values file and no rendered object.</summary>
    private const string AccessKey = "AKIAEGRESSEXAMPLE7Q";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    private static EnvironmentPlan PlanFor(string name) => name switch
    {
        "prod" => Stacks.Plan("prod"),
        "secure-keys" => Planner.Build(Parse(With(("egress", S("true")), ("egressS3Bucket", S("recordings")),
            ("egressS3AccessKey", new ConfigValue.Secret(AccessKey)), ("egressS3SecretKey", new ConfigValue.Secret(SecretKey))))
            .OrThrow()),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static RenderedChart Render(string name, bool postRender = true) => ChartRender.RenderEgress(name, PlanFor(name), postRender);

    [SkippableTheory]
    [MemberData(nameof(Configs))]
    public void Helm_lint_accepts_the_values_of_the_pinned_chart(string config)
    {
        var helm = ChartRender.Helm();
        var chart = ChartRender.EgressChart();
        var release = PlanFor(config).Egress!.Release;
        var scratch = Directory.CreateTempSubdirectory("matrix-rtc-lint-").FullName;
        try
        {
            var values = ChartRender.WriteValues(release, scratch);
            var result = ToolRun.Run(helm, ["lint", chart, "--strict", "--namespace", release.Namespace, "-f", values], env: ChartRender.HelmEnv(scratch));

            Assert.True(result.ExitCode == 0, $"helm lint failed:\n{result.Stdout}\n{result.Stderr}");
            Assert.Contains("0 chart(s) failed", result.Stdout);
            // the copy renders what the pinned version renders (its templates and values are the pinned version's)
            Assert.Empty(EgressChartIdentity.Differences(chart, release.Version));
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Configs))]
    public void Every_rendered_object_passes_kubernetes_schema_validation_and_loads_strictly(string config)
    {
        // GIVEN the chart's objects after post-rendering, plus the Egress component's own objects
        var rendered = Render(config);
        var ours = Manifests.Parse(ManifestWriter.Write(rendered.Plan.Egress!.Contract.Objects));
        var all = rendered.Objects.Concat(ours).ToList();

        // WHEN kubernetes-models validates each one THEN every object has a schema and passes it
        var reports = KubernetesSchemas.Validate(all);
        Assert.Equal(all.Count, reports.Count);
        Assert.Empty(reports.Where(r => !r.Valid).Select(r => r.ToString()));
        Assert.Equal(["ConfigMap", "Deployment", "PodDisruptionBudget"], reports.Select(r => r.Kind).Order());

        // AND the chart's output loads with strict field checking (no field Kubernetes would drop)
        Assert.Equal(rendered.Objects.Count, KubernetesYaml.LoadAllFromString(rendered.Output, strict: true).Count);
    }

    [SkippableTheory]
    [MemberData(nameof(Configs))]
    public void The_config_comes_from_the_config_secret_and_no_secret_is_in_values_or_configmaps(string config)
    {
        var rendered = Render(config);
        var plan = rendered.Plan;
        var egress = plan.Egress!;
        var container = rendered.Container;

        // EGRESS_CONFIG_BODY (which wins over EGRESS_CONFIG_FILE) is the config Secret's key; nothing reads the ConfigMap
        var env = container["env"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var body = env.Single(e => (string)e["name"]! == EgressPlan.ConfigEnv);
        Assert.Equal((EgressPlan.ConfigSecret, EgressPlan.ConfigKey), ((string)body.At("valueFrom.secretKeyRef.name")!, (string)body.At("valueFrom.secretKeyRef.key")!));
        Assert.DoesNotContain("configMapKeyRef", rendered.Output);
        Assert.All(env, e => Assert.Null(e["value"]));
        Assert.All(env, e => Assert.NotNull(e.At("valueFrom.secretKeyRef")));

        // The chart's ConfigMap holds only the two ports; no value, no object, no values file holds a secret
        var configMap = rendered.Single("ConfigMap");
        Assert.Equal("health_port: 8080\nprometheus_port: 9090\n", (string)configMap["data"]!["config.yaml"]!);
        Assert.Empty(SecretScanner.Scan(rendered.Output));
        Assert.Empty(SecretScanner.Scan(egress.Release.Values.Content));
        Assert.DoesNotContain(rendered.Objects, o => o.Kind() == "Secret");
        foreach (var text in new[] { rendered.Output, egress.Release.Values.Content, egress.ConfigPreview.Content })
        {
            Assert.DoesNotContain(AccessKey, text);
            Assert.DoesNotContain(SecretKey, text);
        }
        // and none of the config's secret fields: the chart sees the two ports only
        foreach (var field in new[] { "api_key", "api_secret", "password", "access_key", "ws_url" })
        {
            Assert.DoesNotContain(field, rendered.Output);
            Assert.DoesNotContain(field, egress.Release.Values.Content);
        }
    }

    [SkippableFact]
    public void The_pod_runs_the_pinned_image_sized_drained_and_off_the_media_nodes()
    {
        var rendered = Render("prod");
        var plan = rendered.Plan;
        var deployment = rendered.Single("Deployment");
        var pod = deployment.At("spec.template.spec")!;
        var container = rendered.Container;
        var sizing = plan.Sizing.Egress!;

        Assert.Equal(plan.Spec.Egress.Image.Reference, (string)container["image"]!);
        Assert.Contains("@sha256:", (string)container["image"]!);
        Assert.Equal(sizing.Replicas, (long)deployment.At("spec.replicas")!);
        Assert.Equal(plan.Spec.Egress.GracePeriodSeconds, (long)pod["terminationGracePeriodSeconds"]!);
        Assert.Equal(container.At("resources.requests.cpu")!.ToJsonString(), container.At("resources.limits.cpu")!.ToJsonString());
        Assert.Equal($"{sizing.EphemeralGiB}Gi", (string)container.At("resources.requests.ephemeral-storage")!);
        var expression = pod.At("affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.0.matchExpressions.0")!;
        Assert.Equal(("matrix-rtc/media", "NotIn", "true"), ((string)expression["key"]!, (string)expression["operator"]!, (string)expression["values"]![0]!));
        Assert.Null(pod["nodeSelector"]);
        Assert.Null(pod["tolerations"]);

        // Our PDB, our Peer (hence the NetworkPolicy) and our metrics Service select exactly these pods
        var podLabels = deployment.At("spec.template.metadata.labels")!.AsObject();
        bool Selects(IReadOnlyDictionary<string, string> selector) => selector.All(kv => (string?)podLabels[kv.Key] == kv.Value);
        Assert.True(Selects(new Dictionary<string, string>(plan.Egress!.Budget.Spec.Selector.MatchLabels)));
        Assert.True(Selects(plan.Egress.Pods.Selector));
        var metrics = plan.Observability!.Targets.Single(t => t.Job == ScrapeTargets.EgressJob);
        Assert.True(Selects(metrics.PodSelector));
        Assert.Contains(container["ports"]!.AsArray(), p => (long)p!["containerPort"]! == metrics.Port && (string)p["name"]! == "metrics");
    }

    [SkippableFact]
    public void The_pod_meets_pod_security_restricted_with_writable_scratch_for_chrome_and_recordings()
    {
        var rendered = Render("prod");
        var pod = rendered.Single("Deployment").At("spec.template.spec")!;
        var container = rendered.Container;

        // Pod Security Standards "restricted", point by point
        PodSecurityRestricted.Holds(pod, container);
        Assert.False((bool)pod["automountServiceAccountToken"]!);

        // Chrome's /tmp and the recordings' directory are size-limited emptyDirs, the Redis CA a read-only file
        var mounts = container["volumeMounts"]!.AsArray().ToDictionary(m => (string)m!["mountPath"]!, m => (string)m!["name"]!);
        var volumes = pod["volumes"]!.AsArray().ToDictionary(v => (string)v!["name"]!, v => v!);
        Assert.NotNull(volumes[mounts[EgressPlan.TmpDirectory]].At("emptyDir.sizeLimit"));
        Assert.NotNull(volumes[mounts[EgressPlan.RecordingsDirectory]].At("emptyDir.sizeLimit"));
        Assert.Equal(SecretNames.RedisTlsCa, (string)volumes[mounts[EgressPlan.RedisCaDirectory]].At("secret.secretName")!);
    }

    [SkippableTheory]
    [MemberData(nameof(Configs))]
    public void The_post_renderer_changes_nothing_but_the_wiring(string config)
    {
        // GIVEN the chart's output with and without the post-renderer
        var raw = Render(config, postRender: false);
        var wired = Render(config);
        var wiring = wired.Plan.Egress!.Wiring;

        // WHEN the wiring is taken out of the post-rendered Deployment again
        var deployment = (JsonObject)wired.Single("Deployment").DeepClone();
        var pod = deployment.At("spec.template.spec")!.AsObject();
        var container = pod["containers"]![0]!.AsObject();
        ChartRender.TakeOutAnnotationChange(deployment, wiring);
        var added = wiring.Env.Where(e => !e.Replace).Select(e => e.Name).ToHashSet();
        Manifests.RemoveWhere(container["env"]!.AsArray(), e => added.Contains((string)e["name"]!));
        var original = raw.Single("Deployment");
        var body = container["env"]!.AsArray().Single(e => (string)e!["name"]! == EgressPlan.ConfigEnv)!.AsObject();
        body["valueFrom"] = original.At("spec.template.spec.containers.0.env.0.valueFrom")!.DeepClone();
        container.Remove("volumeMounts");
        pod.Remove("volumes");
        pod.Remove("automountServiceAccountToken");

        // THEN it is the chart's Deployment, and the ConfigMap is exactly the chart's
        Assert.Equal(Manifests.Canonical(original), Manifests.Canonical(deployment));
        Assert.Equal(Manifests.Canonical(raw.Single("ConfigMap")), Manifests.Canonical(wired.Single("ConfigMap")));
        Assert.Equal(raw.Objects.Count, wired.Objects.Count);
    }

    [SkippableFact]
    public void The_config_secret_holds_only_keys_egress_reads_with_the_planned_values()
    {
        // GIVEN the config Secret's content as the Pulumi layer fills it (fake values in the holes)
        var plan = PlanFor("secure-keys");
        var template = (SecretSource.YamlTemplate)plan.Egress!.Secrets.Single(s => s.Name == EgressPlan.ConfigSecret).Entries.Single().Source;
        var text = template.Fill(template.Values.Select((_, i) => $"filled-{i}").ToList());
        var config = Manifests.Parse(text).Single();

        // THEN every key is one Egress v1.14.1 parses (it ignores unknown ones silently), durations parse as Go durations
        Assert.Empty(EgressConfigSchema.UnknownKeys(config));
        Assert.All(EgressConfigSchema.Durations(config), d => Assert.Matches(@"^\d+s$", d));
        Assert.Equal("filled-0", (string)config["api_key"]!);
        Assert.Equal("filled-4", (string)config.At("storage.s3.access_key")!);
        Assert.Equal("filled-5", (string)config.At("storage.s3.secret")!);
        Assert.Equal(EgressPlan.MetricsPort, (long)config["prometheus_port"]!);
        Assert.False((bool)config["enable_chrome_sandbox"]!);
        // the chart's prometheus/health ports and the config's are the same numbers
        Assert.Contains("prometheus_port: 9090", ChartRender.RenderEgress("secure-keys", plan).Single("ConfigMap").ToJsonString().Replace("\\n", "\n"));
        // and the Secret is the one the Pulumi layer fills and the Deployment reads
        Assert.Contains(plan.Components.SelectMany(c => c.Secrets), s => s.Name == EgressPlan.ConfigSecret && s.ConsumedBy.Single() == plan.Egress.Release.Pods);
        Assert.Empty(PolicyChecks.Check(plan));
    }
}
