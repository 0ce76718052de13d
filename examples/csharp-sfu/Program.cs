using Infra.Components;
using Pulumi;

// The SFU with its Redis and TURN, wired by outputs: LiveKit reaches the RedisSentinel as an existing Sentinel group
// (its existing* inputs), the authorizer takes LiveKit's API key and secret as secret outputs.
return await Deployment.RunAsync(() =>
{
    var redis = new RedisSentinel("redis", new RedisSentinelArgs { Tier = "small" });
    var turn = new Coturn("turn", new CoturnArgs { TurnHost = "turn.example.org", NodeCidrs = { "10.0.0.0/24" } });

    var sfu = new LiveKit("sfu", new LiveKitArgs
    {
        RtcHost = "rtc.example.org",
        TurnHost = turn.TurnHost,
        NodeCidrs = { "10.0.0.0/24" },
        MediaRelayImageRepository = "registry.example.org/rtc/media-relay",
        MediaRelayImageTag = "v1.13.5-1",
        MediaRelayLivekitVersion = "v1.13.5",
        GatewayName = "public",
        GatewayNamespace = "gateway",
        GatewaySectionName = "https",
        ExistingSentinelMasterName = redis.MasterName,
        ExistingSentinelAddresses = redis.SentinelAddresses.Apply(a => System.Collections.Immutable.ImmutableArray.Create(a)),
        ExistingRedisPasswordSecret = redis.PasswordSecret,
        ExistingSentinelPasswordSecret = redis.SentinelPasswordSecret,
    });

    var authorizer = new Authorizer("authorizer", new AuthorizerArgs
    {
        ServerName = "example.org",
        RtcHost = "rtc.example.org",
        GatewayName = "public",
        GatewayNamespace = "gateway",
        GatewaySectionName = "https",
        LivekitApiKey = sfu.ApiKey,
        LivekitApiSecret = sfu.ApiSecret,
    });

    return new Dictionary<string, object?>
    {
        ["sfuUrl"] = sfu.SfuUrl,
        ["livekitServiceUrl"] = authorizer.LivekitServiceUrl,
        ["turnUris"] = turn.TurnUris,
    };
});
