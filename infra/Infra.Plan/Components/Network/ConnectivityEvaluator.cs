using System.Globalization;
using System.Net;
using k8s.Models;
using Infra.Plan.Contract;
using Infra.Plan.Net;

namespace Infra.Plan.Components.Network;

/// <summary>One allowed flow: <paramref name="Source"/> may open <paramref name="Listener"/> on <paramref name="Destination"/>.</summary>
/// <param name="Egress">Why the source may send: the policies that allow it, or why none applies.</param>
/// <param name="Ingress">Why the destination may receive it.</param>
public sealed record Edge(string Source, string Destination, Listener Listener, string Egress, string Ingress)
{
    public (string, string, int, Protocol) Key => (Source, Destination, Listener.Port, Listener.Protocol);

    public override string ToString() => $"{Source} -> {Destination} {Listener}";
}

/// <summary>
/// Evaluates networking.k8s.io/v1 NetworkPolicies over the connectivity model, with Kubernetes' semantics
/// for the features this project emits: pod and namespace selectors (matchLabels), ipBlocks with except,
/// numeric ports with protocols, policyTypes, and host-network pods (never selected, seen as their node's
/// address). A pod is isolated in a direction once any policy selecting it lists that type; then a flow
/// needs a rule of one such policy on each side. Anything else (named ports, matchExpressions, SCTP) is
/// refused rather than guessed, so the report cannot silently disagree with the cluster.
/// </summary>
public static class ConnectivityEvaluator
{
    public const string NotIsolated = "not isolated";
    public const string HostNetwork = "host network (node firewall)";
    public const string External = "outside the cluster";

    public static IReadOnlyList<Edge> Evaluate(IReadOnlyList<V1NetworkPolicy> policies, IReadOnlyList<Workload> workloads)
    {
        foreach (var policy in policies)
        {
            CheckSupported(policy);
        }
        var edges = new List<Edge>();
        foreach (var src in workloads)
        {
            foreach (var dst in workloads)
            {
                foreach (var listener in dst.Listens)
                {
                    var egress = EgressReason(policies, src, dst, listener);
                    var ingress = egress is null ? null : IngressReason(policies, src, dst, listener);
                    if (egress is not null && ingress is not null)
                    {
                        edges.Add(new Edge(src.Name, dst.Name, listener, egress, ingress));
                    }
                }
            }
        }
        return edges;
    }

    /// <summary>Null when denied; otherwise the policies (or the reason no policy applies).</summary>
    private static string? EgressReason(IReadOnlyList<V1NetworkPolicy> policies, Workload src, Workload dst, Listener listener)
    {
        if (src.Namespace is null)
        {
            return External;
        }
        if (src.HostNetwork)
        {
            return HostNetwork;
        }
        var selecting = policies.Where(p => Selects(p, src) && HasType(p, "Egress")).ToList();
        if (selecting.Count == 0)
        {
            return NotIsolated;
        }
        var allowing = selecting
            .Where(p => (p.Spec.Egress ?? []).Any(rule => PeersMatch(rule.To, p, dst) && PortsMatch(rule.Ports, listener)))
            .Select(p => p.Metadata.Name)
            .ToList();
        return allowing.Count == 0 ? null : string.Join(", ", allowing);
    }

    private static string? IngressReason(IReadOnlyList<V1NetworkPolicy> policies, Workload src, Workload dst, Listener listener)
    {
        if (dst.Namespace is null)
        {
            return External;
        }
        if (dst.HostNetwork)
        {
            return HostNetwork;
        }
        var selecting = policies.Where(p => Selects(p, dst) && HasType(p, "Ingress")).ToList();
        if (selecting.Count == 0)
        {
            return NotIsolated;
        }
        var allowing = selecting
            .Where(p => (p.Spec.Ingress ?? []).Any(rule => PeersMatch(rule.FromProperty, p, src) && PortsMatch(rule.Ports, listener)))
            .Select(p => p.Metadata.Name)
            .ToList();
        return allowing.Count == 0 ? null : string.Join(", ", allowing);
    }

    private static bool HasType(V1NetworkPolicy policy, string type) =>
        policy.Spec.PolicyTypes is { Count: > 0 } types
            ? types.Contains(type)
            // Kubernetes' default when policyTypes is omitted.
            : type == "Ingress" || (policy.Spec.Egress is { Count: > 0 });

    /// <summary>Host-network pods are never selected: they share the node's network namespace.</summary>
    private static bool Selects(V1NetworkPolicy policy, Workload pod) =>
        pod.IsPod && pod.Namespace == policy.Metadata.NamespaceProperty && LabelsMatch(policy.Spec.PodSelector, pod.Labels);

    /// <summary>An absent or empty peer list means every peer.</summary>
    private static bool PeersMatch(IList<V1NetworkPolicyPeer>? peers, V1NetworkPolicy policy, Workload other) =>
        peers is not { Count: > 0 } || peers.Any(peer => PeerMatches(peer, policy, other));

    private static bool PeerMatches(V1NetworkPolicyPeer peer, V1NetworkPolicy policy, Workload other)
    {
        if (peer.IpBlock is { } block)
        {
            // Matched by address, whatever the endpoint is: that is how a CNI sees a packet. (For pod
            // addresses Kubernetes leaves ipBlock behaviour to the CNI; our blocks never cover the pod CIDR.)
            return InBlock(block, other.Address);
        }
        if (!other.IsPod)
        {
            return false;
        }
        var namespaceOk = peer.NamespaceSelector is { } nsSelector
            ? LabelsMatch(nsSelector, new Dictionary<string, string> { [NetworkPolicyPeer.NamespaceNameLabel] = other.Namespace! })
            : other.Namespace == policy.Metadata.NamespaceProperty;
        return namespaceOk && (peer.PodSelector is null || LabelsMatch(peer.PodSelector, other.Labels));
    }

    private static bool InBlock(V1IPBlock block, IPAddress address) =>
        Cidr.Parse(block.Cidr).Contains(address) && !(block.Except ?? []).Any(e => Cidr.Parse(e).Contains(address));

    private static bool PortsMatch(IList<V1NetworkPolicyPort>? ports, Listener listener) =>
        ports is not { Count: > 0 } || ports.Any(p =>
            (p.Protocol ?? "TCP") == NetworkPolicyPort.Name(listener.Protocol) &&
            (p.Port is null || PortRange(p).Contains(listener.Port)));

    private static PortRange PortRange(V1NetworkPolicyPort port)
    {
        var first = int.Parse(port.Port.Value, NumberStyles.None, CultureInfo.InvariantCulture);
        return new PortRange(first, port.EndPort ?? first);
    }

    private static bool LabelsMatch(V1LabelSelector selector, IReadOnlyDictionary<string, string> labels) =>
        (selector.MatchLabels ?? new Dictionary<string, string>()).All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static void CheckSupported(V1NetworkPolicy policy)
    {
        var name = $"{policy.Metadata.NamespaceProperty}/{policy.Metadata.Name}";
        var selectors = new List<V1LabelSelector?> { policy.Spec.PodSelector };
        var peers = (policy.Spec.Ingress ?? []).SelectMany(r => r.FromProperty ?? [])
            .Concat((policy.Spec.Egress ?? []).SelectMany(r => r.To ?? [])).ToList();
        selectors.AddRange(peers.SelectMany(p => new[] { p.PodSelector, p.NamespaceSelector }));
        if (selectors.Any(s => s?.MatchExpressions is { Count: > 0 }))
        {
            throw new NotSupportedException($"{name}: matchExpressions are not evaluated");
        }
        var ports = (policy.Spec.Ingress ?? []).SelectMany(r => r.Ports ?? [])
            .Concat((policy.Spec.Egress ?? []).SelectMany(r => r.Ports ?? []));
        foreach (var port in ports)
        {
            if (port.Protocol is not (null or "TCP" or "UDP"))
            {
                throw new NotSupportedException($"{name}: protocol {port.Protocol} is not evaluated");
            }
            if (port.Port is not null && !int.TryParse(port.Port.Value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                throw new NotSupportedException($"{name}: named port {port.Port.Value} is not evaluated");
            }
        }
        foreach (var block in peers.Select(p => p.IpBlock).OfType<V1IPBlock>())
        {
            if (!Cidr.TryParse(block.Cidr, out _) || (block.Except ?? []).Any(e => !Cidr.TryParse(e, out _)))
            {
                throw new NotSupportedException($"{name}: ipBlock {block.Cidr} is not a CIDR");
            }
        }
    }
}
