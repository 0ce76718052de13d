using System.Diagnostics;
using System.Text.RegularExpressions;
using k8s.Models;
using Infra.Plan.Components;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Components.Redis;
using Infra.Plan.Kubernetes;
using Infra.Plan.Rendering;
using Infra.Plan.Secrets;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Redis;

public partial class RedisPlanTests
{
    /// <summary>LiveKit's <c>redis:</c> block as the SFU plan writes it from the Redis wiring.</summary>
    private static YamlMap LivekitRedisBlock(EnvironmentPlan plan) =>
        plan.Livekit.Values.Livekit.Redis.ToYaml();

    private static EnvironmentPlan PlanOf(params (string Key, Infra.Plan.Spec.ConfigValue Value)[] changes) =>
        Planner.Build(Parse(With(changes)).OrThrow());

    private static T One<T>(EnvironmentPlan plan) => plan.Redis!.Contract.Objects.OfType<T>().Single();

    private static IReadOnlyDictionary<string, string> Files(EnvironmentPlan plan) => One<V1ConfigMap>(plan).Data.ToDictionary();

    [Fact]
    public void Managed_mode_renders_configmap_services_statefulset_and_pdb_into_one_manifest()
    {
        // GIVEN the dev stack WHEN planned and rendered
        var plan = Stacks.Plan("dev");
        var files = RenderOutput.Files(plan);

        // THEN manifests/redis-sentinel.yaml holds the five objects, all in the restricted namespace
        Assert.Contains(files, f => f.Path == "manifests/redis-sentinel.yaml");
        var objects = plan.Redis!.Contract.Objects;
        Assert.Equal(["ConfigMap", "Service", "Service", "StatefulSet", "PodDisruptionBudget"], objects.Select(o => o.Kind));
        Assert.All(objects, o => Assert.Equal("matrix-rtc", ((dynamic)o).Metadata.NamespaceProperty));
    }

    [Fact]
    public void Existing_mode_deploys_nothing_and_wires_livekit_to_the_existing_cluster()
    {
        // GIVEN redisMode existing with the existing cluster's details
        var plan = PlanOf(
            ("redisMode", S("existing")),
            ("existingSentinelMasterName", S("phase1")),
            ("existingSentinelAddresses", L("s0.redis.svc:26379", "s1.redis.svc:26379")),
            ("existingRedisPasswordSecret", S("phase1-redis/password")),
            ("existingSentinelPasswordSecret", S("phase1-redis/sentinel")));

        // THEN there is no redis-sentinel component (no empty manifest either)
        Assert.DoesNotContain(plan.Components, c => c.Name == RedisPlan.Component);
        Assert.DoesNotContain(RenderOutput.Files(plan), f => f.Path.Contains("redis", StringComparison.Ordinal));
        // AND LiveKit gets the existing master name, addresses and secret references (media namespace)
        var wiring = plan.Topology.Redis;
        var block = LivekitRedisBlock(plan);
        Assert.Equal("phase1", block["sentinel_master_name"]);
        Assert.Equal(["s0.redis.svc:26379", "s1.redis.svc:26379"], ((IEnumerable<object?>)block["sentinel_addresses"]!).Cast<string>());
        Assert.Equal(
            [("LIVEKIT_REDIS_PASSWORD", new SecretRef("matrix-rtc-media", "phase1-redis", "password")),
             ("LIVEKIT_REDIS_SENTINEL_PASSWORD", new SecretRef("matrix-rtc-media", "phase1-redis", "sentinel"))],
            wiring.SecretEnv);
    }

    [Fact]
    public void Livekit_redis_block_names_every_pod_sentinel_and_no_password()
    {
        var plan = Stacks.Plan("dev");
        var wiring = plan.Topology.Redis;

        var block = LivekitRedisBlock(plan);

        Assert.Equal(["sentinel_addresses", "sentinel_master_name"], block.Select(e => e.Key).Order());
        Assert.Equal(RedisLayout.MasterName, block["sentinel_master_name"]);
        Assert.Equal(
            ["redis-0.redis-headless.matrix-rtc.svc.cluster.local:26379", "redis-1.redis-headless.matrix-rtc.svc.cluster.local:26379",
             "redis-2.redis-headless.matrix-rtc.svc.cluster.local:26379"],
            ((IEnumerable<object?>)block["sentinel_addresses"]!).Cast<string>());
        Assert.Equal(["LIVEKIT_REDIS_PASSWORD", "LIVEKIT_REDIS_SENTINEL_PASSWORD"], wiring.SecretEnv.Select(e => e.Env));
        Assert.All(wiring.SecretEnv, e => Assert.Equal(("matrix-rtc-media", SecretNames.RedisAuth), (e.Ref.Namespace, e.Ref.Name)));
    }

    [Fact]
    public void Headless_service_publishes_not_ready_addresses_and_sentinel_service_exposes_only_sentinel()
    {
        var services = Stacks.Plan("dev").Redis!.Contract.Objects.OfType<V1Service>().ToDictionary(s => s.Metadata.Name);

        var headless = services[Names.RedisHeadless];
        Assert.Equal("None", headless.Spec.ClusterIP);
        Assert.True(headless.Spec.PublishNotReadyAddresses);
        Assert.Equal([6379, 26379], headless.Spec.Ports.Select(p => p.Port));
        var sentinel = services[Names.RedisSentinelService];
        Assert.Equal([26379], sentinel.Spec.Ports.Select(p => p.Port));
        Assert.All(services.Values, s => Assert.Equal(Meta.Selector(Names.Redis), s.Spec.Selector));
    }

    [Fact]
    public void Statefulset_runs_a_data_and_a_sentinel_container_under_the_restricted_profile()
    {
        var plan = Stacks.Plan("dev");
        var sts = One<V1StatefulSet>(plan);
        var pod = sts.Spec.Template.Spec;

        Assert.Equal(3, sts.Spec.Replicas);
        Assert.Equal(Names.RedisHeadless, sts.Spec.ServiceName);
        Assert.Equal("Parallel", sts.Spec.PodManagementPolicy);
        Assert.Equal(["redis", "sentinel"], pod.Containers.Select(c => c.Name));
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
        Assert.False(pod.AutomountServiceAccountToken);
        foreach (var c in pod.Containers)
        {
            Assert.Equal(plan.Spec.Images.Redis.Reference, c.Image);
            Assert.StartsWith("valkey/valkey:", c.Image);
            Assert.False(c.SecurityContext.AllowPrivilegeEscalation);
            Assert.True(c.SecurityContext.ReadOnlyRootFilesystem);
            Assert.Equal(["ALL"], c.SecurityContext.Capabilities.Drop);
            Assert.Null(c.SecurityContext.Capabilities.Add);
            Assert.NotNull(c.StartupProbe);
            Assert.NotNull(c.ReadinessProbe);
            Assert.NotNull(c.LivenessProbe);
            // every mount is a declared volume, and everything the scripts write is a mounted volume
            Assert.All(c.VolumeMounts, m => Assert.Contains(pod.Volumes, v => v.Name == m.Name));
            Assert.Contains(c.VolumeMounts, m => m.MountPath == RedisLayout.TmpDir && m.ReadOnlyProperty != true);
        }
        var data = pod.Containers[0];
        Assert.Contains(data.VolumeMounts, m => m.MountPath == RedisLayout.DataDir);
        Assert.Contains(data.VolumeMounts, m => m.MountPath == RedisLayout.ConfDir);
        Assert.Contains(pod.Containers[1].VolumeMounts, m => m.MountPath == RedisLayout.SentinelDir && m.ReadOnlyProperty != true);
        Assert.Equal(["sh", "/opt/redis/prestop.sh"], data.Lifecycle.PreStop.Exec.Command);
        Assert.True(pod.TerminationGracePeriodSeconds > RedisLayout.PreStopSettleSeconds + RedisLayout.PreStopWaitSeconds);
        // resources come from the tier (a change of the tier's sizes is not this test's business), maxmemory 3/4 of the limit
        var size = plan.Sizing.Preset.RedisData;
        Assert.Equal(size.Cpu, data.Resources.Requests["cpu"].ToString());
        Assert.Equal(size.Memory, data.Resources.Limits["memory"].ToString());
        Assert.Contains($"maxmemory {size.MemoryMiB * 3 / 4}mb", Files(plan)[RedisConfigMap.RedisConfKey]);
    }

    [Fact]
    public void Passwords_come_only_from_the_secret_volume_never_from_the_configmap()
    {
        var plan = Stacks.Plan("dev");
        var pod = One<V1StatefulSet>(plan).Spec.Template.Spec;
        var text = ManifestWriter.Write(plan.Redis!.Contract.Objects);

        var auth = pod.Volumes.Single(v => v.Secret?.SecretName == SecretNames.RedisAuth);
        Assert.Equal(0b100_100_000, auth.Secret.DefaultMode);
        Assert.All(pod.Containers, c => Assert.Contains(c.VolumeMounts, m => m.Name == auth.Name && m.ReadOnlyProperty == true));
        // no config line sets a password: the start scripts append them at run time
        Assert.DoesNotMatch(PasswordLine(), Files(plan)[RedisConfigMap.RedisConfKey]);
        Assert.DoesNotMatch(PasswordLine(), Files(plan)[RedisConfigMap.SentinelConfKey]);
        Assert.DoesNotContain("kind: Secret", text);
        // the generated redis.conf with the password sits on a memory-backed volume
        Assert.Equal("Memory", pod.Volumes.Single(v => v.Name == "run").EmptyDir.Medium);
    }

    [GeneratedRegex(@"^\s*(requirepass|masterauth|sentinel auth-pass|sentinel sentinel-pass)\b", RegexOptions.Multiline)]
    private static partial Regex PasswordLine();

    [Fact]
    public void Anti_affinity_is_required_in_production_and_preferred_in_dev()
    {
        var prod = One<V1StatefulSet>(Stacks.Plan("prod")).Spec.Template.Spec.Affinity.PodAntiAffinity;
        var dev = One<V1StatefulSet>(Stacks.Plan("dev")).Spec.Template.Spec.Affinity.PodAntiAffinity;

        Assert.Equal("kubernetes.io/hostname", Assert.Single(prod.RequiredDuringSchedulingIgnoredDuringExecution).TopologyKey);
        Assert.Null(prod.PreferredDuringSchedulingIgnoredDuringExecution);
        Assert.Null(dev.RequiredDuringSchedulingIgnoredDuringExecution);
        Assert.Equal(100, Assert.Single(dev.PreferredDuringSchedulingIgnoredDuringExecution).Weight);
    }

    [Fact]
    public void Disruption_budget_lets_one_pod_go_at_a_time()
    {
        var pdb = One<V1PodDisruptionBudget>(Stacks.Plan("dev"));

        Assert.Equal("policy/v1", pdb.ApiVersion);
        Assert.Equal("1", pdb.Spec.MaxUnavailable.ToString());
        Assert.Equal(Meta.Selector(Names.Redis), pdb.Spec.Selector.MatchLabels);
    }

    [Fact]
    public void Data_is_an_emptydir_by_default_and_a_pvc_when_persistence_is_on()
    {
        var ephemeral = One<V1StatefulSet>(Stacks.Plan("dev"));
        var persistent = One<V1StatefulSet>(PlanOf(("redisPersistence", S("true")), ("redisStorageClass", S("fast-ssd")), ("redisStorageSize", S("2Gi"))));
        var persistentConf = Files(PlanOf(("redisPersistence", S("true"))))[RedisConfigMap.RedisConfKey];

        Assert.Null(ephemeral.Spec.VolumeClaimTemplates);
        Assert.NotNull(ephemeral.Spec.Template.Spec.Volumes.Single(v => v.Name == "data").EmptyDir);
        Assert.Contains("appendonly no", Files(Stacks.Plan("dev"))[RedisConfigMap.RedisConfKey]);
        var claim = Assert.Single(persistent.Spec.VolumeClaimTemplates);
        Assert.Equal("data", claim.Metadata.Name);
        Assert.Equal("fast-ssd", claim.Spec.StorageClassName);
        Assert.Equal("2Gi", claim.Spec.Resources.Requests["storage"].ToString());
        Assert.DoesNotContain(persistent.Spec.Template.Spec.Volumes, v => v.Name == "data");
        Assert.Contains("appendonly yes", persistentConf);
    }

    [Fact]
    public void Sentinel_conf_has_the_tuned_timings_and_resolves_hostnames_before_monitor()
    {
        var conf = Files(Stacks.Plan("dev"))[RedisConfigMap.SentinelConfKey];
        var lines = conf.Split('\n');

        Assert.Contains("sentinel down-after-milliseconds matrix-rtc 2500", lines);
        Assert.Contains("sentinel failover-timeout matrix-rtc 5000", lines);
        Assert.Contains("sentinel monitor matrix-rtc @MASTER_HOST@ @REDIS_PORT@ 2", lines);
        Assert.True(Array.IndexOf(lines, "sentinel resolve-hostnames yes") < Array.FindIndex(lines, l => l.StartsWith("sentinel monitor", StringComparison.Ordinal)));
        Assert.Contains("sentinel announce-hostnames yes", lines);
        var redis = Files(Stacks.Plan("dev"))[RedisConfigMap.RedisConfKey].Split('\n');
        Assert.Contains("min-replicas-to-write 1", redis);
        Assert.Contains("min-replicas-max-lag 10", redis);
        Assert.Contains("replica-announce-ip @SELF_HOST@", redis);
    }

    [Fact]
    public void Every_template_placeholder_is_filled_by_the_scripts()
    {
        var files = Files(Stacks.Plan("dev"));
        var used = Placeholder().Matches(files[RedisConfigMap.RedisConfKey] + files[RedisConfigMap.SentinelConfKey] + RedisConfigFiles.RedisConf(RedisLayout.For(
            RedisInput.From(Derived.From(Parse(With(("redisTls", S("true")))).OrThrow()))))).Select(m => m.Value).Distinct();

        Assert.All(used, p => Assert.Contains(p, RedisConfigFiles.Placeholders));
        Assert.All(RedisConfigFiles.Placeholders, p => Assert.Contains($"s|{p}|", files[RedisScripts.Common]));
    }

    [GeneratedRegex("@[A-Z_]+@")]
    private static partial Regex Placeholder();

    [SkippableFact]
    public void Scripts_are_valid_posix_sh()
    {
        // dash is Debian's /bin/sh and as strict as the images' sh about POSIX syntax
        var dash = Infra.Servers.Tools.Find("dash");
        Skip.If(dash is null && !Infra.Servers.Tools.Required, "SKIPPED: dash not installed");
        Assert.NotNull(dash);
        var files = Files(PlanOf(("redisTls", S("true"))));
        foreach (var name in new[] { RedisScripts.Common, RedisScripts.RedisStart, RedisScripts.SentinelStart, RedisScripts.PreStop, RedisScripts.Probe })
        {
            var path = Path.Combine(Path.GetTempPath(), $"redis-plan-{Environment.ProcessId}-{name}");
            System.IO.File.WriteAllText(path, files[name]);
            try
            {
                using var p = Process.Start(new ProcessStartInfo(dash!, ["-n", path]) { RedirectStandardError = true, UseShellExecute = false })!;
                var err = p.StandardError.ReadToEnd();
                Assert.True(p.WaitForExit(10_000), $"{name}: dash -n did not finish");
                Assert.True(p.ExitCode == 0, $"{name}: {err}");
            }
            finally
            {
                System.IO.File.Delete(path);
            }
        }
    }

    [Fact]
    public void Scripts_default_to_the_pod_layout_and_the_image_binaries()
    {
        var valkey = Files(Stacks.Plan("dev"))[RedisScripts.Common];
        var redis = Files(PlanOf(("redisImage", S("redis:7.2.5"))))[RedisScripts.Common];

        Assert.Contains("PEER_HOSTS=\"${PEER_HOSTS:-redis-0.redis-headless.matrix-rtc.svc.cluster.local redis-1.", valkey);
        Assert.Contains("SERVER_BIN=\"${SERVER_BIN:-valkey-server}\"", valkey);
        Assert.Contains("CLI_BIN=\"${CLI_BIN:-valkey-cli}\"", valkey);
        Assert.Contains("SENTINEL_BIN=\"${SENTINEL_BIN:-redis-sentinel}\"", redis);
        Assert.All(RedisScripts.Variables.Where(v => v is not "POD_NAME" and not "PROBE_HOST" and not "SELF_HOST"), v => Assert.Contains($"{v}=\"${{{v}:-", valkey));
    }

    [Fact]
    public void Tls_closes_the_plain_ports_and_mounts_the_certificate()
    {
        var plan = PlanOf(("redisTls", S("true")));
        var files = Files(plan);
        var pod = One<V1StatefulSet>(plan).Spec.Template.Spec;

        Assert.Contains("port 0\ntls-port @REDIS_PORT@", files[RedisConfigMap.RedisConfKey]);
        Assert.Contains("tls-replication yes", files[RedisConfigMap.RedisConfKey]);
        Assert.Contains("port 0\ntls-port @SENTINEL_PORT@", files[RedisConfigMap.SentinelConfKey]);
        Assert.Contains("TLS_ARGS=\"--tls --cacert $TLS_DIR/ca.crt\"", files[RedisScripts.Common]);
        Assert.Contains(pod.Volumes, v => v.Secret?.SecretName == SecretNames.RedisTls);
        Assert.All(pod.Containers, c => Assert.Contains(c.VolumeMounts, m => m.MountPath == RedisLayout.TlsDir));
        var block = LivekitRedisBlock(plan);
        var tls = Assert.IsType<YamlMap>(block["tls"]);
        Assert.Equal(true, tls["enabled"]);
        Assert.Equal(SecretNames.RedisTlsCa, plan.Topology.Redis.TlsCa!.Name);
        Assert.Contains("*.redis-headless.matrix-rtc.svc.cluster.local", RedisLayout.For(RedisInput.From(plan.Derived)).TlsDnsNames);
    }

    [SkippableFact]
    public void Objects_pass_the_kubernetes_schemas_and_strict_yaml_loading()
    {
        // GIVEN the prod plan and a dev plan with TLS and PVCs (every optional part present)
        var plans = new[] { Stacks.Plan("prod"), PlanOf(("redisTls", S("true")), ("redisPersistence", S("true")), ("redisStorageClass", S("fast"))) };
        foreach (var plan in plans)
        {
            var objects = plan.Redis!.Contract.Objects;
            // THEN KubernetesClient reads the manifest back with unknown fields rejected
            var loaded = k8s.KubernetesYaml.LoadAllFromString(ManifestWriter.Write(objects), strict: true);
            Assert.Equal(objects.Count, loaded.Count);
            // AND kubernetes-models validates each object (types, enums, required fields)
            var reports = KubernetesSchemas.Validate(objects);
            Assert.All(reports, r => Assert.True(r.Valid, r.ToString()));
            Assert.Equal(objects.Count, reports.Count(r => r.Valid));
        }
    }

    [Fact]
    public void Same_spec_gives_the_same_bytes_and_a_config_change_rolls_the_pods()
    {
        static string Text(EnvironmentPlan p) => ManifestWriter.Write(p.Redis!.Contract.Objects);
        static string Checksum(EnvironmentPlan p) => One<V1StatefulSet>(p).Spec.Template.Metadata.Annotations["matrix-rtc/config-checksum"];

        Assert.Equal(Text(Stacks.Plan("dev")), Text(Stacks.Plan("dev")));
        Assert.NotEqual(Checksum(Stacks.Plan("dev")), Checksum(PlanOf(("redisDownAfterMilliseconds", S("6000")))));
        Assert.Equal(Checksum(PlanOf()), Checksum(PlanOf()));
    }
}
