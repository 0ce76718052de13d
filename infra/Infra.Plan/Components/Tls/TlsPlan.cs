using k8s.Models;
using Infra.Plan.Kubernetes;
using Infra.Plan.Secrets;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Tls;

/// <summary>What a certificate is for; decides its key usages.</summary>
public enum CertificatePurpose
{
    /// <summary>A public name (RTC host, TURN name): server auth only.</summary>
    Server,
    /// <summary>Redis and Sentinel: each side is both server and client of the others.</summary>
    ServerAndClient,
}

/// <summary>
/// A certificate the Pulumi shell makes with Pulumi.Tls, signed by the environment's internal CA, and the
/// kubernetes.io/tls Secrets (one per namespace) it is written to with keys <c>tls.crt</c>, <c>tls.key</c>, <c>ca.crt</c>.
/// </summary>
public sealed record InternalCertificate(string Name, CertificatePurpose Purpose, IReadOnlyList<string> DnsNames, IReadOnlyList<SecretRef> Targets);

/// <summary>
/// How every TLS Secret of an environment comes to exist, decided from the spec:
/// <list type="bullet">
/// <item>Redis TLS (managed Redis with <c>redisTls</c>) always uses the internal CA: only our own pods talk to Redis,
/// and LiveKit gets the CA in the media namespace (Secret <see cref="SecretNames.RedisTls"/>, key ca.crt).</item>
/// <item>The RTC host and the TURN name: <c>self-signed</c> → the internal CA (dev only: browsers and Element X
/// reject it); <c>cert-manager</c> → Certificate objects (component "tls"), ACME DNS-01 through the issuer, since the
/// TURN name points at media nodes that serve no HTTP challenge; <c>existing-secret</c> → nothing, the operator's Secrets.</item>
/// </list>
/// </summary>
public sealed record TlsPlan(
    IReadOnlyList<InternalCertificate> Internal,
    ComponentPlan? CertManager,
    string RtcSecretName,
    string TurnSecretName)
{
    public const string Component = "tls";
    public const string CertManagerApiVersion = "cert-manager.io/v1";

    /// <summary>Internal CA and leaf lifetimes; Pulumi.Tls re-issues a leaf on the first <c>pulumi up</c> inside the renewal window.</summary>
    public const int CaValidityHours = 10 * 365 * 24;
    public const int LeafValidityHours = 365 * 24;
    public const int LeafEarlyRenewalHours = 30 * 24;

    public bool NeedsInternalCa => Internal.Count > 0;

    /// <summary>The Secret holding the RTC host's certificate (in both namespaces: one Ingress per namespace).</summary>
    public static string RtcSecret(EnvironmentSpec spec) =>
        spec.Tls.Mode == TlsMode.ExistingSecret ? spec.Tls.RtcTlsSecret : SecretNames.RtcTls;

    /// <summary>The Secret holding the TURN name's certificate, in the media namespace (coturn mounts it).</summary>
    public static string TurnSecret(EnvironmentSpec spec) =>
        spec.Tls.Mode == TlsMode.ExistingSecret ? spec.Tls.TurnTlsSecret : SecretNames.TurnTls;

    public static TlsPlan For(EnvironmentSpec spec)
    {
        var ns = spec.Site.Namespace;
        var media = spec.Site.MediaNamespace;
        var rtcTargets = new[] { new SecretRef(ns, SecretNames.RtcTls, "tls.crt"), new SecretRef(media, SecretNames.RtcTls, "tls.crt") };
        var turnTarget = new SecretRef(media, SecretNames.TurnTls, "tls.crt");

        var internalCerts = new List<InternalCertificate>();
        if (spec.Redis.Mode == RedisMode.Managed && spec.Redis.Tls)
        {
            var headless = $"{Names.RedisHeadless}.{ns}.svc.cluster.local";
            internalCerts.Add(new InternalCertificate("redis", CertificatePurpose.ServerAndClient,
                [
                    .. Enumerable.Range(0, spec.Redis.DataNodes).Select(i => $"{Names.Redis}-{i}.{headless}"),
                    $"*.{headless}",
                    headless,
                    $"{Names.RedisSentinelService}.{ns}.svc.cluster.local",
                    "localhost",
                ],
                [new SecretRef(ns, SecretNames.RedisTls, "tls.crt"), new SecretRef(media, SecretNames.RedisTls, "ca.crt")]));
        }
        ComponentPlan? certManager = null;
        switch (spec.Tls.Mode)
        {
            case TlsMode.SelfSigned:
                internalCerts.Add(new InternalCertificate("rtc", CertificatePurpose.Server, [spec.Site.RtcHost], rtcTargets));
                internalCerts.Add(new InternalCertificate("turn", CertificatePurpose.Server, [spec.Site.TurnHost], [turnTarget]));
                break;
            case TlsMode.CertManager:
                certManager = new ComponentPlan(Component,
                [
                    Certificate(spec, SecretNames.RtcTls, ns, spec.Site.RtcHost),
                    Certificate(spec, SecretNames.RtcTls, media, spec.Site.RtcHost),
                    Certificate(spec, SecretNames.TurnTls, media, spec.Site.TurnHost),
                ]);
                break;
        }
        return new TlsPlan(internalCerts, certManager, RtcSecret(spec), TurnSecret(spec));
    }

    /// <summary>A cert-manager Certificate named like the Secret it writes; the key rotates with each renewal.</summary>
    private static CustomObject Certificate(EnvironmentSpec spec, string secretName, string ns, string host)
    {
        var meta = Meta.Object(secretName, ns, Component);
        return new CustomObject(CertManagerApiVersion, "Certificate", meta, new SortedDictionary<string, object>
        {
            ["secretName"] = secretName,
            ["dnsNames"] = new[] { host },
            ["issuerRef"] = new SortedDictionary<string, string>
            {
                ["group"] = "cert-manager.io",
                ["kind"] = spec.Tls.CertManagerIssuerKind,
                ["name"] = spec.Tls.CertManagerIssuer,
            },
            ["privateKey"] = new SortedDictionary<string, object> { ["algorithm"] = "ECDSA", ["size"] = 256, ["rotationPolicy"] = "Always" },
            ["usages"] = new[] { "digital signature", "key encipherment", "server auth" },
            ["secretTemplate"] = new SortedDictionary<string, object> { ["labels"] = new SortedDictionary<string, string>(Meta.Labels(Component)) },
        });
    }
}
