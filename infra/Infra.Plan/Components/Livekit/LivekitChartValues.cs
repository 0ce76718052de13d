using k8s.Models;

namespace Infra.Plan.Components.Livekit;

/// <summary>The <c>image:</c> values. The chart renders <c>repository:tag</c>, so a digest rides in the tag.</summary>
public sealed record ChartImage(string Repository, string Tag, string PullPolicy)
{
    public YamlMap ToYaml() => new() { ["repository"] = Repository, ["tag"] = Tag, ["pullPolicy"] = PullPolicy };
}

/// <summary>
/// The values of the livekit-server chart (1.9.0, templates/deployment.yaml and friends) this project sets.
/// Pod-level parts are k8s.Models objects; <see cref="Livekit"/> is the typed server config.
/// </summary>
/// <param name="KeysSecret">storeKeysInSecret.existingSecret: holds <c>key_file</c> (never the chart's own Secret).</param>
/// <param name="ChartDefaultsToRemove">Paths under <c>livekit:</c> whose chart defaults must go (LiveKit does not know them, or they contradict the plan); written as null.</param>
public sealed record LivekitChartValues(
    int ReplicaCount,
    ChartImage Image,
    IReadOnlyList<string> ImagePullSecrets,
    int TerminationGracePeriodSeconds,
    bool PodHostNetwork,
    V1ResourceRequirements Resources,
    IReadOnlyDictionary<string, string> NodeSelector,
    IReadOnlyList<V1Toleration> Tolerations,
    V1Affinity Affinity,
    IReadOnlyDictionary<string, string> PodAnnotations,
    V1PodSecurityContext PodSecurityContext,
    V1SecurityContext SecurityContext,
    V1DeploymentStrategy DeploymentStrategy,
    string KeysSecret,
    int ServicePort,
    bool ServiceMonitor,
    LivekitServerConfig Livekit,
    IReadOnlyList<string> ChartDefaultsToRemove,
    string? TurnTlsSecret = null)
{
    /// <summary>
    /// The chart's own key beside LiveKit's under <c>livekit.turn</c>: with LiveKit serving TURN/TLS the chart requires it,
    /// mounts that kubernetes.io/tls Secret at /etc/lkcert and points LIVEKIT_TURN_CERT/KEY there (templates/deployment.yaml).
    /// The chart also copies it into LiveKit's config, where strict mode would refuse it: the post-renderer drops it
    /// there (<see cref="SecretWiring.ChartOnlyConfigKeys"/>).
    /// </summary>
    public const string TurnSecretNameKey = "turn.secretName";

    public YamlMap ToYaml()
    {
        var livekit = Livekit.ToYaml();
        if (TurnTlsSecret is not null && livekit["turn"] is YamlMap turn)
        {
            turn["secretName"] = TurnTlsSecret;
        }
        foreach (var path in ChartDefaultsToRemove)
        {
            SetNull(livekit, path.Split('.'));
        }
        return new YamlMap
        {
            ["replicaCount"] = ReplicaCount,
            ["image"] = Image.ToYaml(),
            ["imagePullSecrets"] = ImagePullSecrets.Select(n => (object?)new YamlMap { ["name"] = n }).ToList(),
            ["terminationGracePeriodSeconds"] = TerminationGracePeriodSeconds,
            ["podHostNetwork"] = PodHostNetwork,
            ["resources"] = YamlMap.FromModel(Resources),
            ["nodeSelector"] = Sorted(NodeSelector),
            ["tolerations"] = Tolerations.Select(YamlMap.FromModel).ToList(),
            ["affinity"] = YamlMap.FromModel(Affinity),
            ["podAnnotations"] = Sorted(PodAnnotations),
            ["podSecurityContext"] = YamlMap.FromModel(PodSecurityContext),
            ["securityContext"] = YamlMap.FromModel(SecurityContext),
            ["deploymentStrategy"] = YamlMap.FromModel(DeploymentStrategy),
            ["storeKeysInSecret"] = new YamlMap { ["enabled"] = true, ["existingSecret"] = KeysSecret },
            // No chart Ingress or load balancer: the routing is our own Ingress per namespace.
            ["loadBalancer"] = new YamlMap { ["type"] = "disable", ["servicePort"] = ServicePort },
            ["turnLoadbalancer"] = new YamlMap { ["enable"] = false },
            ["autoscaling"] = new YamlMap { ["enabled"] = false },
            ["serviceAccount"] = new YamlMap { ["create"] = false },
            ["serviceMonitor"] = new YamlMap { ["create"] = ServiceMonitor, ["interval"] = "30s" },
            ["livekit"] = livekit,
            // Not read by the chart: a changed post-renderer changes the values, so Helm upgrades and re-runs it (PostRendererInput).
            [PostRendererInput.ValuesKey] = new YamlMap { [PostRendererInput.IdentityEntry] = PostRendererInput.RecordedValue },
        };
    }

    private static YamlMap Sorted(IReadOnlyDictionary<string, string> map)
    {
        var result = new YamlMap();
        foreach (var (k, v) in map.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            result.Add(k, v);
        }
        return result;
    }

    private static void SetNull(YamlMap map, ReadOnlySpan<string> path)
    {
        if (path.Length == 1)
        {
            if (!map.ContainsKey(path[0]))
            {
                map[path[0]] = null;
            }
            return;
        }
        if (map[path[0]] is not YamlMap child)
        {
            child = new YamlMap();
            map[path[0]] = child;
        }
        SetNull(child, path[1..]);
    }
}
