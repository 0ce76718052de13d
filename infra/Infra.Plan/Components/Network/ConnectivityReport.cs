using System.Text;
using Infra.Plan.Spec;

namespace Infra.Plan.Components.Network;

/// <summary><c>report/network.md</c>: every allowed flow that touches a workload of this project, as a table.</summary>
public static class ConnectivityReport
{
    public static string ToMarkdown(EnvironmentSpec spec, NetworkPeers peers, IReadOnlyList<Workload> workloads, IReadOnlyList<Edge> edges)
    {
        var sb = new StringBuilder();
        sb.Append($"# Network flows: stack `{spec.Stack}`\n\n");
        sb.Append("Every (source, destination, port) the emitted NetworkPolicies allow between the workloads below, as evaluated by\n");
        sb.Append("`ConnectivityEvaluator` (Kubernetes NetworkPolicy semantics). Any pair not listed is denied.\n");
        sb.Append($"Only flows touching this project's workloads ({string.Join(", ", peers.Ours.Select(p => p.Name))}) are listed.\n\n");
        sb.Append("Caveats:\n\n");
        sb.Append("- The SFU and coturn use the host network: NetworkPolicies do not apply to them (\"host network\" below); the node\n");
        sb.Append("  firewall rules of the port plan protect their ports. Their traffic carries the node's address, so Redis and the\n");
        sb.Append($"  authorizer admit the node CIDRs ({string.Join(", ", spec.Nodes.NodeCidrs)}): any host-network process on a node,\n");
        sb.Append("  coturn included, shares those addresses.\n");
        sb.Append("- Cilium treats node addresses as the `host`/`remote-node` entities, which ipBlocks do not match unless\n");
        sb.Append("  `policy-cidr-match-mode` includes `nodes`; otherwise add a CiliumNetworkPolicy with\n");
        sb.Append("  `fromEntities: [host, remote-node]` for the same ports.\n");
        sb.Append("- Namespaces this project does not own (ingress, monitoring, DNS, Synapse) are shown as \"not isolated\": their own\n");
        sb.Append("  policies, if any, are theirs to add.\n");
        sb.Append("- Kubernetes always lets a pod's own node reach it (kubelet probes): the model places the host-network pods on\n");
        sb.Append("  other nodes than Redis and the authorizer, which is what the policies must cover.\n");
        sb.Append("- Policies see the pod port after Service translation: Synapse's port is taken from `matrix-rtc:synapseInternalUrl`.\n\n");
        sb.Append("| workload | namespace | address | host network | listens on |\n|---|---|---|---|---|\n");
        foreach (var w in workloads)
        {
            sb.Append($"| {w.Name} | {w.Namespace ?? "-"} | {w.Address} | {(w.HostNetwork ? "yes" : "no")} | " +
                      $"{string.Join(", ", w.Listens.Select(l => $"{l} ({l.Purpose})"))} |\n");
        }
        var relevant = Relevant(edges, peers).ToList();
        sb.Append("\n## Flows decided by this project's NetworkPolicies\n\n");
        sb.Append("At least one side of each flow is a pod selected by a policy here; the column names the allowing policy.\n\n");
        sb.Append("| source | destination | port | source side | destination side |\n|---|---|---|---|---|\n");
        foreach (var e in relevant.Where(IsPoliced))
        {
            sb.Append($"| {e.Source} | {e.Destination} | {e.Listener} ({e.Listener.Purpose}) | {e.Egress} | {e.Ingress} |\n");
        }
        sb.Append("\n## Flows no NetworkPolicy governs\n\n");
        sb.Append("Both ends are host-network pods, outside the cluster, or in namespaces without our policies: the node firewall\n");
        sb.Append("(port plan) decides these.\n\n");
        sb.Append("| destination | port | sources |\n|---|---|---|\n");
        foreach (var g in relevant.Where(e => !IsPoliced(e)).GroupBy(e => (e.Destination, e.Listener)))
        {
            sb.Append($"| {g.Key.Destination} | {g.Key.Listener} ({g.Key.Listener.Purpose}) | " +
                      $"{string.Join(", ", g.Select(e => e.Source).Distinct().Order(StringComparer.Ordinal))} |\n");
        }
        return sb.ToString();
    }

    /// <summary>True when a policy of this project allowed one side (rather than no policy applying).</summary>
    public static bool IsPoliced(Edge e) => !IsUngoverned(e.Egress) || !IsUngoverned(e.Ingress);

    private static bool IsUngoverned(string reason) =>
        reason is ConnectivityEvaluator.NotIsolated or ConnectivityEvaluator.HostNetwork or ConnectivityEvaluator.External;

    /// <summary>The edges that touch one of our workloads, in a stable order.</summary>
    public static IEnumerable<Edge> Relevant(IEnumerable<Edge> edges, NetworkPeers peers) =>
        edges.Where(e => peers.Ours.Any(p => p.Name == e.Source || p.Name == e.Destination))
            .OrderBy(e => e.Source, StringComparer.Ordinal)
            .ThenBy(e => e.Destination, StringComparer.Ordinal)
            .ThenBy(e => e.Listener.Port)
            .ThenBy(e => e.Listener.Protocol);
}
