using Infra.Plan.Components;
using Infra.Plan.Ports;
using Infra.Plan.Sizing;
using Infra.Plan.Spec;
using Infra.Plan.Turn;

namespace Infra.Plan;

/// <summary>
/// Everything computed from the spec before any component is planned, each value once: the tier and capacity
/// (<see cref="Sizing"/>), the host port plan, the TURN quotas, and the names and references that connect the
/// components (<see cref="Topology"/>). Total over any parsed spec, including one whose keys fell back to defaults
/// after errors, so the cross-key rules (Checks/ConfigRules.cs) can still run and report every mistake at once.
/// </summary>
public sealed record Derived(EnvironmentSpec Spec, SizingPlan Sizing, PortPlan Ports, TurnQuotas TurnQuotas, Topology Topology)
{
    public static Derived From(EnvironmentSpec spec)
    {
        var sizing = SizingPlan.For(spec);
        return new Derived(spec, sizing, PortPlan.For(spec), TurnQuotas.For(spec.Turn, sizing.Preset), Topology.For(spec));
    }
}
