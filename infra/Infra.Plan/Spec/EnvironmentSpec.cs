using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Spec;

/// <summary>
/// Everything one environment needs, validated. Built only by <see cref="SpecParser"/>, from Pulumi config
/// or from a Pulumi.&lt;stack&gt;.yaml file; every plan is a pure function of it.
/// </summary>
public sealed record EnvironmentSpec(
    string Stack,
    SiteSpec Site,
    LoadSpec Load,
    ImagesSpec Images,
    NodesSpec Nodes,
    PortsSpec Ports,
    TlsSpec Tls,
    RoutingSpec Routing,
    RedisSpec Redis,
    SfuSpec Sfu,
    TurnSpec Turn,
    SynapseSpec Synapse,
    ClusterSpec Cluster,
    ObservabilitySpec Observability,
    EgressSpec Egress)
{
    // A new config section is registered here and nowhere else: its member above, its keys (documentation order) and
    // its Read below. The parser, the docs, the config report and the unknown-key check all use these two lists.

    /// <summary>Every config section: its title in the docs and its keys.</summary>
    public static IReadOnlyList<(string Title, IReadOnlyList<ConfigKey> Keys)> Sections { get; } =
    [
        ("Site", SiteSection.Keys),
        ("Load and tier", LoadSection.Keys),
        ("Images", ImagesSection.Keys),
        ("Nodes and address ranges", NodesSection.Keys),
        ("Ports", PortsSection.Keys),
        ("TLS and ingress", TlsSection.Keys),
        ("Routing (Gateway API or Ingress)", RoutingSection.Keys),
        ("Redis Sentinel", RedisSection.Keys),
        ("SFU", SfuSection.Keys),
        ("TURN", TurnSection.Keys),
        ("Synapse", SynapseSection.Keys),
        ("Cluster services and monitoring", ClusterSection.Keys),
        ("Observability", ObservabilitySection.Keys),
        ("Recording and streaming (LiveKit Egress)", EgressSection.Keys),
    ];

    /// <summary>Reads every section (single keys only; a bad key falls back to its default and is recorded in <paramref name="r"/>).</summary>
    internal static EnvironmentSpec Read(string stack, ConfigReader r)
    {
        var (site, load, images, nodes) = (SiteSection.Read(r), LoadSection.Read(r), ImagesSection.Read(r), NodesSection.Read(r));
        // The ports' defaults and the keys that apply follow the media mode.
        var media = SfuSection.ReadMedia(r);
        var ports = PortsSection.Read(r, media.Exposure);
        // TLS reads the routing mode: the RTC host's certificate sits on the Gateway's listener or on the Ingresses.
        var routing = RoutingSection.Read(r);
        return new(stack, site, load, images, nodes, ports,
            TlsSection.Read(r, routing.Mode),
            routing,
            RedisSection.Read(r),
            SfuSection.Read(r, media),
            TurnSection.Read(r),
            SynapseSection.Read(r, media),
            ClusterSection.Read(r),
            ObservabilitySection.Read(r),
            EgressSection.Read(r));
    }
}
