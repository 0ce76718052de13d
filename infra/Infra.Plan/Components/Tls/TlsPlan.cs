using Infra.Plan.Components.Authorizer;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Contract;
using Infra.Plan.Secrets;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Tls;

/// <summary>
/// The environment's internal CA and what it signs, when the stack makes certificates itself. Who covers what:
/// <list type="bullet">
/// <item>The RTC host with <c>tlsMode: self-signed</c>: this CA (dev only: browsers and Element X reject it), in both
/// namespaces (one Ingress per namespace). With cert-manager the RTC Ingresses carry the issuer annotation and
/// cert-manager's ingress-shim issues <see cref="SecretNames.RtcTls"/>.</item>
/// <item>Redis TLS (<c>redisTls</c>): the Redis component's own CA.</item>
/// <item>The TURN name: the coturn component (self-signed in dev, a cert-manager Certificate with DNS-01 otherwise).</item>
/// <item><c>existing-secret</c>: nothing; the operator's Secrets are used by name.</item>
/// </list>
/// </summary>
public sealed record TlsPlan(CertificateValue Ca, CertificateValue Rtc, IReadOnlyList<SecretPlan> Secrets) : IComponentPlan
{
    public const string Component = "tls";

    public ComponentPlan Contract => new(Component, "matrix-rtc:index:Tls")
    {
        Generated = [Ca, Rtc],
        Secrets = Secrets,
        After = [NamespacesPlan.Component],
    };

    /// <summary>Null unless the RTC host's certificate is self-signed (the only certificate this CA signs).</summary>
    public static TlsPlan? Build(EnvironmentSpec spec)
    {
        if (spec.Tls.Mode != TlsMode.SelfSigned)
        {
            return null;
        }
        var ca = new CertificateValue("internal-ca", $"matrix-rtc {spec.Stack} internal CA", "matrix-rtc", [], IsCa: true,
            [KeyUsage.CertSigning, KeyUsage.CrlSigning, KeyUsage.DigitalSignature], CertificateLifetimes.CaHours, 0, Issuer: null);
        var rtc = new CertificateValue("rtc-host", spec.Site.RtcHost, "matrix-rtc", [spec.Site.RtcHost], IsCa: false,
            [KeyUsage.DigitalSignature, KeyUsage.KeyEncipherment, KeyUsage.ServerAuth],
            CertificateLifetimes.LeafHours, CertificateLifetimes.LeafEarlyRenewalHours, Issuer: ca.Id);
        // One Ingress per namespace serves the RTC host, and an Ingress reads its TLS Secret from its own namespace.
        var secrets = new[] { (spec.Site.Namespace, RtcIngress.NameFor(AuthorizerPlan.Component)), (spec.Site.MediaNamespace, RtcIngress.NameFor(LivekitPlan.Component)) }
            .Select(t => TlsSecret(t.Item1, SecretNames.RtcTls, Component, rtc.Id, [new SecretConsumer("Ingress", t.Item1, t.Item2)]))
            .ToList();
        // The authorizer reaches the SFU through that Ingress and must trust the CA (no private key in this one).
        secrets.Add(new SecretPlan(spec.Site.Namespace, SecretNames.InternalCa, SecretPlan.Opaque, Component,
            [new("ca.crt", new SecretSource.Certificate(ca.Id))], [new SecretConsumer("Deployment", spec.Site.Namespace, AuthorizerPlan.Name)]));
        return new TlsPlan(ca, rtc, secrets);
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
