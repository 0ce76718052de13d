using Infra.Plan.Policy;

namespace Infra.Plan.Tests.Checks;

/// <summary>
/// Every container states what it needs (requests) and a memory ceiling (a container without one can take the
/// node's memory and get its neighbours OOM-killed). Media pods (host network: SFU, coturn) run Guaranteed, their
/// media process with whole CPUs: with requests = limits and an integer CPU count the kubelet's static CPU manager can pin them,
/// and CFS throttling, which shows up as audio/video stutter, never applies.
/// </summary>
public static class ResourcePolicy
{
    public static IEnumerable<CheckViolation> Check(IReadOnlyList<WorkloadView> workloads)
    {
        foreach (var w in workloads)
        {
            foreach (var c in w.Containers)
            {
                var subject = $"{w.Subject} container {c.Name}";
                var missing = new List<string>();
                if (c.CpuRequest is null) missing.Add("requests.cpu");
                if (c.MemoryRequest is null) missing.Add("requests.memory");
                if (c.MemoryLimit is null) missing.Add("limits.memory");
                if (missing.Count > 0)
                {
                    yield return new CheckViolation(CheckRule.ContainerResources, subject,
                        $"has no {string.Join(", ", missing)}; every container needs CPU and memory requests and a memory limit");
                }
                // Guaranteed QoS needs requests = limits in every container of the pod, helpers included.
                if (w.HostNetwork && (c.CpuLimit is null || c.CpuRequest != c.CpuLimit || c.MemoryLimit is null || c.MemoryRequest != c.MemoryLimit))
                {
                    yield return new CheckViolation(CheckRule.MediaPodGuaranteed, subject,
                        $"requests (cpu {Show(c.CpuRequest)}, memory {Show(c.MemoryRequest)}) must equal limits (cpu {Show(c.CpuLimit)}, memory {Show(c.MemoryLimit)}): media pods run in the Guaranteed QoS class");
                }
            }
            // Whole CPUs for the media process itself (the pod's largest CPU user): the static CPU manager pins only
            // integer requests. Small helpers (config renderers, certificate reloaders) share the pool, which is fine.
            var media = w.HostNetwork ? w.Containers.Where(c => c.CpuLimit is not null).MaxBy(c => c.CpuLimit) : null;
            if (media is { CpuLimit: { } cpu } && (cpu % 1 != 0 || cpu < 1))
            {
                yield return new CheckViolation(CheckRule.MediaPodGuaranteed, $"{w.Subject} container {media.Name}",
                    $"CPU {Show(cpu)} is not a whole number of cores; the media process gets whole CPUs so it is never throttled");
            }
        }
    }

    private static string Show(decimal? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unset";
}
