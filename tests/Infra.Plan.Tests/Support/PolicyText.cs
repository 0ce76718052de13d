using k8s.Models;
using Infra.Plan.Components.Network;

namespace Infra.Plan.Tests.Support;

/// <summary>NetworkPolicy rules as short text, so tests can state literally which ports are open from or to where.</summary>
public static class PolicyText
{
    /// <summary>"cidr", "ns/k=v,k=v" (a pod selector in namespace ns) or "k=v,k=v" (pods of the policy's own namespace).</summary>
    public static string Describe(V1NetworkPolicyPeer p) =>
        p.IpBlock is { } block ? block.Cidr
        : p.NamespaceSelector is { } ns ? $"{ns.MatchLabels[NetworkPolicyPeer.NamespaceNameLabel]}/{string.Join(",", p.PodSelector?.MatchLabels.Select(l => $"{l.Key}={l.Value}") ?? [])}"
        : string.Join(",", p.PodSelector.MatchLabels.Select(l => $"{l.Key}={l.Value}"));

    public static string Ports(IEnumerable<V1NetworkPolicyPort> ports) => string.Join(" ", ports.Select(p => $"{p.Port.Value}/{p.Protocol}"));

    /// <summary>Each ingress rule as "sources: ports"; a rule without sources (every source) as "anywhere: ports".</summary>
    public static IEnumerable<string> Ingress(V1NetworkPolicy policy) =>
        (policy.Spec.Ingress ?? []).Select(r => $"{(r.FromProperty is { Count: > 0 } from ? string.Join(",", from.Select(Describe)) : "anywhere")}: {Ports(r.Ports)}");

    /// <summary>Each egress rule as "destinations: ports"; a rule without destinations as "anywhere: ports".</summary>
    public static IEnumerable<string> Egress(V1NetworkPolicy policy) =>
        (policy.Spec.Egress ?? []).Select(r => $"{(r.To is { Count: > 0 } to ? string.Join(",", to.Select(Describe)) : "anywhere")}: {Ports(r.Ports)}");
}
