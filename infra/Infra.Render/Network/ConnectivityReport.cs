using System.Text;
using Infra.Plan.Contract;
using Infra.Plan.Net;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Network;

/// <summary>
/// What a stack's policies allow: every CNI profile's policies evaluated on every data path (<see cref="Profiles"/>),
/// and, for the stack's own profile, the workloads of the report's main tables and every flow allowed on some data path
/// it is meant for, host-network pods on another node (<see cref="Edges"/>). Render writes it as report/network.md,
/// which the operator reads to review the policies and to troubleshoot (README "Troubleshooting"); the Pulumi program
/// never computes it. The tests hold the policies to it.
/// </summary>
public sealed record NetworkAnalysis(IReadOnlyList<Workload> Workloads, IReadOnlyList<Edge> Edges, IReadOnlyList<ProfileCheck> Profiles, string Report)
{
    public const string ReportPath = "report/network.md";

    public static NetworkAnalysis Of(EnvironmentPlan plan) => Of(NetworkInput.From(plan.Derived), plan.Network.Peers);

    public static NetworkAnalysis Of(NetworkInput spec, NetworkPeers peers)
    {
        var profiles = ProfileChecks.For(spec, peers);
        var own = profiles.Single(p => p.Profile == spec.Cluster.Cni);
        var workloads = ConnectivityModel.For(spec, peers);
        var edges = own.OtherNodeEdges;
        return new NetworkAnalysis(workloads, edges, profiles, ConnectivityReport.ToMarkdown(spec, peers, workloads, edges, profiles));
    }

    public PlanFile File => new(ReportPath, Report);
}

/// <summary>
/// <c>report/network.md</c>: every allowed flow that touches a workload of this project, as a table, for the stack's
/// CNI profile; then where host-network traffic comes from on each data path and what every profile's policies do there.
/// </summary>
public static class ConnectivityReport
{
    public static string ToMarkdown(NetworkInput spec, NetworkPeers peers, IReadOnlyList<Workload> workloads,
        IReadOnlyList<Edge> edges, IReadOnlyList<ProfileCheck> profiles)
    {
        var profile = profiles.Single(p => p.Profile == spec.Cluster.Cni);
        var sb = new StringBuilder();
        sb.Append($"# Network flows: stack `{spec.Stack}`\n\n");
        sb.Append("Every (source, destination, port) the emitted policies allow between the workloads below, as evaluated by\n");
        sb.Append("`ConnectivityEvaluator` (Kubernetes NetworkPolicy semantics, and CiliumNetworkPolicy entities on Cilium) on every data\n");
        sb.Append($"path of the stack's CNI profile `{profile.Name}` (`{ClusterSection.Cni.FullName}`: " +
                  $"{string.Join(", ", Dataplanes.For(profile.Profile).Select(d => d.Name))}). Any pair not listed is denied.\n");
        sb.Append($"Only flows touching this project's workloads ({string.Join(", ", peers.Ours.Select(p => p.Name))}) are listed.\n\n");
        sb.Append("Caveats:\n\n");
        var hostSfu = peers.Sfu.HostNetwork;
        if (hostSfu)
        {
            sb.Append("- The SFU and coturn use the host network: NetworkPolicies do not apply to them (\"host network\" below); the node\n");
            sb.Append("  firewall rules of the port plan protect their ports. Their traffic carries no pod identity, so Redis and the\n");
            sb.Append($"  authorizer admit what the CNI makes of it, on their needed ports only: {Admits(profile, hostSfu)}.\n");
            sb.Append("  Any host-network process on a node, coturn included, shares those sources (\"Host-network traffic per CNI profile\").\n");
        }
        else
        {
            AppendPodSfu(sb, spec, peers);
        }
        if (profile.Beyond.Count > 0)
        {
            sb.Append($"- `{profile.Name}` admits pod-CIDR addresses too, so every pod of the cluster (`{NetworkPeers.AnyPodName}`) reaches those\n");
            sb.Append("  ports; why Redis and the authorizer stay protected is said under the profile below.\n");
        }
        if (DnsAddresses.Blocks(spec) is { Count: > 0 } dns)
        {
            sb.Append($"- NodeLocal DNSCache: `allow-dns` admits {string.Join(" and ", dns)} on 53/UDP+TCP besides the DNS pods: the cache\n");
            sb.Append("  answers both from the host network without DNAT (`matrix-rtc:nodeLocalDnsAddress`, `matrix-rtc:dnsServiceIp`).\n");
        }
        var routing = spec.Cluster.RoutingPods(spec.Routing.Mode);
        sb.Append($"- The RTC host comes in through `{peers.Ingress.Name}` (`{RoutingSection.Routing.FullName}: {RoutingSection.Name(spec.Routing.Mode)}`): " +
                  $"pods `{string.Join(",", routing.Selector.Select(l => $"{l.Key}={l.Value}"))}` in namespace `{routing.Namespace}`,\n");
        sb.Append(spec.Routing.Mode == RoutingMode.Gateway
            ? $"  HTTPS container port {routing.HttpsPort} (`{ClusterSection.GatewayPodNamespace.FullName}`, `{ClusterSection.GatewayPodSelector.FullName}`, " +
              $"`{ClusterSection.GatewayPodHttpsPort.FullName}`). If those labels match no pod, the authorizer's public paths time out.\n"
            : $"  HTTPS container port {routing.HttpsPort} (`{ClusterSection.IngressNamespace.FullName}`, `{ClusterSection.IngressPodSelector.FullName}`, " +
              $"`{ClusterSection.IngressPodHttpsPort.FullName}`). If those labels match no pod, the authorizer's public paths time out.\n");
        if (!hostSfu)
        {
            sb.Append("  So does the SFU's API: its policy admits it from those pods only.\n");
        }
        sb.Append("- Namespaces this project does not own (gateway or ingress, monitoring, DNS, Synapse) are shown as \"not isolated\": their own\n");
        sb.Append($"  policies, if any, are theirs to add. `{NetworkPeers.AnyPodName}` stands for any other pod of the cluster.\n");
        if (hostSfu)
        {
            sb.Append("- Kubernetes always lets a pod's own node reach it (kubelet probes): the flow tables place the host-network pods on\n");
            sb.Append("  other nodes than Redis and the authorizer, which is what the policies must cover; the per-profile tables add the\n");
            sb.Append("  same-node case.\n");
        }
        else
        {
            sb.Append("- Kubernetes always lets a pod's own node reach it (kubelet probes); no flow of this stack depends on that, since\n");
            sb.Append("  none of its workloads runs on the host network.\n");
        }
        if (peers.Egress is { } egress)
        {
            // Three names for addresses outside the cluster, so the report says what each of Egress's flows is for.
            sb.Append($"- {string.Join(", ", egress.OutsidePeers.Select(p => $"`{p.Name}`"))} are where LiveKit Egress sends uploads, streams and\n");
            sb.Append("  media (the SFU's advertised public addresses, back through hairpin NAT). They are internet addresses like `internet`:\n");
            sb.Append("  a policy that opens the internet on a port opens them too (the authorizer's 443), and they only answer.\n");
        }
        sb.Append("- Policies see the pod port after Service translation: Synapse's port is taken from `matrix-rtc:synapseInternalUrl`.\n\n");
        sb.Append("| workload | namespace | address | host network | listens on |\n|---|---|---|---|---|\n");
        foreach (var w in workloads)
        {
            sb.Append($"| {w.Name} | {w.Namespace ?? "-"} | {w.Address} | {(w.HostNetwork ? "yes" : "no")} | " +
                      $"{string.Join(", ", w.Listens.Select(l => $"{l} ({l.Purpose})"))} |\n");
        }
        var relevant = Relevant(edges, peers).ToList();
        sb.Append("\n## Flows decided by this project's policies\n\n");
        sb.Append("At least one side of each flow is a pod selected by a policy here; the column names the allowing policy.\n\n");
        sb.Append("| source | destination | port | source side | destination side |\n|---|---|---|---|---|\n");
        foreach (var e in relevant.Where(IsPoliced))
        {
            sb.Append($"| {e.Source} | {e.Destination} | {e.Listener} ({e.Listener.Purpose}) | {e.Egress} | {e.Ingress} |\n");
        }
        sb.Append("\n## Flows no policy governs\n\n");
        sb.Append("Both ends are host-network pods, outside the cluster, or in namespaces without our policies: the node firewall\n");
        sb.Append("(port plan) decides these.\n\n");
        sb.Append("| destination | port | sources |\n|---|---|---|\n");
        foreach (var g in relevant.Where(e => !IsPoliced(e)).GroupBy(e => (e.Destination, e.Listener)))
        {
            sb.Append($"| {g.Key.Destination} | {g.Key.Listener} ({g.Key.Listener.Purpose}) | " +
                      $"{string.Join(", ", g.Select(e => e.Source).Distinct().Order(StringComparer.Ordinal))} |\n");
        }
        AppendProfiles(sb, spec, peers, profiles);
        return sb.ToString();
    }

    private static void AppendProfiles(StringBuilder sb, NetworkInput spec, NetworkPeers peers, IReadOnlyList<ProfileCheck> profiles)
    {
        var needs = ProfileChecks.Needs(spec, peers);
        var hostSfu = peers.Sfu.HostNetwork;
        if (hostSfu)
        {
            sb.Append("\n## Host-network traffic per CNI profile\n\n");
            sb.Append("A pod on another node sees the SFU's and coturn's traffic the way the CNI sends the node's own traffic. The model\n");
            sb.Append("puts the pods on node A and the media pods on node B; per data path (evidence: ../shared/REFERENCE.md \"Real clusters\"):\n\n");
            sb.Append("| data path | other node: the pod sees | same node | evidence |\n|---|---|---|---|\n");
            foreach (var d in Dataplanes.All)
            {
                var seen = d.Scenarios.Where(s => !s.SameNode).Select(s => $"{s.Path.Case}: {Seen(spec, peers, s)}");
                var same = d.Engine == PolicyEngine.Cilium ? "identity `host`" : "always admitted (Kubernetes)";
                sb.Append($"| `{d.Name}` ({d.Title}) | {string.Join("; ", seen)} | {same} | {d.Evidence} |\n");
            }
        }
        else
        {
            sb.Append("\n## Needs per CNI profile\n\n");
            sb.Append("No workload of this stack runs on the host network, so what a CNI makes of a node's own traffic decides no flow\n");
            sb.Append("here; each profile's policies are still checked on every data path (its engine, NodeLocal DNSCache's answers).\n");
        }
        sb.Append("\nNeeds, on every case of a data path: " +
                  string.Join("; ", needs.Select(n => $"{n.Label} ({string.Join(", ", n.Flows.Select(f => $"{f.Source} -> {f.Destination} {f.Listener}").Distinct())})")) + ".\n");
        sb.Append("A profile works on a data path (✓) when every need is met in every case there; otherwise the first unmet need is named.\n\n");
        sb.Append("| profile | host-network sources admitted | " + string.Join(" | ", Dataplanes.All.Select(d => $"`{d.Name}`")) + " |\n");
        sb.Append("|---|---|" + string.Concat(Dataplanes.All.Select(_ => "---|")) + "\n");
        foreach (var p in profiles)
        {
            var name = p.Profile == spec.Cluster.Cni ? $"**`{p.Name}`** (this stack)" : $"`{p.Name}`";
            sb.Append($"| {name} | {Admits(p, hostSfu)} | {string.Join(" | ", Dataplanes.All.Select(d => Cell(p, d)))} |\n");
        }
        foreach (var p in profiles)
        {
            AppendProfile(sb, spec, p, needs, hostSfu);
        }
    }

    private static void AppendProfile(StringBuilder sb, NetworkInput spec, ProfileCheck p, IReadOnlyList<Need> needs, bool hostSfu)
    {
        sb.Append($"\n### Profile `{p.Name}`{(p.Profile == spec.Cluster.Cni ? " (this stack)" : "")}\n\n");
        if (p.Refused is not null)
        {
            sb.Append($"Refused for this stack: {p.Refused}\n");
            return;
        }
        sb.Append($"Meant for {string.Join(", ", Dataplanes.For(p.Profile).Select(d => $"`{d.Name}`"))}. {Rules(p, hostSfu)}\n\n");
        sb.Append("| data path | case | " + string.Join(" | ", needs.Select(n => n.Label)) + " |\n");
        sb.Append("|---|---|" + string.Concat(needs.Select(_ => "---|")) + "\n");
        foreach (var s in p.Scenarios.Where(s => Dataplanes.For(p.Profile).Contains(s.Scenario.Dataplane)))
        {
            sb.Append($"| `{s.Scenario.Dataplane.Name}` | {s.Scenario.Path.Case} | " +
                      string.Join(" | ", needs.Select(n => s.Unmet.Contains(n.Label) ? "✗ denied" : "✓")) + " |\n");
        }
        if (p.Beyond.Count == 0)
        {
            sb.Append("\nNothing is allowed beyond what node addresses alone (`calico-bgp` on `calico-bgp`) allow, on every case above.\n");
        }
        else
        {
            sb.Append("\nAllowed beyond what node addresses alone (`calico-bgp` on `calico-bgp`) allow, because the pod CIDRs are admitted\n");
            sb.Append("(every pod of the cluster, on exactly these ports; nothing else is widened):\n\n");
            foreach (var e in p.Beyond)
            {
                sb.Append($"- {e}\n");
            }
            sb.Append("\nWhy they stay protected: Redis and Sentinel answer only clients that authenticate (`requirepass` and Sentinel's own\n");
            sb.Append("password, both generated into Secret `redis-auth`; TLS too with `redisTls`), and Redis may still reach nothing but\n");
            sb.Append("its own pods. The authorizer accepts a webhook only with a valid signature (LiveKit signs it with the API secret;\n");
            sb.Append("lk-jwt-service checks it with `webhook.ReceiveWebhookEvent`); its token API on the same port is public through the\n");
            sb.Append("Gateway or ingress anyway and needs a Matrix OpenID token.\n");
        }
        var ownNode = p.Scenarios.Where(s => Dataplanes.For(p.Profile).Contains(s.Scenario.Dataplane))
            .SelectMany(s => s.OwnNodeOnly).DistinctBy(e => e.Key).Select(e => e.ToString()).Order(StringComparer.Ordinal).ToList();
        if (ownNode.Count > 0)
        {
            sb.Append($"\nSame node only, by Kubernetes' own-node rule and not by these policies: {string.Join(", ", ownNode)}.\n");
        }
    }

    /// <summary>The first caveat off the host network: the SFU is a pod, and what its policy admits, per media mode.</summary>
    private static void AppendPodSfu(StringBuilder sb, NetworkInput spec, NetworkPeers peers)
    {
        var media = spec.Sfu.Media;
        var sources = new List<string> { $"`{peers.Ingress.Name}`" };
        if (peers.Egress is { } egress)
        {
            sources.Add($"`{egress.Pods.Name}`");
        }
        if (spec.Cluster.AuthorizerSfuRoute == SfuRoute.Direct)
        {
            sources.Add($"`{peers.Authorizer.Name}`");
        }
        sb.Append($"- The SFU runs in the pod network (`{SfuSection.MediaExposureKey.FullName}: {SfuSection.Name(media.Exposure)}`) and serves TURN itself (no\n");
        sb.Append($"  coturn): policy `{NetworkPolicyBuilder.Sfu}` selects it. In: its media ports from anywhere (clients call from\n");
        sb.Append($"  everywhere; externalTrafficPolicy Local keeps their addresses): {string.Join(", ", spec.SfuMediaListeners.Select(l => l.ToString()))};\n");
        sb.Append($"  its API only from {string.Join(", ", sources)}" +
                  (spec.Cluster.Monitoring ? ", its metrics only from `prometheus`" : "") + ".\n");
        var udp = peers.Sfu.Listener(Infra.Plan.Ports.PortPlan.RtcUdpPurpose);
        sb.Append($"  Out: Redis and Sentinel, the authorizer's webhook, DNS, and {udp} for LiveKit's TURN relay, which sends relayed\n");
        sb.Append("  media to the SFU's advertised address: ");
        sb.Append(media.Exposure == MediaExposure.LoadBalancer
            ? $"its load balancer's address ({string.Join(", ", media.LoadBalancerAddresses)}; `{SfuOutsidePeers.AdvertisedName}`\n" +
              "  below), or the SFU pods where the node translates that address itself.\n"
            : media.NodeAddress == NodeAddressSource.Stun
                ? $"the node's public address found by STUN (any public address, `{SfuOutsidePeers.AdvertisedName}`), or the SFU\n" +
                  $"  pods where it is the node's own; and the STUN servers (`{SfuOutsidePeers.StunName}`) on " +
                  $"{string.Join(", ", peers.SfuOutside!.Stun!.Listens.Select(l => l.ToString()))} at start.\n"
                : "the node's own, which the node translates to an SFU pod before any policy sees it: the SFU pods.\n");
        sb.Append("  No workload of this stack uses the host network: no policy admits node addresses.\n");
    }

    /// <summary>A profile's host-network admission, in words (none without a host-network SFU: nothing of ours needs it).</summary>
    private static string Admits(ProfileCheck p, bool hostSfu) => !hostSfu ? "none (no host-network workload)" : p.Profile switch
    {
        CniProfile.Cilium => "entities `host`, `remote-node` (CiliumNetworkPolicies)",
        CniProfile.Flannel => $"node CIDRs ({Join(p.HostBlocks.Where(b => !IsTunnel(b)))}), {p.HostBlocks.Count(IsTunnel)} node-subnet first addresses " +
                              $"({string.Join(" … ", new[] { p.HostBlocks.FirstOrDefault(IsTunnel), p.HostBlocks.LastOrDefault(IsTunnel) }.OfType<Cidr>().Distinct())})",
        _ => Join(p.HostBlocks),
    };

    private static bool IsTunnel(Cidr b) => b.PrefixLength is 32 or 128;

    private static string Join(IEnumerable<Cidr> blocks) => string.Join(", ", blocks);

    /// <summary>The policy rules a profile adds for host-network traffic, by name.</summary>
    private static string Rules(ProfileCheck p, bool hostSfu)
    {
        if (p.Policies.Cilium.Count > 0)
        {
            return "CiliumNetworkPolicies " + string.Join(", ", p.Policies.Cilium.Select(c =>
                $"`{c.Namespace}/{c.Name}` ({string.Join("; ", Describe(c))})")) + "; the NetworkPolicies name no node address.";
        }
        return hostSfu
            ? $"NetworkPolicies `{NetworkPolicyBuilder.Redis}` and `{NetworkPolicyBuilder.Authorizer}` admit host-network traffic from {Admits(p, hostSfu)}."
            : "The NetworkPolicies admit no node address: no workload of this stack runs on the host network.";
    }

    private static IEnumerable<string> Describe(CiliumPolicy c) =>
        (c.Spec.Ingress ?? []).Select(r => $"in from {string.Join(", ", r.FromEntities)} on {Ports(r.ToPorts)}")
            .Concat((c.Spec.Egress ?? []).Select(r => $"out to {string.Join(", ", r.ToEntities)} on {Ports(r.ToPorts)}"));

    private static string Ports(IReadOnlyList<CiliumPortRule> rules) =>
        string.Join(", ", rules.SelectMany(r => r.Ports).Select(p => $"{p.Port}/{p.Protocol}"));

    private static string Cell(ProfileCheck p, Dataplane d)
    {
        if (p.Refused is not null)
        {
            return "refused";
        }
        var cases = p.Scenarios.Where(s => s.Scenario.Dataplane == d).ToList();
        if (cases.FirstOrDefault(s => s.NotApplicable is not null) is { } na)
        {
            return $"n/a: {na.NotApplicable}";
        }
        return cases.FirstOrDefault(s => !s.Works) is { } fail ? $"✗ {fail.Unmet[0]} ({fail.Scenario.Path.Case})" : "✓";
    }

    /// <summary>What a pod on node A sees the host-network pods' traffic come from in <paramref name="scenario"/>.</summary>
    private static string Seen(NetworkInput spec, NetworkPeers peers, Scenario scenario)
    {
        var sfu = ConnectivityModel.For(spec, peers, scenario).Single(w => w.Name == peers.Sfu.Name);
        return scenario.Path.Source switch
        {
            HostSource.RemoteNode => "identity `remote-node`",
            HostSource.NodeAddress => $"the node address ({sfu.From})",
            HostSource.PoolTunnel => $"the tunnel address, from the node's IPAM block of the pool ({sfu.From})",
            HostSource.SubnetTunnel => $"the first address of the node's pod subnet ({sfu.From})",
            _ => sfu.From.ToString(),
        };
    }

    /// <summary>True when a policy of this project allowed one side (rather than no policy applying).</summary>
    public static bool IsPoliced(Edge e) => !IsUngoverned(e.Egress) || !IsUngoverned(e.Ingress);

    private static bool IsUngoverned(string reason) =>
        reason is ConnectivityEvaluator.NotIsolated or ConnectivityEvaluator.HostNetwork or ConnectivityEvaluator.External or ConnectivityEvaluator.OwnNode;

    /// <summary>The edges that touch one of our workloads, in a stable order.</summary>
    public static IEnumerable<Edge> Relevant(IEnumerable<Edge> edges, NetworkPeers peers) =>
        edges.Where(e => peers.Ours.Any(p => p.Name == e.Source || p.Name == e.Destination))
            .OrderBy(e => e.Source, StringComparer.Ordinal)
            .ThenBy(e => e.Destination, StringComparer.Ordinal)
            .ThenBy(e => e.Listener.Port)
            .ThenBy(e => e.Listener.Protocol);
}
