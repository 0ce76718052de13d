using Infra.Plan.Components;
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
        };
        // redisMode existing deploys nothing: no component, so no empty manifests/redis-sentinel.yaml.
        if (Components.Redis.RedisPlan.Build(spec, sizing) is { } redis)
        {
            components.Add(redis);
        }
        var files = new List<PlanFile>
        {
            new("report/capacity.md", sizing.ToMarkdown(spec.Stack)),
        };
        return new EnvironmentPlan(spec, sizing, topology, components, files);
    }
}
