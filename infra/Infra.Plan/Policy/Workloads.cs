using k8s;
using k8s.Models;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Contract;

namespace Infra.Plan.Policy;

/// <summary>A container as the policies see it: image, resources as decimals (cores, bytes), host ports.</summary>
public sealed record ContainerView(
    string Name,
    string Image,
    decimal? CpuRequest,
    decimal? MemoryRequest,
    decimal? CpuLimit,
    decimal? MemoryLimit,
    IReadOnlyList<(int Port, string Protocol)> Ports);

/// <summary>
/// Something that runs pods: a workload object of the plan, or a Helm release's chart pods (the chart renders them, so
/// the values are what the plan decides). <see cref="Subject"/> names it in messages.
/// </summary>
public sealed record WorkloadView(string Subject, bool HostNetwork, int? Replicas, IReadOnlyList<ContainerView> Containers, V1PodSpec? Pod);

/// <summary>Finds every pod template of a plan: Deployments, StatefulSets, DaemonSets, Jobs, Pods, and each release's chart pods.</summary>
public static class Workloads
{
    /// <summary>How messages name the SFU, whose pods the chart renders from the values file.</summary>
    public const string SfuSubject = $"Helm values {LivekitPlan.ValuesFile}";

    public static IReadOnlyList<WorkloadView> From(PolicyInput plan) =>
        plan.Objects.Select(FromObject).OfType<WorkloadView>()
            .Concat(plan.Releases.Where(r => r.Workload is not null).Select(FromRelease))
            .ToList();

    public static WorkloadView? FromObject(IKubernetesObject obj)
    {
        var (meta, replicas, pod) = obj switch
        {
            V1Deployment d => (d.Metadata, d.Spec?.Replicas ?? 1, d.Spec?.Template?.Spec),
            V1StatefulSet s => (s.Metadata, s.Spec?.Replicas ?? 1, s.Spec?.Template?.Spec),
            V1DaemonSet ds => (ds.Metadata, (int?)null, ds.Spec?.Template?.Spec),
            V1Job j => (j.Metadata, (int?)1, j.Spec?.Template?.Spec),
            V1Pod p => (p.Metadata, (int?)1, p.Spec),
            _ => (null, null, null),
        };
        if (pod is null)
        {
            return null;
        }
        var subject = $"{obj.Kind} {meta?.NamespaceProperty}/{meta?.Name}";
        var containers = (pod.InitContainers ?? []).Concat(pod.Containers ?? []).Select(c => new ContainerView(
            c.Name,
            c.Image ?? "",
            Quantity(c.Resources?.Requests, "cpu"),
            Quantity(c.Resources?.Requests, "memory"),
            Quantity(c.Resources?.Limits, "cpu"),
            Quantity(c.Resources?.Limits, "memory"),
            (c.Ports ?? []).Select(p => (p.HostPort ?? (pod.HostNetwork == true ? p.ContainerPort : 0), (p.Protocol ?? "TCP").ToUpperInvariant()))
                .Where(p => p.Item1 > 0).ToList())).ToList();
        return new WorkloadView(subject, pod.HostNetwork == true, replicas, containers, pod);
    }

    /// <summary>
    /// The pod a chart renders from the release's values (<see cref="HelmReleasePlan.Workload"/>: image, resources,
    /// replicas, host network), named after the values file.
    /// </summary>
    public static WorkloadView FromRelease(HelmReleasePlan release)
    {
        var w = release.Workload!;
        var container = new ContainerView(
            "chart",
            w.Image,
            Quantity(w.Resources.Requests, "cpu"),
            Quantity(w.Resources.Requests, "memory"),
            Quantity(w.Resources.Limits, "cpu"),
            Quantity(w.Resources.Limits, "memory"),
            []);
        return new WorkloadView($"Helm values {release.Values.Path}", w.HostNetwork, w.Replicas, [container], null);
    }

    private static decimal? Quantity(IDictionary<string, ResourceQuantity>? map, string name) =>
        map is not null && map.TryGetValue(name, out var q) && q is not null ? q.ToDecimal() : null;
}
