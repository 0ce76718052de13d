using System.Security.Cryptography;
using System.Text;
using k8s.Models;
using Infra.Plan.Kubernetes;
using Infra.Plan.Sizing;
using Infra.Plan.Spec;

namespace Infra.Plan.Components.Coturn;

/// <summary>
/// coturn on every media node: host network (TURN needs the node's real UDP ports), one pod per node, the
/// final config built by an init container into memory, and a sidecar that reloads the certificate.
/// </summary>
public static class CoturnDaemonSet
{
    /// <summary>The official image runs as nobody (65534).</summary>
    public const long Nobody = 65534;

    private const string TemplateVolume = "template";
    private const string SecretVolume = "shared-secret";
    private const string TlsVolume = "tls";
    private const string RunVolume = "run";
    private const string PidVolume = "pid";
    private const string KubeApiVolume = "kube-api";

    /// <summary>The projected token's lifetime: the kubelet's minimum (600 s); the init container uses it once, at start.</summary>
    public const long TokenExpirationSeconds = 600;

    /// <summary>Values of the init container's <c>EXTERNAL_IP_DISCOVERY</c> (CoturnScripts.Init).</summary>
    public const string DiscoveryNodeApi = "node-api";
    public const string DiscoveryOff = "off";

    public static V1DaemonSet Build(CoturnInput input, CoturnVersion version, V1ConfigMap config, string sharedSecretName, string tlsSecretName)
    {
        var ns = input.Site.MediaNamespace;
        var image = input.Images.Coturn.Reference;
        var ports = input.Ports;
        var size = input.Size;
        var labels = Meta.Labels(CoturnPlan.Component, version.ToString());
        return new V1DaemonSet
        {
            ApiVersion = "apps/v1",
            Kind = "DaemonSet",
            Metadata = Meta.Object(CoturnPlan.Component, ns, CoturnPlan.Component, version.ToString()),
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = Meta.Selector(CoturnPlan.Component) },
                // One node at a time: clients of the restarting node re-allocate on the others.
                UpdateStrategy = new V1DaemonSetUpdateStrategy
                {
                    Type = "RollingUpdate",
                    RollingUpdate = new V1RollingUpdateDaemonSet { MaxUnavailable = 1, MaxSurge = 0 },
                },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta
                    {
                        Labels = labels,
                        // A changed config or script rolls the pods (a ConfigMap edit alone would not).
                        Annotations = new Dictionary<string, string> { ["matrix-rtc/config-sha256"] = Checksum(config) },
                    },
                    Spec = PodSpec(input, version, image, ports, size, sharedSecretName, tlsSecretName),
                },
            },
        };
    }

    private static V1PodSpec PodSpec(CoturnInput input, CoturnVersion version, string image, Spec.Sections.PortsSpec ports, ResourceSize size,
        string sharedSecretName, string tlsSecretName) => new()
    {
        HostNetwork = true,
        // With hostNetwork the default policy would use the node's resolv.conf, not the cluster DNS.
        DnsPolicy = "ClusterFirstWithHostNet",
        // Lets the reloader signal turnserver by the PID in the shared pid file.
        ShareProcessNamespace = true,
        // No token in any container by default: only the init container mounts one, and only for discovery.
        ServiceAccountName = input.Turn.DiscoverExternalIp ? CoturnRbac.ServiceAccount : null,
        AutomountServiceAccountToken = false,
        EnableServiceLinks = false,
        // coturn stops at once on SIGTERM; clients reconnect through another node. 30 s covers the kubelet's
        // endpoint removal and any slow shutdown.
        TerminationGracePeriodSeconds = 30,
        NodeSelector = input.Nodes.MediaNodeSelector.ToDictionary(l => l.Key, l => l.Value),
        Tolerations = input.Nodes.MediaNodeTolerations.Count == 0 ? null : input.Nodes.MediaNodeTolerations
            .Select(t => new V1Toleration
            {
                Key = t.Key,
                OperatorProperty = t.Value is null ? "Exists" : "Equal",
                Value = t.Value,
                Effect = t.Effect,
            }).ToList(),
        ImagePullSecrets = input.Images.PullSecrets.Count == 0 ? null : input.Images.PullSecrets.Select(n => new V1LocalObjectReference { Name = n }).ToList(),
        SecurityContext = new V1PodSecurityContext
        {
            RunAsNonRoot = true,
            RunAsUser = Nobody,
            RunAsGroup = Nobody,
            // Secret files are group-readable by nobody (mode 0440), not world-readable.
            FsGroup = Nobody,
            SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
        },
        InitContainers =
        [
            new V1Container
            {
                Name = "config",
                Image = image,
                Command = ["/bin/sh", $"{CoturnPaths.TemplateDir}/{CoturnPaths.InitScript}"],
                Env = InitEnv(input),
                VolumeMounts =
                [
                    Mount(TemplateVolume, CoturnPaths.TemplateDir, true),
                    Mount(SecretVolume, CoturnPaths.SecretDir, true),
                    Mount(RunVolume, CoturnPaths.RunDir, false),
                    .. input.Turn.DiscoverExternalIp ? [Mount(KubeApiVolume, CoturnPaths.KubeApiDir, true)] : Array.Empty<V1VolumeMount>(),
                ],
                Resources = ContainerResources.For(SmallHelper),
                SecurityContext = Restricted(),
            },
        ],
        Containers =
        [
            new V1Container
            {
                Name = "turnserver",
                Image = image,
                Command = ["turnserver"],
                Args = ["-c", CoturnPaths.ConfigFile],
                Ports =
                [
                    HostPort("turn-udp", ports.Turn, "UDP"),
                    HostPort("turn-tcp", ports.Turn, "TCP"),
                    HostPort("turns-tcp", ports.TurnTlsEffective, "TCP"),
                    // DTLS only where the release starts it by itself (before 4.17.0): the port plan says the same.
                    .. version.StartsDtlsByDefault ? [HostPort("turns-udp", ports.TurnTlsEffective, "UDP")] : Array.Empty<V1ContainerPort>(),
                    HostPort("metrics", ports.TurnMetrics, "TCP"),
                ],
                // A TCP connect to the TURN port: turnserver accepts only once its listeners and relays are up.
                ReadinessProbe = new V1Probe
                {
                    TcpSocket = new V1TCPSocketAction { Port = ports.Turn },
                    PeriodSeconds = 10,
                    FailureThreshold = 3,
                },
                LivenessProbe = new V1Probe
                {
                    TcpSocket = new V1TCPSocketAction { Port = ports.Turn },
                    InitialDelaySeconds = 10,
                    PeriodSeconds = 20,
                    TimeoutSeconds = 5,
                    FailureThreshold = 3,
                },
                Resources = ContainerResources.For(size),
                SecurityContext = new V1SecurityContext
                {
                    // The official image gives /usr/bin/turnserver the file capability cap_net_bind_service+ep and
                    // runs as nobody. With drop ALL and no add, exec fails with EPERM. With NET_BIND_SERVICE added, the
                    // runtime puts it in the bounding, permitted and effective sets (not inheritable, not ambient), so
                    // for nobody it survives the exec only through the file capability, and no_new_privs keeps a file
                    // capability within the permitted set the process already has (kernel cap_bprm_creds_from_file):
                    // escalation is not needed. Shown on the real turnserver: tests/Infra.Plan.Tests/Coturn/CoturnPrivilegeTests.
                    AllowPrivilegeEscalation = false,
                    Privileged = false,
                    ReadOnlyRootFilesystem = true,
                    RunAsNonRoot = true,
                    Capabilities = new V1Capabilities { Drop = ["ALL"], Add = ["NET_BIND_SERVICE"] },
                },
                VolumeMounts =
                [
                    Mount(RunVolume, CoturnPaths.RunDir, false),
                    Mount(PidVolume, CoturnPaths.PidDir, false),
                    Mount(TlsVolume, CoturnPaths.TlsDir, true),
                ],
            },
            new V1Container
            {
                Name = "cert-reloader",
                Image = image,
                Command = ["/bin/sh", $"{CoturnPaths.TemplateDir}/{CoturnPaths.ReloadScript}"],
                Resources = ContainerResources.For(SmallHelper),
                SecurityContext = Restricted(),
                VolumeMounts =
                [
                    Mount(TemplateVolume, CoturnPaths.TemplateDir, true),
                    Mount(PidVolume, CoturnPaths.PidDir, true),
                    Mount(TlsVolume, CoturnPaths.TlsDir, true),
                ],
            },
        ],
        Volumes =
        [
            new V1Volume { Name = TemplateVolume, ConfigMap = new V1ConfigMapVolumeSource { Name = CoturnPlan.Component, DefaultMode = 0x124 /* 0444 */ } },
            new V1Volume { Name = SecretVolume, Secret = new V1SecretVolumeSource { SecretName = sharedSecretName, DefaultMode = 0x120 /* 0440 */ } },
            new V1Volume { Name = TlsVolume, Secret = new V1SecretVolumeSource { SecretName = tlsSecretName, DefaultMode = 0x120 /* 0440 */ } },
            // Memory-backed: the final config holds the shared secret and must never reach the node's disk.
            new V1Volume { Name = RunVolume, EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new ResourceQuantity("16Mi") } },
            new V1Volume { Name = PidVolume, EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new ResourceQuantity("1Mi") } },
            .. input.Turn.DiscoverExternalIp ? [KubeApi()] : Array.Empty<V1Volume>(),
        ],
    };

    private static List<V1EnvVar> InitEnv(CoturnInput input)
    {
        var env = new List<V1EnvVar>
        {
            Field("HOST_IP", "status.hostIP"),
            new() { Name = "EXTERNAL_IP_DISCOVERY", Value = input.Turn.DiscoverExternalIp ? DiscoveryNodeApi : DiscoveryOff },
        };
        if (input.Turn.DiscoverExternalIp)
        {
            // The Node to read; KUBERNETES_SERVICE_HOST/_PORT come from the kubelet (even with enableServiceLinks off).
            env.Add(Field("NODE_NAME", "spec.nodeName"));
        }
        return env;
    }

    private static V1EnvVar Field(string name, string path) =>
        new() { Name = name, ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = path } } };

    /// <summary>
    /// The coturn ServiceAccount's token (audience: the API server, the kubelet's minimum lifetime) and the cluster CA
    /// (the kube-root-ca.crt ConfigMap every namespace has), as one read-only projected volume for the init container.
    /// </summary>
    private static V1Volume KubeApi() => new()
    {
        Name = KubeApiVolume,
        Projected = new V1ProjectedVolumeSource
        {
            DefaultMode = 0x120, // 0440: group nobody (fsGroup) reads, nobody else
            Sources =
            [
                new V1VolumeProjection
                {
                    ServiceAccountToken = new V1ServiceAccountTokenProjection
                    {
                        Path = Path.GetFileName(CoturnPaths.KubeTokenFile),
                        ExpirationSeconds = TokenExpirationSeconds,
                    },
                },
                new V1VolumeProjection
                {
                    ConfigMap = new V1ConfigMapProjection
                    {
                        Name = "kube-root-ca.crt",
                        Items = [new V1KeyToPath { Key = "ca.crt", Path = Path.GetFileName(CoturnPaths.KubeCaFile) }],
                    },
                },
            ],
        },
    };

    /// <summary>The init container and the reloader: a shell and a sleep loop. Requests = limits keeps the pod Guaranteed.</summary>
    private static readonly ResourceSize SmallHelper = new(10, 16, true);


    private static V1SecurityContext Restricted() => new()
    {
        AllowPrivilegeEscalation = false,
        Privileged = false,
        ReadOnlyRootFilesystem = true,
        RunAsNonRoot = true,
        Capabilities = new V1Capabilities { Drop = ["ALL"] },
    };

    private static V1VolumeMount Mount(string name, string path, bool readOnly) => new() { Name = name, MountPath = path, ReadOnlyProperty = readOnly };

    // With hostNetwork, containerPort must equal hostPort; declaring them lets the scheduler refuse a second pod binding them.
    private static V1ContainerPort HostPort(string name, int port, string protocol) =>
        new() { Name = name, ContainerPort = port, HostPort = port, Protocol = protocol };

    private static string Checksum(V1ConfigMap config)
    {
        var sb = new StringBuilder();
        foreach (var (key, value) in config.Data.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            sb.Append(key).Append('\0').Append(value).Append('\0');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }
}
