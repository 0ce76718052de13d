using Infra.Plan.Components;
using Infra.Plan.Secrets;
using Infra.Plan.Tests.Support;

namespace Infra.Plan.Tests.Tls;

public sealed class GeneratedSecretsTests
{
    [Fact]
    public void Every_secret_reference_the_topology_hands_out_is_created_by_the_stack()
    {
        // GIVEN dev's topology (managed Redis)
        var spec = Stacks.Spec("dev");
        var topology = Topology.For(spec);
        var created = GeneratedSecrets.For(spec).SelectMany(s => s.Keys.Select(k => (s.Namespace, s.Name, k.Key))).ToHashSet();

        // THEN each reference points at a created key
        foreach (var r in new[] { topology.Turn.SharedSecret, topology.Redis.Password, topology.Redis.SentinelPassword! })
        {
            Assert.Contains((r.Namespace, r.Name, r.Key), created);
        }
        Assert.Contains((spec.Site.Namespace, SecretNames.LivekitApi, "keys.yaml"), created);
        Assert.DoesNotContain(created, c => c.Key == "previous");
    }

    [Fact]
    public void Rotation_adds_the_previous_turn_secret_and_existing_redis_creates_no_redis_secret()
    {
        var spec = Stacks.Parse(Stacks.With(
            ("turnSharedSecretPrevious", new Infra.Plan.Spec.ConfigValue.Secret("old")),
            ("redisMode", Stacks.S("existing")),
            ("existingSentinelMasterName", Stacks.S("m")),
            ("existingSentinelAddresses", Stacks.L("s.redis.svc:26379")),
            ("existingRedisPasswordSecret", Stacks.S("theirs/password")))).OrThrow();
        var secrets = GeneratedSecrets.For(spec);
        Assert.Contains(secrets.Single(s => s.Name == SecretNames.TurnShared).Keys, k => k is { Key: "previous", Source: SecretSource.TurnSharedPrevious });
        Assert.DoesNotContain(secrets, s => s.Name == SecretNames.RedisAuth);
    }
}
