using k8s;
using k8s.Models;
using Infra.Plan.Kubernetes;
using Infra.Plan.Spec;

namespace Infra.Plan.Components;

/// <summary>
/// The two namespaces this project owns. The media namespace admits host-network pods (Pod Security
/// <c>privileged</c>: <c>baseline</c> forbids hostNetwork); everything else runs <c>restricted</c>.
/// </summary>
public static class NamespacesPlan
{
    public const string Component = "namespaces";

    public static ComponentPlan Build(EnvironmentSpec spec) => new(Component,
    [
        Namespace(spec.Site.Namespace, "restricted"),
        Namespace(spec.Site.MediaNamespace, "privileged"),
    ]);

    private static IKubernetesObject Namespace(string name, string level)
    {
        var meta = Meta.Object(name, null, Component);
        meta.Labels["pod-security.kubernetes.io/enforce"] = level;
        meta.Labels["pod-security.kubernetes.io/enforce-version"] = "latest";
        meta.Labels["pod-security.kubernetes.io/warn"] = level;
        meta.Labels["pod-security.kubernetes.io/audit"] = level;
        return new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = meta };
    }
}
