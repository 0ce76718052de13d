using Infra.Plan.Spec;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Support;

/// <summary>
/// Every stack the tests hold to the contract and to the checks of our own output: the repository's stack files (each
/// <c>Pulumi.&lt;stack&gt;.yaml</c>, found by name, so a new one is covered without a test change) and the test stacks,
/// minimal configs that switch on each mode (existing Redis, cert-manager, existing Secrets, monitoring, Egress, routing
/// ingress, a Gateway in our namespace, production on ingress, the SFU off the host network).
/// </summary>
public static class StackVariants
{
    /// <summary>The repository's stack files, by stack name.</summary>
    public static IReadOnlyList<string> StackFiles { get; } =
        Directory.GetFiles(RepoRoot, "Pulumi.*.yaml").Select(p => Path.GetFileName(p)["Pulumi.".Length..^".yaml".Length]).Order(StringComparer.Ordinal).ToList();

    private static readonly string[] TestStacks =
        ["existing-redis", "cert-manager", "existing-secret", "monitoring", "egress", "egress-tls-secret-keys", "egress-existing-redis",
         "ingress", "ingress-cert-manager", "ingress-existing-secret", "gateway-same-namespace", "prod-ingress",
         "nodeport-stun-egress", "loadbalancer-private-existing-redis"];

    public static TheoryData<string> Names
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var name in StackFiles.Concat(TestStacks))
            {
                data.Add(name);
            }
            return data;
        }
    }

    /// <summary>Egress with an S3 bucket; <paramref name="more"/> adds keys.</summary>
    private static EnvironmentPlan Egress(params (string Key, ConfigValue Value)[] more) =>
        Planner.Build(Parse(With([("egress", S("true")), ("egressS3Bucket", S("recordings")), .. more])).OrThrow());

    public static EnvironmentPlan Plan(string name) => StackFiles.Contains(name) ? Stacks.Plan(name) : name switch
    {
        "existing-redis" => Planner.Build(Parse(With(
            ("redisMode", S("existing")), ("existingSentinelMasterName", S("phase1")), ("existingSentinelAddresses", L("s-0.redis:26379")),
            ("existingRedisPasswordSecret", S("phase1/password")), ("existingSentinelPasswordSecret", S("phase1/sentinel")))).OrThrow()),
        "cert-manager" => Planner.Build(Parse(With(("tlsMode", S("cert-manager")), ("certManagerIssuer", S("dns01")), ("redisTls", S("true")))).OrThrow()),
        // routing gateway: the RTC host's certificate is the Gateway listener's own, only the TURN Secret is named
        "existing-secret" => Planner.Build(Parse(With(("tlsMode", S("existing-secret")), ("turnTlsSecret", S("my-turn")))).OrThrow()),
        "ingress" => Planner.Build(Parse(WithIngress()).OrThrow()),
        "ingress-cert-manager" => Planner.Build(Parse(WithIngress(("tlsMode", S("cert-manager")), ("certManagerIssuer", S("dns01")))).OrThrow()),
        "ingress-existing-secret" => Planner.Build(Parse(WithIngress(
            ("tlsMode", S("existing-secret")), ("rtcTlsSecret", S("my-rtc")), ("turnTlsSecret", S("my-turn")))).OrThrow()),
        // production on routing ingress: the Ingress objects meet the production checks
        "prod-ingress" => Planner.Build(SpecOnIngress("prod")),
        "gateway-same-namespace" => Planner.Build(Parse(With(("gatewayNamespace", S("matrix-rtc")))).OrThrow()),
        "monitoring" => Planner.Build(Parse(With(("monitoring", S("true")))).OrThrow()),
        "egress" => Egress(),
        "egress-tls-secret-keys" => Egress(("redisTls", S("true")), ("monitoring", S("true")), ("egressStreaming", S("true")),
            ("egressS3AccessKeySecret", S("s3-keys/id")), ("egressS3SecretKeySecret", S("s3-keys/secret"))),
        "egress-existing-redis" => Egress(
            ("redisMode", S("existing")), ("existingSentinelMasterName", S("phase1")), ("existingSentinelAddresses", L("s-0.redis:26379")),
            ("existingRedisPasswordSecret", S("phase1/password")), ("existingSentinelPasswordSecret", S("phase1/sentinel")),
            ("egressS3AccessKey", new ConfigValue.Secret("AKIDEXAMPLE")), ("egressS3SecretKey", new ConfigValue.Secret("secret/with+chars"))),
        // off the host network: STUN-found addresses with every optional SFU rule (monitoring, Egress)
        "nodeport-stun-egress" => Egress(("sfuMediaExposure", S("nodePort")), ("monitoring", S("true"))),
        // a private (MetalLB) address, an existing Sentinel cluster, the authorizer reaching the SFU directly, on Cilium
        "loadbalancer-private-existing-redis" => Planner.Build(Parse(With(
            ("sfuMediaExposure", S("loadBalancer")), ("sfuLoadBalancerAddresses", L("10.10.0.200")), ("sfuLoadBalancerProvider", S("metallb")),
            ("authorizerSfuRoute", S("direct")), ("cni", S("cilium")),
            ("redisMode", S("existing")), ("existingSentinelMasterName", S("phase1")), ("existingSentinelAddresses", L("s-0.redis:26379")),
            ("existingRedisPasswordSecret", S("phase1/password")), ("existingSentinelPasswordSecret", S("phase1/sentinel")))).OrThrow()),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };
}
