using k8s.Models;
using Infra.Plan.Components.Egress;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Components.Redis;
using Infra.Plan.Contract;
using Infra.Plan.Policy;
using Infra.Plan.Secrets;
using Infra.Plan.Spec;
using YamlDotNet.RepresentationModel;
using Infra.Plan.Tests.Checks;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Egress;

/// <summary>The Egress component's plan: its release, its config Secret, its wiring and where its secrets come from.</summary>
public class EgressPlanTests
{
    private static EnvironmentPlan PlanWith(params (string Key, ConfigValue Value)[] more) =>
        Planner.Build(Parse(With([("egress", S("true")), ("egressS3Bucket", S("recordings")), .. more])).OrThrow());

    /// <summary>The config Secret's one key, filled the way the Pulumi layer fills it (a value per hole).</summary>
    private static (SecretSource.YamlTemplate Template, string Filled, IReadOnlyList<string> Values) Config(EgressPlan egress)
    {
        var entry = Assert.Single(egress.Secrets.Single(s => s.Name == EgressPlan.ConfigSecret).Entries);
        var template = Assert.IsType<SecretSource.YamlTemplate>(entry.Source);
        var values = template.Values.Select((v, i) => $"value-{i}: \"quoted\" {{braces}} #not-a-comment\\ end").ToList();
        return (template, template.Fill(values), values);
    }

    private static YamlMappingNode Yaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string At(YamlMappingNode root, string path) =>
        ((YamlScalarNode)path.Split('.').Aggregate((YamlNode)root, (n, k) => ((YamlMappingNode)n)[k])).Value!;

    [Fact]
    public void The_release_is_the_egress_chart_in_the_project_namespace_after_livekit_and_redis()
    {
        var plan = Stacks.Plan("prod");
        var egress = plan.Egress!;
        var release = egress.Release;

        Assert.Equal(("egress", "egress", "1.8.4", "https://helm.livekit.io"), (release.Name, release.Chart, release.Version, release.Repository));
        Assert.Equal(plan.Spec.Site.Namespace, release.Namespace);
        Assert.Equal(LivekitPlan.PostRendererPath, release.PostRenderer);
        Assert.Equal(new SecretConsumer("Deployment", plan.Spec.Site.Namespace, EgressPlan.FullName), release.Pods);
        var names = plan.Components.Select(c => c.Name).ToList();
        Assert.True(names.IndexOf(EgressPlan.Component) > names.IndexOf(LivekitPlan.Component));
        Assert.True(names.IndexOf(EgressPlan.Component) > names.IndexOf(RedisPlan.Component));
        Assert.Contains(LivekitPlan.Component, egress.Contract.After);
    }

    [Fact]
    public void The_config_joins_the_sfu_in_cluster_and_its_sentinel_group_with_livekits_key()
    {
        var plan = Stacks.Plan("prod");
        var (template, filled, values) = Config(plan.Egress!);
        var config = Yaml(filled);

        // The SFU's Service, in-cluster (not the public wss URL)
        Assert.Equal($"ws://livekit-livekit-server.{plan.Spec.Site.MediaNamespace}.svc.cluster.local:{plan.Spec.Ports.SfuApi}", At(config, "ws_url"));
        // LiveKit's generated key and secret; Redis's generated passwords; each value reads back exactly
        Assert.Equal([LivekitPlan.ApiKeyId, LivekitPlan.ApiSecretId, RedisPlan.RedisPasswordId, RedisPlan.SentinelPasswordId],
            template.Values.SelectMany(v => v.GeneratedIds()));
        Assert.Equal(values[0], At(config, "api_key"));
        Assert.Equal(values[1], At(config, "api_secret"));
        Assert.Equal(values[2], At(config, "redis.password"));
        Assert.Equal(values[3], At(config, "redis.sentinel_password"));
        Assert.Equal(plan.Topology.Redis.MasterName, At(config, "redis.sentinel_master_name"));
        Assert.Equal(plan.Topology.Redis.SentinelAddresses,
            ((YamlSequenceNode)config["redis"]["sentinel_addresses"]).Children.Select(n => ((YamlScalarNode)n).Value));
        // prod runs Redis with TLS: verify against the CA mounted from this namespace's redis-tls-ca
        Assert.Equal("true", At(config, "redis.tls.enabled"));
        var ca = plan.Egress!.Wiring.Files.Single();
        Assert.Equal($"{ca.Directory}/{ca.File}", At(config, "redis.tls.ca_cert_file"));
        Assert.Equal(SecretNames.RedisTlsCa, ca.Secret);
        var caSecret = plan.Egress.Secrets.Single(s => s.Name == SecretNames.RedisTlsCa);
        Assert.Equal(plan.Spec.Site.Namespace, caSecret.Namespace);
        Assert.IsType<SecretSource.IssuerCertificate>(Assert.Single(caSecret.Entries).Source);
    }

    [Fact]
    public void Session_limits_end_every_output_within_the_grace_period()
    {
        var plan = Stacks.Plan("prod");
        var config = Yaml(Config(plan.Egress!).Filled);
        var limit = $"{plan.Spec.Egress.MaxDurationSeconds}s";

        foreach (var key in new[] { "file_output_max_duration", "stream_output_max_duration", "segment_output_max_duration", "image_output_max_duration" })
        {
            Assert.Equal(limit, At(config, $"session_limits.{key}"));
        }
        Assert.Equal(plan.Spec.Egress.GracePeriodSeconds, plan.Egress!.Values.TerminationGracePeriodSeconds);
        Assert.True(plan.Spec.Egress.GracePeriodSeconds >= plan.Spec.Egress.MaxDurationSeconds + Infra.Plan.Spec.Sections.EgressSection.UploadMarginSeconds);
        // A request with no upload config would write to the pod's disk only: refused
        Assert.Equal("true", At(config, "disallow_local_storage"));
    }

    [Fact]
    public void Storage_keys_from_existing_secrets_are_env_vars_and_secure_ones_go_into_the_config_secret()
    {
        // GIVEN prod (keys from an existing Secret) and a stack with secure S3 keys
        var prod = Stacks.Plan("prod");
        var secure = PlanWith(("egressS3AccessKey", new ConfigValue.Secret("AKIDEXAMPLE")), ("egressS3SecretKey", new ConfigValue.Secret("wJalr/K7+MDENG")));

        // THEN prod's pods read AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from that Secret, its config has no keys
        var env = prod.Egress!.Wiring.Env.ToDictionary(e => e.Name, e => (e.Secret, e.Key));
        Assert.Equal(("egress-s3", "access-key-id"), env[EgressPlan.AccessKeyEnv]);
        Assert.Equal(("egress-s3", "secret-access-key"), env[EgressPlan.SecretKeyEnv]);
        var prodConfig = Yaml(Config(prod.Egress).Filled);
        Assert.False(((YamlMappingNode)prodConfig["storage"]["s3"]).Children.ContainsKey("access_key"));
        Assert.Equal("matrix-rtc-recordings", At(prodConfig, "storage.s3.bucket"));
        Assert.Equal("https://s3.example.org", At(prodConfig, "storage.s3.endpoint"));
        Assert.Equal("true", At(prodConfig, "storage.s3.force_path_style"));
        Assert.Equal("recordings", At(prodConfig, "storage.prefix"));
        // AND the secure keys are holes of the config Secret, never plain text in the plan
        var (template, filled, values) = Config(secure.Egress!);
        Assert.Equal(["matrix-rtc:egressS3AccessKey", "matrix-rtc:egressS3SecretKey"],
            template.Values.OfType<SecretSource.Config>().Select(c => c.Key.FullName));
        Assert.DoesNotContain(secure.Egress.Wiring.Env, e => e.Name.StartsWith("AWS_", StringComparison.Ordinal));
        Assert.Equal(values[^2], At(Yaml(filled), "storage.s3.access_key"));
        Assert.DoesNotContain("AKIDEXAMPLE", string.Concat(template.Text) + secure.Egress.ConfigPreview.Content + secure.Egress.Release.Values.Content);
    }

    [Fact]
    public void With_an_existing_sentinel_cluster_the_passwords_are_read_from_the_operators_secrets()
    {
        var plan = PlanWith(("redisMode", S("existing")), ("existingSentinelMasterName", S("phase1")),
            ("existingSentinelAddresses", L("s-0.redis:26379")), ("existingRedisPasswordSecret", S("phase1/password")),
            ("existingSentinelPasswordSecret", S("phase1/sentinel")));
        var (template, filled, _) = Config(plan.Egress!);

        var existing = template.Values.OfType<SecretSource.Existing>().ToList();
        Assert.Equal([(plan.Spec.Site.MediaNamespace, "phase1", "password"), (plan.Spec.Site.MediaNamespace, "phase1", "sentinel")],
            existing.Select(e => (e.Namespace, e.Name, e.Key)));
        Assert.Equal("phase1", At(Yaml(filled), "redis.sentinel_master_name"));
        Assert.DoesNotContain(plan.Egress!.Secrets, s => s.Name == SecretNames.RedisTlsCa);
    }

    [Fact]
    public void The_chart_values_hold_no_secret_and_put_only_the_two_ports_into_the_charts_configmap()
    {
        var plan = Stacks.Plan("prod");
        var values = Yaml(plan.Egress!.Release.Values.Content);

        var egress = (YamlMappingNode)values["egress"];
        Assert.Equal(["log_level", "health_port", "prometheus_port"], egress.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        Assert.Empty(SecretScanner.Scan(plan.Egress.Release.Values.Content));
        Assert.Empty(PolicyChecks.Check(plan));
        // the config preview render writes shows every secret as a description, never a value
        Assert.Contains("api_secret: \"<random `livekit-api-secret`>\"", plan.Egress.ConfigPreview.Content);
    }

    [Fact]
    public void The_pods_are_sized_by_the_capacity_model_guaranteed_and_never_on_a_media_node()
    {
        var plan = Stacks.Plan("prod");
        var sizing = plan.Sizing.Egress!;
        var values = plan.Egress!.Values;

        Assert.Equal(sizing.Replicas, values.ReplicaCount);
        Assert.Equal(values.Resources.Requests["cpu"], values.Resources.Limits["cpu"]);
        Assert.Equal(values.Resources.Requests["memory"], values.Resources.Limits["memory"]);
        Assert.Equal($"{sizing.EphemeralGiB}Gi", values.Resources.Requests["ephemeral-storage"].ToString());
        // one term per media label, each NotIn: a node missing any one label is not a media node
        var terms = values.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms;
        Assert.Equal(plan.Spec.Nodes.MediaNodeSelector.Select(l => (l.Key, "NotIn", l.Value)),
            terms.Select(t => (t.MatchExpressions.Single().Key, t.MatchExpressions.Single().OperatorProperty, t.MatchExpressions.Single().Values.Single())));
        // scratch space of the sizes the model gives, in the directories Egress and Chrome write
        var scratch = plan.Egress.Wiring.Scratch!.ToDictionary(s => s.Directory, s => s.SizeLimit);
        Assert.Equal($"{sizing.ScratchGiB}Gi", scratch[EgressPlan.RecordingsDirectory]);
        Assert.Equal($"{sizing.TmpGiB}Gi", scratch[EgressPlan.TmpDirectory]);
        // prod (large tier, 10 CPU / 10 GiB pods, 3 h limit): 16 track jobs × 4.2 GB × 1.25 fill the scratch most
        Assert.Equal(("79Gi", "1Gi", "81Gi"), (scratch[EgressPlan.RecordingsDirectory], scratch[EgressPlan.TmpDirectory],
            values.Resources.Requests["ephemeral-storage"].ToString()));
    }

    [Fact]
    public void Memory_admission_is_on_and_derived_from_the_pods_memory_limit()
    {
        // GIVEN prod's Egress config (large tier: 10 GiB pods, two room composites each)
        var plan = Stacks.Plan("prod");
        var config = Yaml(Config(plan.Egress!).Filled);

        // THEN max_memory sits 0.5 GiB below the 10 GiB limit, each job counts 3.75 GiB, measured on the pod's cgroup
        Assert.Equal(("9.5", "3.75", "cgroup"), (At(config, "cpu_cost.max_memory"), At(config, "cpu_cost.memory_cost"), At(config, "cpu_cost.memory_source")));
        // AND the CPU admission's figures are kept as they were
        Assert.Equal(("0.8", "4"), (At(config, "cpu_cost.max_cpu_utilization"), At(config, "cpu_cost.room_composite_cpu_cost")));
    }

    [Fact]
    public void The_pods_meet_pod_security_restricted()
    {
        var values = Stacks.Plan("prod").Egress!.Values;
        var pod = values.PodSecurityContext;
        var container = values.SecurityContext;

        Assert.True(pod.RunAsNonRoot);
        Assert.True(pod.RunAsUser is > 0);
        Assert.Equal("RuntimeDefault", pod.SeccompProfile.Type);
        Assert.False(container.AllowPrivilegeEscalation);
        Assert.Equal(["ALL"], container.Capabilities.Drop);
        Assert.Null(container.Capabilities.Add);
        Assert.Null(container.Privileged);
        // the chart's pods never talk to the API server
        Assert.True(Stacks.Plan("prod").Egress!.Wiring.NoServiceAccountToken);
    }

    [Fact]
    public void The_sfu_wiring_annotation_holds_only_the_operations_the_sfu_uses()
    {
        // GIVEN the SFU's wiring: the annotation JSON leaves out every member the SFU does not use, so an operation added
        // for Egress changes no SFU pod template (the service-account token is one the SFU asks for: issue 12 item 8)
        var json = Stacks.Plan("prod").Livekit.Wiring.ToJson();

        Assert.DoesNotContain("scratch", json);
        Assert.Contains("\"noServiceAccountToken\":true", json);
        Assert.DoesNotContain("pullSecrets", json);
        Assert.DoesNotContain("replace", json);
        Assert.Equal(json, SecretWiring.FromJson(json).ToJson());
    }

    [Fact]
    public void The_plan_policies_check_the_egress_charts_pods_like_any_workload()
    {
        // GIVEN prod with the Egress image by tag only
        var config = File("prod").Where(e => e.Key != "matrix-rtc:egressImage").Append(new("matrix-rtc:egressImage", S("livekit/egress:v1.14.1"))).ToList();
        var plan = Planner.Build(Planner.Validate("prod", config).OrThrow());

        // WHEN the policies run THEN the digest rule names the key that sets the image, and the values file it lands in
        var v = Assert.Single(PolicyChecks.Check(plan));
        Assert.Equal(PolicyRule.ImagePinnedByDigest, v.Rule);
        Assert.Equal("matrix-rtc:egressImage", v.Subject);
        Assert.Contains($"Helm values {EgressPlan.ValuesFile}", v.Message);
        // and the chart's pods have requests and a memory limit, as every workload must
        var pods = Workloads.From(PolicyInput.Of(Stacks.Plan("prod"))).Single(w => w.Subject == $"Helm values {EgressPlan.ValuesFile}");
        Assert.NotNull(Assert.Single(pods.Containers).MemoryLimit);
        Assert.False(pods.HostNetwork);
    }

    [Fact]
    public void Render_writes_the_egress_files_and_removes_them_once_egress_is_off()
    {
        var dir = Directory.CreateTempSubdirectory("matrix-rtc-egress-render-").FullName;
        try
        {
            Infra.Plan.Rendering.RenderOutput.Write(Infra.Plan.Rendering.RenderOutput.Files(Stacks.Plan("prod")), dir);
            Assert.True(System.IO.File.Exists(Path.Combine(dir, EgressPlan.ConfigPreviewFile)));
            Assert.True(System.IO.File.Exists(Path.Combine(dir, EgressPlan.ValuesFile)));
            Assert.True(System.IO.File.Exists(Path.Combine(dir, "manifests", "egress.yaml")));

            Infra.Plan.Rendering.RenderOutput.Write(Infra.Plan.Rendering.RenderOutput.Files(Stacks.Plan("dev")), dir);
            Assert.False(Directory.Exists(Path.Combine(dir, "egress")));
            Assert.False(System.IO.File.Exists(Path.Combine(dir, EgressPlan.ValuesFile)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
