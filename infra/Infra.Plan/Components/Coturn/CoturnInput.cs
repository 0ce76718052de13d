using Infra.Plan.Contract;
using Infra.Plan.Ports;
using Infra.Plan.Sizing;
using Infra.Plan.Spec.Sections;
using Infra.Plan.Turn;

namespace Infra.Plan.Components.Coturn;

/// <summary>
/// Everything the coturn component needs, as plain values: its own config sections, its size from the tier, and the
/// names and ports the rest of the environment fixed for it. <see cref="From"/> is the one place that reads the whole
/// environment for coturn; <see cref="CoturnPlan.Build"/> needs nothing else.
/// </summary>
/// <param name="Stack">The stack name, written into turnserver.conf's header.</param>
/// <param name="Site">The media namespace coturn runs in and the TURN host name (realm, server name, certificate).</param>
/// <param name="Images">The coturn image (its tag fixes the release the config is written for) and the pull Secrets.</param>
/// <param name="Nodes">The media nodes' selector and tolerations, and the node/pod ranges coturn must not relay to.</param>
/// <param name="Ports">The host port plan: TURN, TURN-TLS, relay range, metrics, and the SFU's UDP port (node firewall).</param>
/// <param name="Tls">How the TURN certificate is issued (self-signed, cert-manager issuer, or supplied).</param>
/// <param name="Turn">The TURN section: external-IP discovery and NAT map, and the previous shared secret while rotating.</param>
/// <param name="Size">The coturn container's requests and limits from the tier.</param>
/// <param name="Quotas">Concurrent allocations per user and per node (tier, or the turn section's overrides).</param>
/// <param name="Wiring">The shared-secret and TLS Secret names and keys that LiveKit and Synapse also use.</param>
/// <param name="Listeners">What coturn listens on, as network peers see it (from the port plan).</param>
public sealed record CoturnInput(
    string Stack,
    SiteSpec Site,
    ImagesSpec Images,
    NodesSpec Nodes,
    PortsSpec Ports,
    TlsSpec Tls,
    TurnSpec Turn,
    ResourceSize Size,
    TurnQuotas Quotas,
    TurnWiring Wiring,
    IReadOnlyList<Listener> Listeners)
{
    public static CoturnInput From(Derived d) => new(
        d.Spec.Stack, d.Spec.Site, d.Spec.Images, d.Spec.Nodes, d.Spec.Ports, d.Spec.Tls, d.Spec.Turn,
        d.Sizing.Preset.Coturn, d.TurnQuotas, d.Topology.Turn, d.Ports.Listeners(PortPlan.Coturn));
}
