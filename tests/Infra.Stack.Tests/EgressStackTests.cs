using Infra.PulumiCli;
using System.Text;
using Infra.Plan.Components;
using Infra.Plan.Components.Egress;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Contract;
using Infra.Plan.Secrets;
using Infra.Plan.Spec;
using YamlDotNet.RepresentationModel;
using static Infra.Tests.Stacks.RunQueries;
using static Infra.Tests.Stacks.StackRun;

namespace Infra.Tests.Stacks;

/// <summary>
/// LiveKit Egress through the one generic registration path, judged by what the SDK sends the engine: its component and
/// release through the stack's provider, its config Secret filled from LiveKit's and Redis's generated values (and
/// secure config, or an operator's Secret read from the cluster), secret wherever it travels.
/// </summary>
public sealed class EgressStackTests
{
    private const string AccessKey = "AKIAEGRESSSTACKTEST1";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG+stack/test";

    /// <summary>The config.yaml the Pulumi layer sends for Secret egress-config, parsed (update mode: values are known).</summary>
    private static YamlMappingNode ConfigOf(StackRun run)
    {
        var secret = Assert.Single(run.OfType(SecretType), s => s.Metadata == (run.Plan.Spec.Site.Namespace, EgressPlan.ConfigSecret));
        Assert.True(secret.IsSecretAt("stringData", EgressPlan.ConfigKey), "the Egress config is not sent as a secret");
        var stream = new YamlStream();
        stream.Load(new StringReader(secret.String("stringData", EgressPlan.ConfigKey)!));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string At(YamlMappingNode root, string path) =>
        ((YamlScalarNode)path.Split('.').Aggregate((YamlNode)root, (n, k) => ((YamlMappingNode)n)[k])).Value!;

    private static string Stringdata(StackRun run, string ns, string name, string key) =>
        Assert.Single(run.OfType(SecretType), s => s.Metadata == (ns, name)).String("stringData", key)!;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Prod_registers_the_egress_component_and_release_through_the_stacks_provider(bool preview)
    {
        var run = await RunAsync("prod", preview);
        var spec = run.Plan.Spec;
        var release = run.Release(EgressPlan.ReleaseName);

        // One Egress component; its release is the pinned egress chart in the project namespace, through our provider
        Assert.Single(run.Registrations, r => r.Type == "matrix-rtc:index:Egress" && !r.Custom);
        Assert.Equal(EgressPlan.Chart, release.String("chart"));
        Assert.Equal(spec.Egress.ChartVersion, release.String("version"));
        Assert.Equal(Names.LivekitChartRepo, release.String("repositoryOpts", "repo"));
        Assert.Equal(spec.Site.Namespace, release.String("namespace"));
        Assert.Equal(run.ProviderRef(), release.Provider);
        Assert.Equal(LivekitPlan.PostRendererPath, release.String("postrender"));
        Assert.False(release.Bool("atomic") ?? throw new Xunit.Sdk.XunitException("atomic is not sent"));
        // The reviewed values file byte for byte; beyond it only the rotation hash of the Secrets the pods read
        Assert.Equal(run.Plan.Egress!.Release.Values.Content, run.ReleaseValues(EgressPlan.ReleaseName));
        var extra = Registration.Unwrap(release.Inputs.GetProperty("values"));
        Assert.Equal(["podAnnotations"], extra.EnumerateObject().Select(p => p.Name));
        if (!preview)
        {
            Assert.Matches("^[0-9a-f]{64}$", release.Input("values", "podAnnotations", SecretHashes.Annotation)?.GetString());
        }
        else
        {
            Assert.True(release.IsUnknownAt("values", "podAnnotations"), "the egress rotation hash is known in a new stack's preview");
        }

        // It waits for the Secrets its pods read, its namespace and LiveKit's generated key (what it joins rooms with;
        // the SDK turns a dependency on a component into one on its children)
        var waits = run.WaitsFor(release);
        foreach (var name in new[] { EgressPlan.ConfigSecret, SecretNames.RedisTlsCa })
        {
            Assert.Contains(Assert.Single(run.OfType(SecretType), s => s.Metadata == (spec.Site.Namespace, name)).Urn, waits);
        }
        Assert.Contains(Assert.Single(run.OfType(NamespaceType), n => n.Metadata.Name == spec.Site.Namespace).Urn, waits);
        Assert.Contains(Assert.Single(run.Registrations, r => r.Type == "random:index/randomString:RandomString" && r.Name == $"{RunQueries.ChildName(LivekitPlan.Component)}-{LivekitPlan.ApiKeyId}").Urn, waits);
        Assert.Contains(run.Release().Urn, waits);
    }

    [Fact]
    public async Task The_config_secret_is_filled_from_livekits_key_and_redis_passwords_and_sent_only_as_a_secret()
    {
        // GIVEN prod in update mode (the generated values are known)
        var run = await RunAsync("prod");
        var spec = run.Plan.Spec;
        var config = ConfigOf(run);

        // THEN its key and secret are the ones the authorizer signs tokens with (LiveKit's generated pair), its Redis
        // passwords the ones Redis runs with, its CA the Redis CA
        Assert.Equal(Stringdata(run, spec.Site.Namespace, SecretNames.LivekitApi, ApiKeys.KeyId), At(config, "api_key"));
        Assert.Equal(Stringdata(run, spec.Site.Namespace, SecretNames.LivekitApi, ApiKeys.Secret), At(config, "api_secret"));
        Assert.StartsWith("APIMockKey", At(config, "api_key"));
        Assert.Equal(Stringdata(run, spec.Site.Namespace, SecretNames.RedisAuth, "redis-password"), At(config, "redis.password"));
        Assert.Equal(Stringdata(run, spec.Site.Namespace, SecretNames.RedisAuth, "sentinel-password"), At(config, "redis.sentinel_password"));
        Assert.Equal(run.Plan.Topology.SfuServiceUrl, At(config, "ws_url"));
        Assert.Contains("MockCert", Stringdata(run, spec.Site.Namespace, SecretNames.RedisTlsCa, "ca.crt"));

        // AND none of it travels in plain text anywhere: not in the release's values, not in a ConfigGroup
        foreach (var value in new[] { At(config, "api_secret"), At(config, "redis.password") })
        {
            Assert.All(run.Registrations, r => Assert.DoesNotContain(r.PlainStrings(), s => s.Contains(value, StringComparison.Ordinal)));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Secure_s3_keys_go_into_the_config_secret_and_nowhere_else(bool preview)
    {
        // GIVEN dev with Egress on and its S3 keys set with --secret
        var config = Config("dev", ("egress", "true"), ("egressS3Bucket", "recordings"),
            ("egressS3AccessKey", CliConfigValue.Encrypted(AccessKey)), ("egressS3SecretKey", CliConfigValue.Encrypted(SecretKey)));
        var run = await RunAsync("dev", config, preview);

        // THEN (update) the config Secret carries both keys, exactly; a new stack's preview cannot know the document
        // (it holds LiveKit's generated key too); and no registration has them in plain text
        if (!preview)
        {
            var egress = ConfigOf(run);
            Assert.Equal(AccessKey, At(egress, "storage.s3.access_key"));
            Assert.Equal(SecretKey, At(egress, "storage.s3.secret"));
        }
        else
        {
            var secret = Assert.Single(run.OfType(SecretType), s => s.Metadata == (run.Plan.Spec.Site.Namespace, EgressPlan.ConfigSecret));
            Assert.True(secret.IsUnknownAt("stringData", EgressPlan.ConfigKey), "the Egress config is known in a new stack's preview");
        }
        Assert.All(run.Registrations, r => Assert.DoesNotContain(r.PlainStrings(), s => s.Contains(AccessKey, StringComparison.Ordinal) || s.Contains(SecretKey, StringComparison.Ordinal)));
        Assert.Single(run.OfType(ReleaseType), r => r.String("name") == EgressPlan.ReleaseName);
    }

    [Fact]
    public async Task With_an_existing_sentinel_cluster_its_password_is_read_from_the_operators_secret()
    {
        // GIVEN dev on an existing Sentinel cluster whose password is in the operator's Secret phase1 (media namespace)
        const string password = "Phase1Existing:Pass\"word";
        var media = "matrix-rtc-media";
        var existing = new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            [$"{media}/phase1"] = new Dictionary<string, string> { ["password"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(password)) },
        };
        var config = Config("dev", ("egress", "true"), ("egressS3Bucket", "recordings"), ("redisMode", "existing"),
            ("existingSentinelMasterName", "phase1"), ("existingSentinelAddresses", CliConfigValue.List("s-0.redis:26379")),
            ("existingRedisPasswordSecret", "phase1/password"));

        // WHEN the program runs
        var run = await RunAsync("dev", config, existingSecrets: existing);

        // THEN the Secret was read once, through the stack's provider, and its value sits in the config, secret
        Assert.Equal([("kubernetes:core/v1:Secret", $"{media}/phase1", run.ProviderRef())], run.Mocks.Reads.ToList());
        Assert.Equal(password, At(ConfigOf(run), "redis.password"));
        Assert.All(run.Registrations, r => Assert.DoesNotContain(r.PlainStrings(), s => s.Contains("Phase1Existing", StringComparison.Ordinal)));
        Assert.DoesNotContain(run.OfType("matrix-rtc:index:RedisSentinel"), _ => true);
    }

    [Fact]
    public async Task A_new_api_secret_rolls_the_egress_pods_and_a_new_turn_secret_does_not()
    {
        // The rotation hash on the egress release's pod template (SecretHashes), for prod with some passwords replaced
        async Task<string?> Hash(Dictionary<string, string>? randoms = null) =>
            (await RunAsync("prod", Config("prod"), randomResults: randoms)).Release(EgressPlan.ReleaseName)
                .Input("values", "podAnnotations", SecretHashes.Annotation)?.GetString();

        var before = await Hash();
        var apiSecret = await Hash(new() { [LivekitPlan.ApiSecretId] = "RotatedApiSecret0123456789abcdefABCDEFabcdef0123" });
        var turn = await Hash(new() { [Infra.Plan.Components.Coturn.CoturnPlan.SharedSecretId] = "RotatedTurnSecret0123456789abcdefABCDEF" });

        Assert.Matches("^[0-9a-f]{64}$", before);
        Assert.NotEqual(before, apiSecret);
        Assert.Equal(before, turn);
        Assert.Equal(before, await Hash());
    }

    [Fact]
    public async Task Dev_deploys_no_egress()
    {
        var run = await RunAsync("dev");

        Assert.DoesNotContain(run.Registrations, r => r.Type == "matrix-rtc:index:Egress");
        Assert.Single(run.OfType(ReleaseType));
        Assert.DoesNotContain(run.OfType(SecretType), s => s.Metadata.Name == EgressPlan.ConfigSecret);
    }
}
