using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Infra.Plan.Kubernetes;

/// <summary>
/// An object of a CRD the KubernetesClient models do not know (ServiceMonitor, PrometheusRule, cert-manager
/// Certificate): typed metadata, spec as plain data. Serialized by the same <see cref="ManifestWriter"/>.
/// Spec values must be deterministic collections (use <see cref="SortedDictionary{TKey,TValue}"/> or lists).
/// </summary>
public sealed class CustomObject : IKubernetesObject<V1ObjectMeta>
{
    public CustomObject(string apiVersion, string kind, V1ObjectMeta metadata, object spec)
    {
        ApiVersion = apiVersion;
        Kind = kind;
        Metadata = metadata;
        Spec = spec;
    }

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; }

    [JsonPropertyName("kind")]
    public string Kind { get; set; }

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; }

    [JsonPropertyName("spec")]
    public object Spec { get; set; }
}
