using Infra.Plan.Components;
using Infra.Plan.Components.Egress;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Contract;
using Infra.Plan.Net;
using Infra.Plan.Secrets;
using Infra.Plan.Sizing;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Tests.Egress;

/// <summary>Egress planned alone from a literal <see cref="EgressInput"/>: no stack file, no whole environment.</summary>
public class EgressInputTests
{
    private static readonly EgressInput Input = new(
        Egress: new EgressSpec(
            Enabled: true,
            Image: new ImageRef("livekit/egress", "v1.14.1", null),
            ChartVersion: "1.9.0",
            Recordings: null,
            MaxDurationSeconds: 3600,
            GracePeriodSeconds: 4200,
            Streaming: false,
            EgressStorageKind.S3,
            StoragePrefix: "calls",
            S3: new S3StorageSpec("bucket-x", "eu-1", "https://s3.example.test", ForcePathStyle: true,
                new S3Credentials.FromSecret(new SecretKeyRef("s3-x", "id"), new SecretKeyRef("s3-x", "key"))),
            StorageCidrs: []),
        Sizing: new EgressSizing(Recordings: 3, RecordingsPerPod: 2, TracksPerPod: 8, Replicas: 2, Pod: new ResourceSize(4000, 8192, Guaranteed: true),
            MaxDurationSeconds: 3600, GracePeriodSeconds: 4200, RecordingBytes: 1L << 30, ScratchGiB: 5, ScratchBy: ("room composite", 2),
            TmpGiB: 1, MaxMemoryGiB: 7.5, MemoryCostGiB: 2.5),
        Namespace: "rtc-x",
        PullSecrets: ["pull-x"],
        MediaNodeSelector: [new NodeLabel("media", "yes"), new NodeLabel("zone", "edge")],
        SfuServiceUrl: "ws://sfu.media-x.svc:7880",
        Redis: new RedisWiring("master-x", ["s0.test:26379"], new SecretRef("media-x", "redis-x", "pw"),
            new SecretRef("media-x", "redis-x", "sentinel-pw"), Tls: true, new SecretRef("media-x", "redis-ca-x", "ca.crt")),
        RedisMode: RedisMode.Managed);

    [Fact]
    public void A_literal_input_gives_the_release_config_secret_and_wiring_it_names()
    {
        // GIVEN a minimal input: this project's Redis with TLS, S3 keys from an existing Secret, two media node labels
        // WHEN Egress is planned from it alone
        var plan = EgressPlan.Build(Input)!;

        // THEN the egress chart of the given version in the given namespace, sized by the input
        var release = plan.Release;
        Assert.Equal(("egress", "rtc-x", "egress", "1.9.0"), (release.Name, release.Namespace, release.Chart, release.Version));
        var values = plan.Values;
        Assert.Equal(2, values.ReplicaCount);
        Assert.Equal(new ChartImage("livekit/egress", "v1.14.1", "IfNotPresent"), values.Image);
        Assert.Equal(4200, values.TerminationGracePeriodSeconds);
        Assert.Equal(("4", "8Gi", "7Gi"), (values.Resources.Requests["cpu"].ToString(), values.Resources.Requests["memory"].ToString(),
            values.Resources.Requests["ephemeral-storage"].ToString()));
        // AND kept off any node that carries both media labels: one NotIn term per label
        var terms = values.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms;
        Assert.Equal([("media", "NotIn", "yes"), ("zone", "NotIn", "edge")],
            terms.Select(t => t.MatchExpressions.Single()).Select(e => (e.Key, e.OperatorProperty, e.Values.Single())));

        // AND the config joins the given SFU address and Redis with LiveKit's key and the generated Redis passwords
        var config = plan.Config;
        Assert.Equal(("ws://sfu.media-x.svc:7880", 3600, "calls"), (config.WsUrl, config.MaxDurationSeconds, config.StoragePrefix));
        Assert.Equal((new SecretSource.Random("livekit-api-key"), new SecretSource.Random("livekit-api-secret")), (config.ApiKey, config.ApiSecret));
        Assert.Equal(("master-x", true, "/etc/egress-redis-tls/ca.crt"), (config.Redis.MasterName, config.Redis.Tls, config.Redis.TlsCaFile));
        Assert.Equal(["s0.test:26379"], config.Redis.SentinelAddresses);
        Assert.Equal(new SecretSource.Random("redis-password"), config.Redis.Password);
        Assert.Equal(new SecretSource.Random("redis-sentinel-password"), config.Redis.SentinelPassword);
        Assert.Equal(new EgressS3("bucket-x", "eu-1", "https://s3.example.test", true, null, null), config.S3);
        Assert.Equal((7.5, 2.5), (config.MaxMemoryGiB, config.MemoryCostGiB));

        // AND two Secrets in the namespace: the config, and the Redis CA copied from the issuer's certificate
        Assert.Equal([("rtc-x", "egress-config"), ("rtc-x", "redis-tls-ca")], plan.Secrets.Select(s => (s.Namespace, s.Name)));
        Assert.Equal(new SecretSource.IssuerCertificate("redis-server"), plan.Secrets[1].Entries.Single().Source);

        // AND the post-renderer wiring: the config body, the S3 keys from the operator's Secret, the CA file, scratch sizes
        Assert.Equal(
            [
                new SecretEnv("EGRESS_CONFIG_BODY", "egress-config", "config.yaml", Replace: true),
                new SecretEnv("AWS_ACCESS_KEY_ID", "s3-x", "id"),
                new SecretEnv("AWS_SECRET_ACCESS_KEY", "s3-x", "key"),
            ],
            plan.Wiring.Env);
        Assert.Equal([new SecretFileMount("redis-tls-ca", "redis-tls-ca", "ca.crt", "/etc/egress-redis-tls", "ca.crt", 0b100_100_100)], plan.Wiring.Files);
        Assert.Equal([new ScratchMount("recordings", "/home/egress/tmp", "5Gi"), new ScratchMount("tmp", "/tmp", "1Gi")], plan.Wiring.Scratch!);
        Assert.Equal(["pull-x"], plan.Wiring.PullSecrets!);
        Assert.Equal(("egress", "rtc-x"), (plan.Budget.Metadata.Name, plan.Budget.Metadata.NamespaceProperty));
    }

    [Fact]
    public void An_existing_redis_reads_the_operators_secrets_and_mounts_no_ca()
    {
        // GIVEN the same input wired to the operator's Sentinel group (no existingRedisCaSecret), no pull secrets
        var plan = EgressPlan.Build(Input with { RedisMode = RedisMode.Existing, PullSecrets = [], Redis = Input.Redis with { TlsCa = null } })!;

        // THEN the passwords come from the operator's Secrets, the CA from the image's bundle (nothing copied or mounted)
        Assert.Equal(new SecretSource.Existing("media-x", "redis-x", "pw"), plan.Config.Redis.Password);
        Assert.Equal(new SecretSource.Existing("media-x", "redis-x", "sentinel-pw"), plan.Config.Redis.SentinelPassword);
        Assert.Null(plan.Config.Redis.TlsCaFile);
        Assert.Equal(["egress-config"], plan.Secrets.Select(s => s.Name));
        Assert.Empty(plan.Wiring.Files);
        Assert.Null(plan.Wiring.PullSecrets);
    }

    [Fact]
    public void An_existing_redis_with_a_named_ca_has_it_copied_from_the_operators_secret()
    {
        // GIVEN an existing Redis over TLS whose CA the operator names (existingRedisCaSecret)
        var plan = EgressPlan.Build(Input with { RedisMode = RedisMode.Existing, Redis = Input.Redis with { TlsCa = new("media-x", "redis-ca", "ca.crt") } })!;

        // THEN Egress trusts it: copied into its namespace from that Secret and named as the CA file
        var ca = Assert.Single(plan.Secrets, s => s.Name == "redis-tls-ca");
        Assert.Equal(new SecretSource.Existing("media-x", "redis-ca", "ca.crt"), Assert.Single(ca.Entries).Source);
        Assert.NotNull(plan.Config.Redis.TlsCaFile);
    }

    [Fact]
    public void Egress_off_or_unsized_plans_nothing()
    {
        Assert.Null(EgressPlan.Build(Input with { Egress = Input.Egress with { Enabled = false } }));
        Assert.Null(EgressPlan.Build(Input with { Sizing = null }));
    }
}
