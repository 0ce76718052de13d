using k8s.Models;
using Infra.Plan.Components.Livekit;

namespace Infra.Plan.Components.Egress;

/// <summary>
/// The values of the egress chart (1.9.0: templates/deployment.yaml, configmap.yaml) this project sets. The chart copies
/// all of <c>egress:</c> into a ConfigMap read through <c>EGRESS_CONFIG_BODY</c>; here that holds only the two ports the
/// chart also turns into container ports: the config itself, with its secrets, comes from a Secret (the post-renderer
/// points <c>EGRESS_CONFIG_BODY</c> at it).
/// </summary>
public sealed record EgressChartValues(
    int ReplicaCount,
    ChartImage Image,
    int HealthPort,
    int PrometheusPort,
    int TerminationGracePeriodSeconds,
    V1ResourceRequirements Resources,
    V1Affinity Affinity,
    IReadOnlyDictionary<string, string> PodAnnotations,
    V1PodSecurityContext PodSecurityContext,
    V1SecurityContext SecurityContext)
{
    public YamlMap ToYaml()
    {
        var annotations = new YamlMap();
        foreach (var (k, v) in PodAnnotations.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            annotations.Add(k, v);
        }
        return new YamlMap
        {
            ["replicaCount"] = ReplicaCount,
            ["image"] = new YamlMap { ["repository"] = Image.Repository, ["tag"] = Image.Tag, ["pullPolicy"] = Image.PullPolicy },
            // The chart's default log_level is no Egress key (logging.level is): null removes it.
            ["egress"] = new YamlMap { ["log_level"] = null, ["health_port"] = HealthPort, ["prometheus_port"] = PrometheusPort },
            ["terminationGracePeriodSeconds"] = TerminationGracePeriodSeconds,
            ["autoscaling"] = new YamlMap { ["enabled"] = false },
            ["serviceAccount"] = new YamlMap { ["create"] = false },
            ["resources"] = YamlMap.FromModel(Resources),
            ["affinity"] = YamlMap.FromModel(Affinity),
            ["podAnnotations"] = annotations,
            ["podSecurityContext"] = YamlMap.FromModel(PodSecurityContext),
            ["securityContext"] = YamlMap.FromModel(SecurityContext),
            // The post-renderer's identity, as for the SFU (PostRendererInput): a changed post-renderer upgrades this release too.
            [PostRendererInput.ValuesKey] = new YamlMap { [PostRendererInput.IdentityEntry] = PostRendererInput.RecordedValue },
        };
    }
}
