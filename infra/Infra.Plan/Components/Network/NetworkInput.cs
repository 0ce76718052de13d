using Infra.Plan.Contract;
using Infra.Plan.Ports;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Network;

/// <summary>
/// Everything the NetworkPolicies component (<see cref="NetworkPlan.Build"/>) decides from besides its peers, as plain
/// values: the namespaces it closes, how the cluster's CNI carries host-network traffic, the cluster's address ranges,
/// and where the cluster's own services and the outside destinations are. The workloads arrive as
/// <see cref="NetworkPeers"/>. <see cref="From"/> is the one place that reads the whole environment for it.
/// </summary>
/// <param name="Stack">The stack name, in the connectivity report's title.</param>
/// <param name="Site">The app and media namespaces, each default-deny with its own DNS policy.</param>
/// <param name="Cluster">The CNI profile, the DNS, ingress or Gateway and Prometheus pods, NodeLocal DNSCache, how the authorizer reaches the SFU, whether monitoring is on.</param>
/// <param name="Nodes">The node, pod and service CIDRs and node subnet sizes: host-network sources, the internet's exclusions, the DNS Service address.</param>
/// <param name="Routing">Gateway or Ingress: which pods carry the RTC host's traffic in.</param>
/// <param name="Synapse">Where the local Synapse's pods are and its client port: the authorizer's way out.</param>
/// <param name="Ports">The SFU's media ports, which Egress reaches at the media nodes' public addresses.</param>
/// <param name="Egress">The bucket's port and ranges and whether streaming is on, when Egress is deployed.</param>
/// <param name="ExistingRedis">An existing Sentinel cluster's addresses (<c>redisMode: existing</c>): their ports are opened for Egress; null with a managed Redis.</param>
/// <param name="Sfu">How clients reach the SFU (<c>sfuMediaExposure</c>: off the host network policies select it) and the STUN
/// servers it asks for its address.</param>
/// <param name="MediaPorts">The port table: off the host network, the SFU ports open to the internet are its media ports.</param>
public sealed record NetworkInput(
    string Stack,
    SiteSpec Site,
    ClusterSpec Cluster,
    NodesSpec Nodes,
    RoutingSpec Routing,
    SynapseSpec Synapse,
    PortsSpec Ports,
    EgressSpec Egress,
    ExistingSentinelSpec? ExistingRedis,
    SfuSpec Sfu,
    PortPlan MediaPorts)
{
    /// <summary>
    /// The SFU's media listeners: its ports the port plan opens to the internet (ICE-TCP, RTC UDP and, off the host network,
    /// LiveKit's own TURN/UDP and, behind a load balancer, TURN/TLS), as its peer lists them.
    /// </summary>
    public IReadOnlyList<Listener> SfuMediaListeners =>
        PortPlan.ListenersOf(MediaPorts.Of(PortPlan.Sfu).Where(p => p.Exposure == Exposure.Internet));

    /// <summary>The only place the NetworkPolicies component reads the whole environment.</summary>
    public static NetworkInput From(Derived d)
    {
        var spec = d.Spec;
        return new(spec.Stack, spec.Site, spec.Cluster, spec.Nodes, spec.Routing, spec.Synapse, spec.Ports, spec.Egress, spec.Redis.Existing, spec.Sfu, d.Ports);
    }
}
