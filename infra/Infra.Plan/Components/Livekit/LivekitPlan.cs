using System.Net;
using k8s.Models;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Net;
using Infra.Plan.Ports;
using Infra.Plan.Components.Routing;
using Infra.Plan.Contract;
using Infra.Plan.Kubernetes;
using Infra.Plan.Secrets;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Livekit;

/// <summary>One SFU release of the livekit-server chart.</summary>
/// <param name="Values">The chart values (incl. the server config) as typed data; <see cref="Release"/> carries their YAML.</param>
/// <param name="Wiring">What the post-renderer adds to the chart's Deployment (it reads it from a pod annotation).</param>
/// <param name="Address">The load-balancer address this SFU advertises; null in the other modes.</param>
public sealed record SfuRelease(LivekitChartValues Values, SecretWiring Wiring, HelmReleasePlan Release, string? Address);

/// <summary>
/// The LiveKit SFU as the livekit-server chart deploys it, the custom media-relay image, Redis Sentinel for shared
/// state, the authorizer's webhook, and no secret in any value; where clients reach its media follows
/// <c>sfuMediaExposure</c>: one pod per media node on the host network with coturn for TURN (the default), or in the pod
/// network with LiveKit's own TURN behind a NodePort Service (one pod per media node) or one release per load-balancer
/// address (LiveKit advertises one address). Plus what the chart lacks: a PodDisruptionBudget, the RTC host's <c>/</c>
/// route (HTTPRoute or Ingress), the media Services, the API key and secret (for the SFU's key_file and the authorizer).
/// </summary>
/// <param name="Sfus">One release, or one per load-balancer address.</param>
/// <param name="MediaObjects">Off the host network: the media Services, the API Service over every SFU (several
/// releases), the TURN name's certificate (load balancer with cert-manager).</param>
public sealed record LivekitPlan(
    IReadOnlyList<SfuRelease> Sfus,
    V1PodDisruptionBudget Budget,
    k8s.IKubernetesObject Route,
    IReadOnlyList<k8s.IKubernetesObject> MediaObjects,
    IReadOnlyList<GeneratedValue> Generated,
    IReadOnlyList<SecretPlan> Secrets,
    Peer Sfu) : IComponentPlan
{
    /// <summary>The first SFU's values (the only SFU's except with several load-balancer addresses).</summary>
    public LivekitChartValues Values => Sfus[0].Values;

    /// <summary>The first SFU's post-renderer wiring.</summary>
    public SecretWiring Wiring => Sfus[0].Wiring;

    /// <summary>The first SFU's release.</summary>
    public HelmReleasePlan Release => Sfus[0].Release;

    public const string Component = "livekit";
    public const string ValuesFile = "helm/livekit-values.yaml";

    /// <summary>Where the values of release <paramref name="release"/> are written (the default release keeps its old name).</summary>
    public static string ValuesFileOf(string release) =>
        release == Names.LivekitRelease ? ValuesFile : $"helm/{release}-values.yaml";

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
        Objects = [Budget, Route, .. MediaObjects],
        Releases = Sfus.Select(r => r.Release).ToList(),
        Generated = Generated,
        Secrets = Secrets,
        Files = Sfus.Select(r => r.Release.Values).ToList(),
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

    /// <summary>The env var LiveKit reads as <c>rtc.node_ip</c>.</summary>
    public const string NodeIpEnv = "NODE_IP";

    /// <summary>The self-signed certificate of the TURN name where LiveKit serves TURN/TLS (coturn's when coturn does).</summary>
    public const string TurnCertificateId = "livekit-turn-host";

    /// <summary>The Service in front of every SFU's API where there are several releases (load balancer addresses).</summary>
    public const string ApiService = "livekit-sfu";

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
    public static string FullName => FullNameOf(Names.LivekitRelease);

    public static string FullNameOf(string release) => $"{release}-{Names.LivekitChart}";

    /// <summary>The chart's selector labels of the SFU pods (of the one release).</summary>
    public static Dictionary<string, string> PodSelector => ReleaseSelector(Names.LivekitRelease);

    /// <summary>The chart's selector labels of one release's pods.</summary>
    public static Dictionary<string, string> ReleaseSelector(string release) => new()
    {
        ["app.kubernetes.io/name"] = Names.LivekitChart,
        ["app.kubernetes.io/instance"] = release,
    };

    /// <summary>Every SFU pod: of the one release, or of every per-address release (the chart's name label alone).</summary>
    public static Dictionary<string, string> SfuSelector(MediaExposure mode) => mode == MediaExposure.LoadBalancer
        ? new() { ["app.kubernetes.io/name"] = Names.LivekitChart }
        : PodSelector;

    /// <summary>The releases: one, or one per load-balancer address (each advertises its own).</summary>
    public static IReadOnlyList<(string Release, string? Address)> Releases(MediaSpec media) => media.Exposure == MediaExposure.LoadBalancer
        ? media.LoadBalancerAddresses.Select((a, i) => ($"{Names.LivekitRelease}-{i}", (string?)a.ToString())).ToList()
        : [(Names.LivekitRelease, null)];

    /// <summary>SFU pods per release: one per load-balancer address (LiveKit advertises one address), else all in one.</summary>
    public static int ReplicasPerRelease(LivekitInput input) =>
        input.Sfu.Media.Exposure == MediaExposure.LoadBalancer ? 1 : input.Replicas;

    /// <summary>The Service the RTC route and in-cluster clients reach the SFU API through: the chart's, or one over every release.</summary>
    public static string ApiServiceName(MediaExposure mode) => mode == MediaExposure.LoadBalancer ? ApiService : FullName;

    public static LivekitPlan Build(LivekitInput input)
    {
        var media = input.Namespace;
        var mode = input.Sfu.Media;
        // Every release reads the same Secrets the same way: one wiring for all.
        var wiring = WiringFor(input);
        var sfus = Releases(mode).Select(r => ReleaseOf(input, wiring, r.Release, r.Address)).ToList();
        var consumers = sfus.Select(r => r.Release.Pods!).ToList();
        var secrets = new List<SecretPlan>
        {
            // keys.yaml for LiveKit's key_file; api-key for the webhook (LIVEKIT_WEBHOOK_API_KEY).
            new(media, SecretNames.LivekitApi, SecretPlan.Opaque, Component,
            [
                new(ApiKeys.KeyId, new SecretSource.Random(ApiKeyId)),
                new(ApiKeys.KeyFile, ApiKeys.KeyFileContent),
            ], consumers),
        };
        var generated = new List<GeneratedValue>
        {
            // The key id is not a secret (it is the "iss" of every token) but unique per stack.
            new RandomValue(ApiKeyId, ApiKeyLength, Secret: false, Prefix: "API"),
            new RandomValue(ApiSecretId, ApiSecretLength, Secret: true),
        };
        var objects = new List<k8s.IKubernetesObject>();
        var selector = SfuSelector(mode.Exposure);
        var sfuPorts = input.MediaPorts;
        switch (mode.Exposure)
        {
            case MediaExposure.NodePort:
                objects.Add(MediaServices.NodePort(media, sfuPorts, selector));
                break;
            case MediaExposure.LoadBalancer:
                objects.AddRange(sfus.SelectMany((r, i) => MediaServices.LoadBalancer(media, i, IPAddress.Parse(r.Address!), mode,
                    sfuPorts, ReleaseSelector(r.Release.Name))));
                objects.Add(ApiServiceObject(media, input.Ports.SfuApi, selector));
                // LiveKit serves TURN/TLS itself here: the TURN name's certificate is the SFU's to make.
                if (input.Tls.Mode == TlsMode.SelfSigned)
                {
                    generated.Add(TurnCertificate.SelfSigned(TurnCertificateId, input.Turn.Host));
                    secrets.Add(Tls.TlsPlan.TlsSecret(media, input.Turn.TlsSecretName, Component, TurnCertificateId, consumers));
                }
                else if (input.Tls.Mode == TlsMode.CertManager)
                {
                    objects.Add(CertManagerCertificate.Issued(input.Tls, input.Turn.TlsSecretName, media, Component, input.Turn.Host));
                }
                break;
        }
        return new LivekitPlan(sfus, DisruptionBudget(media, selector),
            RtcRoutes.Build(input.Routing, input.Tls, input.RtcHost, media, Component, Component,
                [new RtcRoute("/", ApiServiceName(mode.Exposure), input.Ports.SfuApi)], websocket: true),
            objects, generated, secrets,
            new Peer(SfuPeer, media, selector, selector, HostNetwork: mode.HostNetwork, PortPlan.ListenersOf(sfuPorts)));
    }

    /// <summary>One SFU release: its values (with its advertised address, if given) and the post-renderer's wiring.</summary>
    private static SfuRelease ReleaseOf(LivekitInput input, SecretWiring wiring, string release, string? address)
    {
        var values = ValuesFor(input, wiring, address);
        var helm = new HelmReleasePlan(release, input.Namespace, Names.LivekitChart, input.ChartVersion,
            Names.LivekitChartRepo, new PlanFile(ValuesFileOf(release), ValuesYaml(values)), PostRendererPath, Wait(input),
            // Atomic would roll back mid-drain and cut calls; keep a short history instead.
            Atomic: false, MaxHistory, Pods: new SecretConsumer("Deployment", input.Namespace, FullNameOf(release)), Workload: WorkloadOf(values));
        return new SfuRelease(values, wiring, helm, address);
    }

    /// <summary>With several releases, the RTC route and in-cluster clients need one Service over all of them.</summary>
    private static V1Service ApiServiceObject(string ns, int port, Dictionary<string, string> selector) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Meta.Object(ApiService, ns, Component),
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            Selector = selector,
            Ports = [new V1ServicePort { Name = "http", Protocol = "TCP", Port = port, TargetPort = port }],
        },
    };

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
        var worst = (long)ReplicasPerRelease(input) * (input.Sfu.DrainSeconds + StartSeconds);
        return worst <= MaxAwaitSeconds ? new ReleaseWait(false, (int)worst) : new ReleaseWait(true, MaxAwaitSeconds);
    }

    /// <param name="address">The load-balancer address this SFU advertises (<c>rtc.node_ip</c>); null in the other modes.</param>
    public static LivekitServerConfig ServerConfig(LivekitInput input, string? address = null)
    {
        var (ports, turn, media) = (input.Ports, input.Turn, input.Sfu.Media);
        var ttl = Math.Min(turn.CredentialTtlSeconds, MaxTurnTtlSeconds);
        var secretFile = $"{TurnSecretDirectory}/{turn.SharedSecret.Key}";
        var turnServers = new List<TurnServerConfig>();
        if (media.HostNetwork)
        {
            turnServers.Add(new(turn.Host, turn.Port, TurnProtocol.Udp, secretFile, ttl));
            turnServers.Add(new(turn.Host, turn.TlsPort, TurnProtocol.Tls, secretFile, ttl));
            if (ports.TurnTlsOn443)
            {
                turnServers.Add(new(turn.Host, 443, TurnProtocol.Tls, secretFile, ttl));
            }
        }
        var useStun = UsesStun(media);
        return new LivekitServerConfig(
            Port: ports.SfuApi,
            PrometheusPort: ports.SfuMetrics,
            LogLevel: input.Sfu.LogLevel,
            // On the host network the SFU advertises its node's public address (docs/coturn.md, media path): use_external_ip
            // asks STUN for it at start, and pion rewrites the node-address host candidate (rtc.ips.includes keeps CNI
            // interfaces out) to it. Relayed clients reach the SFU there too: coturn denies the node CIDRs as peers,
            // so the relay to the SFU goes to its public address and the cloud router's hairpin NAT brings it back.
            // In the pod network the candidate is the pod's address (rtc.ips.includes: the pod CIDRs), rewritten to the
            // node's public address found by STUN, the node's own (NODE_IP), or the load balancer's (node_ip).
            Rtc: new RtcConfig(
                TcpPort: ports.SfuRtcTcp,
                UdpPort: ports.SfuRtcUdp,
                UseExternalIp: useStun,
                IpsIncludes: (media.HostNetwork ? input.Nodes.NodeCidrs : input.Nodes.PodCidrs).Select(c => c.ToString()).ToArray(),
                StunServers: StunServers(input).Select(s => s.ToString()).ToArray(),
                TurnServers: turnServers,
                NodeIp: address),
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
            EmbeddedTurn: media.EmbeddedTurn ? EmbeddedTurn(input, address) : null);
    }

    /// <summary>Whether the SFU asks STUN for its address: on the host network, and behind a NodePort with <c>sfuNodeAddress: stun</c>.</summary>
    public static bool UsesStun(MediaSpec media) =>
        media.HostNetwork || (media.Exposure == MediaExposure.NodePort && media.NodeAddress == NodeAddressSource.Stun);

    /// <summary>
    /// LiveKit's own TURN, off the host network. Its relay sends to the SFU's advertised address, which LiveKit refuses
    /// as a peer when it is private (since v1.12.0): allowed exactly there, i.e. a private load-balancer address, or the
    /// node ranges that are private where each SFU advertises its node's own address. A STUN-found address is public.
    /// </summary>
    public static EmbeddedTurnConfig EmbeddedTurn(LivekitInput input, string? address)
    {
        var (ports, media) = (input.Ports, input.Sfu.Media);
        var loadBalancer = media.Exposure == MediaExposure.LoadBalancer;
        IEnumerable<string> restricted = media.Exposure switch
        {
            MediaExposure.LoadBalancer when IPAddress.Parse(address!) is var ip && PrivateAddresses.Contains(ip) =>
                [$"{ip}/{(ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32)}"],
            MediaExposure.NodePort when media.NodeAddress == NodeAddressSource.HostIp =>
                input.Nodes.NodeCidrs.Where(PrivateAddresses.Overlaps).Select(c => c.ToString()),
            _ => [],
        };
        return new EmbeddedTurnConfig(
            Domain: input.Turn.Host,
            UdpPort: ports.SfuTurnUdp,
            TlsPort: loadBalancer ? ports.SfuTurnTls : 0,
            RelayRangeStart: ports.SfuTurnRelay.First,
            RelayRangeEnd: ports.SfuTurnRelay.Last,
            AllowRestrictedPeerCidrs: restricted.ToList());
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
    public static IReadOnlyList<StunServer> StunServers(LivekitInput input) => input.Sfu.Media.HostNetwork
        ? new[] { new StunServer(input.Turn.Host, input.Turn.Port) }.Concat(input.Sfu.StunServers).Distinct().ToArray()
        // No coturn off the host network: the fallbacks alone (with node addresses found by STUN).
        : input.Sfu.StunServers.Distinct().ToArray();

    /// <summary>The secrets the SFU reads, and where from: env vars and files the post-renderer adds.</summary>
    public static SecretWiring WiringFor(LivekitInput input)
    {
        var (redis, turn) = (input.Redis, input.Turn);
        // The Redis wiring names its env vars and Secrets; the SFU adds only its own webhook key.
        var env = redis.SecretEnv.Select(e => SecretWiring.EnvFrom(e.Env, e.Ref)).ToList();
        env.Add(new SecretEnv("LIVEKIT_WEBHOOK_API_KEY", SecretNames.LivekitApi, ApiKeys.KeyId));

        var media = input.Sfu.Media;
        var files = new List<SecretFileMount>();
        if (media.HostNetwork)
        {
            // coturn's shared secret, which LiveKit signs TURN credentials with (rtc.turn_servers[].secret_file).
            files.Add(new("turn-shared-secret", turn.SharedSecret.Name, turn.SharedSecret.Key,
                TurnSecretDirectory, turn.SharedSecret.Key, SecretFileMode));
        }

        // The CA Secret and the path both come from the Redis wiring, so LiveKit trusts what Redis serves.
        if (redis.Tls && redis.TlsCa is { } ca)
        {
            files.Add(new SecretFileMount("redis-tls-ca", ca.Name, ca.Key,
                Path.GetDirectoryName(RedisWiring.TlsCaFile)!, Path.GetFileName(RedisWiring.TlsCaFile), SecretFileMode));
        }
        // LiveKit never calls the Kubernetes API, and the chart leaves the default service account's token mounted: a
        // host-network pod that parses untrusted media should not carry a credential it has no use for.
        return new SecretWiring(Container, env, files, StrictConfig: true, NoServiceAccountToken: true,
            // Off the host network the chart's host ports would still bind on the node (and Pod Security refuses them).
            NoHostPorts: !media.HostNetwork,
            // Behind a NodePort with sfuNodeAddress hostIP, each SFU advertises its node's own address: LiveKit reads NODE_IP
            // as rtc.node_ip (livekit/livekit 788d4c35 cmd/server/main.go, flag node-ip).
            FieldEnv: media.Exposure == MediaExposure.NodePort && media.NodeAddress == NodeAddressSource.HostIp
                ? [new FieldRefEnv(NodeIpEnv, "status.hostIP")]
                : null,
            ChartOnlyConfigKeys: media.Exposure == MediaExposure.LoadBalancer ? [LivekitChartValues.TurnSecretNameKey] : null,
            // ... and mounts that certificate's Secret without a mode.
            SecretVolumeMode: media.Exposure == MediaExposure.LoadBalancer ? SecretFileMode : null,
            PostRenderer: PostRendererIdentity.Version);
    }

    /// <param name="address">The load-balancer address this release's SFU advertises; null in the other modes.</param>
    public static LivekitChartValues ValuesFor(LivekitInput input, SecretWiring wiring, string? address = null)
    {
        var image = input.Image;
        var mode = input.Sfu.Media.Exposure;
        return new LivekitChartValues(
            ReplicaCount: ReplicasPerRelease(input),
            // The chart writes "repository:tag"; "tag@sha256:..." makes that a pull by digest.
            Image: new ChartImage(image.Repository, image.Digest is null ? image.Tag : $"{image.Tag}@{image.Digest}", "IfNotPresent"),
            ImagePullSecrets: input.PullSecrets,
            TerminationGracePeriodSeconds: input.Sfu.DrainSeconds,
            PodHostNetwork: mode == MediaExposure.HostNetwork,
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
            // One SFU per node: host ports cannot be shared, a node port with externalTrafficPolicy Local reaches its node's
            // SFU only, each SFU is sized for a node, and one node's loss takes one SFU's calls only.
            Affinity: new V1Affinity
            {
                PodAntiAffinity = new V1PodAntiAffinity
                {
                    RequiredDuringSchedulingIgnoredDuringExecution =
                    [
                        new V1PodAffinityTerm
                        {
                            LabelSelector = new V1LabelSelector { MatchLabels = SfuSelector(mode) },
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
            Livekit: ServerConfig(input, address),
            TurnTlsSecret: mode == MediaExposure.LoadBalancer ? input.Turn.TlsSecretName : null,
            // Chart defaults under livekit: that LiveKit refuses in strict mode (turn.loadBalancerAnnotations is a
            // chart-only key) or that contradict the plan (a 50000-60000 ICE range instead of the one muxed port;
            // keys: {} beside key_file; the deprecated log_level beside logging.level).
            ChartDefaultsToRemove: ["rtc.port_range_start", "rtc.port_range_end", "keys", "log_level", "turn.loadBalancerAnnotations"]);
    }

    public static V1PodDisruptionBudget DisruptionBudget(string ns, Dictionary<string, string> selector) => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = Meta.Object($"{Component}-sfu", ns, Component),
        Spec = new V1PodDisruptionBudgetSpec
        {
            // Node drains take one SFU at a time; each drains its calls before the next may go.
            MaxUnavailable = 1,
            Selector = new V1LabelSelector { MatchLabels = selector },
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
