using System.Globalization;
using System.Net;
using System.Net.Sockets;
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

/// <summary>The policies of a stack as a CNI meets them: NetworkPolicies, and on Cilium its own policies besides.</summary>
public sealed record PolicySet(IReadOnlyList<V1NetworkPolicy> Kubernetes, IReadOnlyList<CiliumPolicy> Cilium);

/// <summary>
/// Evaluates networking.k8s.io/v1 NetworkPolicies (and, on Cilium, CiliumNetworkPolicies) over the connectivity model,
/// with Kubernetes' semantics for the features this project emits: pod and namespace selectors (matchLabels), ipBlocks
/// with except, numeric ports with protocols, policyTypes, and host-network pods (never selected). A pod is isolated
/// in a direction once any policy selecting it governs that direction; then a flow needs a rule of one such policy on
/// each side. Two engines (<see cref="PolicyEngine"/>): by address, where an ipBlock matches whatever address the packet
/// carries (a host-network pod's <see cref="Workload.From"/>, pod addresses included) and a node's traffic to its own
/// pods is always admitted; and Cilium, where an ipBlock matches only addresses outside the cluster and the entities
/// host / remote-node match the nodes. Anything else (named ports, matchExpressions, SCTP, other entities) is refused
/// rather than guessed, so the report cannot silently disagree with the cluster.
/// </summary>
public static class ConnectivityEvaluator
{
    public const string NotIsolated = "not isolated";
    public const string HostNetwork = "host network (node firewall)";
    public const string External = "outside the cluster";
    public const string OwnNode = "own node (always admitted)";

    /// <summary>NetworkPolicies alone, by address (the engine of every CNI but Cilium).</summary>
    public static IReadOnlyList<Edge> Evaluate(IReadOnlyList<V1NetworkPolicy> policies, IReadOnlyList<Workload> workloads) =>
        Evaluate(new PolicySet(policies, []), workloads, PolicyEngine.Addresses);

    public static IReadOnlyList<Edge> Evaluate(PolicySet policies, IReadOnlyList<Workload> workloads, PolicyEngine engine) =>
        Evaluate(Prepare(policies), workloads, engine);

    /// <summary>
    /// Checks the policies and parses their ipBlocks once, for evaluating the same policies on many models (the
    /// report evaluates every profile on every data path; flannel's rules hold hundreds of blocks).
    /// </summary>
    public static PreparedPolicies Prepare(PolicySet policies)
    {
        foreach (var policy in policies.Kubernetes)
        {
            CheckSupported(policy);
        }
        foreach (var policy in policies.Cilium)
        {
            CheckSupported(policy);
        }
        var blocks = new Dictionary<V1IPBlock, (BlockRange, BlockRange[])>(ReferenceEqualityComparer.Instance);
        foreach (var block in policies.Kubernetes.SelectMany(Peers).Select(p => p.IpBlock).OfType<V1IPBlock>())
        {
            blocks.TryAdd(block, (BlockRange.Of(block.Cidr), (block.Except ?? []).Select(BlockRange.Of).ToArray()));
        }
        return new PreparedPolicies(policies, blocks);
    }

    public static IReadOnlyList<Edge> Evaluate(PreparedPolicies policies, IReadOnlyList<Workload> workloads, PolicyEngine engine)
    {
        if (engine != PolicyEngine.Cilium && policies.Set.Cilium.Count > 0)
        {
            throw new NotSupportedException("CiliumNetworkPolicies are enforced by Cilium only (elsewhere their CRD does not exist)");
        }
        return Flows(new Context(policies, engine, []), workloads);
    }

    /// <summary>One evaluation: the prepared policies, the engine, and each address as a number (computed once).</summary>
    private sealed record Context(PreparedPolicies Prepared, PolicyEngine Engine, Dictionary<IPAddress, UInt128> Numbers)
    {
        public PolicySet Policies => Prepared.Set;

        public bool InBlock(V1IPBlock block, IPAddress address)
        {
            var (range, except) = Prepared.Blocks[block];
            if (!Numbers.TryGetValue(address, out var n))
            {
                n = IpRange.ToNumber(address);
                Numbers[address] = n;
            }
            var family = address.AddressFamily;
            return range.Contains(family, n) && !except.Any(e => e.Contains(family, n));
        }
    }

    /// <summary>The policies selecting one workload in one direction (computed once per evaluation).</summary>
    private sealed record Selecting(IReadOnlyList<V1NetworkPolicy> Kubernetes, IReadOnlyList<CiliumPolicy> Cilium)
    {
        public bool Isolated => Kubernetes.Count > 0 || Cilium.Count > 0;
    }

    private static List<Edge> Flows(Context ctx, IReadOnlyList<Workload> workloads)
    {
        var policies = ctx.Policies;
        var egressOf = workloads.ToDictionary(w => w, w => new Selecting(
            policies.Kubernetes.Where(p => Selects(p, w) && HasType(p, "Egress")).ToList(),
            policies.Cilium.Where(p => Selects(p, w) && p.Spec.Egress is { Count: > 0 }).ToList()));
        var ingressOf = workloads.ToDictionary(w => w, w => new Selecting(
            policies.Kubernetes.Where(p => Selects(p, w) && HasType(p, "Ingress")).ToList(),
            policies.Cilium.Where(p => Selects(p, w) && p.Spec.Ingress is { Count: > 0 }).ToList()));
        var edges = new List<Edge>();
        foreach (var src in workloads.Where(w => w.Initiates))
        {
            foreach (var dst in workloads)
            {
                foreach (var listener in dst.Listens)
                {
                    var egress = EgressReason(ctx, egressOf[src], src, dst, listener);
                    var ingress = egress is null ? null : IngressReason(ctx, ingressOf[dst], src, dst, listener);
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
    private static string? EgressReason(Context ctx, Selecting selecting, Workload src, Workload dst, Listener listener)
    {
        if (src.Namespace is null)
        {
            return External;
        }
        if (src.HostNetwork)
        {
            return HostNetwork;
        }
        if (!selecting.Isolated)
        {
            return NotIsolated;
        }
        // Ports before peers: a rule's peer list can be long (flannel's per-node addresses).
        var allowing = selecting.Kubernetes
            .Where(p => (p.Spec.Egress ?? []).Any(rule => PortsMatch(rule.Ports, listener) && PeersMatch(ctx, rule.To, p, dst, dst.Address)))
            .Select(p => p.Metadata.Name)
            .Concat(selecting.Cilium
                .Where(p => p.Spec.Egress!.Any(rule => PortsMatch(rule.ToPorts, listener) && EntitiesMatch(rule.ToEntities, dst)))
                .Select(CiliumName))
            .ToList();
        return allowing.Count == 0 ? null : string.Join(", ", allowing);
    }

    private static string? IngressReason(Context ctx, Selecting selecting, Workload src, Workload dst, Listener listener)
    {
        if (dst.Namespace is null)
        {
            return External;
        }
        if (dst.HostNetwork)
        {
            return HostNetwork;
        }
        if (!selecting.Isolated)
        {
            return NotIsolated;
        }
        // Kubernetes: "traffic to and from the node where a Pod is running is always allowed"; Calico: the host reaches
        // its own workloads. Cilium gives it the host identity instead, which a policy must admit (allow-localhost=policy).
        if (ctx.Engine == PolicyEngine.Addresses && src.HostNetwork && src.OwnNode)
        {
            return OwnNode;
        }
        var allowing = selecting.Kubernetes
            .Where(p => (p.Spec.Ingress ?? []).Any(rule => PortsMatch(rule.Ports, listener) && PeersMatch(ctx, rule.FromProperty, p, src, src.From)))
            .Select(p => p.Metadata.Name)
            .Concat(selecting.Cilium
                .Where(p => p.Spec.Ingress!.Any(rule => PortsMatch(rule.ToPorts, listener) && EntitiesMatch(rule.FromEntities, src)))
                .Select(CiliumName))
            .ToList();
        return allowing.Count == 0 ? null : string.Join(", ", allowing);
    }

    private static string CiliumName(CiliumPolicy p) => $"{p.Name} (CiliumNetworkPolicy)";

    private static bool HasType(V1NetworkPolicy policy, string type) =>
        policy.Spec.PolicyTypes is { Count: > 0 } types
            ? types.Contains(type)
            // Kubernetes' default when policyTypes is omitted.
            : type == "Ingress" || (policy.Spec.Egress is { Count: > 0 });

    /// <summary>Host-network pods are never selected: they share the node's network namespace.</summary>
    private static bool Selects(V1NetworkPolicy policy, Workload pod) =>
        pod.IsPod && pod.Namespace == policy.Metadata.NamespaceProperty && LabelsMatch(policy.Spec.PodSelector, pod.Labels);

    /// <summary>A namespaced CiliumNetworkPolicy's endpointSelector selects endpoints of its namespace; host-network pods are none.</summary>
    private static bool Selects(CiliumPolicy policy, Workload pod) =>
        pod.IsPod && pod.Namespace == policy.Namespace && LabelsMatch(policy.Spec.EndpointSelector, pod.Labels);

    /// <summary>An absent or empty peer list means every peer.</summary>
    private static bool PeersMatch(Context ctx, IList<V1NetworkPolicyPeer>? peers, V1NetworkPolicy policy, Workload other, IPAddress address) =>
        peers is not { Count: > 0 } || peers.Any(peer => PeerMatches(ctx, peer, policy, other, address));

    /// <param name="address">The address the packet carries for <paramref name="other"/>: its source address, or where it is reached.</param>
    private static bool PeerMatches(Context ctx, V1NetworkPolicyPeer peer, V1NetworkPolicy policy, Workload other, IPAddress address)
    {
        if (peer.IpBlock is { } block)
        {
            // By address, whatever the endpoint is (Calico matches pod addresses too: Kubernetes leaves that to the
            // CNI). Cilium: "By default, CIDR-based selectors do not match in-cluster entities (pods or nodes)".
            return (ctx.Engine == PolicyEngine.Addresses || other.Identity == Identity.World) && ctx.InBlock(block, address);
        }
        if (!other.IsPod)
        {
            return false;
        }
        // A namespace carries one label the selectors use: its name (kubernetes.io/metadata.name).
        var namespaceOk = peer.NamespaceSelector is { } nsSelector
            ? (nsSelector.MatchLabels ?? new Dictionary<string, string>()).All(kv => kv.Key == NetworkPolicyPeer.NamespaceNameLabel && kv.Value == other.Namespace)
            : other.Namespace == policy.Metadata.NamespaceProperty;
        return namespaceOk && (peer.PodSelector is null || LabelsMatch(peer.PodSelector, other.Labels));
    }

    /// <summary>host matches the pod's own node, remote-node every other node: of our workloads, host-network ones only.</summary>
    private static bool EntitiesMatch(IReadOnlyList<string> entities, Workload other) =>
        entities.Select(CiliumPolicy.ParseEntity).Any(e => e switch
        {
            CiliumEntity.Host => other.Identity == Identity.Host,
            CiliumEntity.RemoteNode => other.Identity == Identity.RemoteNode,
            _ => false,
        });

    private static bool PortsMatch(IList<V1NetworkPolicyPort>? ports, Listener listener) =>
        ports is not { Count: > 0 } || ports.Any(p =>
            (p.Protocol ?? "TCP") == NetworkPolicyPort.Name(listener.Protocol) &&
            (p.Port is null || PortRange(p).Contains(listener.Port)));

    /// <summary>Cilium: an absent or empty toPorts means every port (CheckSupported admits numeric TCP/UDP ports only).</summary>
    private static bool PortsMatch(IReadOnlyList<CiliumPortRule>? rules, Listener listener) =>
        rules is not { Count: > 0 } || rules.Any(r => r.Ports.Any(p =>
            p.Protocol == NetworkPolicyPort.Name(listener.Protocol) &&
            int.Parse(p.Port, NumberStyles.None, CultureInfo.InvariantCulture) == listener.Port));

    private static PortRange PortRange(V1NetworkPolicyPort port)
    {
        var first = int.Parse(port.Port.Value, NumberStyles.None, CultureInfo.InvariantCulture);
        return new PortRange(first, port.EndPort ?? first);
    }

    private static bool LabelsMatch(V1LabelSelector selector, IReadOnlyDictionary<string, string> labels) =>
        (selector.MatchLabels ?? new Dictionary<string, string>()).All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static IEnumerable<V1NetworkPolicyPeer> Peers(V1NetworkPolicy policy) =>
        (policy.Spec.Ingress ?? []).SelectMany(r => r.FromProperty ?? []).Concat((policy.Spec.Egress ?? []).SelectMany(r => r.To ?? []));

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

    private static void CheckSupported(CiliumPolicy policy)
    {
        var name = $"{policy.Namespace}/{policy.Name} (CiliumNetworkPolicy)";
        if (policy.Spec.EndpointSelector.MatchExpressions is { Count: > 0 })
        {
            throw new NotSupportedException($"{name}: matchExpressions are not evaluated");
        }
        var entities = (policy.Spec.Ingress ?? []).SelectMany(r => r.FromEntities).Concat((policy.Spec.Egress ?? []).SelectMany(r => r.ToEntities));
        foreach (var entity in entities.Where(e => CiliumPolicy.ParseEntity(e) is null))
        {
            throw new NotSupportedException($"{name}: entity {entity} is not evaluated (only host and remote-node)");
        }
        var ports = (policy.Spec.Ingress ?? []).SelectMany(r => r.ToPorts).Concat((policy.Spec.Egress ?? []).SelectMany(r => r.ToPorts)).SelectMany(r => r.Ports);
        foreach (var port in ports)
        {
            if (port.Protocol is not ("TCP" or "UDP") || !int.TryParse(port.Port, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                throw new NotSupportedException($"{name}: port {port.Port}/{port.Protocol} is not evaluated (numeric, TCP or UDP)");
            }
        }
    }
}

/// <summary>An address range as numbers, for matching many addresses against many ipBlocks.</summary>
internal readonly record struct BlockRange(AddressFamily Family, UInt128 First, UInt128 Last)
{
    public bool Contains(AddressFamily family, UInt128 n) => family == Family && n >= First && n <= Last;

    public static BlockRange Of(string cidr)
    {
        var range = Cidr.Parse(cidr).Range;
        return new BlockRange(range.Family, range.FirstValue, range.LastValue);
    }
}

/// <summary>Policies checked once and their ipBlocks parsed (<see cref="ConnectivityEvaluator.Prepare"/>).</summary>
public sealed class PreparedPolicies
{
    internal PreparedPolicies(PolicySet set, Dictionary<V1IPBlock, (BlockRange, BlockRange[])> blocks)
    {
        Set = set;
        Blocks = blocks;
    }

    public PolicySet Set { get; }

    internal Dictionary<V1IPBlock, (BlockRange, BlockRange[])> Blocks { get; }
}
