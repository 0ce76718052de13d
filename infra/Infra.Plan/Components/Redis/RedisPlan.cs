using k8s.Models;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Components.Network;
using Infra.Plan.Components.Observability;
using Infra.Plan.Contract;
using Infra.Plan.Net;
using Infra.Plan.Secrets;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Redis;

/// <summary>
/// The Redis Sentinel component: ConfigMap, headless and sentinel Services, StatefulSet, PDB
/// (<c>manifests/redis-sentinel.yaml</c>), the two passwords, and with TLS its own CA and server certificate. With
/// <c>redisMode: existing</c> nothing is deployed and there is no component at all (no empty manifest file): LiveKit
/// is wired to the existing cluster through <see cref="Topology"/> alone.
/// </summary>
public sealed record RedisPlan(
    RedisLayout Layout,
    V1ConfigMap Config,
    V1Service Headless,
    V1Service SentinelService,
    V1StatefulSet StatefulSet,
    V1PodDisruptionBudget Budget,
    IReadOnlyList<GeneratedValue> Generated,
    IReadOnlyList<SecretPlan> Secrets,
    Peer Redis,
    Peer Sentinel) : IComponentPlan
{
    public const string Component = RedisLayout.Component;

    /// <summary>Random passwords this long (letters and digits: the start scripts write them into redis.conf).</summary>
    public const int PasswordLength = 40;

    public const string RedisPasswordId = "redis-password";
    public const string SentinelPasswordId = "redis-sentinel-password";
    public const string CaId = "redis-ca";
    public const string ServerCertificateId = "redis-server";

    /// <summary>The two peers of the Redis pods (their names in the connectivity report).</summary>
    public const string RedisPeer = "redis";
    public const string SentinelPeer = "sentinel";

    public const string RedisPurpose = "redis";
    public const string SentinelPurpose = "sentinel";
    public const string MetricsPurpose = "redis metrics";

    public ComponentPlan Contract => new(Component, "matrix-rtc:index:RedisSentinel")
    {
        Objects = [Config, Headless, SentinelService, StatefulSet, Budget],
        Generated = Generated,
        Secrets = Secrets,
        Peers = [Redis, Sentinel],
        After = [NamespacesPlan.Component, NetworkPlan.Component],
    };

    /// <summary>host:port of every sentinel, as the pods announce themselves.</summary>
    public IReadOnlyList<string> SentinelAddresses => Layout.PodHosts.Select(h => $"{h}:{RedisLayout.SentinelPort}").ToArray();

    /// <summary>The component, or null with <c>redisMode: existing</c> (LiveKit then uses the existing cluster).</summary>
    public static RedisPlan? Build(RedisInput input)
    {
        if (input.Redis.Mode == RedisMode.Existing)
        {
            return null;
        }
        var l = RedisLayout.For(input);
        // With monitoring on, each pod also runs the metrics exporter, reading the same password Secret.
        var exporter = input.ExporterImage is { } image ? RedisExporter.Sidecar(image, l.Tls, l.RedisPassword) : null;
        var statefulSet = RedisStatefulSet.Build(l, exporter is null ? [] : [exporter]);
        var redisListens = new List<Listener> { new(RedisLayout.RedisPort, Protocol.Tcp, RedisPurpose) };
        if (exporter is not null)
        {
            redisListens.Add(new Listener(RedisExporter.Port, Protocol.Tcp, MetricsPurpose));
        }
        // Redis and Sentinel are two containers of the same pods: two peers with the same selector.
        return new RedisPlan(l,
            RedisConfigMap.Build(l),
            RedisServices.Headless(l),
            RedisServices.Sentinel(l),
            statefulSet,
            RedisDisruptionBudget.Build(l),
            GeneratedFor(l),
            SecretsFor(l, input.Wiring, input.SfuDeployments),
            Peer.Of(RedisPeer, statefulSet, [.. redisListens]),
            Peer.Of(SentinelPeer, statefulSet, new Listener(RedisLayout.SentinelPort, Protocol.Tcp, SentinelPurpose)));
    }

    private static IReadOnlyList<GeneratedValue> GeneratedFor(RedisLayout l)
    {
        var values = new List<GeneratedValue>
        {
            new RandomValue(RedisPasswordId, PasswordLength, Secret: true),
            new RandomValue(SentinelPasswordId, PasswordLength, Secret: true),
        };
        if (l.Tls)
        {
            values.Add(new CertificateValue(CaId, "matrix-rtc redis CA", "matrix-rtc", [], IsCa: true,
                [KeyUsage.CertSigning, KeyUsage.CrlSigning, KeyUsage.DigitalSignature], CertificateLifetimes.CaHours, 0, Issuer: null));
            // Data nodes and sentinels also connect to each other with this certificate (tls-replication): client auth too.
            values.Add(new CertificateValue(ServerCertificateId, l.HeadlessService, "matrix-rtc", l.TlsDnsNames, IsCa: false,
                [KeyUsage.ServerAuth, KeyUsage.ClientAuth, KeyUsage.DigitalSignature, KeyUsage.KeyEncipherment],
                CertificateLifetimes.LeafHours, CertificateLifetimes.LeafEarlyRenewalHours, Issuer: CaId));
        }
        return values;
    }

    /// <summary>The passwords in the Redis namespace (the pods mount them) and where LiveKit reads them; with TLS the certificate and, for LiveKit, the CA.</summary>
    private static IReadOnlyList<SecretPlan> SecretsFor(RedisLayout l, RedisWiring wiring, IReadOnlyList<string> sfuDeployments)
    {
        var redisPods = new SecretConsumer("StatefulSet", l.Namespace, l.StatefulSetName);
        var sfu = sfuDeployments.Select(name => new SecretConsumer("Deployment", wiring.Password.Namespace, name)).ToList();
        var secrets = new List<SecretPlan>
        {
            new(l.Namespace, SecretNames.RedisAuth, SecretPlan.Opaque, Component,
            [
                new(RedisLayout.RedisPasswordKey, new SecretSource.Random(RedisPasswordId)),
                new(RedisLayout.SentinelPasswordKey, new SecretSource.Random(SentinelPasswordId)),
            ], [redisPods]),
        };
        if (wiring.Password.Namespace != l.Namespace)
        {
            secrets.Add(new(wiring.Password.Namespace, wiring.Password.Name, SecretPlan.Opaque, Component,
            [
                new(wiring.Password.Key, new SecretSource.Random(RedisPasswordId)),
                new(wiring.SentinelPassword?.Key ?? RedisLayout.SentinelPasswordKey, new SecretSource.Random(SentinelPasswordId)),
            ], sfu));
        }
        if (l.Tls)
        {
            secrets.Add(Tls.TlsPlan.TlsSecret(l.Namespace, SecretNames.RedisTls, Component, ServerCertificateId, [redisPods]));
            if (wiring.TlsCa is { } ca)
            {
                secrets.Add(new(ca.Namespace, ca.Name, SecretPlan.Opaque, Component,
                    [new(ca.Key, new SecretSource.IssuerCertificate(ServerCertificateId))], sfu));
            }
        }
        return secrets;
    }
}
