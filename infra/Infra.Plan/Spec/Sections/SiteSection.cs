namespace Infra.Plan.Spec.Sections;

/// <summary>Who the deployment serves and where it lives: names, hosts, namespaces, environment kind.</summary>
/// <param name="ServerName">The Matrix server name (the part after ':' in user IDs).</param>
/// <param name="RtcHost">Public host for the SFU (WebSocket) and the authorizer.</param>
/// <param name="TurnHost">Public TURN name; resolves to the media nodes.</param>
/// <param name="Namespace">Namespace of the authorizer and Redis (Pod Security restricted).</param>
/// <param name="MediaNamespace">Namespace of the host-network SFU and coturn.</param>
/// <param name="Production">Turns on the production policies (digest-pinned images, TLS, required anti-affinity).</param>
/// <param name="KubeContext">kubeconfig context the Pulumi provider uses; empty for the current one.</param>
public sealed record SiteSpec(
    string ServerName,
    string RtcHost,
    string TurnHost,
    string Namespace,
    string MediaNamespace,
    bool Production,
    string KubeContext);

public static class SiteSection
{
    public static readonly ConfigKey ServerName = new("serverName", ConfigType.String,
        "Matrix server name (the part after ':' in user IDs), e.g. example.com. Required.", Required: true);
    public static readonly ConfigKey RtcHost = new("rtcHost", ConfigType.String,
        "Public host for calls: the SFU WebSocket and the authorizer, e.g. rtc.example.com. Required.", Required: true);
    public static readonly ConfigKey TurnHost = new("turnHost", ConfigType.String,
        "Public TURN host resolving to the media nodes, e.g. turn.example.com. Required.", Required: true);
    public static readonly ConfigKey Namespace = new("namespace", ConfigType.String,
        "Namespace for the authorizer and Redis (Pod Security: restricted).", "matrix-rtc");
    public static readonly ConfigKey MediaNamespace = new("mediaNamespace", ConfigType.String,
        "Namespace for the SFU and coturn (Pod Security: privileged with sfuMediaExposure hostNetwork, else restricted).", "matrix-rtc-media");
    public static readonly ConfigKey Production = new("production", ConfigType.Boolean,
        "Production policies: images pinned by digest, trusted TLS, required Redis anti-affinity.", false);
    public static readonly ConfigKey KubeContext = new("kubeContext", ConfigType.String,
        "kubeconfig context for the Kubernetes provider; empty uses the current context.", "");

    public static IReadOnlyList<ConfigKey> Keys { get; } =
        [ServerName, RtcHost, TurnHost, Namespace, MediaNamespace, Production, KubeContext];

    public static SiteSpec Read(ConfigReader r)
    {
        var spec = new SiteSpec(
            r.DnsName(ServerName),
            r.DnsName(RtcHost),
            r.DnsName(TurnHost),
            r.DnsLabel(Namespace),
            r.DnsLabel(MediaNamespace),
            r.Bool(Production),
            r.String(KubeContext));
        if (spec.Namespace.Length > 0 && spec.Namespace == spec.MediaNamespace)
        {
            r.Fail(MediaNamespace, $"a namespace other than {Namespace.FullName} (\"{spec.Namespace}\"): host-network pods need their own Pod Security level");
        }
        if (spec.RtcHost.Length > 0 && spec.RtcHost == spec.TurnHost)
        {
            r.Fail(TurnHost, $"a name other than {RtcHost.FullName}: the RTC host points at the ingress, the TURN name at the media nodes");
        }
        return spec;
    }
}
