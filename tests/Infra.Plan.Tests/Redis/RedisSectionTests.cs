using Infra.Plan.Spec.Sections;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Redis;

public class RedisSectionTests
{
    private static Infra.Plan.Spec.ConfigError SingleError(params (string Key, Infra.Plan.Spec.ConfigValue Value)[] changes)
    {
        var errors = Parse(With(changes)).Errors;
        return Assert.Single(errors);
    }

    [Fact]
    public void Defaults_are_three_nodes_quorum_two_and_two_and_a_half_second_detection()
    {
        var redis = Parse(Minimal()).OrThrow().Redis;

        Assert.Equal(RedisMode.Managed, redis.Mode);
        Assert.Equal(3, redis.DataNodes);
        Assert.Equal(2, redis.Quorum);
        Assert.Equal(2500, redis.DownAfterMilliseconds);
        Assert.Equal(5000, redis.FailoverTimeoutMilliseconds);
        Assert.False(redis.Persistence);
        Assert.Null(redis.Existing);
    }

    [Theory]
    [InlineData("4")]
    [InlineData("6")]
    public void Even_data_node_count_is_refused(string count)
    {
        var error = SingleError(("redisDataNodes", S(count)));

        Assert.Equal("matrix-rtc:redisDataNodes", error.Key);
        Assert.Contains($"\"{count}\"", error.Message);
        Assert.Contains("an odd number (3, 5 or 7)", error.Message);
    }

    [Theory]
    [InlineData("3", "1", "from 2 to 2")]
    [InlineData("3", "3", "from 2 to 2")]
    [InlineData("5", "4", "from 2 to 3")]
    public void Quorum_outside_two_to_the_majority_is_refused(string nodes, string quorum, string allowed)
    {
        var error = SingleError(("redisDataNodes", S(nodes)), ("redisQuorum", S(quorum)));

        Assert.Equal("matrix-rtc:redisQuorum", error.Key);
        Assert.Contains($"\"{quorum}\"", error.Message);
        Assert.Contains(allowed, error.Message);
    }

    [Fact]
    public void Quorum_three_of_five_is_accepted()
    {
        var redis = Parse(With(("redisDataNodes", S("5")), ("redisQuorum", S("3")))).OrThrow().Redis;

        Assert.Equal(5, redis.DataNodes);
        Assert.Equal(3, redis.Quorum);
    }

    [Fact]
    public void Down_after_below_one_second_is_refused()
    {
        var error = SingleError(("redisDownAfterMilliseconds", S("500")));

        Assert.Equal("matrix-rtc:redisDownAfterMilliseconds", error.Key);
        Assert.Contains("\"500\"", error.Message);
        Assert.Contains("from 1000 to 600000", error.Message);
    }

    [Fact]
    public void Failover_timeout_below_twice_down_after_is_refused_when_set()
    {
        var error = SingleError(("redisDownAfterMilliseconds", S("10000")), ("redisFailoverTimeoutMilliseconds", S("15000")));

        Assert.Equal("matrix-rtc:redisFailoverTimeoutMilliseconds", error.Key);
        Assert.Contains("\"15000\"", error.Message);
        Assert.Contains("at least 2 x matrix-rtc:redisDownAfterMilliseconds (20000 ms)", error.Message);
    }

    [Fact]
    public void Failover_timeout_follows_a_raised_down_after_when_unset()
    {
        var redis = Parse(With(("redisDownAfterMilliseconds", S("60000")))).OrThrow().Redis;

        Assert.Equal(120000, redis.FailoverTimeoutMilliseconds);
    }

    [Fact]
    public void Persistence_without_a_storage_class_on_a_cluster_without_default_is_refused()
    {
        var error = SingleError(("redisPersistence", S("true")), ("clusterHasDefaultStorageClass", S("false")));

        Assert.Equal("matrix-rtc:redisStorageClass", error.Key);
        Assert.Contains("a StorageClass name when matrix-rtc:redisPersistence is true", error.Message);
    }

    [Fact]
    public void Persistence_with_the_cluster_default_storage_class_is_accepted()
    {
        var redis = Parse(With(("redisPersistence", S("true")))).OrThrow().Redis;

        Assert.True(redis.Persistence);
        Assert.Equal("", redis.StorageClass);
    }

    [Fact]
    public void Existing_mode_without_its_keys_names_each_missing_key()
    {
        var errors = Parse(With(("redisMode", S("existing")))).Errors;

        Assert.Equal(
            ["matrix-rtc:existingRedisPasswordSecret", "matrix-rtc:existingSentinelAddresses", "matrix-rtc:existingSentinelMasterName"],
            errors.Select(e => e.Key).Order());
    }

    [Fact]
    public void Existing_mode_refuses_an_address_without_port_and_a_malformed_secret_reference()
    {
        var errors = Parse(With(
            ("redisMode", S("existing")),
            ("existingSentinelMasterName", S("mymaster")),
            ("existingSentinelAddresses", L("sentinel-0.redis:26379", "sentinel-1.redis")),
            ("existingRedisPasswordSecret", S("redis-auth")))).Errors;

        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.Key == "matrix-rtc:existingSentinelAddresses" && e.Message.Contains("\"sentinel-1.redis\"") && e.Message.Contains("host:port"));
        Assert.Contains(errors, e => e.Key == "matrix-rtc:existingRedisPasswordSecret" && e.Message.Contains("\"redis-auth\"") && e.Message.Contains("name/key"));
    }

    [Theory]
    [InlineData("bitnami/redis:7.2.5", "Bitnami")]
    [InlineData("bitnamilegacy/valkey:8.1.4", "Bitnami")]
    [InlineData("redis:7.4.1", "RSAL/SSPL")]
    [InlineData("redis:8.0.2", "AGPL")]
    [InlineData("library/keydb:6.3.4", "last path segment must be valkey or redis")]
    [InlineData("valkey/valkey:latest", "the tag must start with the version")]
    public void Non_BSD_or_Bitnami_redis_images_are_refused(string image, string reason)
    {
        var error = SingleError(("redisImage", S(image)));

        Assert.Equal("matrix-rtc:redisImage", error.Key);
        Assert.Contains($"\"{image}\"", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [InlineData("valkey/valkey:8.1.4")]
    [InlineData("redis:7.2.5-alpine")]
    [InlineData("registry.example.org/mirror/valkey:8.0.1")]
    public void BSD_redis_images_are_accepted(string image)
    {
        Assert.True(Parse(With(("redisImage", S(image)))).Ok);
    }
}
