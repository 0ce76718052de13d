using k8s.Models;
using Infra.Plan.Components.Routing;
using Infra.Plan.Contract;
using Infra.Plan.Kubernetes;
using Infra.Plan.Secrets;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Livekit;

/// <summary>
/// The LiveKit SFU as the livekit-server chart deploys it: one pod per media node on the host network, the
/// custom media-relay image, Redis Sentinel for shared state, coturn for TURN, the authorizer's webhook, and no
/// secret in any value. Plus what the chart lacks: a PodDisruptionBudget and the RTC host's <c>/</c> route (HTTPRoute or
/// Ingress); and
/// the API key and secret (for the SFU's key_file and the authorizer).
/// </summary>
/// <param name="Values">The chart values (incl. the server config) as typed data; <see cref="Release"/> carries their YAML.</param>
/// <param name="Wiring">What the post-renderer adds to the chart's Deployment (it reads it from a pod annotation).</param>
public sealed record LivekitPlan(
    LivekitChartValues Values,
    SecretWiring Wiring,
    HelmReleasePlan Release,
    V1PodDisruptionBudget Budget,
    k8s.IKubernetesObject Route,
    IReadOnlyList<GeneratedValue> Generated,
    IReadOnlyList<SecretPlan> Secrets,
    Peer Sfu) : IComponentPlan
{
    public const string Component = "livekit";
    public const string ValuesFile = "helm/livekit-values.yaml";

    /// <summary>The post-renderer the release runs: a command Helm looks up in PATH, the same on every machine (<see cref="PostRendererInput"/>).</summary>
    public const string PostRendererPath = PostRendererInput.Command;

    public const string ApiKeyId = "livekit-api-key";
    public const string ApiSecretId = "livekit-api-secret";

    /// <summary>Random part of the API key id (LiveKit's own ids look like "API" + 12 characters).</summary>
    public const int ApiKeyLength = 16;

    /// <summary>The API secret: LiveKit wants at least 32 characters.</summary>
    public const int ApiSecretLength = 48;

    /// <summary>Helm keeps this many revisions of the release.</summary>
    public const int MaxHistory = 10;

    public ComponentPlan Contract => new(Component, "matrix-rtc:index:LiveKit")
    {
        Objects = [Budget, Route],
        Releases = [Release],
        Generated = Generated,
        Secrets = Secrets,
        Files = [Release.Values],
        Peers = [Sfu],
        After = [NamespacesPlan.Component, Network.NetworkPlan.Component, Tls.TlsPlan.Component, Coturn.CoturnPlan.Component, Redis.RedisPlan.Component],
    };

    /// <summary>The chart names the container after itself.</summary>
    public const string Container = Names.LivekitChart;

    /// <summary>
    /// Relative because it must be: the chart (templates/deployment.yaml) mounts the keys Secret with <c>mountPath: key_file</c>
    /// and <c>subPath: key_file</c>, and the API server refuses an absolute subPath (kubernetes
    /// <c>pkg/apis/core/validation/validation.go</c> <c>validateLocalDescendingPath</c>: "must be a relative path"). The
    /// kubelet mounts it at <c>/keys.yaml</c> (<c>makeMounts</c> makes a relative mountPath absolute) and LiveKit opens it
    /// relative to its working directory, which is <c>/</c> because the media-relay image says <c>WORKDIR /</c>.
    /// </summary>
    public const string KeyFile = "keys.yaml";

    public const string TurnSecretDirectory = "/etc/livekit/turn";

    /// <summary>rw for the owner only; kubelet adds group read for fsGroup (0640). LiveKit refuses any "others" bit.</summary>
    public const int SecretFileMode = 0b110_000_000; // 0600

    /// <summary>Rooms the authorizer creates get the same timeouts (lk-jwt-service: EmptyTimeout 300, DepartureTimeout 20).</summary>
    public const int EmptyTimeoutSeconds = 300;
    public const int DepartureTimeoutSeconds = 20;

    /// <summary>LiveKit caps TURN credential lifetimes at 24 h (with a warning) from v1.13.x on; plan within it.</summary>
    public const int MaxTurnTtlSeconds = 86_400;

    /// <summary>A non-root user for a Go binary that binds only ports above 1024.</summary>
    public const long RunAsUser = 65532;

    /// <summary>The chart's resource name: <c>&lt;release&gt;-&lt;chart&gt;</c> (the release name does not contain the chart name).</summary>
    public static string FullName => $"{Names.LivekitRelease}-{Names.LivekitChart}";

    /// <summary>The chart's selector labels of the SFU pods.</summary>
    public static Dictionary<string, string> PodSelector => new()
    {
        ["app.kubernetes.io/name"] = Names.LivekitChart,
        ["app.kubernetes.io/instance"] = Names.LivekitRelease,
    };

    public static LivekitPlan Build(LivekitInput input)
    {
        var media = input.Namespace;
        var wiring = WiringFor(input);
        var values = ValuesFor(input, wiring);
        var release = new HelmReleasePlan(Names.LivekitRelease, media, Names.LivekitChart, input.ChartVersion,
            Names.LivekitChartRepo, new PlanFile(ValuesFile, ValuesYaml(values)), PostRendererPath, Wait(input),
            // Atomic would roll back mid-drain and cut calls; keep a short history instead.
            Atomic: false, MaxHistory, Pods: new SecretConsumer("Deployment", media, FullName), Workload: WorkloadOf(values));
        var sfu = release.Pods!;
        var secrets = new List<SecretPlan>
        {
            // keys.yaml for LiveKit's key_file; api-key for the webhook (LIVEKIT_WEBHOOK_API_KEY).
            new(media, SecretNames.LivekitApi, SecretPlan.Opaque, Component,
            [
                new(ApiKeys.KeyId, new SecretSource.Random(ApiKeyId)),
                new(ApiKeys.KeyFile, ApiKeys.KeyFileContent),
            ], [sfu]),
        };
        return new LivekitPlan(values, wiring, release, DisruptionBudget(media),
            RtcRoutes.Build(input.Routing, input.Tls, input.RtcHost, media, Component, Component, [new RtcRoute("/", FullName, input.Ports.SfuApi)], websocket: true),
            [
                // The key id is not a secret (it is the "iss" of every token) but unique per stack.
                new RandomValue(ApiKeyId, ApiKeyLength, Secret: false, Prefix: "API"),
                new RandomValue(ApiSecretId, ApiSecretLength, Secret: true),
            ],
            secrets,
            new Peer(SfuPeer, media, PodSelector, PodSelector, HostNetwork: true, input.Listeners));
    }

    /// <summary>The pods the chart renders from <paramref name="values"/>, as the policies check them.</summary>
    public static ChartWorkload WorkloadOf(LivekitChartValues values) =>
        new($"{values.Image.Repository}:{values.Image.Tag}", values.Resources, values.ReplicaCount, values.PodHostNetwork);

    /// <summary>The SFU pods as a network peer (their name in the connectivity report).</summary>
    public const string SfuPeer = "sfu";

    /// <summary><c>helm/livekit-values.yaml</c>: exactly what the Helm release gets as values.</summary>
    public static string ValuesYaml(LivekitChartValues values) =>
        "# Values of the livekit-server chart for matrix-rtc (generated by the plan; Secret names only, no secret).\n" +
        $"# Install with the post-renderer {PostRendererPath}, which wires the secrets in.\n" +
        YamlTreeWriter.Write(values.ToYaml());

    /// <summary>Longest `pulumi up` wait for the SFU rollout; beyond it the release skips the await.</summary>
    public const int MaxAwaitSeconds = 1800;

    /// <summary>Time a new SFU pod needs to pull, start and turn ready (an assumption with margin).</summary>
    public const int StartSeconds = 300;

    public static ReleaseWait Wait(LivekitInput input)
    {
        var worst = (long)input.Replicas * (input.Sfu.DrainSeconds + StartSeconds);
        return worst <= MaxAwaitSeconds ? new ReleaseWait(false, (int)worst) : new ReleaseWait(true, MaxAwaitSeconds);
    }

    public static LivekitServerConfig ServerConfig(LivekitInput input)
    {
        var (ports, turn) = (input.Ports, input.Turn);
        var ttl = Math.Min(turn.CredentialTtlSeconds, MaxTurnTtlSeconds);
        var secretFile = $"{TurnSecretDirectory}/{turn.SharedSecret.Key}";
        var turnServers = new List<TurnServerConfig>
        {
            new(turn.Host, turn.Port, TurnProtocol.Udp, secretFile, ttl),
            new(turn.Host, turn.TlsPort, TurnProtocol.Tls, secretFile, ttl),
        };
        if (ports.TurnTlsOn443)
        {
            turnServers.Add(new(turn.Host, 443, TurnProtocol.Tls, secretFile, ttl));
        }
        return new LivekitServerConfig(
            Port: ports.SfuApi,
            PrometheusPort: ports.SfuMetrics,
            LogLevel: input.Sfu.LogLevel,
            // The SFU advertises its node's public address (docs/coturn.md, media path): use_external_ip asks STUN
            // for it at start, and pion rewrites the node-address host candidate (rtc.ips.includes keeps CNI
            // interfaces out) to it. Relayed clients reach the SFU there too: coturn denies the node CIDRs as peers,
            // so the relay to the SFU goes to its public address and the cloud router's hairpin NAT brings it back.
            Rtc: new RtcConfig(
                TcpPort: ports.SfuRtcTcp,
                UdpPort: ports.SfuRtcUdp,
                UseExternalIp: true,
                IpsIncludes: input.Nodes.NodeCidrs.Select(c => c.ToString()).ToArray(),
                StunServers: StunServers(input).Select(s => s.ToString()).ToArray(),
                TurnServers: turnServers),
            Redis: new RedisConfig(
                input.Redis.MasterName,
                input.Redis.SentinelAddresses,
                input.Redis.Tls ? new RedisTlsConfig(input.Redis.TlsCa is null ? null : RedisWiring.TlsCaFile) : null),
            Room: new RoomConfig(
                AutoCreate: false,
                EmptyTimeoutSeconds,
                DepartureTimeoutSeconds,
                MaxParticipants: input.MaxParticipants),
            Webhook: new WebhookConfig([input.WebhookUrl]),
            KeyFile: KeyFile,
            EmbeddedTurnEnabled: false);
    }

    /// <summary>
    /// <c>rtc.stun_servers</c>: the TURN host's own coturn first, then <c>sfuStunServers</c>. LiveKit (mediatransportutil
    /// <c>pkg/rtcconfig/ip.go</c>, <c>determineIP</c>/<c>GetExternalIP</c>) asks them in this order, 5 s each, in up to three
    /// rounds, and exits when none answers: with our coturn alone an SFU could not start while that coturn is down.
    /// The own coturn goes first so a healthy deployment needs no third party; its answer is the public address only
    /// because the router's hairpin NAT rewrites the source (the same hairpin relayed media needs).
    /// Why not <c>rtc.node_ip</c> from coturn's address discovery: with <c>use_external_ip</c> LiveKit runs STUN even when
    /// node_ip is set (<c>pkg/rtcconfig/config.go</c>, <c>Validate</c>); without it, node_ip is per node and can only
    /// reach a Deployment's pods as the <c>NODE_IP</c> env var (livekit-server <c>cmd/server/main.go</c>), whose value
    /// the downward API cannot take from the Node's ExternalIP, and the media-relay image has no shell to read a file
    /// an init container wrote. (For nodes whose host address is public, <c>NODE_IP</c> from <c>status.hostIP</c> with
    /// <c>use_external_ip: false</c> would work; the STUN fallbacks cover that case too.)
    /// </summary>
    public static IReadOnlyList<StunServer> StunServers(LivekitInput input) =>
        new[] { new StunServer(input.Turn.Host, input.Turn.Port) }.Concat(input.Sfu.StunServers).Distinct().ToArray();

    /// <summary>The secrets the SFU reads, and where from: env vars and files the post-renderer adds.</summary>
    public static SecretWiring WiringFor(LivekitInput input)
    {
        var (redis, turn) = (input.Redis, input.Turn);
        // The Redis wiring names its env vars and Secrets; the SFU adds only its own webhook key.
        var env = redis.SecretEnv.Select(e => SecretWiring.EnvFrom(e.Env, e.Ref)).ToList();
        env.Add(new SecretEnv("LIVEKIT_WEBHOOK_API_KEY", SecretNames.LivekitApi, ApiKeys.KeyId));

        var files = new List<SecretFileMount>
        {
            new("turn-shared-secret", turn.SharedSecret.Name, turn.SharedSecret.Key,
                TurnSecretDirectory, turn.SharedSecret.Key, SecretFileMode),
        };
        // The CA Secret and the path both come from the Redis wiring, so LiveKit trusts what Redis serves.
        if (redis.Tls && redis.TlsCa is { } ca)
        {
            files.Add(new SecretFileMount("redis-tls-ca", ca.Name, ca.Key,
                Path.GetDirectoryName(RedisWiring.TlsCaFile)!, Path.GetFileName(RedisWiring.TlsCaFile), SecretFileMode));
        }
        // LiveKit never calls the Kubernetes API, and the chart leaves the default service account's token mounted: a
        // host-network pod that parses untrusted media should not carry a credential it has no use for.
        return new SecretWiring(Container, env, files, StrictConfig: true, NoServiceAccountToken: true, PostRenderer: PostRendererIdentity.Version);
    }

    public static LivekitChartValues ValuesFor(LivekitInput input, SecretWiring wiring)
    {
        var image = input.Image;
        return new LivekitChartValues(
            ReplicaCount: input.Replicas,
            // The chart writes "repository:tag"; "tag@sha256:..." makes that a pull by digest.
            Image: new ChartImage(image.Repository, image.Digest is null ? image.Tag : $"{image.Tag}@{image.Digest}", "IfNotPresent"),
            ImagePullSecrets: input.PullSecrets,
            TerminationGracePeriodSeconds: input.Sfu.DrainSeconds,
            PodHostNetwork: true,
            // Guaranteed QoS with whole CPUs: the static CPU manager can pin them, media is never throttled.
            Resources: ContainerResources.For(input.Size),
            NodeSelector: input.Nodes.MediaNodeSelector.ToDictionary(l => l.Key, l => l.Value),
            Tolerations: input.Nodes.MediaNodeTolerations.Select(t => new V1Toleration
            {
                Key = t.Key,
                OperatorProperty = t.Value is null ? "Exists" : "Equal",
                Value = t.Value,
                Effect = t.Effect,
            }).ToArray(),
            // One SFU per node: host ports cannot be shared, and one node's loss takes one SFU's calls only.
            Affinity: new V1Affinity
            {
                PodAntiAffinity = new V1PodAntiAffinity
                {
                    RequiredDuringSchedulingIgnoredDuringExecution =
                    [
                        new V1PodAffinityTerm
                        {
                            LabelSelector = new V1LabelSelector { MatchLabels = PodSelector },
                            TopologyKey = "kubernetes.io/hostname",
                        },
                    ],
                },
            },
            PodAnnotations: new Dictionary<string, string>
            {
                // The chart's defaults (kept): no service-mesh sidecar in a host-network media pod.
                ["sidecar.istio.io/inject"] = "false",
                ["linkerd.io/inject"] = "disabled",
                [SecretWiring.Annotation] = wiring.ToJson(),
            },
            PodSecurityContext: new V1PodSecurityContext
            {
                RunAsNonRoot = true,
                RunAsUser = RunAsUser,
                RunAsGroup = RunAsUser,
                // Group-readable secret files (0640) for the non-root user; "others" get nothing.
                FsGroup = RunAsUser,
                SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
            },
            SecurityContext: new V1SecurityContext
            {
                AllowPrivilegeEscalation = false,
                ReadOnlyRootFilesystem = true,
                Capabilities = new V1Capabilities { Drop = ["ALL"] },
            },
            // A surge pod could never schedule (host ports, one SFU per node): replace one pod at a time,
            // each draining its calls for up to terminationGracePeriodSeconds.
            DeploymentStrategy: new V1DeploymentStrategy
            {
                Type = "RollingUpdate",
                RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 0, MaxUnavailable = 1 },
            },
            KeysSecret: SecretNames.LivekitApi,
            ServicePort: input.Ports.SfuApi,
            // Never the chart's ServiceMonitor: it carries only the chart's labels (Observability/ScrapeTargets.SfuJob).
            ServiceMonitor: false,
            Livekit: ServerConfig(input),
            // Chart defaults under livekit: that LiveKit refuses in strict mode (turn.loadBalancerAnnotations is a
            // chart-only key) or that contradict the plan (a 50000-60000 ICE range instead of the one muxed port;
            // keys: {} beside key_file; the deprecated log_level beside logging.level).
            ChartDefaultsToRemove: ["rtc.port_range_start", "rtc.port_range_end", "keys", "log_level", "turn.loadBalancerAnnotations"]);
    }

    public static V1PodDisruptionBudget DisruptionBudget(string ns) => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = Meta.Object($"{Component}-sfu", ns, Component),
        Spec = new V1PodDisruptionBudgetSpec
        {
            // Node drains take one SFU at a time; each drains its calls before the next may go.
            MaxUnavailable = 1,
            Selector = new V1LabelSelector { MatchLabels = PodSelector },
        },
    };
}

/// <summary>The keys of the <see cref="SecretNames.LivekitApi"/> Secret (in the media namespace for the SFU, in the app namespace for the authorizer).</summary>
public static class ApiKeys
{
    /// <summary>The API key id (not a secret: it is the <c>iss</c> of every token; kept beside the secret so values need no Pulumi state).</summary>
    public const string KeyId = "api-key";

    public const string Secret = "api-secret";

    /// <summary>LiveKit's key_file: <c>&lt;key id&gt;: &lt;secret&gt;</c>.</summary>
    public const string KeyFile = LivekitPlan.KeyFile;

    /// <summary>LiveKit's keys.yaml: <c>&lt;key id&gt;: &lt;secret&gt;</c>, from the generated values.</summary>
    public static readonly SecretSource KeyFileContent =
        new SecretSource.Format("{0}: {1}\n", [new SecretSource.Random(LivekitPlan.ApiKeyId), new SecretSource.Random(LivekitPlan.ApiSecretId)]);
}
