using Infra.Plan.Components;
using Infra.Plan.Components.Network;
using Infra.Plan.Components.Synapse;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Ports;
using Infra.Plan.Components.Authorizer;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Components.Observability;
using Infra.Plan.Rendering;
using Infra.Plan.Sizing;
using Infra.Plan.Spec;

namespace Infra.Plan;

/// <summary>
/// Builds the whole environment plan from a validated spec, component by component, in dependency order.
/// Deterministic: the same spec gives the same plan.
/// </summary>
public static class Planner
{
    public static EnvironmentPlan Build(EnvironmentSpec spec)
    {
        var sizing = SizingPlan.For(spec);
        var topology = Topology.For(spec);
        var network = NetworkPlan.Build(spec);
        var synapse = SynapsePlan.Build(spec, topology);
        var livekit = LivekitPlan.Build(spec, topology, sizing);
        var components = new List<ComponentPlan>
        {
            NamespacesPlan.Build(spec),
            network.ToComponent(),
            synapse.ToComponent(),
            CoturnPlan.Build(spec, sizing, topology),
            new(LivekitPlan.Component, livekit.Objects),
            AuthorizerPlan.Build(spec, topology, sizing),
        };
        // redisMode existing deploys nothing: no component, so no empty manifests/redis-sentinel.yaml.
        if (Components.Redis.RedisPlan.Build(spec, sizing) is { } redis)
        {
            components.Add(redis);
        }
        if (ObservabilityPlan.Build(spec, sizing) is { } observability)
        {
            components.Add(observability);
        }
        var files = new List<PlanFile>
        {
            new("report/capacity.md", sizing.ToMarkdown(spec.Stack)),
            network.ReportFile(),
            new("report/ports.md", PortPlan.For(spec).ToMarkdown(spec.Stack, spec.Nodes)),
            new(LivekitPlan.ValuesFile, livekit.ValuesYaml),
        };
        files.AddRange(synapse.Files());
        return new EnvironmentPlan(spec, sizing, topology, components, files);
    }
}
