using k8s.Models;
using Infra.Plan.Kubernetes;
using Infra.Plan.Secrets;
using Infra.Plan.Sizing;

namespace Infra.Plan.Components.Redis;

/// <summary>
/// N pods, each a data container and a sentinel container. Parallel pod management: the start scripts,
/// not the StatefulSet's ordering, decide roles, so a full restart does not wait on pod 0 being ready.
/// </summary>
public static class RedisStatefulSet
{
    private const string ConfigVolume = "config";
    private const string AuthVolume = "auth";
    private const string TlsVolume = "tls";
    private const string DataVolume = "data";
    private const string RunVolume = "run";
    private const string SentinelVolume = "sentinel";
    private const string TmpVolume = "tmp";

    public const string DataContainer = "redis";
    public const string SentinelContainer = "sentinel";

    /// <param name="sidecars">Containers other components add to each Redis pod (the metrics exporter).</param>
    public static V1StatefulSet Build(RedisLayout l, IReadOnlyList<V1Container>? sidecars = null)
    {
        var podMeta = new V1ObjectMeta
        {
            Labels = Meta.Labels(Names.Redis, l.Image.Tag),
            Annotations = new Dictionary<string, string> { ["matrix-rtc/config-checksum"] = RedisConfigMap.Checksum(l) },
        };
        return new V1StatefulSet
        {
            ApiVersion = "apps/v1",
            Kind = "StatefulSet",
            Metadata = Meta.Object(l.StatefulSetName, l.Namespace, Names.Redis, l.Image.Tag),
            Spec = new V1StatefulSetSpec
            {
                ServiceName = l.HeadlessService,
                Replicas = l.DataNodes,
                PodManagementPolicy = "Parallel",
                UpdateStrategy = new V1StatefulSetUpdateStrategy { Type = "RollingUpdate" },
                Selector = new V1LabelSelector { MatchLabels = Meta.Selector(Names.Redis) },
                Template = new V1PodTemplateSpec { Metadata = podMeta, Spec = PodSpec(l, sidecars ?? []) },
                VolumeClaimTemplates = l.Persistence ? [DataClaim(l)] : null,
            },
        };
    }

    private static V1PodSpec PodSpec(RedisLayout l, IReadOnlyList<V1Container> sidecars) => new()
    {
        // The pods never talk to the Kubernetes API: no token in them.
        AutomountServiceAccountToken = false,
        EnableServiceLinks = false,
        // preStop may wait for the sentinels to settle and then for the handover; then SIGTERM and a few seconds.
        TerminationGracePeriodSeconds = RedisLayout.PreStopSettleSeconds + RedisLayout.PreStopWaitSeconds + 10,
        SecurityContext = new V1PodSecurityContext
        {
            RunAsNonRoot = true,
            RunAsUser = RedisLayout.RunAsUser,
            RunAsGroup = RedisLayout.RunAsUser,
            FsGroup = RedisLayout.RunAsUser,
            SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
        },
        Affinity = AntiAffinity(l),
        Containers = [Data(l), Sentinel(l), .. sidecars],
        Volumes = Volumes(l),
    };

    /// <summary>One pod per node: a node failure costs one data node and one sentinel, never the quorum.</summary>
    private static V1Affinity AntiAffinity(RedisLayout l)
    {
        var term = new V1PodAffinityTerm
        {
            TopologyKey = "kubernetes.io/hostname",
            LabelSelector = new V1LabelSelector { MatchLabels = Meta.Selector(Names.Redis) },
        };
        return new V1Affinity
        {
            PodAntiAffinity = l.RequiredAntiAffinity
                ? new V1PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [term] }
                : new V1PodAntiAffinity
                {
                    // dev clusters may have a single node: prefer spreading, do not require it.
                    PreferredDuringSchedulingIgnoredDuringExecution = [new V1WeightedPodAffinityTerm { Weight = 100, PodAffinityTerm = term }],
                },
        };
    }

    private static V1Container Data(RedisLayout l) => new()
    {
        Name = DataContainer,
        Image = l.Image.Reference,
        ImagePullPolicy = "IfNotPresent",
        Command = ["sh", $"{RedisLayout.ScriptDir}/{RedisScripts.RedisStart}"],
        Env = Env(),
        Ports = [new V1ContainerPort { Name = "redis", ContainerPort = RedisLayout.RedisPort, Protocol = "TCP" }],
        Resources = ContainerResources.For(l.DataSize),
        SecurityContext = SecurityContexts.Restricted(),
        // The start script may wait for a failover (MasterWaitSeconds) before the server listens.
        StartupProbe = Probe("redis", periodSeconds: 2, failureThreshold: l.MasterWaitSeconds / 2 + 15),
        ReadinessProbe = Probe("redis", periodSeconds: 5, failureThreshold: 2),
        LivenessProbe = Probe("redis", periodSeconds: 10, failureThreshold: 3),
        Lifecycle = new V1Lifecycle
        {
            PreStop = new V1LifecycleHandler
            {
                Exec = new V1ExecAction { Command = ["sh", $"{RedisLayout.ScriptDir}/{RedisScripts.PreStop}"] },
            },
        },
        VolumeMounts = Mounts(l, [(DataVolume, RedisLayout.DataDir), (RunVolume, RedisLayout.ConfDir)]),
    };

    private static V1Container Sentinel(RedisLayout l) => new()
    {
        Name = SentinelContainer,
        Image = l.Image.Reference,
        ImagePullPolicy = "IfNotPresent",
        Command = ["sh", $"{RedisLayout.ScriptDir}/{RedisScripts.SentinelStart}"],
        Env = Env(),
        Ports = [new V1ContainerPort { Name = "sentinel", ContainerPort = RedisLayout.SentinelPort, Protocol = "TCP" }],
        Resources = ContainerResources.For(l.SentinelSize),
        SecurityContext = SecurityContexts.Restricted(),
        StartupProbe = Probe("sentinel", periodSeconds: 2, failureThreshold: 30),
        ReadinessProbe = Probe("sentinel", periodSeconds: 5, failureThreshold: 2),
        LivenessProbe = Probe("sentinel", periodSeconds: 10, failureThreshold: 3),
        VolumeMounts = Mounts(l, [(SentinelVolume, RedisLayout.SentinelDir)]),
    };

    private static List<V1EnvVar> Env() =>
    [
        new V1EnvVar { Name = "POD_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } },
        // redis-cli/valkey-cli look for a history file under $HOME; the root filesystem is read-only.
        new V1EnvVar { Name = "HOME", Value = RedisLayout.TmpDir },
    ];

    private static V1Probe Probe(string target, int periodSeconds, int failureThreshold) => new()
    {
        Exec = new V1ExecAction { Command = ["sh", $"{RedisLayout.ScriptDir}/{RedisScripts.Probe}", target] },
        PeriodSeconds = periodSeconds,
        TimeoutSeconds = 5,
        FailureThreshold = failureThreshold,
    };



    private static List<V1VolumeMount> Mounts(RedisLayout l, (string Volume, string Path)[] writable)
    {
        var mounts = new List<V1VolumeMount>
        {
            new() { Name = ConfigVolume, MountPath = RedisLayout.ScriptDir, ReadOnlyProperty = true },
            new() { Name = AuthVolume, MountPath = RedisLayout.AuthDir, ReadOnlyProperty = true },
            new() { Name = TmpVolume, MountPath = RedisLayout.TmpDir },
        };
        mounts.AddRange(writable.Select(w => new V1VolumeMount { Name = w.Volume, MountPath = w.Path }));
        if (l.Tls)
        {
            mounts.Add(new V1VolumeMount { Name = TlsVolume, MountPath = RedisLayout.TlsDir, ReadOnlyProperty = true });
        }
        return mounts;
    }

    private static List<V1Volume> Volumes(RedisLayout l)
    {
        var volumes = new List<V1Volume>
        {
            new() { Name = ConfigVolume, ConfigMap = new V1ConfigMapVolumeSource { Name = RedisLayout.ConfigMapName, DefaultMode = 0b100_100_100 } },
            // 0440 + fsGroup: readable by the server's group, nobody else.
            new() { Name = AuthVolume, Secret = new V1SecretVolumeSource { SecretName = SecretNames.RedisAuth, DefaultMode = 0b100_100_000 } },
            // The generated redis.conf holds the password: keep it in memory, never on the node's disk.
            new() { Name = RunVolume, EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new ResourceQuantity("1Mi") } },
            new() { Name = SentinelVolume, EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new ResourceQuantity("1Mi") } },
            new() { Name = TmpVolume, EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity("16Mi") } },
        };
        if (!l.Persistence)
        {
            volumes.Add(new V1Volume { Name = DataVolume, EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity($"{l.DataSize.MemoryMiB * 2}Mi") } });
        }
        if (l.Tls)
        {
            volumes.Add(new V1Volume { Name = TlsVolume, Secret = new V1SecretVolumeSource { SecretName = SecretNames.RedisTls, DefaultMode = 0b100_100_000 } });
        }
        return volumes;
    }

    private static V1PersistentVolumeClaim DataClaim(RedisLayout l) => new()
    {
        ApiVersion = "v1",
        Kind = "PersistentVolumeClaim",
        Metadata = new V1ObjectMeta { Name = DataVolume, Labels = Meta.Labels(Names.Redis) },
        Spec = new V1PersistentVolumeClaimSpec
        {
            AccessModes = ["ReadWriteOnce"],
            StorageClassName = l.StorageClass.Length > 0 ? l.StorageClass : null,
            Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(l.StorageSize) } },
        },
    };
}
