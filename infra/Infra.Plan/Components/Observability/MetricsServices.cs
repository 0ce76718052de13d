using k8s.Models;
using Infra.Plan.Kubernetes;

namespace Infra.Plan.Components.Observability;

/// <summary>
/// A headless Service per scrape target, owned here rather than by the components, so a ServiceMonitor always
/// has exactly one Service with a port named <c>metrics</c> to select (the SFU and coturn run on the host
/// network: the Service's endpoints are the node addresses).
/// </summary>
public static class MetricsServices
{
    public const string TargetLabel = "matrix-rtc/metrics";

    public static V1Service Service(ScrapeTarget target)
    {
        var meta = Meta.Object(target.Job, target.Namespace, ObservabilityPlan.Component);
        meta.Labels[TargetLabel] = target.Job;
        return new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = meta,
            Spec = new V1ServiceSpec
            {
                ClusterIP = "None",
                Selector = target.PodSelector.ToDictionary(),
                Ports = [new V1ServicePort { Name = "metrics", Port = target.Port, TargetPort = target.Port, Protocol = "TCP" }],
            },
        };
    }
}
