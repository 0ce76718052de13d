using k8s.Models;
using Infra.Plan.Contract;
using Infra.Plan.Spec;

namespace Infra.Plan.Components.Network;

/// <summary>The NetworkPolicies component and its connectivity report, built from the peers of the other components.</summary>
public sealed record NetworkPlan(IReadOnlyList<V1NetworkPolicy> Policies, NetworkPeers Peers, IReadOnlyList<Workload> Workloads, IReadOnlyList<Edge> Edges, string Report) : IComponentPlan
{
    public const string Component = "network-policies";
    public const string ReportPath = "report/network.md";

    public ComponentPlan Contract => new(Component, "matrix-rtc:index:NetworkPolicies")
    {
        Objects = Policies,
        Files = [new PlanFile(ReportPath, Report)],
        // Default-deny before any pod exists.
        After = [NamespacesPlan.Component],
        Outputs = new Dictionary<string, object>
        {
            ["policyNames"] = Policies.Select(p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}").ToArray(),
            ["connectivityReport"] = Report,
        },
    };

    public static NetworkPlan Build(EnvironmentSpec spec, NetworkPeers peers)
    {
        var policies = NetworkPolicyBuilder.Build(spec, peers);
        var workloads = ConnectivityModel.For(spec, peers);
        var edges = ConnectivityEvaluator.Evaluate(policies, workloads);
        return new NetworkPlan(policies, peers, workloads, edges, ConnectivityReport.ToMarkdown(spec, peers, workloads, edges));
    }
}
