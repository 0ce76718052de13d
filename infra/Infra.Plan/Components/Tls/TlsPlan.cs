using Infra.Plan.Secrets;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Tls;

/// <summary>What a certificate is for; decides its key usages.</summary>
public enum CertificatePurpose
{
    /// <summary>A public name (the RTC host): server auth only.</summary>
    Server,
    /// <summary>Both sides of mutual TLS (kept for internal services that need client auth).</summary>
    ServerAndClient,
}

/// <summary>
/// A certificate the Pulumi shell makes with Pulumi.Tls, signed by the environment's internal CA, and the Secrets
/// (one per namespace) it is written to: kubernetes.io/tls with <c>tls.crt</c>, <c>tls.key</c>, <c>ca.crt</c>, or,
/// for a target whose key is <c>ca.crt</c>, only the CA (a client that verifies, never serves).
/// </summary>
public sealed record InternalCertificate(string Name, CertificatePurpose Purpose, IReadOnlyList<string> DnsNames, IReadOnlyList<SecretRef> Targets);

/// <summary>
/// The certificates the stack makes itself, from the spec. Who covers what:
/// <list type="bullet">
/// <item>Redis TLS (<c>redisTls</c>): the RedisSentinel component's own CA, in both namespaces.</item>
/// <item>The RTC host with <c>tlsMode: self-signed</c>: the internal CA (dev only: browsers and Element X reject it),
/// in both namespaces (one Ingress per namespace). With cert-manager the RTC Ingresses carry the issuer annotation
/// (LiveKit/authorizer plans) and cert-manager's ingress-shim issues <see cref="SecretNames.RtcTls"/>.</item>
/// <item>The TURN name: the coturn component (self-signed in dev, a cert-manager Certificate with DNS-01 otherwise).</item>
/// <item><c>existing-secret</c>: nothing; the operator's Secrets are used by name.</item>
/// </list>
/// </summary>
public sealed record TlsPlan(IReadOnlyList<InternalCertificate> Internal)
{
    public const string Component = "tls";

    /// <summary>Internal CA and leaf lifetimes; Pulumi.Tls re-issues a leaf on the first <c>pulumi up</c> inside the renewal window.</summary>
    public const int CaValidityHours = 10 * 365 * 24;
    public const int LeafValidityHours = 365 * 24;
    public const int LeafEarlyRenewalHours = 30 * 24;

    public bool NeedsInternalCa => Internal.Count > 0;

    public static TlsPlan For(EnvironmentSpec spec)
    {
        var ns = spec.Site.Namespace;
        var media = spec.Site.MediaNamespace;
        var certs = new List<InternalCertificate>();
        if (spec.Tls.Mode == TlsMode.SelfSigned)
        {
            certs.Add(new InternalCertificate("rtc", CertificatePurpose.Server, [spec.Site.RtcHost],
                [new SecretRef(ns, SecretNames.RtcTls, "tls.crt"), new SecretRef(media, SecretNames.RtcTls, "tls.crt")]));
        }
        return new TlsPlan(certs);
    }
}
