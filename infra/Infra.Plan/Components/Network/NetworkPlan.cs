using k8s.Models;
using Infra.Plan.Spec;

namespace Infra.Plan.Components.Network;

/// <summary>The NetworkPolicies component and its connectivity report.</summary>
public sealed record NetworkPlan(IReadOnlyList<V1NetworkPolicy> Policies, IReadOnlyList<Workload> Workloads, IReadOnlyList<Edge> Edges, string Report)
{
    public const string Component = "network-policies";
    public const string ReportPath = "report/network.md";

    public ComponentPlan ToComponent() => new(Component, Policies.Cast<k8s.IKubernetesObject>().ToList());

    public PlanFile ReportFile() => new(ReportPath, Report);

    public static NetworkPlan Build(EnvironmentSpec spec)
    {
        var policies = NetworkPolicyBuilder.Build(spec);
        var workloads = ConnectivityModel.For(spec);
        var edges = ConnectivityEvaluator.Evaluate(policies, workloads);
        return new NetworkPlan(policies, workloads, edges, ConnectivityReport.ToMarkdown(spec, workloads, edges));
    }
}
