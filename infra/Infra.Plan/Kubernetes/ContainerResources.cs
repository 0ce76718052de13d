using k8s.Models;
using Infra.Plan.Sizing;

namespace Infra.Plan.Kubernetes;

/// <summary>Container resources from a tier's <see cref="ResourceSize"/>: the one place that turns sizes into requests and limits.</summary>
public static class ContainerResources
{
    /// <summary>
    /// Requests always; a memory limit always; a CPU limit only when Guaranteed, where it equals the request so the
    /// pod gets Guaranteed QoS (whole CPUs can then be pinned and are never throttled).
    /// </summary>
    public static V1ResourceRequirements For(ResourceSize size) => new()
    {
        Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(size.Cpu), ["memory"] = new(size.Memory) },
        Limits = size.Guaranteed
            ? new Dictionary<string, ResourceQuantity> { ["cpu"] = new(size.Cpu), ["memory"] = new(size.Memory) }
            : new Dictionary<string, ResourceQuantity> { ["memory"] = new(size.Memory) },
    };
}
