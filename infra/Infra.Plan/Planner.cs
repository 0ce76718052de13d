using Infra.Plan.Components;
using Infra.Plan.Components.Authorizer;
using Infra.Plan.Components.Livekit;
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
        var livekit = LivekitPlan.Build(spec, topology, sizing);
        var components = new List<ComponentPlan>
        {
            NamespacesPlan.Build(spec),
            new(LivekitPlan.Component, livekit.Objects),
            AuthorizerPlan.Build(spec, topology, sizing),
        };
        var files = new List<PlanFile>
        {
            new("report/capacity.md", sizing.ToMarkdown(spec.Stack)),
            new(LivekitPlan.ValuesFile, livekit.ValuesYaml),
        };
        return new EnvironmentPlan(spec, sizing, topology, components, files);
    }
}
