using k8s;
using k8s.Models;
using Infra.Plan.Contract;

namespace Infra.Plan.Components.Network;

/// <summary>
/// The NetworkPolicies component (and, with cni cilium, its CiliumNetworkPolicies) and its connectivity report, built
/// from the peers of the other components.
/// </summary>
/// <param name="Edges">Every flow allowed on some data path of the stack's CNI profile, host-network pods on another node.</param>
/// <param name="Profiles">Every profile's policies for this stack, checked on every data path.</param>
public sealed record NetworkPlan(
    IReadOnlyList<V1NetworkPolicy> Policies,
    IReadOnlyList<CiliumPolicy> CiliumPolicies,
    NetworkPeers Peers,
    IReadOnlyList<Workload> Workloads,
    IReadOnlyList<Edge> Edges,
    IReadOnlyList<ProfileCheck> Profiles,
    string Report) : IComponentPlan
{
    public const string Component = "network-policies";
    public const string ReportPath = "report/network.md";

    public ComponentPlan Contract => new(Component, "matrix-rtc:index:NetworkPolicies")
    {
        Objects = [.. Policies, .. CiliumPolicies.Select(p => (IKubernetesObject)p.ToObject())],
        Files = [new PlanFile(ReportPath, Report)],
        // Default-deny before any pod exists.
        After = [NamespacesPlan.Component],
        Outputs = new Dictionary<string, object>
        {
            ["policyNames"] = Policies.Select(p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}")
                .Concat(CiliumPolicies.Select(p => $"{p.Namespace}/{p.Name}")).ToArray(),
            ["connectivityReport"] = Report,
        },
    };

    public static NetworkPlan Build(NetworkInput input, NetworkPeers peers)
    {
        var profiles = ProfileChecks.For(input, peers);
        var own = profiles.Single(p => p.Profile == input.Cluster.Cni);
        var workloads = ConnectivityModel.For(input, peers);
        var edges = own.OtherNodeEdges;
        return new NetworkPlan(own.Policies.Kubernetes, own.Policies.Cilium, peers, workloads, edges, profiles,
            ConnectivityReport.ToMarkdown(input, peers, workloads, edges, profiles));
    }
}
