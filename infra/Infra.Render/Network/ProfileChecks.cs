using Infra.Plan.Components.Authorizer;
using Infra.Plan.Components.Redis;
using Infra.Plan.Contract;
using Infra.Plan.Net;
using Infra.Plan.Ports;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Network;

/// <summary>A flow the system needs on every data path, grouped under the report's column <paramref name="Label"/>.</summary>
public sealed record Need(string Label, IReadOnlyList<(string Source, string Destination, Listener Listener)> Flows);

/// <summary>One profile's policies on one data path case: what is missing of the needs, and what they allow beyond the reference.</summary>
/// <param name="Unmet">The needs (by label) that some flow of which is denied.</param>
/// <param name="Beyond">Flows allowed here that the reference (calico-bgp policies on calico-bgp) does not allow, own-node ones aside.</param>
/// <param name="OwnNodeOnly">Flows only a node's own-pod rule admits (not these policies).</param>
/// <param name="NotApplicable">Why the policies cannot run there (CiliumNetworkPolicies without Cilium); null when evaluated.</param>
/// <param name="Edges">Every flow allowed there.</param>
public sealed record ScenarioCheck(Scenario Scenario, IReadOnlyList<string> Unmet, IReadOnlyList<Edge> Beyond, IReadOnlyList<Edge> OwnNodeOnly, string? NotApplicable,
    IReadOnlyList<Edge> Edges)
{
    public bool Works => NotApplicable is null && Unmet.Count == 0;
}

/// <summary>The policies a profile emits for this stack, checked on every data path (its own and every other).</summary>
/// <param name="Refused">The config error the profile would raise for this stack (flannel with too many node subnets); null otherwise.</param>
public sealed record ProfileCheck(CniProfile Profile, PolicySet Policies, IReadOnlyList<Cidr> HostBlocks, IReadOnlyList<ScenarioCheck> Scenarios, string? Refused)
{
    public string Name => ClusterSection.Name(Profile);

    /// <summary>True when every need is met in every case of <paramref name="dataplane"/>.</summary>
    public bool WorksOn(Dataplane dataplane) =>
        Refused is null && Scenarios.Where(s => s.Scenario.Dataplane == dataplane).All(s => s.Works);

    /// <summary>Every flow allowed on some data path the profile is meant for, with the host-network pods on another node.</summary>
    public IReadOnlyList<Edge> OtherNodeEdges =>
        Scenarios.Where(s => !s.Scenario.SameNode && Dataplanes.For(Profile).Contains(s.Scenario.Dataplane))
            .SelectMany(s => s.Edges).DistinctBy(e => e.Key).ToList();

    /// <summary>What the profile allows beyond the reference on the data paths it is meant for.</summary>
    public IReadOnlyList<Edge> Beyond =>
        Scenarios.Where(s => Dataplanes.For(Profile).Contains(s.Scenario.Dataplane))
            .SelectMany(s => s.Beyond).DistinctBy(e => e.Key).OrderBy(e => e.ToString(), StringComparer.Ordinal).ToList();
}

/// <summary>
/// Evaluates the policies of every CNI profile for one stack on every data path (<see cref="Dataplanes.All"/>), each
/// case (other node, same node) modelled by <see cref="ConnectivityModel"/>: the needs must hold on the data paths a
/// profile is meant for, and nothing may be allowed beyond the narrowest profile except what the profile says it widens.
/// </summary>
public static class ProfileChecks
{
    /// <summary>The reference: node addresses only, on the data path that produces nothing else.</summary>
    public static readonly CniProfile ReferenceProfile = CniProfile.CalicoBgp;

    public static IReadOnlyList<ProfileCheck> For(NetworkInput spec, NetworkPeers peers)
    {
        var needs = Needs(spec, peers);
        var referenceSpec = With(spec, ReferenceProfile);
        var reference = ConnectivityEvaluator.Evaluate(Policies(referenceSpec, peers),
                ConnectivityModel.For(referenceSpec, peers, Dataplanes.CalicoBgp.Scenarios[0]), PolicyEngine.Addresses)
            .Select(e => e.Key).ToHashSet();
        return Enum.GetValues<CniProfile>().Select(profile => Check(With(spec, profile), peers, needs, reference)).ToList();
    }

    public static NetworkInput With(NetworkInput spec, CniProfile profile) => spec with { Cluster = spec.Cluster with { Cni = profile } };

    public static PolicySet Policies(NetworkInput spec, NetworkPeers peers) =>
        new(NetworkPolicyBuilder.Build(spec, peers), CiliumPolicyBuilder.Build(spec, peers));

    /// <summary>
    /// What must flow on every data path: the SFU to Redis and Sentinel (room state) and to the authorizer's webhook;
    /// the authorizer to the SFU's API when it reaches it directly; coturn's TURN ports from the internet and its
    /// relayed media to the SFU (the TURN peer), or off the host network the SFU pod's own flows (<see cref="PodSfuNeeds"/>);
    /// our pods' DNS, NodeLocal DNSCache's addresses included.
    /// </summary>
    public static IReadOnlyList<Need> Needs(NetworkInput spec, NetworkPeers peers)
    {
        var sfu = peers.Sfu;
        var needs = new List<Need>();
        if (peers is { Redis: { } redis, Sentinel: { } sentinel })
        {
            needs.Add(new Need("sfu → redis", [(sfu.Name, redis.Name, redis.Listener(RedisPlan.RedisPurpose))]));
            needs.Add(new Need("sfu → sentinel", [(sfu.Name, sentinel.Name, sentinel.Listener(RedisPlan.SentinelPurpose))]));
        }
        needs.Add(new Need("sfu → webhook", [(sfu.Name, peers.Authorizer.Name, peers.Authorizer.Listener(AuthorizerPlan.HttpPurpose))]));
        if (spec.Cluster.AuthorizerSfuRoute == SfuRoute.Direct)
        {
            needs.Add(new Need("authorizer → sfu API", [(peers.Authorizer.Name, sfu.Name, sfu.Listener(PortPlan.SfuApiPurpose))]));
        }
        if (peers.Coturn is { } coturn)
        {
            needs.Add(new Need("coturn (TURN in, relay to the sfu)",
                [.. coturn.Listens.Where(l => l.Purpose != PortPlan.MetricsPurpose).Select(l => (peers.Internet.Name, coturn.Name, l)),
                 (coturn.Name, sfu.Name, sfu.Listens.Single(l => l.Purpose == PortPlan.RtcUdpPurpose))]));
        }
        if (sfu.IsPod)
        {
            needs.AddRange(PodSfuNeeds(spec, peers));
        }
        var dns = new[] { peers.Dns, peers.NodeLocalDns, peers.DnsServiceIp }.OfType<Peer>().ToList();
        // A pod-network SFU resolves Redis's and the authorizer's names through the cluster DNS like every pod.
        var pods = new[] { peers.Authorizer, peers.Redis, sfu.IsPod ? sfu : null }.OfType<Peer>();
        needs.Add(new Need(peers.NodeLocalDns is null ? "DNS" : "DNS (NodeLocal DNSCache too)",
            [.. pods.SelectMany(p => dns.SelectMany(d => d.Listens.Select(l => (p.Name, d.Name, l))))]));
        return needs;
    }

    /// <summary>
    /// Off the host network, what the SFU pod's own policy must let through: its media and LiveKit's own TURN from the
    /// internet; its API from the routing data plane (and from Egress); its metrics from Prometheus; its relay to its
    /// advertised address (an SFU pod once the node translates it, else the address itself) and its STUN queries.
    /// </summary>
    private static IEnumerable<Need> PodSfuNeeds(NetworkInput spec, NetworkPeers peers)
    {
        var sfu = peers.Sfu;
        var api = sfu.Listener(PortPlan.SfuApiPurpose);
        yield return new Need("sfu media and TURN from the internet", [.. spec.SfuMediaListeners.Select(l => (peers.Internet.Name, sfu.Name, l))]);
        yield return new Need($"{peers.Ingress.Name} → sfu API", [(peers.Ingress.Name, sfu.Name, api)]);
        if (spec.Cluster.Monitoring)
        {
            yield return new Need("prometheus → sfu metrics", [(peers.Prometheus.Name, sfu.Name, sfu.Listener(PortPlan.MetricsPurpose))]);
        }
        if (peers.Egress is { } egress)
        {
            yield return new Need("egress → sfu API and media",
                [.. new[] { api, sfu.Listener(PortPlan.RtcTcpPurpose), sfu.Listener(PortPlan.RtcUdpPurpose) }.Select(l => (egress.Pods.Name, sfu.Name, l))]);
        }
        var udp = sfu.Listener(PortPlan.RtcUdpPurpose);
        yield return new Need("sfu TURN relay → its advertised address",
            [(sfu.Name, sfu.Name, udp), .. peers.SfuOutside?.Advertised is { } advertised ? new[] { (sfu.Name, advertised.Name, advertised.Listens[0]) } : []]);
        if (peers.SfuOutside?.Stun is { } stun)
        {
            yield return new Need("sfu → STUN servers", [.. stun.Listens.Select(l => (sfu.Name, stun.Name, l))]);
        }
    }

    private static ProfileCheck Check(NetworkInput spec, NetworkPeers peers, IReadOnlyList<Need> needs, HashSet<(string, string, int, Protocol)> reference)
    {
        var refused = HostSources.CheckFlannel(spec).FirstOrDefault()?.ToString();
        var policies = Policies(spec, peers);
        var prepared = ConnectivityEvaluator.Prepare(policies);
        var scenarios = new List<ScenarioCheck>();
        foreach (var scenario in Dataplanes.All.SelectMany(d => d.Scenarios))
        {
            if (scenario.Dataplane.Engine != PolicyEngine.Cilium && policies.Cilium.Count > 0)
            {
                scenarios.Add(new ScenarioCheck(scenario, [], [], [], "CiliumNetworkPolicy needs Cilium's CRD", []));
                continue;
            }
            var edges = ConnectivityEvaluator.Evaluate(prepared, ConnectivityModel.For(spec, peers, scenario), scenario.Dataplane.Engine);
            var allowed = edges.Select(e => e.Key).ToHashSet();
            var unmet = needs.Where(n => n.Flows.Any(f => !allowed.Contains((f.Source, f.Destination, f.Listener.Port, f.Listener.Protocol))))
                .Select(n => n.Label).ToList();
            var ownNode = edges.Where(e => e.Ingress == ConnectivityEvaluator.OwnNode && !reference.Contains(e.Key)).ToList();
            var beyond = edges.Where(e => e.Ingress != ConnectivityEvaluator.OwnNode && !reference.Contains(e.Key)).ToList();
            scenarios.Add(new ScenarioCheck(scenario, unmet, beyond, ownNode, null, edges));
        }
        return new ProfileCheck(spec.Cluster.Cni, policies, HostSources.IngressBlocks(spec), scenarios, refused);
    }
}
