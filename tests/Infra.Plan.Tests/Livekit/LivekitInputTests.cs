using Infra.Plan.Ports;
using k8s.Models;
using Infra.Plan.Components;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Components.Routing;
using Infra.Plan.Contract;
using Infra.Plan.Kubernetes;
using Infra.Plan.Net;
using Infra.Plan.Secrets;
using Infra.Plan.Sizing;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Tests.Livekit;

/// <summary>The SFU planned alone from a literal <see cref="LivekitInput"/>: no stack file, no whole environment.</summary>
public class LivekitInputTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static readonly SecretRef TurnShared = new("media-x", "turn-x", "shared");

    private static readonly LivekitInput Input = new(
        Namespace: "media-x",
        RtcHost: "rtc.example.test",
        Image: new ImageRef("registry.test/relay", "1.13.5", Digest),
        PullSecrets: ["pull-x"],
        ChartVersion: "1.9.0",
        Sfu: new SfuSpec(DrainSeconds: 120, Replicas: null, LogLevel: "debug", StunServers: [new StunServer("stun.example.net", 3478), new StunServer("turn.example.test", 3478)], MediaSpec.Default),
        Replicas: 2,
        Size: new ResourceSize(4000, 8192, Guaranteed: true),
        MaxParticipants: 40,
        Ports: new PortsSpec(7880, 7881, 7882, 6789, 3478, 5349, new PortRange(61000, 65535), 9641, TurnTlsOn443: false, 8080, SfuTurnUdp: 3478, SfuTurnTls: 5349, new PortRange(20000, 29999)),
        Nodes: new NodesSpec([new NodeLabel("media", "yes")], [new NodeToleration("dedicated", null, "NoSchedule")], 2,
            [Cidr.Parse("10.244.0.0/16")], [Cidr.Parse("10.96.0.0/12")], [Cidr.Parse("192.0.2.0/24")], new PortRange(32768, 60999), 24, 64),
        Tls: new TlsSpec(TlsMode.CertManager, "letsencrypt", "ClusterIssuer", "", "", "", ExternalDns: false),
        Routing: new RoutingSpec(RoutingMode.Gateway, new GatewayListener("edge", "gateways", "rtc-https"), IngressController.Generic),
        Redis: new RedisWiring("master-x", ["s0.test:26379", "s1.test:26379"], new SecretRef("media-x", "redis-x", "pw"),
            new SecretRef("media-x", "redis-x", "sentinel-pw"), Tls: true, new SecretRef("media-x", "redis-ca-x", "ca.crt")),
        Turn: new TurnWiring("turn.example.test", 3478, 5349, TurnShared, [], TurnShared with { Key = "previous" }, "turn-tls-x",
            CredentialTtlSeconds: 172_800),
        WebhookUrl: "http://authz.test:8080/sfu_webhook",
        MediaPorts: [new MediaPort("livekit", "RTC media (muxed)", Protocol.Udp, PortRange.Single(7882), Exposure.Internet, PortsSection.SfuRtcUdpPort)]);

    [Fact]
    public void A_literal_input_gives_the_release_values_server_config_and_objects_it_names()
    {
        // GIVEN a minimal input: 2 SFUs that drain for 2 minutes, Gateway routing, Redis with TLS, a 48 h TURN lifetime
        // WHEN the SFU is planned from it alone
        var plan = LivekitPlan.Build(Input);

        // THEN the release of the given chart version in the media namespace, awaited for the whole rolling drain
        var release = plan.Release;
        Assert.Equal(("livekit", "media-x", "livekit-server", "1.9.0"), (release.Name, release.Namespace, release.Chart, release.Version));
        Assert.Equal(new ReleaseWait(SkipAwait: false, TimeoutSeconds: 2 * (120 + 300)), release.Wait);
        Assert.Equal(new SecretConsumer("Deployment", "media-x", "livekit-livekit-server"), release.Pods);

        // AND chart values from the input: the digest in the tag, pull secrets, grace period, whole-CPU Guaranteed size
        var values = plan.Values;
        Assert.Equal(2, values.ReplicaCount);
        Assert.Equal(new ChartImage("registry.test/relay", $"1.13.5@{Digest}", "IfNotPresent"), values.Image);
        Assert.Equal(["pull-x"], values.ImagePullSecrets);
        Assert.Equal(120, values.TerminationGracePeriodSeconds);
        Assert.Equal(("4", "8Gi"), (values.Resources.Requests["cpu"].ToString(), values.Resources.Requests["memory"].ToString()));
        Assert.Equal(("4", "8Gi"), (values.Resources.Limits["cpu"].ToString(), values.Resources.Limits["memory"].ToString()));
        Assert.Equal(new Dictionary<string, string> { ["media"] = "yes" }, values.NodeSelector);
        var toleration = Assert.Single(values.Tolerations);
        Assert.Equal(("dedicated", "Exists", null, "NoSchedule"), (toleration.Key, toleration.OperatorProperty, toleration.Value, toleration.Effect));
        Assert.Equal(7880, values.ServicePort);

        // AND the server config: ports, node ranges, the own coturn first among the STUN servers (given twice: once),
        // TURN credentials capped at LiveKit's 24 h, Redis through the sentinels with the mounted CA, the webhook
        var config = values.Livekit;
        Assert.Equal((7880, 6789, "debug"), (config.Port, config.PrometheusPort, config.LogLevel));
        Assert.Equal((7881, 7882), (config.Rtc.TcpPort, config.Rtc.UdpPort));
        Assert.Equal(["192.0.2.0/24"], config.Rtc.IpsIncludes);
        Assert.Equal(["turn.example.test:3478", "stun.example.net:3478"], config.Rtc.StunServers);
        Assert.Equal(
            [
                new TurnServerConfig("turn.example.test", 3478, TurnProtocol.Udp, "/etc/livekit/turn/shared", 86_400),
                new TurnServerConfig("turn.example.test", 5349, TurnProtocol.Tls, "/etc/livekit/turn/shared", 86_400),
            ],
            config.Rtc.TurnServers);
        Assert.Equal("master-x", config.Redis.SentinelMasterName);
        Assert.Equal(["s0.test:26379", "s1.test:26379"], config.Redis.SentinelAddresses);
        Assert.Equal("/etc/livekit-redis-tls/ca.crt", config.Redis.Tls!.CaCertFile);
        Assert.Equal(new RoomConfig(AutoCreate: false, 300, 20, MaxParticipants: 40), config.Room);
        Assert.Equal(["http://authz.test:8080/sfu_webhook"], config.Webhook.Urls);

        // AND the post-renderer wiring: the Redis passwords and webhook key as env, the TURN secret and Redis CA as files
        Assert.Equal(
            [
                new SecretEnv("LIVEKIT_REDIS_PASSWORD", "redis-x", "pw"),
                new SecretEnv("LIVEKIT_REDIS_SENTINEL_PASSWORD", "redis-x", "sentinel-pw"),
                new SecretEnv("LIVEKIT_WEBHOOK_API_KEY", "livekit-api", "api-key"),
            ],
            plan.Wiring.Env);
        Assert.Equal(
            [
                new SecretFileMount("turn-shared-secret", "turn-x", "shared", "/etc/livekit/turn", "shared", 0b110_000_000),
                new SecretFileMount("redis-tls-ca", "redis-ca-x", "ca.crt", "/etc/livekit-redis-tls", "ca.crt", 0b110_000_000),
            ],
            plan.Wiring.Files);
        Assert.Equal(plan.Wiring.ToJson(), values.PodAnnotations[SecretWiring.Annotation]);

        // AND the API Secret and budget in the media namespace, the HTTPRoute on the given Gateway listener
        var secret = Assert.Single(plan.Secrets);
        Assert.Equal(("media-x", "livekit-api"), (secret.Namespace, secret.Name));
        Assert.Equal(["api-key", "keys.yaml"], secret.Entries.Select(e => e.Key));
        Assert.Equal(("livekit-sfu", "media-x", "1"), (plan.Budget.Metadata.Name, plan.Budget.Metadata.NamespaceProperty, plan.Budget.Spec.MaxUnavailable.Value));
        var route = Assert.IsType<CustomObject>(plan.Route);
        Assert.Equal(("HTTPRoute", "livekit-rtc", "media-x"), (route.Kind, route.Metadata.Name, route.Metadata.NamespaceProperty));
        var spec = Assert.IsType<HttpRouteSpec>(route.Spec);
        Assert.Equal(["rtc.example.test"], spec.Hostnames);
        Assert.Equal(("edge", "gateways", "rtc-https"), (spec.ParentRefs.Single().Name, spec.ParentRefs.Single().Namespace, spec.ParentRefs.Single().SectionName));
        Assert.Equal(new HttpBackendRef("livekit-livekit-server", 7880), spec.Rules.Single().BackendRefs.Single());

        // AND the SFU as a host-network peer listening where the input says
        Assert.Equal(("sfu", "media-x", true), (plan.Sfu.Name, plan.Sfu.Namespace, plan.Sfu.HostNetwork));
        Assert.Equal(PortPlan.ListenersOf(Input.MediaPorts), plan.Sfu.Listens);
    }

    [Fact]
    public void A_long_drain_turn_tls_on_443_and_redis_without_tls()
    {
        // GIVEN the same input with 3 SFUs draining for 3 h, TURN/TLS moved to 443 and Redis without TLS
        var plan = LivekitPlan.Build(Input with
        {
            Replicas = 3,
            Sfu = Input.Sfu with { DrainSeconds = 10_800 },
            Ports = Input.Ports with { TurnTlsOn443 = true },
            Turn = Input.Turn with { TlsPort = 443, CredentialTtlSeconds = 3600 },
            Redis = Input.Redis with { Tls = false, TlsCa = null },
        });

        // THEN the rollout is not awaited (3 × 3 h is beyond the longest wait)
        Assert.Equal(new ReleaseWait(SkipAwait: true, TimeoutSeconds: LivekitPlan.MaxAwaitSeconds), plan.Release.Wait);
        // AND LiveKit offers TURN/TLS on 443, with the given lifetime (within 24 h)
        var turn = plan.Values.Livekit.Rtc.TurnServers;
        Assert.Equal([(3478, TurnProtocol.Udp), (443, TurnProtocol.Tls)], turn.Select(t => (t.Port, t.Protocol)).Distinct());
        Assert.All(turn, t => Assert.Equal(("turn.example.test", 3600), (t.Host, t.TtlSeconds)));
        // AND no Redis CA: neither in the config nor mounted
        Assert.Null(plan.Values.Livekit.Redis.Tls);
        Assert.Equal(["turn-shared-secret"], plan.Wiring.Files.Select(f => f.Volume));
        Assert.Equal(10_800, plan.Values.TerminationGracePeriodSeconds);
    }
}
