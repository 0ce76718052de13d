using Infra.Plan.Secrets;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components;

/// <summary>Object names shared between components (and the NetworkPolicies that select them).</summary>
public static class Names
{
    /// <summary>Helm release of the livekit-server chart; the chart labels its pods name=livekit-server, instance=&lt;release&gt;.</summary>
    public const string LivekitRelease = "livekit";
    public const string LivekitChart = "livekit-server";
    public const string LivekitChartRepo = "https://helm.livekit.io";

    public const string Redis = "redis";
    public const string RedisHeadless = "redis-headless";
    public const string RedisSentinelService = "redis-sentinel";
    public const string Coturn = "coturn";
    public const string Authorizer = "lk-jwt-service";

    public const int RedisPort = 6379;
    public const int SentinelPort = 26379;
    public const string RedisMasterName = "matrix-rtc";
}

/// <summary>How LiveKit reaches Redis: a Sentinel master name, sentinel addresses, and where the passwords live.</summary>
/// <param name="TlsCa">With TLS: the Secret key (media namespace) holding the CA LiveKit must trust; null: the system roots.</param>
public sealed record RedisWiring(
    string MasterName,
    IReadOnlyList<string> SentinelAddresses,
    SecretRef Password,
    SecretRef? SentinelPassword,
    bool Tls,
    SecretRef? TlsCa = null)
{
    public const string PasswordEnv = "LIVEKIT_REDIS_PASSWORD";
    public const string SentinelPasswordEnv = "LIVEKIT_REDIS_SENTINEL_PASSWORD";

    /// <summary>Where LiveKit finds the Redis CA when TLS is on; the LiveKit pod mounts <see cref="TlsCa"/> here.</summary>
    public const string TlsCaFile = "/etc/livekit-redis-tls/ca.crt";

    /// <summary>Environment variables of the LiveKit container, each from a Secret key (secretKeyRef).</summary>
    public IReadOnlyList<(string Env, SecretRef Ref)> SecretEnv =>
        SentinelPassword is { } sp
            ? [(PasswordEnv, Password), (SentinelPasswordEnv, sp)]
            : [(PasswordEnv, Password)];
}

/// <summary>What the other components need to know about the authorizer.</summary>
public sealed record AuthorizerWiring(string ServiceHost, int Port, string WebhookUrl, string LivekitServiceUrl);

/// <summary>What the other components need to know about TURN.</summary>
/// <param name="SharedSecret">The TURN REST shared secret (coturn, LiveKit's secret_file, Synapse's turn_shared_secret).</param>
/// <param name="PreviousSecret">The secret being rotated out, in the same Secret; coturn accepts both while it is set.</param>
/// <param name="TlsSecretName">kubernetes.io/tls Secret for the TURN name in the media namespace.</param>
/// <param name="CredentialTtlSeconds">Lifetime of the credentials LiveKit and Synapse hand out.</param>
public sealed record TurnWiring(
    string Host,
    int Port,
    int TlsPort,
    SecretRef SharedSecret,
    IReadOnlyList<string> Uris,
    SecretRef PreviousSecret,
    string TlsSecretName,
    int CredentialTtlSeconds);

/// <summary>
/// The facts that connect the components, computed once from the spec: every cross-component name,
/// address and secret reference is read from here, so a component never guesses another's names.
/// </summary>
/// <param name="SfuServiceUrl">The SFU's in-cluster WebSocket address (its chart's Service), for clients inside the cluster (Egress).</param>
public sealed record Topology(
    string SfuWssUrl,
    RedisWiring Redis,
    AuthorizerWiring Authorizer,
    TurnWiring Turn,
    string SfuServiceUrl)
{
    public static Topology For(EnvironmentSpec spec)
    {
        var ns = spec.Site.Namespace;
        var media = spec.Site.MediaNamespace;
        var dns = new ClusterDns(spec.Cluster.ClusterDomain);

        // Total over a spec with errors too (a missing password Secret was reported by the parser; "" stands in).
        RedisWiring redis = spec.Redis.Mode == RedisMode.Existing && spec.Redis.Existing is { } existing
            ? new RedisWiring(
                existing.MasterName,
                existing.Addresses,
                new SecretRef(media, existing.PasswordSecret?.Name ?? "", existing.PasswordSecret?.Key ?? ""),
                existing.SentinelPasswordSecret is { } sp ? new SecretRef(media, sp.Name, sp.Key) : null,
                spec.Redis.Tls,
                existing.CaSecret is { } ca ? new SecretRef(media, ca.Name, ca.Key) : null)
            : new RedisWiring(
                Names.RedisMasterName,
                Enumerable.Range(0, spec.Redis.DataNodes)
                    .Select(i => $"{dns.Pod($"{Names.Redis}-{i}", Names.RedisHeadless, ns)}:{Names.SentinelPort}")
                    .ToArray(),
                new SecretRef(media, SecretNames.RedisAuth, "redis-password"),
                new SecretRef(media, SecretNames.RedisAuth, "sentinel-password"),
                spec.Redis.Tls,
                spec.Redis.Tls ? new SecretRef(media, SecretNames.RedisTlsCa, "ca.crt") : null);

        var authorizerHost = dns.Service(Names.Authorizer, ns);
        var authorizer = new AuthorizerWiring(
            authorizerHost,
            spec.Ports.AuthorizerHttp,
            $"http://{authorizerHost}:{spec.Ports.AuthorizerHttp}/sfu_webhook",
            $"https://{spec.Site.RtcHost}");

        var turnHost = spec.Site.TurnHost;
        var turnTls = spec.Ports.TurnTlsEffective;
        // coturn's URIs (Synapse's turn_uris for legacy 1:1 calls); none without host networking, where coturn does not run.
        var uris = spec.Sfu.Media.HostNetwork
            ? new List<string>
            {
                $"turn:{turnHost}:{spec.Ports.Turn}?transport=udp",
                $"turn:{turnHost}:{spec.Ports.Turn}?transport=tcp",
                $"turns:{turnHost}:{turnTls}?transport=tcp",
            }
            : [];
        var turn = new TurnWiring(turnHost, spec.Ports.Turn, turnTls,
            new SecretRef(media, SecretNames.TurnShared, SecretNames.TurnSharedKey), uris,
            new SecretRef(media, SecretNames.TurnShared, SecretNames.TurnSharedPreviousKey),
            spec.Tls.Mode == TlsMode.ExistingSecret ? spec.Tls.TurnTlsSecret : SecretNames.TurnTls,
            spec.Turn.CredentialTtlSeconds);

        // The chart's Service is <release>-<chart> on loadBalancer.servicePort (LivekitPlan.FullName, ServicePort); with one
        // release per load-balancer address, the Service over all of them.
        var sfuService = $"ws://{dns.Service(Livekit.LivekitPlan.ApiServiceName(spec.Sfu.Media.Exposure), media)}:{spec.Ports.SfuApi}";
        return new Topology($"wss://{spec.Site.RtcHost}", redis, authorizer, turn, sfuService);
    }
}
