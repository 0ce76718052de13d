using System.Text;
using k8s;

namespace Infra.Plan.Kubernetes;

/// <summary>Multi-document YAML, byte for byte what KubernetesClient's serializer writes (see <see cref="KubernetesYamlWriter"/>).</summary>
public static class ManifestWriter
{
    public static string Write(IEnumerable<IKubernetesObject> objects)
    {
        var sb = new StringBuilder();
        foreach (var obj in objects)
        {
            sb.Append("---\n");
            sb.Append(KubernetesYamlWriter.Serialize(obj).Replace("\r\n", "\n").TrimEnd('\n'));
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
