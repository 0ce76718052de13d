using k8s.Models;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Components.Redis;
using Infra.Plan.Contract;
using Infra.Plan.Kubernetes;
using Infra.Plan.Net;
using Infra.Plan.Secrets;
using Infra.Plan.Sizing;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Egress;

/// <summary>
/// LiveKit Egress (only with <c>egress: true</c>): the official egress chart as a Helm release in the project namespace
/// (pod network, Pod Security <c>restricted</c>, never on the media nodes), joined to the SFU's rooms through its
/// in-cluster address and to its Redis. Its config carries the API key and secret, the Redis passwords and maybe S3 keys,
/// so it is a Secret the Pulumi layer fills (<see cref="ConfigSecret"/>); the post-renderer points the chart's
/// <c>EGRESS_CONFIG_BODY</c> at it instead of the chart's ConfigMap. Sized by <see cref="EgressSizing"/>.
/// </summary>
/// <param name="Config">The Egress config; its YAML (with holes for the secrets) is the config Secret's one key.</param>
/// <param name="Wiring">What the post-renderer does to the chart's Deployment (read from a pod annotation).</param>
public sealed record EgressPlan(
    EgressChartValues Values,
    SecretWiring Wiring,
    EgressConfig Config,
    HelmReleasePlan Release,
    V1PodDisruptionBudget Budget,
    IReadOnlyList<SecretPlan> Secrets,
    PlanFile ConfigPreview,
    Peer Pods) : IComponentPlan
{
    public const string Component = "egress";
    public const string ValuesFile = "helm/egress-values.yaml";
    public const string ConfigPreviewFile = "egress/config.yaml";

    /// <summary>Release and chart; the chart names its Deployment and container after itself (the release name contains it).</summary>
    public const string ReleaseName = "egress";
    public const string Chart = "egress";
    public const string FullName = "egress";
    public const string Container = "egress";

    /// <summary>The Secret with the whole Egress config, and the env var the chart reads it from (livekit/egress cmd/server/main.go: it wins over EGRESS_CONFIG_FILE).</summary>
    public const string ConfigSecret = "egress-config";
    public const string ConfigKey = "config.yaml";
    public const string ConfigEnv = "EGRESS_CONFIG_BODY";

    /// <summary>The chart's ports (egress chart 1.9.0 values.yaml): health (its probes) and Prometheus metrics.</summary>
    public const int HealthPort = 8080;
    public const int MetricsPort = 9090;

    /// <summary>
    /// The image's <c>egress</c> user. Its Dockerfile (livekit/egress v1.14.1 build/egress/Dockerfile) names it only
    /// (<c>USER egress</c>), which the kubelet cannot check against runAsNonRoot, so the pod gives the number:
    /// <c>useradd</c> without <c>-u</c> takes the first free id, and the base ubuntu:24.04 (via livekit/gstreamer
    /// 1.24.12-prod) already has <c>ubuntu</c> at 1000, so <c>egress</c> is 1001. Its primary group is root (gid 0,
    /// <c>useradd -g root</c>), which the runtime takes from the image's passwd: it owns the image's /home/egress.
    /// </summary>
    public const long RunAsUser = 1001;

    /// <summary>
    /// Egress's scratch root (livekit/egress pkg/config/base.go TmpDir): each job's TMPDIR is a directory in it
    /// (cmd/server/main.go runHandler), holding its file until upload and, for Chrome jobs, Chrome's shared memory and
    /// profile (--disable-dev-shm-usage puts them under TMPDIR instead of /dev/shm).
    /// </summary>
    public const string RecordingsDirectory = "/home/egress/tmp";

    /// <summary>/tmp: for anything that ignores TMPDIR; small (EgressCapacityModel.TmpGiB).</summary>
    public const string TmpDirectory = "/tmp";

    public const string RedisCaDirectory = "/etc/egress-redis-tls";
    public const string LogLevel = "info";

    public const string PeerName = "egress";
    public const string MetricsPurpose = "Egress metrics";
    public const string HealthPurpose = "health (kubelet probes)";

    /// <summary>Time a new Egress pod needs to pull its (large) image and turn ready; old pods drain in the background.</summary>
    public const int StartSeconds = 600;

    public const int MaxHistory = 10;

    /// <summary>A certificate is public: readable by the pod's user whatever its group.</summary>
    public const int CaFileMode = 0b100_100_100; // 0444

    public static Dictionary<string, string> PodSelector => new()
    {
        ["app.kubernetes.io/name"] = Chart,
        ["app.kubernetes.io/instance"] = ReleaseName,
    };

    public ComponentPlan Contract => new(Component, "matrix-rtc:index:Egress")
    {
        Objects = [Budget],
        Releases = [Release],
        Secrets = Secrets,
        Files = [Release.Values, ConfigPreview],
        Peers = [Pods],
        // LiveKit generates the API key it joins rooms with; Redis the passwords and the CA it trusts.
        After = [NamespacesPlan.Component, Network.NetworkPlan.Component, Tls.TlsPlan.Component, RedisPlan.Component, LivekitPlan.Component],
    };

    public static EgressPlan? Build(EgressInput input)
    {
        if (!input.Egress.Enabled || input.Sizing is not { } sizing)
        {
            return null;
        }
        var ns = input.Namespace;
        var consumer = new SecretConsumer("Deployment", ns, FullName);
        var secrets = new List<SecretPlan>();

        var (redis, caFile) = RedisFor(input, consumer, secrets);
        var config = new EgressConfig(
            // The key LiveKit generates (its "API" prefix included) and the secret the SFU's key_file pairs with it.
            new SecretSource.Random(LivekitPlan.ApiKeyId),
            new SecretSource.Random(LivekitPlan.ApiSecretId),
            input.SfuServiceUrl,
            redis,
            HealthPort,
            MetricsPort,
            LogLevel,
            input.Egress.MaxDurationSeconds,
            DisallowLocalStorage: true,
            input.Egress.StoragePrefix,
            S3For(input.Egress),
            sizing.MaxMemoryGiB,
            sizing.MemoryCostGiB);
        var template = config.Template(ConfigPreviewFile);
        secrets.Insert(0, new SecretPlan(ns, ConfigSecret, SecretPlan.Opaque, Component, [new(ConfigKey, template)], [consumer]));

        var wiring = WiringFor(input, sizing, caFile);
        var values = ValuesFor(input, sizing, wiring);
        var release = new HelmReleasePlan(ReleaseName, ns, Chart, input.Egress.ChartVersion, Names.LivekitChartRepo,
            new PlanFile(ValuesFile, ValuesYaml(values)), LivekitPlan.PostRendererPath,
            new ReleaseWait(SkipAwait: false, StartSeconds),
            // A rollback is a rollout too: it would drain the recordings of the new pods. Keep a short history instead.
            Atomic: false, MaxHistory, Pods: consumer,
            Workload: new ChartWorkload($"{values.Image.Repository}:{values.Image.Tag}", values.Resources, values.ReplicaCount, HostNetwork: false));
        var preview = new PlanFile(ConfigPreviewFile,
            $"# The LiveKit Egress config: Secret {ns}/{ConfigSecret} key {ConfigKey}, read through {ConfigEnv}.\n" +
            "# Generated by the plan; each <...> is a secret value the Pulumi layer fills in (see report/secrets.md).\n" +
            template.PreviewText());
        return new EgressPlan(values, wiring, config, release, DisruptionBudget(ns), secrets, preview,
            new Peer(PeerName, ns, PodSelector, PodSelector, HostNetwork: false,
            [
                new Listener(MetricsPort, Protocol.Tcp, MetricsPurpose),
                new Listener(HealthPort, Protocol.Tcp, HealthPurpose),
            ]));
    }

    /// <summary>
    /// The SFU's Redis: this project's Sentinel group (its generated passwords; with TLS its CA, copied into this
    /// namespace as <c>redis-tls-ca</c>, certificate only) or the existing one (its passwords read from the operator's
    /// Secrets, its CA copied from <c>existingRedisCaSecret</c>, else trusted through the image's bundle).
    /// </summary>
    private static (EgressRedis Redis, string? CaFile) RedisFor(EgressInput input, SecretConsumer consumer, List<SecretPlan> secrets)
    {
        var wiring = input.Redis;
        if (input.RedisMode == RedisMode.Existing)
        {
            static SecretSource Existing(SecretRef r) => new SecretSource.Existing(r.Namespace, r.Name, r.Key);
            string? existingCaFile = null;
            if (wiring.Tls && wiring.TlsCa is { } existingCa)
            {
                existingCaFile = $"{RedisCaDirectory}/ca.crt";
                secrets.Add(new SecretPlan(input.Namespace, SecretNames.RedisTlsCa, SecretPlan.Opaque, Component,
                    [new("ca.crt", Existing(existingCa))], [consumer]));
            }
            return (new EgressRedis(wiring.MasterName, wiring.SentinelAddresses, Existing(wiring.Password),
                wiring.SentinelPassword is { } sp ? Existing(sp) : null, wiring.Tls, existingCaFile), existingCaFile);
        }
        string? caFile = null;
        if (wiring.Tls)
        {
            caFile = $"{RedisCaDirectory}/ca.crt";
            secrets.Add(new SecretPlan(input.Namespace, SecretNames.RedisTlsCa, SecretPlan.Opaque, Component,
                [new("ca.crt", new SecretSource.IssuerCertificate(RedisPlan.ServerCertificateId))], [consumer]));
        }
        return (new EgressRedis(wiring.MasterName, wiring.SentinelAddresses, new SecretSource.Random(RedisPlan.RedisPasswordId),
            new SecretSource.Random(RedisPlan.SentinelPasswordId), wiring.Tls, caFile), caFile);
    }

    private static EgressS3? S3For(EgressSpec egress) => egress.S3 is not { } s3 ? null : s3.Credentials switch
    {
        S3Credentials.FromConfig c => new EgressS3(s3.Bucket, s3.Region, s3.Endpoint, s3.ForcePathStyle,
            new SecretSource.Config(EgressSection.S3AccessKey, c.AccessKey), new SecretSource.Config(EgressSection.S3SecretKey, c.SecretKey)),
        _ => new EgressS3(s3.Bucket, s3.Region, s3.Endpoint, s3.ForcePathStyle, null, null),
    };

    /// <summary>AWS SDK env names (aws-sdk-go-v2 config/env_config.go), read by the default chain when the config has no keys.</summary>
    public const string AccessKeyEnv = "AWS_ACCESS_KEY_ID";
    public const string SecretKeyEnv = "AWS_SECRET_ACCESS_KEY";

    public static SecretWiring WiringFor(EgressInput input, EgressSizing sizing, string? caFile)
    {
        var env = new List<SecretEnv> { new(ConfigEnv, ConfigSecret, ConfigKey, Replace: true) };
        if (input.Egress.S3?.Credentials is S3Credentials.FromSecret s)
        {
            env.Add(new SecretEnv(AccessKeyEnv, s.AccessKey.Name, s.AccessKey.Key));
            env.Add(new SecretEnv(SecretKeyEnv, s.SecretKey.Name, s.SecretKey.Key));
        }
        var files = caFile is null
            ? new List<SecretFileMount>()
            : [new SecretFileMount("redis-tls-ca", SecretNames.RedisTlsCa, "ca.crt", RedisCaDirectory, "ca.crt", CaFileMode)];
        return new SecretWiring(Container, env, files, StrictConfig: false,
            Scratch:
            [
                new ScratchMount("recordings", RecordingsDirectory, $"{sizing.ScratchGiB}Gi"),
                new ScratchMount("tmp", TmpDirectory, $"{sizing.TmpGiB}Gi"),
            ],
            NoServiceAccountToken: true,
            PullSecrets: input.PullSecrets.Count > 0 ? input.PullSecrets : null,
            PostRenderer: PostRendererIdentity.Version);
    }

    public static EgressChartValues ValuesFor(EgressInput input, EgressSizing sizing, SecretWiring wiring)
    {
        var image = input.Egress.Image;
        var pod = sizing.Pod;
        var resources = new V1ResourceRequirements
        {
            // Guaranteed: Egress admits jobs by its CPU limit (cgroup quota), so that CPU must really be there.
            Requests = new Dictionary<string, ResourceQuantity>
            {
                ["cpu"] = new(pod.Cpu),
                ["memory"] = new(pod.Memory),
                // Both scratch directories on the node's disk: schedule where they fit.
                ["ephemeral-storage"] = new($"{sizing.EphemeralGiB}Gi"),
            },
            Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(pod.Cpu), ["memory"] = new(pod.Memory) },
        };
        return new EgressChartValues(
            sizing.Replicas,
            new ChartImage(image.Repository, image.Digest is null ? image.Tag : $"{image.Tag}@{image.Digest}", "IfNotPresent"),
            HealthPort,
            MetricsPort,
            input.Egress.GracePeriodSeconds,
            resources,
            AffinityFor(input.MediaNodeSelector),
            new Dictionary<string, string>
            {
                // The chart's defaults (kept): no service-mesh sidecar between Egress and the SFU's media.
                ["sidecar.istio.io/inject"] = "false",
                ["linkerd.io/inject"] = "disabled",
                [SecretWiring.Annotation] = wiring.ToJson(),
            },
            new V1PodSecurityContext
            {
                RunAsNonRoot = true,
                RunAsUser = RunAsUser,
                SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
            },
            new V1SecurityContext
            {
                RunAsNonRoot = true,
                AllowPrivilegeEscalation = false,
                Capabilities = new V1Capabilities { Drop = ["ALL"] },
                // Writable root: the image's entrypoint.sh (set -e) removes and PulseAudio recreates files under /var/run,
                // /var/lib and /home/egress; Pod Security restricted does not require a read-only root.
                ReadOnlyRootFilesystem = false,
            });
    }

    /// <summary>
    /// Never on a media node (a media node matches every <c>mediaNodeSelector</c> label, so a node lacking any one of
    /// them is not one: one term per label), and spread over nodes so one node's loss stops fewer recordings.
    /// </summary>
    public static V1Affinity AffinityFor(IReadOnlyList<NodeLabel> mediaNodeSelector) => new()
    {
        NodeAffinity = new V1NodeAffinity
        {
            RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
            {
                NodeSelectorTerms = mediaNodeSelector.Select(l => new V1NodeSelectorTerm
                {
                    MatchExpressions = [new V1NodeSelectorRequirement { Key = l.Key, OperatorProperty = "NotIn", Values = [l.Value] }],
                }).ToList(),
            },
        },
        PodAntiAffinity = new V1PodAntiAffinity
        {
            PreferredDuringSchedulingIgnoredDuringExecution =
            [
                new V1WeightedPodAffinityTerm
                {
                    Weight = 100,
                    PodAffinityTerm = new V1PodAffinityTerm
                    {
                        LabelSelector = new V1LabelSelector { MatchLabels = PodSelector },
                        TopologyKey = "kubernetes.io/hostname",
                    },
                },
            ],
        },
    };

    public static string ValuesYaml(EgressChartValues values) =>
        "# Values of the egress chart for matrix-rtc (generated by the plan; Secret names only, no secret).\n" +
        $"# Install with the post-renderer {LivekitPlan.PostRendererPath}: it points {ConfigEnv} at Secret {ConfigSecret}.\n" +
        YamlTreeWriter.Write(values.ToYaml());

    /// <summary>Node drains stop one Egress at a time; each finishes its recordings within the grace period.</summary>
    public static V1PodDisruptionBudget DisruptionBudget(string ns) => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = Meta.Object(FullName, ns, Component),
        Spec = new V1PodDisruptionBudgetSpec
        {
            MaxUnavailable = 1,
            Selector = new V1LabelSelector { MatchLabels = PodSelector },
        },
    };
}
