using k8s;
using Infra.Plan.Components.Authorizer;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Components.Routing;
using Infra.Plan.Contract;
using Infra.Plan.Kubernetes;
using Infra.Plan.Secrets;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Tls;

/// <summary>
/// The RTC host's certificate where this project makes or requests it, and the environment's internal CA. Who covers what:
/// <list type="bullet">
/// <item><c>tlsMode: self-signed</c>: this CA signs the RTC host's certificate (dev only: browsers and Element X reject
/// it). With routing ingress it lands in both namespaces (one Ingress per namespace, each reads its own); with routing
/// gateway once, in the app namespace, for the Gateway listener's certificateRefs.</item>
/// <item><c>cert-manager</c>: with routing ingress the Ingresses carry the issuer annotation and cert-manager's
/// ingress-shim issues <see cref="SecretNames.RtcTls"/>; with routing gateway a Certificate here issues it into the app
/// namespace (the Gateway is the operator's, so no gateway-shim annotation can be put on it).</item>
/// <item>routing gateway with the Gateway in another namespace: a ReferenceGrant in the app namespace lets that Gateway
/// (only Gateways of its namespace) read exactly that Secret (Gateway API: a listener's certificateRef to another namespace
/// is refused without one).</item>
/// <item>Redis TLS (<c>redisTls</c>): the Redis component's own CA. The TURN name: the coturn component.</item>
/// <item><c>existing-secret</c>: nothing; the operator's Secrets are used by name (or, with routing gateway, the listener's own).</item>
/// </list>
/// </summary>
public sealed record TlsPlan(CertificateValue? Ca, CertificateValue? Rtc, IReadOnlyList<SecretPlan> Secrets, IReadOnlyList<IKubernetesObject> Objects)
    : IComponentPlan
{
    public const string Component = "tls";

    /// <summary>The ReferenceGrant's name: what it grants, to whom.</summary>
    public const string GatewayGrant = "rtc-tls-for-gateway";

    public ComponentPlan Contract => new(Component, "matrix-rtc:index:Tls")
    {
        Generated = new GeneratedValue?[] { Ca, Rtc }.OfType<GeneratedValue>().ToList(),
        Secrets = Secrets,
        Objects = Objects,
        After = [NamespacesPlan.Component],
    };

    /// <summary>Null when nothing of the RTC host's TLS is this project's to make (cert-manager with Ingresses, existing Secrets).</summary>
    public static TlsPlan? Build(TlsInput input)
    {
        var gateway = input.Routing.Mode == RoutingMode.Gateway;
        var app = input.Site.Namespace;
        return (input.Tls.Mode, gateway) switch
        {
            (TlsMode.SelfSigned, _) => SelfSigned(input, gateway),
            (TlsMode.CertManager, true) => new TlsPlan(null, null, [],
                [CertManagerCertificate.Issued(input.Tls, SecretNames.RtcTls, app, Component, input.Site.RtcHost), .. Grant(input)]),
            _ => null,
        };
    }

    /// <summary>Where the Gateway listener's certificate Secret lives (the app namespace: the project's, not the Gateway's).</summary>
    public static string ListenerSecretNamespace(TlsInput input) => input.Site.Namespace;

    private static TlsPlan SelfSigned(TlsInput input, bool gateway)
    {
        var ca = new CertificateValue("internal-ca", $"matrix-rtc {input.Stack} internal CA", "matrix-rtc", [], IsCa: true,
            [KeyUsage.CertSigning, KeyUsage.CrlSigning, KeyUsage.DigitalSignature], CertificateLifetimes.CaHours, 0, Issuer: null);
        var rtc = new CertificateValue("rtc-host", input.Site.RtcHost, "matrix-rtc", [input.Site.RtcHost], IsCa: false,
            [KeyUsage.DigitalSignature, KeyUsage.KeyEncipherment, KeyUsage.ServerAuth],
            CertificateLifetimes.LeafHours, CertificateLifetimes.LeafEarlyRenewalHours, Issuer: ca.Id);
        var listener = input.Routing.Gateway;
        // An Ingress reads its TLS Secret from its own namespace: one per Ingress. A Gateway listener reads the one Secret.
        var secrets = gateway
            ? [TlsSecret(ListenerSecretNamespace(input), SecretNames.RtcTls, Component, rtc.Id, [new SecretConsumer("Gateway", listener.Namespace, listener.Name)])]
            : new[] { (input.Site.Namespace, RtcRoutes.NameFor(AuthorizerPlan.Component)), (input.Site.MediaNamespace, RtcRoutes.NameFor(LivekitPlan.Component)) }
                .Select(t => TlsSecret(t.Item1, SecretNames.RtcTls, Component, rtc.Id, [new SecretConsumer("Ingress", t.Item1, t.Item2)]))
                .ToList();
        // The authorizer reaches the SFU through the Gateway or Ingress and must trust the CA (no private key in this one).
        secrets.Add(new SecretPlan(input.Site.Namespace, SecretNames.InternalCa, SecretPlan.Opaque, Component,
            [new("ca.crt", new SecretSource.Certificate(ca.Id))], [new SecretConsumer("Deployment", input.Site.Namespace, AuthorizerPlan.Name)]));
        return new TlsPlan(ca, rtc, secrets, gateway ? Grant(input) : []);
    }

    /// <summary>The ReferenceGrant for the listener's certificateRef, only when the Gateway lives in another namespace.</summary>
    private static IReadOnlyList<IKubernetesObject> Grant(TlsInput input)
    {
        var listener = input.Routing.Gateway;
        var ns = ListenerSecretNamespace(input);
        if (listener.Namespace == ns)
        {
            return [];
        }
        return
        [
            new ReferenceGrant(Meta.Object(GatewayGrant, ns, Component), new ReferenceGrantSpec(
                [new ReferenceGrantFrom(GatewayApi.Group, "Gateway", listener.Namespace)],
                [new ReferenceGrantTo("", "Secret", SecretNames.RtcTls)])).ToObject(),
        ];
    }

    /// <summary>A kubernetes.io/tls Secret of a certificate: tls.crt, tls.key and the CA that signed it as ca.crt.</summary>
    public static SecretPlan TlsSecret(string ns, string name, string component, string certificate, IReadOnlyList<SecretConsumer> consumers) =>
        new(ns, name, SecretPlan.Tls, component,
        [
            new("ca.crt", new SecretSource.IssuerCertificate(certificate)),
            new("tls.crt", new SecretSource.Certificate(certificate)),
            new("tls.key", new SecretSource.PrivateKey(certificate)),
        ], consumers);
}
