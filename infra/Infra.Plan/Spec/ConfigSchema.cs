using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Spec;

/// <summary>All keys of the <c>matrix-rtc:</c> namespace, section by section, in documentation order.</summary>
public static class ConfigSchema
{
    public static IReadOnlyList<(string Section, IReadOnlyList<ConfigKey> Keys)> Sections { get; } =
    [
        ("Site", SiteSection.Keys),
        ("Load and tier", LoadSection.Keys),
        ("Images", ImagesSection.Keys),
        ("Nodes and address ranges", NodesSection.Keys),
        ("Host ports", PortsSection.Keys),
        ("TLS and ingress", TlsSection.Keys),
        ("Redis Sentinel", RedisSection.Keys),
        ("SFU", SfuSection.Keys),
        ("TURN", TurnSection.Keys),
        ("Synapse", SynapseSection.Keys),
        ("Cluster services and monitoring", ClusterSection.Keys),
        ("Observability", ObservabilitySection.Keys),
    ];

    public static IReadOnlyList<ConfigKey> AllKeys { get; } = Sections.SelectMany(s => s.Keys).ToArray();

    public static ConfigKey? Find(string name) => AllKeys.FirstOrDefault(k => k.Name == name);
}
