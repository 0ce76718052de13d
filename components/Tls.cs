using Infra.Plan;
using Infra.Plan.Components.Tls;
using Infra.Plan.Kubernetes;
using Pulumi;
using Pulumi.Kubernetes.Types.Inputs.Core.V1;
using Pulumi.Kubernetes.Types.Inputs.Meta.V1;
using KubeSecret = Pulumi.Kubernetes.Core.V1.Secret;

namespace Infra.Components;

public sealed class TlsArgs
{
    public required EnvironmentPlan Plan { get; init; }
}

/// <summary>
/// Carries out the <see cref="TlsPlan"/>: an internal CA (Pulumi.Tls, ECDSA P-256) signing, in self-signed mode, the
/// RTC host's certificate, written to the plan's Secrets in both namespaces. Private keys only ever travel as secret
/// outputs. (The TURN certificate is coturn's, Redis's is RedisSentinel's; with cert-manager the RTC host's comes
/// from the Ingress annotation.)
/// </summary>
public sealed class Tls : ComponentResource
{
    public const string Type = "matrix-rtc:index:Tls";

    /// <summary>The internal CA certificate (PEM), when one is needed: what a dev client must trust.</summary>
    public Output<string>? CaCertPem { get; }

    public Tls(string name, TlsArgs args, ComponentResourceOptions? opts = null) : base(Type, name, opts)
    {
        var tls = TlsPlan.For(args.Plan.Spec);
        if (tls.NeedsInternalCa)
        {
            var caKey = new Pulumi.Tls.PrivateKey($"{name}-ca-key", new Pulumi.Tls.PrivateKeyArgs
            {
                Algorithm = "ECDSA",
                EcdsaCurve = "P256",
            }, Child());
            var ca = new Pulumi.Tls.SelfSignedCert($"{name}-ca", new Pulumi.Tls.SelfSignedCertArgs
            {
                PrivateKeyPem = caKey.PrivateKeyPem,
                IsCaCertificate = true,
                ValidityPeriodHours = TlsPlan.CaValidityHours,
                AllowedUses = { "cert_signing", "crl_signing", "digital_signature" },
                Subject = new Pulumi.Tls.Inputs.SelfSignedCertSubjectArgs
                {
                    CommonName = $"matrix-rtc {args.Plan.Spec.Stack} internal CA",
                    Organization = "matrix-rtc",
                },
            }, Child());
            CaCertPem = ca.CertPem;

            foreach (var cert in tls.Internal)
            {
                var key = new Pulumi.Tls.PrivateKey($"{name}-{cert.Name}-key", new Pulumi.Tls.PrivateKeyArgs
                {
                    Algorithm = "ECDSA",
                    EcdsaCurve = "P256",
                }, Child());
                var request = new Pulumi.Tls.CertRequest($"{name}-{cert.Name}-csr", new Pulumi.Tls.CertRequestArgs
                {
                    PrivateKeyPem = key.PrivateKeyPem,
                    DnsNames = cert.DnsNames.ToArray(),
                    Subject = new Pulumi.Tls.Inputs.CertRequestSubjectArgs { CommonName = cert.DnsNames[0], Organization = "matrix-rtc" },
                }, Child());
                var uses = new InputList<string> { "digital_signature", "key_encipherment", "server_auth" };
                if (cert.Purpose == CertificatePurpose.ServerAndClient)
                {
                    uses.Add("client_auth");
                }
                var signed = new Pulumi.Tls.LocallySignedCert($"{name}-{cert.Name}-cert", new Pulumi.Tls.LocallySignedCertArgs
                {
                    CertRequestPem = request.CertRequestPem,
                    CaCertPem = ca.CertPem,
                    CaPrivateKeyPem = caKey.PrivateKeyPem,
                    ValidityPeriodHours = TlsPlan.LeafValidityHours,
                    EarlyRenewalHours = TlsPlan.LeafEarlyRenewalHours,
                    AllowedUses = uses,
                }, Child());

                foreach (var target in cert.Targets)
                {
                    // A target whose key is ca.crt only needs the CA (e.g. LiveKit verifying Redis): no private key there.
                    var caOnly = target.Key == "ca.crt";
                    var data = new InputMap<string> { ["ca.crt"] = ca.CertPem };
                    if (!caOnly)
                    {
                        data["tls.crt"] = signed.CertPem;
                        data["tls.key"] = key.PrivateKeyPem;
                    }
                    new KubeSecret($"{name}-{target.Namespace}-{target.Name}", new SecretArgs
                    {
                        Metadata = new ObjectMetaArgs
                        {
                            Name = target.Name,
                            Namespace = target.Namespace,
                            Labels = Meta.Labels(TlsPlan.Component),
                        },
                        Type = caOnly ? "Opaque" : "kubernetes.io/tls",
                        StringData = data,
                    }, new CustomResourceOptions
                    {
                        Parent = this,
                        DependsOn = opts?.DependsOn ?? new InputList<Resource>(),
                        AdditionalSecretOutputs = { "data", "stringData" },
                    });
                }
            }
        }
        RegisterOutputs();
    }

    private CustomResourceOptions Child() => new() { Parent = this };
}
