using k8s;
using k8s.Models;
using Infra.Plan.Contract;

namespace Infra.Plan.Components.Network;

/// <summary>
/// The NetworkPolicies component (and, with cni cilium, its CiliumNetworkPolicies), built from the peers of the other
/// components. (What they allow, per CNI profile and data path, is evaluated by render for report/network.md:
/// infra/Infra.Render/Network.)
/// </summary>
public sealed record NetworkPlan(
    IReadOnlyList<V1NetworkPolicy> Policies,
    IReadOnlyList<CiliumPolicy> CiliumPolicies,
    NetworkPeers Peers) : IComponentPlan
{
    public const string Component = "network-policies";

    public ComponentPlan Contract => new(Component, "matrix-rtc:index:NetworkPolicies")
    {
        Objects = [.. Policies, .. CiliumPolicies.Select(p => (IKubernetesObject)p.ToObject())],
        // Default-deny before any pod exists.
        After = [NamespacesPlan.Component],
    };

    /// <summary>namespace/name of every policy, Kubernetes and Cilium.</summary>
    public string[] PolicyNames => Policies.Select(p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}")
        .Concat(CiliumPolicies.Select(p => $"{p.Namespace}/{p.Name}")).ToArray();

    public static NetworkPlan Build(NetworkInput input, NetworkPeers peers) =>
        new(NetworkPolicyBuilder.Build(input, peers), CiliumPolicyBuilder.Build(input, peers), peers);
}
