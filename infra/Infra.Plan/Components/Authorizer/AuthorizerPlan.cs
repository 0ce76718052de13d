using k8s.Models;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Components.Routing;
using Infra.Plan.Contract;
using Infra.Plan.Kubernetes;
using Infra.Plan.Net;
using Infra.Plan.Secrets;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Authorizer;

/// <summary>
/// The MatrixRTC authorizer, lk-jwt-service: swaps a Matrix OpenID token for a short-lived LiveKit JWT and creates
/// the room. One replica (the tested setup upstream), Pod Security <c>restricted</c>, the API secret read from a
/// mounted Secret file, its public paths on the RTC host through an HTTPRoute or Ingress in its own namespace.
/// </summary>
/// <param name="Route">The RTC host's routing of the public paths: an HTTPRoute (CustomObject) or a V1Ingress.</param>
public sealed record AuthorizerPlan(V1Deployment Deployment, V1Service Service, k8s.IKubernetesObject Route, SecretPlan ApiSecret, Peer Peer) : IComponentPlan
{
    public const string Component = "authorizer";
    public const string Name = Names.Authorizer;
    public const string SecretDirectory = "/etc/lk-jwt-service";

    /// <summary>The authorizer's pods as a network peer, and what they serve on their one port.</summary>
    public const string PeerName = "authorizer";
    public const string HttpPurpose = "token API + SFU webhook";

    /// <summary>The paths clients use (DESIGN.md routing). <c>/sfu_webhook</c> and <c>/healthz</c> stay in-cluster.</summary>
    public static readonly string[] PublicPaths = ["/sfu/get", "/get_token", "/delegate_delayed_leave"];

    public ComponentPlan Contract => new(Component, "matrix-rtc:index:Authorizer")
    {
        Objects = [Deployment, Service, Route],
        Secrets = [ApiSecret],
        Peers = [Peer],
        After = [NamespacesPlan.Component, Network.NetworkPlan.Component, Tls.TlsPlan.Component],
    };

    public static AuthorizerPlan Build(AuthorizerInput input)
    {
        var (ns, port) = (input.Namespace, input.Port);
        var deployment = DeploymentFor(input);
        // The LiveKit component generates the key and secret; the authorizer reads the key id from env (LIVEKIT_KEY)
        // and the secret from a file (LIVEKIT_SECRET_FROM_FILE).
        var secret = new SecretPlan(ns, SecretNames.LivekitApi, SecretPlan.Opaque, Component,
        [
            new(ApiKeys.KeyId, new SecretSource.Random(LivekitPlan.ApiKeyId)),
            new(ApiKeys.Secret, new SecretSource.Random(LivekitPlan.ApiSecretId)),
        ], [new SecretConsumer("Deployment", ns, Name)]);
        return new AuthorizerPlan(deployment, ServiceFor(ns, port),
            RtcRoutes.Build(input.Routing, input.Tls, input.RtcHost, ns, Component, Name, PublicPaths.Select(p => new RtcRoute(p, Name, port)).ToArray(), websocket: false),
            secret,
            Peer.Of(PeerName, deployment, new Listener(port, Protocol.Tcp, HttpPurpose)));
    }

    /// <summary>The container's environment (lk-jwt-service config.go). No secret value: the key id comes from the Secret, the secret from a file.</summary>
    public static IList<V1EnvVar> Env(AuthorizerInput input)
    {
        var env = new List<V1EnvVar>
        {
            // Handed to clients and used to create rooms: the public wss URL of the SFU.
            new() { Name = "LIVEKIT_URL", Value = input.SfuWssUrl },
            new()
            {
                Name = "LIVEKIT_KEY",
                ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = SecretNames.LivekitApi, Key = ApiKeys.KeyId } },
            },
            new() { Name = "LIVEKIT_SECRET_FROM_FILE", Value = $"{SecretDirectory}/{ApiKeys.Secret}" },
            // Only users of our own homeserver may create rooms; others can join rooms that exist.
            new() { Name = "LIVEKIT_FULL_ACCESS_HOMESERVERS", Value = input.ServerName },
            new() { Name = "LIVEKIT_JWT_BIND", Value = $":{input.Port}" },
        };
        if (input.SynapseInternalUrl.Length > 0)
        {
            // The local homeserver's client API for the delayed-event (MSC4140) calls of delegated leave events, reached
            // in-cluster. (OpenID tokens are never validated here: lk-jwt-service always asks the user's homeserver over
            // federation, /_matrix/federation/v1/openid/userinfo, so Synapse's federation listener must be reachable.)
            env.Add(new V1EnvVar { Name = "LIVEKIT_CS_API_URL_OVERRIDES", Value = $"{input.ServerName}={input.SynapseInternalUrl}" });
        }
        if (input.Tls.Mode == TlsMode.SelfSigned)
        {
            // It creates rooms through LIVEKIT_URL, i.e. through the ingress, whose certificate the internal CA signed.
            // Trust that CA in addition to the image's bundle: Go loads its default bundle and every file of SSL_CERT_DIR
            // (crypto/x509 root_unix.go), whereas SSL_CERT_FILE would replace the bundle and break the federation
            // lookups. Never LIVEKIT_INSECURE_SKIP_VERIFY_TLS: it turns off verification of those lookups too.
            // This holds for the Go releases (0.6.0 pinned). The Rust rewrite (0.7.0) builds its reqwest client with
            // rustls-tls (compiled-in webpki roots: element-hq/lk-jwt-service Cargo.toml, src/helper.rs http_client),
            // which never reads SSL_CERT_DIR: README "The authorizer" says why the pin stays at 0.6.0.
            env.Add(new V1EnvVar { Name = "SSL_CERT_DIR", Value = InternalCaDirectory });
        }
        return env;
    }

    public static V1Deployment DeploymentFor(AuthorizerInput input)
    {
        var ns = input.Namespace;
        var image = input.Image;
        var size = input.Size;
        var probe = new V1Probe
        {
            HttpGet = new V1HTTPGetAction { Path = "/healthz", Port = "http" },
            PeriodSeconds = 10,
            TimeoutSeconds = 3,
        };
        var resources = ContainerResources.For(size);
        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = Meta.Object(Name, ns, Name, image.Tag),
            Spec = new V1DeploymentSpec
            {
                // One replica: multi-replica is an open upstream issue (room creation is not coordinated).
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = Meta.Selector(Name) },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = Meta.Labels(Name, image.Tag) },
                    Spec = new V1PodSpec
                    {
                        AutomountServiceAccountToken = false,
                        EnableServiceLinks = false,
                        ImagePullSecrets = input.PullSecrets.Count == 0
                            ? null
                            : input.PullSecrets.Select(n => new V1LocalObjectReference { Name = n }).ToList(),
                        SecurityContext = new V1PodSecurityContext
                        {
                            RunAsNonRoot = true,
                            RunAsUser = LivekitPlan.RunAsUser,
                            RunAsGroup = LivekitPlan.RunAsUser,
                            FsGroup = LivekitPlan.RunAsUser,
                            SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
                        },
                        Containers =
                        [
                            new V1Container
                            {
                                Name = Name,
                                Image = image.Reference,
                                ImagePullPolicy = "IfNotPresent",
                                Env = Env(input),
                                Ports = [new V1ContainerPort { Name = "http", ContainerPort = input.Port, Protocol = "TCP" }],
                                LivenessProbe = probe,
                                ReadinessProbe = probe,
                                Resources = resources,
                                SecurityContext = SecurityContexts.Restricted(),
                                VolumeMounts = input.Tls.Mode == TlsMode.SelfSigned
                                    ?
                                    [
                                        new V1VolumeMount { Name = "livekit-api", MountPath = SecretDirectory, ReadOnlyProperty = true },
                                        new V1VolumeMount { Name = InternalCaVolume, MountPath = InternalCaDirectory, ReadOnlyProperty = true },
                                    ]
                                    : [new V1VolumeMount { Name = "livekit-api", MountPath = SecretDirectory, ReadOnlyProperty = true }],
                            },
                        ],
                        Volumes =
                        [
                            new V1Volume
                            {
                                Name = "livekit-api",
                                Secret = new V1SecretVolumeSource
                                {
                                    SecretName = SecretNames.LivekitApi,
                                    Items = [new V1KeyToPath { Key = ApiKeys.Secret, Path = ApiKeys.Secret }],
                                    DefaultMode = LivekitPlan.SecretFileMode,
                                },
                            },
                            .. InternalCaVolumes(input.Tls),
                        ],
                    },
                },
            },
        };
    }

    /// <summary>Where the internal CA certificate (self-signed mode) is mounted, the only file of <c>SSL_CERT_DIR</c> (not under the Secret directory: a mount point inside a Secret volume cannot be created).</summary>
    public const string InternalCaDirectory = "/etc/matrix-rtc-ca";
    private const string InternalCaVolume = "internal-ca";

    private static IEnumerable<V1Volume> InternalCaVolumes(TlsSpec tls) => tls.Mode != TlsMode.SelfSigned ? [] :
    [
        new V1Volume
        {
            Name = InternalCaVolume,
            // A certificate is public: world-readable is fine, and Go skips files it cannot read.
            Secret = new V1SecretVolumeSource { SecretName = SecretNames.InternalCa, Items = [new V1KeyToPath { Key = "ca.crt", Path = "ca.crt" }], DefaultMode = 0b100_100_100 },
        },
    ];

    public static V1Service ServiceFor(string ns, int port) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Meta.Object(Name, ns, Name),
        Spec = new V1ServiceSpec
        {
            Selector = Meta.Selector(Name),
            Ports = [new V1ServicePort { Name = "http", Port = port, TargetPort = "http", Protocol = "TCP" }],
        },
    };
}
