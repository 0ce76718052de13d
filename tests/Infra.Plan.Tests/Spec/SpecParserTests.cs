using Infra.Plan.Sizing;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Spec;

public class SpecParserTests
{
    [Fact]
    public void Minimal_config_gets_the_documented_defaults()
    {
        // GIVEN only the required keys WHEN parsed
        var spec = Parse(Minimal()).OrThrow();

        // THEN every default is the one ConfigSchema documents
        Assert.Equal(Tier.Small, spec.Load.Tier);
        Assert.Equal("matrix-rtc", spec.Site.Namespace);
        Assert.Equal("matrix-rtc-media", spec.Site.MediaNamespace);
        Assert.Equal(7882, spec.Ports.SfuRtcUdp);
        Assert.Equal(new Net.PortRange(61000, 65535), spec.Ports.TurnRelay);
        Assert.Equal(new Net.PortRange(32768, 60999), spec.Nodes.EphemeralPorts);
        Assert.Equal(TlsMode.SelfSigned, spec.Tls.Mode);
        Assert.Equal(RedisMode.Managed, spec.Redis.Mode);
        Assert.Equal(2500, spec.Redis.DownAfterMilliseconds);
        Assert.Equal(10800, spec.Sfu.DrainSeconds);
        Assert.Equal("valkey/valkey", spec.Images.Redis.Repository);
        Assert.Equal(new Version(1, 13, 5), spec.Images.LivekitVersion);
        Assert.Null(spec.Images.MediaRelay.Digest);
    }

    [Fact]
    public void Missing_required_keys_are_each_reported()
    {
        var result = Parse(new Dictionary<string, ConfigValue>());

        Assert.False(result.Ok);
        var keys = result.Errors.Select(e => e.Key).ToHashSet();
        foreach (var key in ConfigSchema.AllKeys.Where(k => k.Required))
        {
            Assert.Contains(key.FullName, keys);
        }
        Assert.All(result.Errors.Where(e => e.Key == "matrix-rtc:serverName"), e => Assert.Contains("is required", e.Message));
    }

    [Fact]
    public void Several_mistakes_give_one_clear_message_each()
    {
        // GIVEN a config with four independent mistakes
        var config = With(
            ("tier", S("huge")),
            ("sfuRtcUdpPort", S("70000")),
            ("podCidrs", L("10.244.0.1/16")),
            ("tlsMode", S("letsencrypt")));

        // WHEN parsed
        var errors = Parse(config).Errors;

        // THEN each names its key, the bad value and what is allowed
        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.Key == "matrix-rtc:tier" && e.Message.Contains("\"huge\"") && e.Message.Contains("small, medium, large, auto"));
        Assert.Contains(errors, e => e.Key == "matrix-rtc:sfuRtcUdpPort" && e.Message.Contains("\"70000\"") && e.Message.Contains("1 to 65535"));
        Assert.Contains(errors, e => e.Key == "matrix-rtc:podCidrs" && e.Message.Contains("10.244.0.1/16") && e.Message.Contains("no host bits"));
        Assert.Contains(errors, e => e.Key == "matrix-rtc:tlsMode" && e.Message.Contains("self-signed, cert-manager, existing-secret"));
    }

    [Fact]
    public void Unknown_key_in_our_namespace_is_an_error_with_a_suggestion()
    {
        var errors = Parse(With(("matrix-rtc:teir", S("small")))).Errors;

        var error = Assert.Single(errors);
        Assert.Equal("matrix-rtc:teir", error.Key);
        Assert.Contains("did you mean matrix-rtc:tier?", error.Message);
    }

    [Fact]
    public void Keys_of_other_namespaces_are_left_alone()
    {
        Assert.True(Parse(With(("kubernetes:context", S("kind-dev")))).Ok);
    }

    [Fact]
    public void Unprefixed_keys_belong_to_the_project_as_in_pulumi()
    {
        var config = Minimal();
        config["tier"] = S("large");
        config["mediaNodeCount"] = S("3");
        Assert.Equal(Tier.Large, Parse(config).OrThrow().Load.Tier);
    }

    [Fact]
    public void Arrays_arrive_from_pulumi_as_json_text()
    {
        // Pulumi hands structured config to the program as JSON strings.
        var spec = Parse(With(("nodeCidrs", S("[\"10.1.0.0/24\",\"10.2.0.0/24\"]")))).OrThrow();
        Assert.Equal(["10.1.0.0/24", "10.2.0.0/24"], spec.Nodes.NodeCidrs.Select(c => c.ToString()));
    }

    [Fact]
    public void Secret_key_given_in_plain_text_is_refused_and_never_echoed()
    {
        var errors = Parse(With(("turnSharedSecretPrevious", S("hunter2-plaintext")))).Errors;

        var error = Assert.Single(errors);
        Assert.Contains("--secret", error.Message);
        Assert.DoesNotContain("hunter2", error.ToString());
    }

    [Fact]
    public void Secure_value_is_accepted_without_decryption()
    {
        var spec = Parse(With(("turnSharedSecretPrevious", new ConfigValue.Secret(null)))).OrThrow();
        Assert.True(spec.Turn.PreviousSecret.IsSet);
        Assert.Null(spec.Turn.PreviousSecret.Plaintext);
    }

    [Fact]
    public void A_secret_in_a_non_secret_key_is_not_shown()
    {
        var errors = Parse(With(("rtcHost", new ConfigValue.Secret("s3cr3t-value")))).Errors;
        Assert.All(errors, e => Assert.DoesNotContain("s3cr3t", e.ToString()));
        Assert.Contains(errors, e => e.Key == "matrix-rtc:rtcHost");
    }

    [Fact]
    public void Node_cidr_overlapping_the_pod_cidr_is_rejected()
    {
        var errors = Parse(With(("nodeCidrs", L("10.244.8.0/24")))).Errors;
        Assert.Contains(errors, e => e.Key == "matrix-rtc:nodeCidrs" && e.Message.Contains("10.244.0.0/16"));
    }

    [Theory]
    [InlineData("mediaNodeSelector", "media", "key=value")]
    [InlineData("mediaNodeTolerations", "dedicated=media:Sometimes", "NoSchedule")]
    [InlineData("imagePullSecrets", "Bad_Name", "Secret names")]
    public void Malformed_list_items_are_named(string key, string item, string allowed)
    {
        var errors = Parse(With((key, L(item)))).Errors;
        var error = Assert.Single(errors);
        Assert.Equal($"matrix-rtc:{key}", error.Key);
        Assert.Contains(item, error.Message);
        Assert.Contains(allowed, error.Message);
    }

    [Theory]
    [InlineData("redisImage", "valkey/valkey")]
    [InlineData("coturnImage", "coturn/coturn:latest@sha256:abc")]
    [InlineData("authorizerImage", "Ghcr.io/x:1")]
    public void Image_references_need_a_tag_and_a_valid_digest(string key, string value)
    {
        var errors = Parse(With((key, S(value)))).Errors;
        Assert.Contains(errors, e => e.Key == $"matrix-rtc:{key}" && e.Message.Contains("repository:tag"));
    }

    [Fact]
    public void Production_requires_a_media_relay_digest_and_trusted_tls()
    {
        var errors = Parse(With(("production", S("true")))).Errors;

        Assert.Contains(errors, e => e.Key == "matrix-rtc:mediaRelayImageDigest" && e.Message.Contains("digest"));
        Assert.Contains(errors, e => e.Key == "matrix-rtc:tlsMode" && e.Message.Contains("self-signed"));
        // The other images are the image policy's: it checks every container of the plan (PolicyChecksTests).
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void Livekit_older_than_1_13_is_rejected()
    {
        var error = Assert.Single(Parse(With(("mediaRelayLivekitVersion", S("v1.9.0")))).Errors);
        Assert.Equal("matrix-rtc:mediaRelayLivekitVersion", error.Key);
        Assert.Contains("v1.13.0 or newer", error.Message);
    }

    [Fact]
    public void More_sfu_replicas_than_media_nodes_is_rejected()
    {
        var error = Assert.Single(Parse(With(("sfuReplicas", S("3")), ("mediaNodeCount", S("2")))).Errors);
        Assert.Equal("matrix-rtc:sfuReplicas", error.Key);
        Assert.Contains("one SFU per media node", error.Message);
    }

    [Fact]
    public void Tier_auto_picks_the_smallest_tier_that_carries_the_load()
    {
        static Tier Resolved(EnvironmentSpec spec) => Derived.From(spec).Sizing.Preset.Tier;
        Assert.Equal(Tier.Medium, Resolved(Parse(With(("tier", S("auto")), ("calls", S("30")), ("participantsPerCall", S("4")), ("mediaNodeCount", S("20")))).OrThrow()));
        Assert.Equal(Tier.Large, Resolved(Parse(With(("tier", S("auto")), ("calls", S("30")), ("participantsPerCall", S("10")), ("mediaNodeCount", S("20")))).OrThrow()));
        var error = Assert.Single(Parse(With(("tier", S("auto")))).Errors);
        Assert.Equal("matrix-rtc:calls", error.Key);
    }

    [Fact]
    public void Explicit_load_beyond_the_tier_names_a_tier_that_fits()
    {
        var error = Assert.Single(Parse(With(("tier", S("small")), ("calls", S("40")), ("sfuReplicas", S("1")))).Errors);
        Assert.Equal("matrix-rtc:calls", error.Key);
        Assert.Contains("use tier medium", error.Message);
    }

    [Theory]
    [InlineData("redisDataNodes", "4", "odd")]
    [InlineData("redisQuorum", "1", "from 2 to 2")]
    [InlineData("redisDownAfterMilliseconds", "500", "1000 to")]
    [InlineData("sfuDrainSeconds", "30", "60 to")]
    public void Out_of_range_numbers_say_the_range(string key, string value, string allowed)
    {
        var errors = Parse(With((key, S(value)))).Errors;
        Assert.Contains(errors, e => e.Key == $"matrix-rtc:{key}" && e.Message.Contains($"\"{value}\"") && e.Message.Contains(allowed));
    }

    [Fact]
    public void Persistence_without_a_storage_class_fails_only_when_the_cluster_has_no_default()
    {
        Assert.True(Parse(With(("redisPersistence", S("true")))).Ok);
        var errors = Parse(With(("redisPersistence", S("true")), ("clusterHasDefaultStorageClass", S("false")))).Errors;
        Assert.Contains(errors, e => e.Key == "matrix-rtc:redisStorageClass");
    }

    [Fact]
    public void Existing_sentinel_mode_requires_its_connection_details()
    {
        var errors = Parse(With(("redisMode", S("existing")))).Errors.Select(e => e.Key).ToArray();
        Assert.Contains("matrix-rtc:existingSentinelMasterName", errors);
        Assert.Contains("matrix-rtc:existingSentinelAddresses", errors);
        Assert.Contains("matrix-rtc:existingRedisPasswordSecret", errors);
    }

    [Fact]
    public void Cert_manager_and_existing_secret_modes_need_their_source()
    {
        Assert.Contains(Parse(With(("tlsMode", S("cert-manager")))).Errors, e => e.Key == "matrix-rtc:certManagerIssuer");
        // routing ingress: the Ingresses need the RTC host's Secret; routing gateway: the listener carries its own
        var errors = Parse(WithIngress(("tlsMode", S("existing-secret")))).Errors.Select(e => e.Key).ToArray();
        Assert.Contains("matrix-rtc:rtcTlsSecret", errors);
        Assert.Contains("matrix-rtc:turnTlsSecret", errors);
        Assert.Equal(["matrix-rtc:turnTlsSecret"], Parse(With(("tlsMode", S("existing-secret")))).Errors.Select(e => e.Key));
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Repository_stacks_parse(string stack)
    {
        var spec = Stacks.Spec(stack);
        Assert.Equal(stack == "prod", spec.Site.Production);
        Assert.Equal(stack == "prod" ? Tier.Large : Tier.Small, spec.Load.Tier);
        Assert.Equal(stack == "prod" ? 3 : 1, spec.Nodes.MediaNodeCount);
    }

    [Fact]
    public void Every_key_has_a_description_and_a_default_or_is_required_or_secret()
    {
        foreach (var key in ConfigSchema.AllKeys)
        {
            Assert.False(string.IsNullOrWhiteSpace(key.Description), key.Name);
            Assert.True(key.Default is not null || key.Required || key.Secret, $"{key.Name} has no default");
        }
        Assert.Equal(ConfigSchema.AllKeys.Count, ConfigSchema.AllKeys.Select(k => k.Name).Distinct().Count());
    }
}
