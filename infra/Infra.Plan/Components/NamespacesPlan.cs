using k8s.Models;
using Infra.Plan.Contract;
using Infra.Plan.Kubernetes;

namespace Infra.Plan.Components;

/// <summary>
/// The two namespaces this project owns. With host networking the media namespace admits host-network pods (Pod
/// Security <c>privileged</c>: <c>baseline</c> forbids hostNetwork and hostPort); without it the SFU (no host port left:
/// the post-renderer strips the chart's), and Egress meet <c>restricted</c>, like everything else.
/// </summary>
public sealed record NamespacesPlan(V1Namespace App, V1Namespace Media) : IComponentPlan
{
    public const string Component = "namespaces";

    public ComponentPlan Contract => new(Component, "matrix-rtc:index:Namespaces") { Objects = [App, Media] };

    public static NamespacesPlan Build(NamespacesInput input) =>
        new(Namespace(input.Namespace, "restricted"), Namespace(input.MediaNamespace, input.HostNetwork ? "privileged" : "restricted"));

    private static V1Namespace Namespace(string name, string level)
    {
        var meta = Meta.Object(name, null, Component);
        meta.Labels["pod-security.kubernetes.io/enforce"] = level;
        meta.Labels["pod-security.kubernetes.io/enforce-version"] = "latest";
        meta.Labels["pod-security.kubernetes.io/warn"] = level;
        meta.Labels["pod-security.kubernetes.io/audit"] = level;
        return new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = meta };
    }
}
