using Infra.Plan.Components;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Secrets;
using Infra.Plan.Spec;
using YamlDotNet.RepresentationModel;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Livekit;

public class LivekitValuesTests
{
    private static LivekitPlan Build(EnvironmentSpec spec) => LivekitPlan.Build(LivekitInput.From(Derived.From(spec)));

    private static LivekitPlan Build(params (string Key, ConfigValue Value)[] changes) => Build(Parse(With(changes)).OrThrow());

    /// <summary>The values file as a generic YAML tree, the way Helm reads it.</summary>
    private static YamlMappingNode ValuesTree(LivekitPlan result)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(result.Release.Values.Content));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlNode At(YamlNode node, string path) =>
        path.Split('.').Aggregate(node, (n, key) => ((YamlMappingNode)n).Children[new YamlScalarNode(key)]);

    private static string Scalar(YamlNode node, string path) => ((YamlScalarNode)At(node, path)).Value!;

    [Fact]
    public void Prod_runs_the_media_relay_image_by_digest_and_dev_by_tag()
    {
        // GIVEN the repository's prod and dev stacks WHEN their values are planned
        var prod = Stacks.Plan("prod");
        var dev = Stacks.Plan("dev");
        var prodValues = prod.Livekit.Values;
        var devValues = dev.Livekit.Values;

        // THEN the chart's "repository:tag" is the custom image, pinned by digest in prod
        var digest = prod.Spec.Images.MediaRelay.Digest!;
        Assert.Equal(prod.Spec.Images.MediaRelay.Repository, prodValues.Image.Repository);
        Assert.Equal($"{prod.Spec.Images.MediaRelay.Tag}@{digest}", prodValues.Image.Tag);
        Assert.Equal(dev.Spec.Images.MediaRelay.Tag, devValues.Image.Tag);
        Assert.DoesNotContain("@", devValues.Image.Tag);
    }

    [Fact]
    public void One_sfu_per_media_node_on_the_host_network_replaced_one_at_a_time()
    {
        var prod = Stacks.Plan("prod");
        var values = prod.Livekit.Values;

        Assert.True(values.PodHostNetwork);
        Assert.Equal(prod.Sizing.SfuReplicas, values.ReplicaCount);
        Assert.True(values.ReplicaCount <= prod.Spec.Nodes.MediaNodeCount);
        var term = Assert.Single(values.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution);
        Assert.Equal("kubernetes.io/hostname", term.TopologyKey);
        Assert.Equal(LivekitPlan.PodSelector, term.LabelSelector.MatchLabels);
        Assert.Equal("0", values.DeploymentStrategy.RollingUpdate.MaxSurge.Value);
        Assert.Equal("1", values.DeploymentStrategy.RollingUpdate.MaxUnavailable.Value);
        Assert.Equal(10800, values.TerminationGracePeriodSeconds);
        Assert.Equal(prod.Spec.Nodes.MediaNodeSelector.ToDictionary(l => l.Key, l => l.Value), values.NodeSelector);
        Assert.Equal("matrix-rtc/media", Assert.Single(values.Tolerations).Key);
    }

    [Fact]
    public void Resources_are_guaranteed_whole_cpus_from_the_tier()
    {
        var prod = Stacks.Plan("prod");
        var values = prod.Livekit.Values;

        Assert.Equal(values.Resources.Requests["cpu"].ToString(), values.Resources.Limits["cpu"].ToString());
        Assert.Equal(values.Resources.Requests["memory"].ToString(), values.Resources.Limits["memory"].ToString());
        Assert.Equal(prod.Sizing.Preset.Sfu.Cpu, values.Resources.Limits["cpu"].ToString());
        Assert.Equal(0, prod.Sizing.Preset.Sfu.CpuMillis % 1000);
    }

    [Fact]
    public void Grace_period_follows_sfuDrainSeconds()
    {
        var values = Build(("sfuDrainSeconds", S("600"))).Values;
        Assert.Equal(600, values.TerminationGracePeriodSeconds);
    }

    [Fact]
    public void Server_config_sets_rooms_ports_turn_redis_and_webhook_from_the_plan()
    {
        // GIVEN a spec with non-default SFU ports
        var spec = Parse(With(("sfuRtcUdpPort", S("7892")), ("sfuRtcTcpPort", S("7891")))).OrThrow();
        var plan = Planner.Build(spec);

        // WHEN the server config is planned
        var config = plan.Livekit.Values.Livekit;

        // THEN every setting comes from the spec, the sizing or the topology
        Assert.Equal(7892, config.Rtc.UdpPort);
        Assert.Equal(7891, config.Rtc.TcpPort);
        Assert.True(config.Rtc.UseExternalIp);
        Assert.Equal(["10.10.0.0/24"], config.Rtc.IpsIncludes);
        // our own coturn first, then LiveKit's default public STUN servers (sfuStunServers): see SfuStartTests
        Assert.Equal(["turn.example.org:3478", "global.stun.twilio.com:3478", "stun.l.google.com:19302", "stun1.l.google.com:19302"],
            config.Rtc.StunServers);
        Assert.False(config.Room.AutoCreate);
        Assert.Equal(300, config.Room.EmptyTimeoutSeconds);
        Assert.Equal(20, config.Room.DepartureTimeoutSeconds);
        Assert.Equal(plan.Sizing.LargestCall.Load.ParticipantsPerCall, config.Room.MaxParticipants);
        // coturn serves TURN on the host network: LiveKit's own TURN stays off
        Assert.Null(config.EmbeddedTurn);
        Assert.Equal(false, config.ToYaml()["turn"] is YamlMap t ? t["enabled"] : null);
        Assert.Equal(6789, config.PrometheusPort);
        Assert.Equal("keys.yaml", config.KeyFile);
        Assert.Equal(Names.RedisMasterName, config.Redis.SentinelMasterName);
        Assert.Equal(plan.Topology.Redis.SentinelAddresses, config.Redis.SentinelAddresses);
        Assert.Equal([plan.Topology.Authorizer.WebhookUrl], config.Webhook.Urls);
        Assert.EndsWith("/sfu_webhook", config.Webhook.Urls[0]);
    }

    [Fact]
    public void Turn_servers_are_coturn_udp_and_tls_with_the_secret_from_a_file()
    {
        var result = Build();
        var turn = result.Values.Livekit.Rtc.TurnServers;

        Assert.Equal([(3478, TurnProtocol.Udp), (5349, TurnProtocol.Tls)], turn.Select(t => (t.Port, t.Protocol)));
        Assert.All(turn, t => Assert.Equal("turn.example.org", t.Host));
        // The file LiveKit reads is the one the post-renderer mounts.
        var mount = Assert.Single(result.Wiring.Files, f => f.Secret == SecretNames.TurnShared);
        Assert.All(turn, t => Assert.Equal(mount.Path, t.SecretFile));
        Assert.Equal(LivekitPlan.SecretFileMode & 0b000_000_111, 0);
    }

    [Fact]
    public void Turn_on_443_adds_a_tls_server_and_long_ttls_are_capped()
    {
        var turn = Build(("turnTlsOn443", S("true")), ("turnCredentialTtlSeconds", S("172800"))).Values.Livekit.Rtc.TurnServers;

        Assert.Contains(turn, t => t.Port == 443 && t.Protocol == TurnProtocol.Tls);
        Assert.All(turn, t => Assert.Equal(LivekitPlan.MaxTurnTtlSeconds, t.TtlSeconds));
    }

    [Fact]
    public void Secrets_reach_the_sfu_only_through_the_wiring()
    {
        var result = Build();

        Assert.Equal(
            ["LIVEKIT_REDIS_PASSWORD", "LIVEKIT_REDIS_SENTINEL_PASSWORD", "LIVEKIT_WEBHOOK_API_KEY"],
            result.Wiring.Env.Select(e => e.Name));
        Assert.Contains(result.Wiring.Env, e => e is { Secret: SecretNames.RedisAuth, Key: "redis-password" });
        Assert.Contains(result.Wiring.Env, e => e is { Secret: SecretNames.LivekitApi, Key: ApiKeys.KeyId });
        Assert.True(result.Wiring.StrictConfig);
        // The annotation the post-renderer reads carries the same wiring.
        Assert.Equal(result.Wiring.ToJson(), result.Values.PodAnnotations[SecretWiring.Annotation]);
        Assert.Equal(result.Wiring.ToJson(), SecretWiring.FromJson(result.Wiring.ToJson()).ToJson());
    }

    [Fact]
    public void Existing_sentinel_cluster_wires_the_operators_secret_and_no_sentinel_password()
    {
        var result = Build(
            ("redisMode", S("existing")),
            ("existingSentinelMasterName", S("mymaster")),
            ("existingSentinelAddresses", L("sentinel-a.redis.svc:26379", "sentinel-b.redis.svc:26379")),
            ("existingRedisPasswordSecret", S("their-redis/pw")));

        Assert.Equal("mymaster", result.Values.Livekit.Redis.SentinelMasterName);
        Assert.Equal(["sentinel-a.redis.svc:26379", "sentinel-b.redis.svc:26379"], result.Values.Livekit.Redis.SentinelAddresses);
        var password = Assert.Single(result.Wiring.Env, e => e.Name == "LIVEKIT_REDIS_PASSWORD");
        Assert.Equal(("their-redis", "pw"), (password.Secret, password.Key));
        Assert.DoesNotContain(result.Wiring.Env, e => e.Name == "LIVEKIT_REDIS_SENTINEL_PASSWORD");
    }

    [Fact]
    public void Redis_tls_verifies_against_a_mounted_ca()
    {
        var result = Build(("redisTls", S("true")));

        var tls = result.Values.Livekit.Redis.Tls!;
        // The CA Secret is the one the Redis component creates in the media namespace, at the path its wiring names.
        var ca = Assert.Single(result.Wiring.Files, f => f.Secret == SecretNames.RedisTlsCa);
        Assert.Equal(ca.Path, tls.CaCertFile);
        Assert.Equal(Infra.Plan.Components.RedisWiring.TlsCaFile, tls.CaCertFile);
        Assert.Null(Build().Values.Livekit.Redis.Tls);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Server_config_has_only_keys_livekit_knows(string stack)
    {
        var plan = Stacks.Plan(stack);
        var config = plan.Livekit.Values.Livekit;

        Assert.Empty(LivekitConfigSchema.UnknownKeys(config.ToYaml()));
    }

    [Fact]
    public void The_key_check_catches_a_misspelled_or_chart_only_key()
    {
        // GIVEN a config with a typo at the top, one in a list item, and the chart's own turn key
        var tree = new YamlMap
        {
            ["port"] = 7880,
            ["prometheus_prot"] = 6789,
            ["rtc"] = new YamlMap { ["turn_servers"] = new List<object?> { new YamlMap { ["host"] = "t", ["secret_flie"] = "/x" } } },
            ["turn"] = new YamlMap { ["enabled"] = false, ["loadBalancerAnnotations"] = new YamlMap() },
        };

        Assert.Equal(["prometheus_prot", "rtc.turn_servers[0].secret_flie", "turn.loadBalancerAnnotations"], LivekitConfigSchema.UnknownKeys(tree));
    }

    [Fact]
    public void Values_remove_chart_defaults_livekit_would_refuse_or_that_contradict_the_plan()
    {
        var tree = ValuesTree(Build());

        foreach (var path in new[] { "livekit.rtc.port_range_start", "livekit.rtc.port_range_end", "livekit.keys", "livekit.log_level", "livekit.turn.loadBalancerAnnotations" })
        {
            Assert.Equal("null", Scalar(tree, path));
        }
        Assert.Equal("livekit-api", Scalar(tree, "storeKeysInSecret.existingSecret"));
        Assert.Equal("true", Scalar(tree, "storeKeysInSecret.enabled"));
        Assert.Equal("keys.yaml", Scalar(tree, "livekit.key_file"));
        Assert.Equal("disable", Scalar(tree, "loadBalancer.type"));
    }

    [Fact]
    public void Service_monitor_only_with_monitoring()
    {
        // Monitoring on or off, the chart's own ServiceMonitor stays off: ours selects the SFU with the operator's labels.
        Assert.Equal("false", Scalar(ValuesTree(Build(("monitoring", S("true")))), "serviceMonitor.create"));
        Assert.Equal("false", Scalar(ValuesTree(Build()), "serviceMonitor.create"));
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Values_file_is_deterministic_and_holds_no_secret_field(string stack)
    {
        var first = Stacks.Plan(stack).Livekit.Release.Values.Content;
        var second = Stacks.Plan(stack).Livekit.Release.Values.Content;

        Assert.Equal(first, second);
        // No field that could carry a secret: passwords, TURN secret/credential, API keys.
        foreach (var field in new[] { "password:", "secret:", "credential:", "api_key:", "username:" })
        {
            Assert.DoesNotContain(field, first);
        }
        Assert.Contains("secret_file:", first);
    }
}
