using Infra.Plan;
using Infra.Plan.Components.Observability;
using Pulumi;

namespace Infra.Components;

public sealed class MonitoringArgs
{
    public required EnvironmentPlan Plan { get; init; }
}

/// <summary>
/// Registers the observability plan (metrics Services, ServiceMonitors, PrometheusRule, Grafana dashboard). Only
/// created when monitoring is on: the objects need the Prometheus operator's CRDs in the cluster.
/// </summary>
public sealed class Monitoring : ComponentResource
{
    public const string Type = "matrix-rtc:index:Monitoring";

    public Monitoring(string name, MonitoringArgs args, ComponentResourceOptions? opts = null) : base(Type, name, opts)
    {
        PlanObjects.Register(this, "objects", args.Plan.Component(ObservabilityPlan.Component), opts);
        RegisterOutputs();
    }
}
