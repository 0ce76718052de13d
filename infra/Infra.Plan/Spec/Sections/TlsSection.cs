namespace Infra.Plan.Spec.Sections;

public enum TlsMode
{
    /// <summary>Pulumi.Tls makes a CA and certificates. For dev: browsers reject it for wss/turns.</summary>
    SelfSigned,
    /// <summary>cert-manager issues the certificates (DNS-01 for the TURN name).</summary>
    CertManager,
    /// <summary>The operator provides kubernetes.io/tls Secrets.</summary>
    ExistingSecret,
}

/// <summary>How the RTC host and the TURN name get certificates, and the IngressClass (routing ingress; empty: the cluster's default class).</summary>
public sealed record TlsSpec(
    TlsMode Mode,
    string CertManagerIssuer,
    string CertManagerIssuerKind,
    string RtcTlsSecret,
    string TurnTlsSecret,
    string IngressClass,
    bool ExternalDns);

public static class TlsSection
{
    public static readonly ConfigKey Mode = new("tlsMode", ConfigType.String,
        "Certificates: self-signed (Pulumi.Tls, dev only), cert-manager, or existing-secret.", "self-signed");
    public static readonly ConfigKey Issuer = new("certManagerIssuer", ConfigType.String,
        "cert-manager issuer name (tlsMode cert-manager); it must solve DNS-01 for the TURN name.", "");
    public static readonly ConfigKey IssuerKind = new("certManagerIssuerKind", ConfigType.String,
        "ClusterIssuer or Issuer (tlsMode cert-manager).", "ClusterIssuer");
    public static readonly ConfigKey RtcSecret = new("rtcTlsSecret", ConfigType.String,
        "kubernetes.io/tls Secret for the RTC host's Ingresses (tlsMode existing-secret with routing ingress; present in both namespaces). " +
        "With routing gateway the Gateway listener's own certificateRefs carry the operator's certificate.", "");
    public static readonly ConfigKey TurnSecret = new("turnTlsSecret", ConfigType.String,
        "kubernetes.io/tls Secret for the TURN name in the media namespace (tlsMode existing-secret).", "");
    public static readonly ConfigKey IngressClass = new("ingressClass", ConfigType.String,
        "IngressClass for the RTC host (routing ingress; must carry WebSockets for hours). Empty: the cluster's default IngressClass.", "");
    public static readonly ConfigKey ExternalDns = new("externalDns", ConfigType.Boolean,
        "Annotate the Ingresses for external-dns (routing ingress). HTTPRoutes need no annotation: external-dns's gateway-httproute " +
        "source reads their hostnames.", false);

    public static IReadOnlyList<ConfigKey> Keys { get; } = [Mode, Issuer, IssuerKind, RtcSecret, TurnSecret, IngressClass, ExternalDns];

    private static readonly Dictionary<string, TlsMode> Modes = new()
    {
        ["self-signed"] = TlsMode.SelfSigned,
        ["cert-manager"] = TlsMode.CertManager,
        ["existing-secret"] = TlsMode.ExistingSecret,
    };

    private static readonly Dictionary<string, string> IssuerKinds = new()
    {
        ["ClusterIssuer"] = "ClusterIssuer",
        ["Issuer"] = "Issuer",
    };

    public static TlsSpec Read(ConfigReader r, RoutingMode routing)
    {
        var mode = r.Choice(Mode, Modes, TlsMode.SelfSigned);
        var spec = new TlsSpec(
            mode,
            r.String(Issuer),
            r.Choice(IssuerKind, IssuerKinds, "ClusterIssuer"),
            r.DnsName(RtcSecret),
            r.DnsName(TurnSecret),
            r.DnsName(IngressClass),
            r.Bool(ExternalDns));
        if (mode == TlsMode.CertManager && spec.CertManagerIssuer.Length == 0)
        {
            r.Fail(Issuer, "an issuer name when tlsMode is cert-manager");
        }
        if (mode == TlsMode.ExistingSecret && routing == RoutingMode.Ingress && spec.RtcTlsSecret.Length == 0)
        {
            r.Fail(RtcSecret, "a Secret name when tlsMode is existing-secret and routing is ingress");
        }
        if (routing == RoutingMode.Gateway && spec.RtcTlsSecret.Length > 0)
        {
            r.Fail(RtcSecret, "no value with routing gateway: the Gateway listener's certificateRefs name the RTC host's certificate, " +
                "which the operator manages with the Gateway");
        }
        if (mode == TlsMode.ExistingSecret && spec.TurnTlsSecret.Length == 0)
        {
            r.Fail(TurnSecret, "a Secret name when tlsMode is existing-secret");
        }
        return spec;
    }
}
