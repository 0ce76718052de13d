using Infra.Plan.Components.Network;
using Infra.Plan.Spec;

namespace Infra.Plan.Tests.Checks;

/// <summary>
/// The flows the system needs (<see cref="ProfileChecks.Needs"/>: the SFU to Redis, Sentinel and the webhook, coturn in
/// and to the SFU, DNS) against the policies a plan deploys, on every data path and case its CNI profile is meant for.
/// Render's report/network.md shows the same as ✓/✗ for the operator; here an unmet need fails the tests.
/// </summary>
public static class NetworkNeeds
{
    /// <summary>Each need the plan's own policies deny, as "need (data path, case)".</summary>
    public static IReadOnlyList<string> Unmet(EnvironmentPlan plan) =>
        Unmet(NetworkInput.From(plan.Derived), plan.Network.Peers, new PolicySet(plan.Network.Policies, plan.Network.CiliumPolicies));

    public static IReadOnlyList<string> Unmet(NetworkInput spec, NetworkPeers peers, PolicySet policies)
    {
        var needs = ProfileChecks.Needs(spec, peers);
        var prepared = ConnectivityEvaluator.Prepare(policies);
        var unmet = new List<string>();
        foreach (var scenario in Dataplanes.For(spec.Cluster.Cni).SelectMany(d => d.Scenarios))
        {
            var allowed = ConnectivityEvaluator.Evaluate(prepared, ConnectivityModel.For(spec, peers, scenario), scenario.Dataplane.Engine)
                .Select(e => e.Key).ToHashSet();
            unmet.AddRange(needs
                .Where(n => n.Flows.Any(f => !allowed.Contains((f.Source, f.Destination, f.Listener.Port, f.Listener.Protocol))))
                .Select(n => $"{n.Label} ({scenario})"));
        }
        return unmet;
    }
}
