using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;

namespace Infra.Plan.Contract;

/// <summary>
/// How a rotated Secret reaches the pods that read it. LiveKit reads <c>secret_file</c> and <c>key_file</c> once, coturn
/// reads its secret in its init container, Redis reads its passwords at start and Valkey 8 never reloads its TLS
/// certificate: a changed Secret reaches none of them until their pods restart. So each consumer's pod template
/// carries <see cref="Annotation"/>: a hash of the content of every Secret it reads (<see cref="SecretPlan.ConsumedBy"/>),
/// computed by the Pulumi layer from the generated values. A rotation changes the hash and rolls exactly the readers;
/// nothing changed, nothing rolls. The hash is unsalted SHA-256: every Secret it covers holds a generated value of at
/// least 238 bits, a private key, or only a (public) certificate.
/// </summary>
public static class SecretHashes
{
    public const string Annotation = "matrix-rtc/secrets-sha256";

    /// <summary>The hash of one Secret's content: its keys and values, in key order.</summary>
    public static string Content(IEnumerable<KeyValuePair<string, string>> data)
    {
        var sb = new StringBuilder();
        foreach (var (key, value) in data.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            sb.Append(key).Append('\0').Append(value).Append('\0');
        }
        return Sha256(sb.ToString());
    }

    /// <summary>One value for a pod that reads several Secrets: their hashes by namespace/name, in name order.</summary>
    public static string Combine(IEnumerable<KeyValuePair<string, string>> secretHashes) =>
        Sha256(string.Join("\n", secretHashes.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key} {e.Value}")));

    /// <summary>The consumer a workload object is (kind, namespace, name), or null for objects without pods.</summary>
    public static SecretConsumer? ConsumerOf(IKubernetesObject obj) => obj switch
    {
        V1Deployment d => new("Deployment", d.Metadata.NamespaceProperty, d.Metadata.Name),
        V1StatefulSet s => new("StatefulSet", s.Metadata.NamespaceProperty, s.Metadata.Name),
        V1DaemonSet ds => new("DaemonSet", ds.Metadata.NamespaceProperty, ds.Metadata.Name),
        _ => null,
    };

    /// <summary>A copy of <paramref name="workload"/> whose pod template carries <see cref="Annotation"/> = <paramref name="hash"/>.</summary>
    public static IKubernetesObject WithAnnotation(IKubernetesObject workload, string hash)
    {
        // A copy through the serializer: the plan's objects stay as render wrote them.
        IKubernetesObject copy = workload switch
        {
            V1Deployment d => KubernetesYaml.Deserialize<V1Deployment>(KubernetesYaml.Serialize(d)),
            V1StatefulSet s => KubernetesYaml.Deserialize<V1StatefulSet>(KubernetesYaml.Serialize(s)),
            V1DaemonSet ds => KubernetesYaml.Deserialize<V1DaemonSet>(KubernetesYaml.Serialize(ds)),
            _ => throw new ArgumentException($"{workload.Kind} has no pod template", nameof(workload)),
        };
        var template = copy switch
        {
            V1Deployment d => d.Spec.Template,
            V1StatefulSet s => s.Spec.Template,
            _ => ((V1DaemonSet)copy).Spec.Template,
        };
        template.Metadata ??= new V1ObjectMeta();
        template.Metadata.Annotations ??= new Dictionary<string, string>();
        template.Metadata.Annotations[Annotation] = hash;
        return copy;
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
