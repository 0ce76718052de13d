using Infra.Components;
using Pulumi;

// Redis Sentinel for an SFU you run yourself, and coturn on your media nodes: each component takes only its own inputs
// (docs/components/RedisSentinel.md, docs/components/Coturn.md); everything omitted takes the documented default.
return await Deployment.RunAsync(() =>
{
    var redis = new RedisSentinel("redis", new RedisSentinelArgs
    {
        Namespace = "calls",
        MediaNamespace = "calls-media",
        Tier = "medium",
    });

    var turn = new Coturn("turn", new CoturnArgs
    {
        TurnHost = "turn.example.org",
        MediaNamespace = "calls-media",
        NodeCidrs = { "10.0.0.0/24" },
        Tier = "medium",
    });

    return new Dictionary<string, object?>
    {
        ["sentinels"] = redis.SentinelAddresses,
        ["masterName"] = redis.MasterName,
        ["redisPassword"] = redis.Password, // secret
        ["turnUris"] = turn.TurnUris,
        ["turnSharedSecret"] = turn.SharedSecret, // secret
    };
});
