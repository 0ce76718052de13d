using Infra.Plan.Components;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Ports;
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
        var components = new List<ComponentPlan>
        {
            NamespacesPlan.Build(spec),
            CoturnPlan.Build(spec, sizing, topology),
        };
        var files = new List<PlanFile>
        {
            new("report/capacity.md", sizing.ToMarkdown(spec.Stack)),
            new("report/ports.md", PortPlan.For(spec).ToMarkdown(spec.Stack, spec.Nodes)),
        };
        return new EnvironmentPlan(spec, sizing, topology, components, files);
    }
}
