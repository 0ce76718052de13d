using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using Infra.Plan.Kubernetes;
using Infra.Plan.Contract;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Coturn;

/// <summary>cert-manager's <c>Certificate</c> (cert-manager.io/v1): KubernetesClient has no model for CRDs.</summary>
public sealed class CertManagerCertificate : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "cert-manager.io/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "Certificate";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public CertificateSpec Spec { get; set; } = new();

    /// <summary>A server certificate for one DNS name from the spec's issuer, into <paramref name="secretName"/> of <paramref name="ns"/>.</summary>
    public static CertManagerCertificate Issued(TlsSpec tls, string secretName, string ns, string component, string dnsName) => new()
    {
        Metadata = Meta.Object(secretName, ns, component),
        Spec = new CertificateSpec
        {
            SecretName = secretName,
            DnsNames = [dnsName],
            IssuerRef = new IssuerReference { Name = tls.CertManagerIssuer, Kind = tls.CertManagerIssuerKind },
            Usages = ["server auth", "digital signature", "key encipherment"],
        },
    };
}

public sealed class CertificateSpec
{
    [JsonPropertyName("secretName")]
    public string SecretName { get; set; } = "";

    [JsonPropertyName("dnsNames")]
    public IList<string> DnsNames { get; set; } = [];

    [JsonPropertyName("duration")]
    public string Duration { get; set; } = "2160h";

    [JsonPropertyName("renewBefore")]
    public string RenewBefore { get; set; } = "720h";

    [JsonPropertyName("issuerRef")]
    public IssuerReference IssuerRef { get; set; } = new();

    [JsonPropertyName("privateKey")]
    public CertificatePrivateKey PrivateKey { get; set; } = new();

    [JsonPropertyName("usages")]
    public IList<string> Usages { get; set; } = [];
}

public sealed class IssuerReference
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "ClusterIssuer";

    [JsonPropertyName("group")]
    public string Group { get; set; } = "cert-manager.io";
}

public sealed class CertificatePrivateKey
{
    [JsonPropertyName("algorithm")]
    public string Algorithm { get; set; } = "ECDSA";

    [JsonPropertyName("size")]
    public int Size { get; set; } = 256;

    [JsonPropertyName("rotationPolicy")]
    public string RotationPolicy { get; set; } = "Always";
}

/// <summary>
/// The TURN name's certificate when <c>tlsMode</c> is cert-manager. The TURN name resolves to the media
/// nodes, not to the ingress, so HTTP-01 cannot answer for it: the issuer must solve DNS-01
/// (matrix-rtc:certManagerIssuer says so). It lands in the media namespace, where coturn mounts it.
/// </summary>
public static class TurnCertificate
{
    /// <summary>The TURN name's self-signed certificate (<c>tlsMode: self-signed</c>), whoever serves TURN/TLS: coturn or LiveKit.</summary>
    public static CertificateValue SelfSigned(string id, string turnHost) =>
        new(id, turnHost, "matrix-rtc (self-signed)", [turnHost],
            IsCa: false, [KeyUsage.ServerAuth, KeyUsage.DigitalSignature, KeyUsage.KeyEncipherment],
            CertificateLifetimes.LeafHours, CertificateLifetimes.LeafEarlyRenewalHours, Issuer: null);

    public static CertManagerCertificate? For(CoturnInput input, string secretName)
    {
        if (input.Tls.Mode != TlsMode.CertManager)
        {
            return null;
        }
        return CertManagerCertificate.Issued(input.Tls, secretName, input.Site.MediaNamespace, CoturnPlan.Component, input.Site.TurnHost);
    }
}
