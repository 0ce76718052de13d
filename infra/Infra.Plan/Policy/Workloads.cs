using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

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
/// Something that runs pods: a workload object of the plan, or a Helm release's values (the chart renders the
/// pods, so the values are what the plan decides). <see cref="Subject"/> names it in messages.
/// </summary>
public sealed record WorkloadView(string Subject, bool HostNetwork, int? Replicas, IReadOnlyList<ContainerView> Containers, V1PodSpec? Pod);

/// <summary>Finds every pod template of a plan: Deployments, StatefulSets, DaemonSets, Jobs, Pods, and Helm values under <c>helm/</c>.</summary>
public static class Workloads
{
    public static IReadOnlyList<WorkloadView> From(EnvironmentPlan plan) =>
        plan.Components.SelectMany(c => c.Objects).Select(FromObject).OfType<WorkloadView>()
            .Concat(plan.Files.Where(IsHelmValues).Select(FromHelmValues).OfType<WorkloadView>())
            .ToList();

    public static bool IsHelmValues(PlanFile file) =>
        file.Path.StartsWith("helm/", StringComparison.Ordinal) && (file.Path.EndsWith(".yaml") || file.Path.EndsWith(".yml"));

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
    /// The pod the livekit-server chart renders from its values: <c>image.repository:image.tag</c>, <c>resources</c>,
    /// <c>replicaCount</c>, <c>podHostNetwork</c> (the chart's default is true).
    /// </summary>
    public static WorkloadView? FromHelmValues(PlanFile file)
    {
        var root = Load(file.Content);
        if (root is null)
        {
            return null;
        }
        var image = Scalar(root, "image", "repository") is { } repo ? $"{repo}:{Scalar(root, "image", "tag")}" : "";
        var container = new ContainerView(
            "chart",
            image,
            Parse(Scalar(root, "resources", "requests", "cpu")),
            Parse(Scalar(root, "resources", "requests", "memory")),
            Parse(Scalar(root, "resources", "limits", "cpu")),
            Parse(Scalar(root, "resources", "limits", "memory")),
            []);
        var hostNetwork = Scalar(root, "podHostNetwork") is not { } hn || hn.Equals("true", StringComparison.OrdinalIgnoreCase);
        int? replicas = int.TryParse(Scalar(root, "replicaCount"), out var r) ? r : null;
        return new WorkloadView($"Helm values {file.Path}", hostNetwork, replicas, [container], null);
    }

    internal static YamlMappingNode? Load(string text)
    {
        try
        {
            var yaml = new YamlStream();
            yaml.Load(new StringReader(text));
            return yaml.Documents.Count > 0 ? yaml.Documents[0].RootNode as YamlMappingNode : null;
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return null;
        }
    }

    internal static string? Scalar(YamlMappingNode root, params string[] path)
    {
        YamlNode node = root;
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var child))
            {
                return null;
            }
            node = child;
        }
        return (node as YamlScalarNode)?.Value;
    }

    private static decimal? Quantity(IDictionary<string, ResourceQuantity>? map, string name) =>
        map is not null && map.TryGetValue(name, out var q) && q is not null ? q.ToDecimal() : null;

    private static decimal? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        try
        {
            return new ResourceQuantity(text).ToDecimal();
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
