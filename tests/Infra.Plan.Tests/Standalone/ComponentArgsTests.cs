using Infra.Plan.Components;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Spec;
using Infra.Plan.Tests.Support;
using Xunit;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Standalone;

/// <summary>A component used alone: its Args' mistakes name the Args input, its defaults are the stack's, and nothing of a stand-in leaks.</summary>
public class ComponentArgsTests
{
    private static StandalonePlan Alone(ComponentDefinition c, params (string Key, ConfigValue Value)[] args) =>
        ComponentPlanner.Plan(c, "test", args.ToDictionary(a => a.Key, a => a.Value));

    [Fact]
    public void RedisSentinel_alone_needs_no_argument_and_plans_three_data_pods()
    {
        // GIVEN no args WHEN planned THEN the defaults: 3 pods, master matrix-rtc, sentinels on 26379 in matrix-rtc
        var plan = Alone(ComponentCatalog.RedisSentinel);
        Assert.Equal("matrix-rtc", plan.Outputs["masterName"]);
        Assert.Equal(
            ["redis-0.redis-headless.matrix-rtc.svc.cluster.local:26379", "redis-1.redis-headless.matrix-rtc.svc.cluster.local:26379",
             "redis-2.redis-headless.matrix-rtc.svc.cluster.local:26379"],
            (string[])plan.Outputs["sentinelAddresses"]);
        Assert.Equal("redis-auth/redis-password", plan.Outputs["passwordSecret"]);
        var statefulSet = plan.Contract.Objects.OfType<k8s.Models.V1StatefulSet>().Single();
        Assert.Equal(3, statefulSet.Spec.Replicas);
    }

    [Fact]
    public void A_bad_value_is_named_by_its_args_input_not_the_config_key()
    {
        var e = Assert.Throws<ComponentArgsException>(() => Alone(ComponentCatalog.RedisSentinel, ("redisDataNodes", S("4"))));
        Assert.Contains("RedisSentinel \"test\"", e.Message);
        Assert.Contains("redisDataNodes: \"4\" is not allowed; an odd number", e.Message);
        Assert.DoesNotContain("matrix-rtc:", e.Message);
    }

    [Fact]
    public void An_input_of_another_component_is_refused_by_name()
    {
        var e = Assert.Throws<ComponentArgsException>(() => Alone(ComponentCatalog.RedisSentinel, ("turnHost", S("turn.example.org"))));
        Assert.Contains("turnHost is not an input of RedisSentinel", e.Message);
    }

    [Fact]
    public void A_rule_about_keys_the_component_does_not_take_stays_with_the_environment()
    {
        // GIVEN production Redis alone (production would demand a pinned media-relay image and 3 media nodes for tier large)
        var plan = Alone(ComponentCatalog.RedisSentinel, ("production", S("true")), ("tier", S("large")));
        // THEN Redis plans, with required anti-affinity for production
        Assert.NotNull(plan.Contract.Objects.OfType<k8s.Models.V1StatefulSet>().Single().Spec.Template.Spec.Affinity.PodAntiAffinity
            .RequiredDuringSchedulingIgnoredDuringExecution);
    }

    [Theory]
    [InlineData("RedisSentinel")]
    [InlineData("Coturn")]
    [InlineData("Authorizer")]
    [InlineData("SynapseConfig")]
    public void No_stand_in_reaches_a_component_that_does_not_take_the_key(string typeName)
    {
        var definition = ComponentCatalog.Find(typeName)!;
        var args = StandaloneComponentTests.ArgsFromStack(definition, "dev");
        var text = StandaloneComponentTests.Registered(ComponentPlanner.Plan(definition, "dev", args).Contract);
        foreach (var (key, value) in ComponentPlanner.StandIns.Where(s => !definition.Inputs.Any(k => k.Name == s.Key)))
        {
            var shown = value is ConfigValue.Scalar s ? s.Text : ((ConfigValue.Scalar)((ConfigValue.Sequence)value).Items[0]).Text;
            if (shown is "unused" or "v1.13.5")
            {
                continue; // too common to search for; the named stand-ins cover the keys that could leak
            }
            Assert.DoesNotContain(shown, text);
        }
    }

    [Fact]
    public void LiveKit_on_an_existing_Redis_over_TLS_without_a_CA_trusts_the_system_roots()
    {
        // GIVEN an existing Redis with TLS and no CA Secret
        var plan = Planner.Build(Planner.Validate("t", With(("redisMode", S("existing")), ("redisTls", S("true")),
            ("existingSentinelMasterName", S("m")), ("existingSentinelAddresses", L("s-0.redis:26379")),
            ("existingRedisPasswordSecret", S("auth/password")))).OrThrow());
        var config = LivekitPlan.ServerConfig(LivekitInput.From(plan.Derived));
        // THEN LiveKit names no CA file (before: /etc/livekit-redis-tls/ca.crt, which nothing mounted)
        Assert.Null(config.Redis.Tls!.CaCertFile);
        Assert.DoesNotContain("redis-tls-ca", plan.Livekit.Release.Values.Content);
    }

    [Fact]
    public void LiveKit_on_an_existing_Redis_over_TLS_trusts_the_named_CA_and_mounts_it()
    {
        var plan = Planner.Build(Planner.Validate("t", With(("redisMode", S("existing")), ("redisTls", S("true")),
            ("existingSentinelMasterName", S("m")), ("existingSentinelAddresses", L("s-0.redis:26379")),
            ("existingRedisPasswordSecret", S("auth/password")), ("existingRedisCaSecret", S("redis-ca/ca.crt")))).OrThrow());
        var config = LivekitPlan.ServerConfig(LivekitInput.From(plan.Derived));
        Assert.Equal("/etc/livekit-redis-tls/ca.crt", config.Redis.Tls!.CaCertFile);
        Assert.Contains("redis-ca", plan.Livekit.Release.Values.Content);
    }

    [Fact]
    public void A_component_alone_needs_from_others_exactly_what_its_plan_reads()
    {
        // GIVEN Egress alone WHEN its Redis has no TLS THEN it needs LiveKit's key and secret and the two passwords, no CA
        var egress = (params (string, ConfigValue)[] extra) => Alone(ComponentCatalog.Egress,
            [("rtcHost", S("rtc.example.org")), ("egressS3Bucket", S("calls")), ("egressS3Region", S("eu-central-1")), ("egressS3AccessKeySecret", S("s3/id")),
             ("egressS3SecretKeySecret", S("s3/key")), .. extra]);
        Assert.Equal(["livekit-api-key", "livekit-api-secret", "redis-password", "redis-sentinel-password"], ComponentPlanner.Needed(egress()));
        // WHEN its Redis speaks TLS THEN also the CA the Redis server certificate is signed by
        Assert.Equal(["livekit-api-key", "livekit-api-secret", "redis-password", "redis-sentinel-password", "redis-server"],
            ComponentPlanner.Needed(egress(("redisTls", S("true")))));
        // AND a component that generates its own values needs nothing
        Assert.Empty(ComponentPlanner.Needed(Alone(ComponentCatalog.RedisSentinel)));
        // AND every needed id is one its Args can provide
        Assert.All(ComponentPlanner.Needed(egress(("redisTls", S("true")))), id => Assert.Contains(ComponentCatalog.Egress.Provided, p => p.GeneratedId == id));
    }

    [Fact]
    public void Only_the_SFU_alone_warns_about_the_SFUs_capacity()
    {
        // GIVEN tier large, whose stated maximum its SFUs cannot carry at the band's upper edge
        Assert.Empty(Alone(ComponentCatalog.RedisSentinel, ("tier", S("large"))).Warnings);
        var sfu = Alone(ComponentCatalog.LiveKit, ("tier", S("large")), ("rtcHost", S("rtc.example.org")), ("turnHost", S("turn.example.org")),
            ("nodeCidrs", L("10.0.0.0/24")), ("mediaNodeCount", S("3")), ("mediaRelayImageRepository", S("r.example.org/m")), ("mediaRelayImageTag", S("t")),
            ("mediaRelayLivekitVersion", S("v1.13.5")), ("gatewayName", S("g")), ("gatewayNamespace", S("g")), ("gatewaySectionName", S("https")),
            ("existingSentinelMasterName", S("m")), ("existingSentinelAddresses", L("s:26379")), ("existingRedisPasswordSecret", S("a/b")));
        Assert.Contains(sfu.Warnings, w => w.StartsWith("Tier large cannot carry", StringComparison.Ordinal));
    }
}
