using System.Text;
using k8s;

namespace Infra.Plan.Kubernetes;

/// <summary>Multi-document YAML with KubernetesClient's serializer: same objects, same bytes.</summary>
public static class ManifestWriter
{
    public static string Write(IEnumerable<IKubernetesObject> objects)
    {
        var sb = new StringBuilder();
        foreach (var obj in objects)
        {
            sb.Append("---\n");
            sb.Append(KubernetesYaml.Serialize(obj).Replace("\r\n", "\n").TrimEnd('\n'));
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
