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
    RedisSpec Redis,
    SfuSpec Sfu,
    TurnSpec Turn,
    SynapseSpec Synapse,
    ClusterSpec Cluster,
    ObservabilitySpec Observability);
