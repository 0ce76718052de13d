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
        var lists = new Dictionary<IList<V1NetworkPolicyPeer>, PreparedPeers>(ReferenceEqualityComparer.Instance);
        var peerLists = policies.Kubernetes.SelectMany(p =>
            (p.Spec.Ingress ?? []).Select(r => r.FromProperty).Concat((p.Spec.Egress ?? []).Select(r => r.To))).OfType<IList<V1NetworkPolicyPeer>>();
        foreach (var list in peerLists)
        {
            lists.TryAdd(list, new PreparedPeers(
                list.Select(p => p.IpBlock).OfType<V1IPBlock>().Select(b => (BlockRange.Of(b.Cidr), (b.Except ?? []).Select(BlockRange.Of).ToArray())).ToArray(),
                list.Where(p => p.IpBlock is null).ToArray()));
        }
        return new PreparedPolicies(policies, lists);
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

        /// <summary>Whether <paramref name="address"/> lies in one of the list's ipBlocks (outside its excepts).</summary>
        public bool InBlocks(PreparedPeers peers, IPAddress address)
        {
            if (peers.Blocks.Length == 0)
            {
                return false;
            }
            if (!Numbers.TryGetValue(address, out var n))
            {
                n = IpRange.ToNumber(address);
                Numbers[address] = n;
            }
            var family = address.AddressFamily;
            foreach (var (range, except) in peers.Blocks)
            {
                if (range.Contains(family, n) && !except.Any(e => e.Contains(family, n)))
                {
                    return true;
                }
            }
            return false;
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
        var egressOf = workloads.Select(w => new Selecting(
            policies.Kubernetes.Where(p => Selects(p, w) && HasType(p, "Egress")).ToList(),
            policies.Cilium.Where(p => Selects(p, w) && p.Spec.Egress is { Count: > 0 }).ToList())).ToList();
        var ingressOf = workloads.Select(w => new Selecting(
            policies.Kubernetes.Where(p => Selects(p, w) && HasType(p, "Ingress")).ToList(),
            policies.Cilium.Where(p => Selects(p, w) && p.Spec.Ingress is { Count: > 0 }).ToList())).ToList();
        var edges = new List<Edge>();
        for (var i = 0; i < workloads.Count; i++)
        {
            var src = workloads[i];
            if (!src.Initiates)
            {
                continue;
            }
            for (var j = 0; j < workloads.Count; j++)
            {
                var dst = workloads[j];
                if (dst.Listens.Count == 0)
                {
                    continue;
                }
                // Peers are matched once per pair, ports per listener: a rule's peer list can be long (flannel).
                var egress = EgressSide(ctx, egressOf[i], src, dst);
                var ingress = IngressSide(ctx, ingressOf[j], src, dst);
                foreach (var listener in dst.Listens)
                {
                    if (egress.Reason(listener) is { } why && ingress.Reason(listener) is { } because)
                    {
                        edges.Add(new Edge(src.Name, dst.Name, listener, why, because));
                    }
                }
            }
        }
        return edges;
    }

    /// <summary>
    /// One side of a flow between two workloads: a fixed reason (no policy applies), or the rules whose peers
    /// matched, each with its policy's name and its ports.
    /// </summary>
    private sealed record Side(string? Fixed, IReadOnlyList<(string Policy, Func<Listener, bool> Ports)> Rules)
    {
        /// <summary>Null when denied; otherwise the allowing policies (each once, in order) or the fixed reason.</summary>
        public string? Reason(Listener listener)
        {
            if (Fixed is not null)
            {
                return Fixed;
            }
            var allowing = Rules.Where(r => r.Ports(listener)).Select(r => r.Policy).Distinct().ToList();
            return allowing.Count == 0 ? null : string.Join(", ", allowing);
        }
    }

    private static Side EgressSide(Context ctx, Selecting selecting, Workload src, Workload dst)
    {
        if (src.Namespace is null)
        {
            return new Side(External, []);
        }
        if (src.HostNetwork)
        {
            return new Side(HostNetwork, []);
        }
        if (!selecting.Isolated)
        {
            return new Side(NotIsolated, []);
        }
        var rules = new List<(string, Func<Listener, bool>)>();
        foreach (var p in selecting.Kubernetes)
        {
            foreach (var rule in (p.Spec.Egress ?? []).Where(rule => PeersMatch(ctx, rule.To, p, dst, dst.Address)))
            {
                rules.Add((p.Metadata.Name, l => PortsMatch(rule.Ports, l)));
            }
        }
        foreach (var p in selecting.Cilium)
        {
            foreach (var rule in p.Spec.Egress!.Where(rule => EntitiesMatch(rule.ToEntities, dst)))
            {
                rules.Add((CiliumName(p), l => PortsMatch(rule.ToPorts, l)));
            }
        }
        return new Side(null, rules);
    }

    private static Side IngressSide(Context ctx, Selecting selecting, Workload src, Workload dst)
    {
        if (dst.Namespace is null)
        {
            return new Side(External, []);
        }
        if (dst.HostNetwork)
        {
            return new Side(HostNetwork, []);
        }
        if (!selecting.Isolated)
        {
            return new Side(NotIsolated, []);
        }
        // Kubernetes: "traffic to and from the node where a Pod is running is always allowed"; Calico: the host reaches
        // its own workloads. Cilium gives it the host identity instead, which a policy must admit (allow-localhost=policy).
        if (ctx.Engine == PolicyEngine.Addresses && src.HostNetwork && src.OwnNode)
        {
            return new Side(OwnNode, []);
        }
        var rules = new List<(string, Func<Listener, bool>)>();
        foreach (var p in selecting.Kubernetes)
        {
            foreach (var rule in (p.Spec.Ingress ?? []).Where(rule => PeersMatch(ctx, rule.FromProperty, p, src, src.From)))
            {
                rules.Add((p.Metadata.Name, l => PortsMatch(rule.Ports, l)));
            }
        }
        foreach (var p in selecting.Cilium)
        {
            foreach (var rule in p.Spec.Ingress!.Where(rule => EntitiesMatch(rule.FromEntities, src)))
            {
                rules.Add((CiliumName(p), l => PortsMatch(rule.ToPorts, l)));
            }
        }
        return new Side(null, rules);
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
    /// <summary>
    /// An absent or empty peer list means every peer. An ipBlock matches by address, whatever the endpoint is (Calico
    /// matches pod addresses too: Kubernetes leaves that to the CNI). Cilium: "By default, CIDR-based selectors do not
    /// match in-cluster entities (pods or nodes)".
    /// </summary>
    /// <param name="address">The address the packet carries for <paramref name="other"/>: its source address, or where it is reached.</param>
    private static bool PeersMatch(Context ctx, IList<V1NetworkPolicyPeer>? peers, V1NetworkPolicy policy, Workload other, IPAddress address)
    {
        if (peers is not { Count: > 0 })
        {
            return true;
        }
        var prepared = ctx.Prepared.Peers[peers];
        return ((ctx.Engine == PolicyEngine.Addresses || other.Identity == Identity.World) && ctx.InBlocks(prepared, address))
            || prepared.Selectors.Any(peer => SelectorMatches(peer, policy, other));
    }

    /// <summary>A pod/namespace selector peer: pods only, never host-network or outside endpoints.</summary>
    private static bool SelectorMatches(V1NetworkPolicyPeer peer, V1NetworkPolicy policy, Workload other)
    {
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

/// <summary>One rule's peer list, its ipBlocks parsed (with their excepts) and its selector peers apart.</summary>
internal sealed record PreparedPeers((BlockRange Range, BlockRange[] Except)[] Blocks, V1NetworkPolicyPeer[] Selectors);

/// <summary>Policies checked once and their peer lists prepared (<see cref="ConnectivityEvaluator.Prepare"/>).</summary>
public sealed class PreparedPolicies
{
    internal PreparedPolicies(PolicySet set, Dictionary<IList<V1NetworkPolicyPeer>, PreparedPeers> peers)
    {
        Set = set;
        Peers = peers;
    }

    public PolicySet Set { get; }

    internal Dictionary<IList<V1NetworkPolicyPeer>, PreparedPeers> Peers { get; }
}
