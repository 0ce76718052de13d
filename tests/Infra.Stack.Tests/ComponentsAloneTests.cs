using System.Collections.Immutable;
using System.Text.Json;
using Infra.Components;
using Pulumi;
using Pulumi.Testing;

namespace Infra.Tests.Stacks;

/// <summary>Programs other than our stack: a RedisSentinel alone, and LiveKit + Coturn + RedisSentinel + Authorizer wired by outputs.</summary>
public sealed class RedisAloneProgram : Stack
{
    public RedisAloneProgram()
    {
        var redis = new RedisSentinel("redis", new RedisSentinelArgs { Namespace = "calls", MediaNamespace = "calls-media" });
        Addresses = redis.SentinelAddresses;
        Password = redis.Password;
        PasswordSecret = redis.PasswordSecret;
    }

    [Output("addresses")] public Output<string[]> Addresses { get; private set; }
    [Output("password")] public Output<string> Password { get; private set; }
    [Output("passwordSecret")] public Output<string> PasswordSecret { get; private set; }
}

public sealed class WiredProgram : Stack
{
    public WiredProgram()
    {
        var redis = new RedisSentinel("redis", new RedisSentinelArgs { Tier = "small" });
        var turn = new Coturn("turn", new CoturnArgs { TurnHost = "turn.example.org", NodeCidrs = { "10.0.0.0/24" } });
        var sfuArgs = SiteArgs();
        sfuArgs.TurnHost = turn.TurnHost;
        sfuArgs.ExistingSentinelMasterName = redis.MasterName;
        sfuArgs.ExistingSentinelAddresses = redis.SentinelAddresses.Apply(a => ImmutableArray.Create(a));
        sfuArgs.ExistingRedisPasswordSecret = redis.PasswordSecret;
        sfuArgs.ExistingSentinelPasswordSecret = redis.SentinelPasswordSecret;
        var sfu = new LiveKit("sfu", sfuArgs);
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
        ApiSecret = sfu.ApiSecret;
        ServiceUrl = authorizer.LivekitServiceUrl;
    }

    [Output("apiSecret")] public Output<string> ApiSecret { get; private set; }
    [Output("serviceUrl")] public Output<string> ServiceUrl { get; private set; }

    /// <summary>LiveKit's Args for the site every program here uses: hosts, node range, image, Gateway listener.</summary>
    internal static LiveKitArgs SiteArgs() => new()
    {
        RtcHost = "rtc.example.org",
        TurnHost = "turn.example.org",
        NodeCidrs = { "10.0.0.0/24" },
        MediaRelayImageRepository = "registry.example.org/rtc/media-relay",
        MediaRelayImageTag = "v1.13.5-1",
        MediaRelayLivekitVersion = "v1.13.5",
        GatewayName = "public",
        GatewayNamespace = "gateway",
        GatewaySectionName = "https",
    };
}

/// <summary>The other components alone from minimal Args; what they take from others given as plain (secret) values.</summary>
public sealed class OthersAloneProgram : Stack
{
    public OthersAloneProgram()
    {
        var turn = new Coturn("turn", new CoturnArgs { TurnHost = "turn.example.org", NodeCidrs = { "10.0.0.0/24" } });
        var synapse = new SynapseConfig("synapse", new SynapseConfigArgs
        {
            ServerName = "example.org", RtcHost = "rtc.example.org", TurnHost = "turn.example.org", TurnSharedSecret = turn.SharedSecret,
        });
        _ = new Egress("egress", new EgressArgs
        {
            RtcHost = "rtc.example.org",
            EgressS3Bucket = "calls", EgressS3Region = "eu-central-1", EgressS3AccessKeySecret = "s3/id", EgressS3SecretKeySecret = "s3/key",
            LivekitApiKey = Output.CreateSecret("APIkey"), LivekitApiSecret = Output.CreateSecret("api-secret-from-elsewhere"),
            RedisPassword = Output.CreateSecret("redis-pw"), SentinelPassword = Output.CreateSecret("sentinel-pw"),
        });
        var policies = new NetworkPolicies("policies", new NetworkPoliciesArgs
        {
            ServerName = "example.org", RtcHost = "rtc.example.org", TurnHost = "turn.example.org", NodeCidrs = { "10.0.0.0/24" },
            GatewayName = "public", GatewayNamespace = "gateway", GatewaySectionName = "https",
            MediaRelayImageRepository = "registry.example.org/rtc/media-relay", MediaRelayImageTag = "v1.13.5-1", MediaRelayLivekitVersion = "v1.13.5",
        });
        SharedSecret = turn.SharedSecret;
        Fragment = synapse.MatrixRtcYaml;
        PolicyNames = policies.PolicyNames;
    }

    [Output("sharedSecret")] public Output<string> SharedSecret { get; private set; }
    [Output("fragment")] public Output<string> Fragment { get; private set; }
    [Output("policyNames")] public Output<string[]> PolicyNames { get; private set; }
}

/// <summary>
/// LiveKit alone behind load balancers, one address created by the program itself (a cloud's reserved address: known
/// only once that resource exists), the other given; the Redis it reaches is an existing one.
/// </summary>
public sealed class LoadBalancerSfuProgram : Stack
{
    public LoadBalancerSfuProgram()
    {
        var reserved = new Pulumi.Random.RandomInteger("reserved", new Pulumi.Random.RandomIntegerArgs { Min = 10, Max = 10 });
        var args = WiredProgram.SiteArgs();
        args.MediaNodeCount = 2;
        args.ExistingSentinelMasterName = "mymaster";
        args.ExistingSentinelAddresses.Add("sentinel.redis.svc.cluster.local:26379");
        args.ExistingRedisPasswordSecret = "redis/password";
        args.SfuMediaExposure = "loadBalancer";
        args.SfuLoadBalancerProvider = "metallb";
        args.SfuLoadBalancerAddresses.Add(reserved.Result.Apply(octet => $"203.0.113.{octet}"));
        args.SfuLoadBalancerAddresses.Add("203.0.113.20");
        var sfu = new LiveKit("sfu", args);
        ApiKey = sfu.ApiKey;
    }

    [Output("apiKey")] public Output<string> ApiKey { get; private set; }
}

public sealed class BadArgsProgram : Stack
{
    public BadArgsProgram() => _ = new RedisSentinel("redis", new RedisSentinelArgs { RedisDataNodes = 4 });
}

public class ComponentsAloneTests
{
    private sealed record Run(ImmutableArray<Resource> Resources, IReadOnlyList<Registration> Registrations, IReadOnlyList<string> Errors, Mocks Mocks);

    private static async Task<Run> RunAsync<TProgram>(bool preview = false) where TProgram : Stack, new()
    {
        var log = new RegistrationLog("alone", "consumer");
        var mocks = new Mocks(log, preview);
        var result = await SdkTestHost.RunAsync<TProgram>(mocks, new TestOptions { IsPreview = preview, StackName = "alone", ProjectName = "consumer" }, log.Add);
        return new Run(result.Resources, log.All, result.EngineErrors, mocks);
    }

    private static Registration Single(Run run, string type, string name) => Assert.Single(run.Registrations, r => r.Type == type && r.Name == name);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_RedisSentinel_alone_registers_its_children_under_itself_with_its_defaults(bool preview)
    {
        // GIVEN a program that makes only a RedisSentinel (namespace given, everything else omitted)
        var run = await RunAsync<RedisAloneProgram>(preview);

        // THEN no error, and the component with its children: passwords, Secrets, one ConfigGroup, all parented to it
        Assert.Empty(run.Errors);
        var component = Single(run, "matrix-rtc:index:RedisSentinel", "redis");
        var children = run.Registrations.Where(r => r.Parent == component.Urn).Select(r => $"{r.Type} {r.Name}").OrderBy(x => x).ToList();
        Assert.Contains("kubernetes:yaml/v2:ConfigGroup redis-objects", children);
        Assert.Contains("random:index/randomPassword:RandomPassword redis-redis-password", children);
        Assert.Contains("random:index/randomPassword:RandomPassword redis-redis-sentinel-password", children);
        Assert.Contains("kubernetes:core/v1:Secret redis-calls-media-redis-auth", children);
        Assert.Contains("kubernetes:core/v1:Secret redis-calls-redis-auth", children);
        // AND the Secrets hold their values as secrets (a preview does not know them yet)
        Assert.True(preview || Single(run, "kubernetes:core/v1:Secret", "redis-calls-redis-auth").IsSecretAt("stringData", "redis-password"));

        // AND the outputs: the omitted data-node count took its default (3), the password is secret
        var stack = run.Resources.OfType<RedisAloneProgram>().Single();
        Assert.Equal(
            ["redis-0.redis-headless.calls.svc.cluster.local:26379", "redis-1.redis-headless.calls.svc.cluster.local:26379",
             "redis-2.redis-headless.calls.svc.cluster.local:26379"],
            await StackRun.ValueOf(stack.Addresses));
        Assert.Equal("redis-auth/redis-password", await StackRun.ValueOf(stack.PasswordSecret));
        Assert.True(await Output.IsSecretAsync(stack.Password));
    }

    [Fact]
    public async Task LiveKit_Coturn_RedisSentinel_and_Authorizer_are_wired_by_outputs()
    {
        // GIVEN the SFU's program of examples/csharp-sfu
        var run = await RunAsync<WiredProgram>();
        Assert.Empty(run.Errors);

        // THEN LiveKit's release values name the RedisSentinel's master and sentinels, and the TURN host coturn serves
        var release = Single(run, "kubernetes:helm.sh/v3:Release", "sfu-livekit");
        var values = Assert.Single(release.Input("valueYamlFiles")!.Value.EnumerateArray()).GetProperty("text").GetString()!;
        Assert.Contains("sentinel_master_name: \"matrix-rtc\"", values);
        Assert.Contains("redis-0.redis-headless.matrix-rtc.svc.cluster.local:26379", values);
        Assert.Contains("turn.example.org", values);
        Assert.Equal(Single(run, "matrix-rtc:index:LiveKit", "sfu").Urn, release.Parent);

        // AND the authorizer's copy of LiveKit's API secret is the value LiveKit generated, carried as a secret
        var copy = Single(run, "kubernetes:core/v1:Secret", "authorizer-matrix-rtc-livekit-api");
        Assert.True(copy.IsSecretAt("stringData", "api-secret"));
        var generated = await StackRun.ValueOf(run.Resources.OfType<WiredProgram>().Single().ApiSecret);
        Assert.Equal(generated, Registration.Unwrap(copy.Input("stringData", "api-secret")!.Value).GetString());
        // AND it generated no API key of its own
        Assert.DoesNotContain(run.Registrations, r => r.Name.StartsWith("authorizer-livekit-api", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Coturn_SynapseConfig_and_Egress_alone_register_under_themselves_and_share_only_what_they_are_given()
    {
        var run = await RunAsync<OthersAloneProgram>();
        Assert.Empty(run.Errors);
        foreach (var (type, name) in new[] { ("Coturn", "turn"), ("SynapseConfig", "synapse"), ("Egress", "egress"), ("NetworkPolicies", "policies") })
        {
            var component = Single(run, $"matrix-rtc:index:{type}", name);
            var kubernetes = run.Registrations.Where(r => r.IsKubernetes && r.Name.StartsWith($"{name}-", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(kubernetes);
            Assert.All(kubernetes, r => Assert.Equal(component.Urn, r.Parent));
        }
        // NetworkPolicies alone: default-deny in both namespaces among the policies its group registers
        var policyNames = await StackRun.ValueOf(run.Resources.OfType<OthersAloneProgram>().Single().PolicyNames);
        Assert.Contains("matrix-rtc/default-deny", policyNames);
        Assert.Contains("matrix-rtc-media/default-deny", policyNames);
        // Synapse's copy of the TURN secret is coturn's generated one, never a new one
        Assert.DoesNotContain(run.Registrations, r => r.Name == "synapse-turn-shared-secret");
        var copy = Assert.Single(run.Registrations, r => r.Type == "kubernetes:core/v1:Secret" && r.Name.StartsWith("synapse-", StringComparison.Ordinal));
        var program = run.Resources.OfType<OthersAloneProgram>().Single();
        Assert.True(await Output.IsSecretAsync(program.SharedSecret));
        Assert.Equal(await StackRun.ValueOf(program.SharedSecret), Registration.Unwrap(copy.Input("stringData")!.Value.EnumerateObject().Single().Value).GetString());
        // the fragment names coturn's TURN URIs
        Assert.Contains("turn:turn.example.org:3478?transport=udp", await StackRun.ValueOf(program.Fragment));
        // Egress's config Secret carries the given API secret, as a secret
        var egressConfig = Assert.Single(run.Registrations, r => r.Type == "kubernetes:core/v1:Secret" && r.Name.StartsWith("egress-", StringComparison.Ordinal) && r.Name.EndsWith("-egress-config", StringComparison.Ordinal));
        var configText = Registration.Unwrap(egressConfig.Input("stringData")!.Value.EnumerateObject().Single().Value).GetString()!;
        Assert.Contains("api-secret-from-elsewhere", configText);
        Assert.True(egressConfig.IsSecretAt("stringData", egressConfig.Input("stringData")!.Value.EnumerateObject().Single().Name));
    }

    [Fact]
    public async Task A_LiveKit_behind_load_balancers_runs_one_release_per_address_the_program_gives_or_creates()
    {
        // GIVEN LiveKit alone with loadBalancer, one address from a resource the program creates
        var run = await RunAsync<LoadBalancerSfuProgram>();
        Assert.Empty(run.Errors);

        // THEN one release per address, under the component, each advertising its own address
        var component = Single(run, "matrix-rtc:index:LiveKit", "sfu");
        var releases = run.Registrations.Where(r => r.Type == "kubernetes:helm.sh/v3:Release").OrderBy(r => r.Name).ToList();
        Assert.Equal(["sfu-livekit-0", "sfu-livekit-1"], releases.Select(r => r.Name));
        Assert.All(releases, r => Assert.Equal(component.Urn, r.Parent));
        string Values(Registration r) => Assert.Single(r.Input("valueYamlFiles")!.Value.EnumerateArray()).GetProperty("text").GetString()!;
        Assert.Contains("node_ip: \"203.0.113.10\"", Values(releases[0]));
        Assert.Contains("node_ip: \"203.0.113.20\"", Values(releases[1]));
        Assert.All(releases, r => Assert.Contains("podHostNetwork: false", Values(r)));
        // AND the media Services ask MetalLB for those addresses, among the objects of the component's ConfigGroup
        var objects = Single(run, "kubernetes:yaml/v2:ConfigGroup", "sfu-objects").String("yaml")!;
        Assert.Contains("metallb.io/loadBalancerIPs: 203.0.113.10", objects);
        Assert.Contains("name: livekit-media-1-udp", objects);
        Assert.Contains("externalTrafficPolicy: Local", objects);
        // AND no coturn and no TURN shared secret are made for it
        Assert.DoesNotContain(run.Registrations, r => r.Name.Contains("turn-shared", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_mistake_in_a_components_args_names_the_input_without_a_stack_trace()
    {
        var run = await RunAsync<BadArgsProgram>();
        var error = Assert.Single(run.Errors);
        Assert.Contains("RedisSentinel \"redis\"", error);
        Assert.Contains("redisDataNodes: \"4\" is not allowed; an odd number", error);
        Assert.DoesNotContain("   at ", error);
        Assert.DoesNotContain("matrix-rtc:redisDataNodes", error);
    }
}
