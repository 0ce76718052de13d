using k8s;
using k8s.Models;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Policy;

namespace Infra.Plan.Tests.Policy;

/// <summary>Small Kubernetes objects to add to a real plan's policy input, so each policy test changes one thing.</summary>
internal static class PolicyFixtures
{
    public static PolicyInput With(this EnvironmentPlan plan, params IKubernetesObject[] objects) => PolicyInput.Of(plan).With(objects);

    public static PolicyInput With(this PolicyInput input, params IKubernetesObject[] objects) =>
        input with { Objects = [.. input.Objects, .. objects] };

    /// <summary>A second release whose values file is <paramref name="content"/>.</summary>
    public static PolicyInput WithValuesFile(this PolicyInput input, string path, string content) =>
        input with { Releases = [.. input.Releases, input.Releases[0] with { Values = new PlanFile(path, content) }] };

    /// <summary>The plan with the SFU's chart values changed: the pods its release renders follow them.</summary>
    public static PolicyInput WithSfuValues(this EnvironmentPlan plan, Func<LivekitChartValues, LivekitChartValues> change)
    {
        var input = PolicyInput.Of(plan);
        var pods = LivekitPlan.WorkloadOf(change(plan.Livekit.Values));
        return input with { Releases = input.Releases.Select(r => r.Name == plan.Livekit.Release.Name ? r with { Workload = pods } : r).ToList() };
    }

    public static V1ResourceRequirements Resources(string? cpuReq, string? memReq, string? cpuLim, string? memLim)
    {
        var r = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity>(), Limits = new Dictionary<string, ResourceQuantity>() };
        if (cpuReq is not null) r.Requests["cpu"] = new ResourceQuantity(cpuReq);
        if (memReq is not null) r.Requests["memory"] = new ResourceQuantity(memReq);
        if (cpuLim is not null) r.Limits["cpu"] = new ResourceQuantity(cpuLim);
        if (memLim is not null) r.Limits["memory"] = new ResourceQuantity(memLim);
        return r;
    }

    public static V1Container Container(string name, string image, V1ResourceRequirements resources, params (int Port, string Protocol)[] ports) => new()
    {
        Name = name,
        Image = image,
        Resources = resources,
        Ports = ports.Select(p => new V1ContainerPort { ContainerPort = p.Port, Protocol = p.Protocol }).ToList(),
    };

    public static V1Deployment Deployment(string name, params V1Container[] containers) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "matrix-rtc" },
        Spec = new V1DeploymentSpec
        {
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec { Spec = new V1PodSpec { Containers = containers } },
        },
    };

    public static V1DaemonSet HostNetworkDaemonSet(string name, params V1Container[] containers) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "DaemonSet",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "matrix-rtc-media" },
        Spec = new V1DaemonSetSpec
        {
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec { Spec = new V1PodSpec { HostNetwork = true, Containers = containers } },
        },
    };

    public static V1ConfigMap ConfigMap(string name, params (string Key, string Value)[] data) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "matrix-rtc" },
        Data = data.ToDictionary(d => d.Key, d => d.Value),
    };

    public const string PinnedImage = "registry.example.org/x:1.0@sha256:0000000000000000000000000000000000000000000000000000000000000001";
}
