using Infra.Plan.Components.Coturn;
using Infra.Plan.Components.Routing;
using Infra.Plan.Components.Tls;
using Infra.Plan.Kubernetes;
using Infra.Plan.Secrets;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Tls;

public sealed class TlsPlanTests
{
    [Fact]
    public void Self_signed_makes_an_internal_CA_that_signs_the_rtc_host_written_to_both_namespaces_for_the_ingresses()
    {
        // GIVEN a minimal stack on routing ingress (self-signed by default) WHEN planning TLS
        var tls = TlsPlan.Build(Input(Parse(WithIngress()).OrThrow()))!;

        // THEN a CA and one leaf for the RTC host, signed by that CA, with server usages only
        Assert.True(tls.Ca!.IsCa);
        Assert.Null(tls.Ca.Issuer);
        Assert.Equal(tls.Ca.Id, tls.Rtc!.Issuer);
        Assert.Equal(["rtc.example.org"], tls.Rtc.DnsNames);
        Assert.Equal([KeyUsage.DigitalSignature, KeyUsage.KeyEncipherment, KeyUsage.ServerAuth], tls.Rtc.Usages);
        Assert.Equal((CertificateLifetimes.LeafHours, CertificateLifetimes.LeafEarlyRenewalHours), (tls.Rtc.ValidityHours, tls.Rtc.EarlyRenewalHours));
        // AND the Secret rtc-tls in each namespace, for that namespace's Ingress, holding the leaf, its key and the CA
        var rtc = tls.Secrets.Where(s => s.Name == SecretNames.RtcTls).ToList();
        Assert.Equal(["matrix-rtc-media/rtc-tls", "matrix-rtc/rtc-tls"], rtc.Select(s => $"{s.Namespace}/{s.Name}").Order(StringComparer.Ordinal));
        Assert.All(rtc, s =>
        {
            Assert.Equal(SecretPlan.Tls, s.Type);
            Assert.Equal(
                [("ca.crt", (SecretSource)new SecretSource.IssuerCertificate(tls.Rtc.Id)), ("tls.crt", new SecretSource.Certificate(tls.Rtc.Id)), ("tls.key", new SecretSource.PrivateKey(tls.Rtc.Id))],
                s.Entries.Select(e => (e.Key, e.Source)));
            Assert.Equal("Ingress", Assert.Single(s.ConsumedBy).Kind);
        });
        // AND the CA's certificate alone for the authorizer, which reaches the SFU through that Ingress; no object
        var ca = tls.Secrets.Single(s => s.Name == SecretNames.InternalCa);
        Assert.Equal([("ca.crt", (SecretSource)new SecretSource.Certificate(tls.Ca.Id))], ca.Entries.Select(e => (e.Key, e.Source)));
        Assert.Equal("Deployment matrix-rtc/lk-jwt-service", Assert.Single(ca.ConsumedBy).ToString());
        Assert.Empty(tls.Objects);
    }

    [Fact]
    public void Self_signed_on_a_gateway_writes_one_listener_secret_and_grants_the_gateway_namespace_that_secret_only()
    {
        // GIVEN the minimal stack: routing gateway, Gateway "public" in namespace "gateway", self-signed
        var tls = TlsPlan.Build(Input(Parse(With()).OrThrow()))!;

        // THEN rtc-tls once, in the app namespace, read by the Gateway (its listener's certificateRefs)
        var rtc = Assert.Single(tls.Secrets, s => s.Name == SecretNames.RtcTls);
        Assert.Equal(("matrix-rtc", "Gateway gateway/public"), (rtc.Namespace, Assert.Single(rtc.ConsumedBy).ToString()));
        Assert.Contains(tls.Secrets, s => s.Name == SecretNames.InternalCa);
        // AND a ReferenceGrant beside the Secret: Gateways of namespace "gateway" may read exactly that Secret
        var grant = Grant(tls);
        Assert.Equal(("matrix-rtc", GatewayApi.ReferenceGrantApiVersion), (grant.Metadata.NamespaceProperty, grant.ApiVersion));
        var spec = (ReferenceGrantSpec)grant.Spec;
        Assert.Equal(new ReferenceGrantFrom("gateway.networking.k8s.io", "Gateway", "gateway"), Assert.Single(spec.From));
        Assert.Equal(new ReferenceGrantTo("", "Secret", "rtc-tls"), Assert.Single(spec.To));
    }

    [Fact]
    public void A_gateway_in_the_app_namespace_needs_no_reference_grant()
    {
        var tls = TlsPlan.Build(Input(Parse(With(("gatewayNamespace", S("matrix-rtc")))).OrThrow()))!;

        Assert.Empty(tls.Objects);
        Assert.Equal("Gateway matrix-rtc/public", Assert.Single(Assert.Single(tls.Secrets, s => s.Name == SecretNames.RtcTls).ConsumedBy).ToString());
    }

    [Fact]
    public void Cert_manager_on_a_gateway_requests_the_listener_certificate_in_the_app_namespace()
    {
        // GIVEN cert-manager with a namespaced Issuer, routing gateway
        var tls = TlsPlan.Build(Input(Parse(With(("tlsMode", S("cert-manager")), ("certManagerIssuer", S("dns01")), ("certManagerIssuerKind", S("Issuer")))).OrThrow()))!;

        // THEN no generated value or Secret, a Certificate for the RTC host into rtc-tls of the app namespace, and the grant
        Assert.Empty(tls.Contract.Generated);
        Assert.Empty(tls.Secrets);
        var cert = Assert.Single(tls.Objects.OfType<CertManagerCertificate>());
        Assert.Equal(("matrix-rtc", "rtc-tls", "rtc.example.org"), (cert.Metadata.NamespaceProperty, cert.Spec.SecretName, Assert.Single(cert.Spec.DnsNames)));
        Assert.Equal(("dns01", "Issuer"), (cert.Spec.IssuerRef.Name, cert.Spec.IssuerRef.Kind));
        Assert.Equal("rtc-tls", Assert.Single(((ReferenceGrantSpec)Grant(tls).Spec).To).Name);
    }

    [Fact]
    public void Cert_manager_on_ingresses_and_existing_secrets_need_nothing_here()
    {
        var certManager = Parse(WithIngress(("tlsMode", S("cert-manager")), ("certManagerIssuer", S("dns01")))).OrThrow();
        var existing = Parse(WithIngress(("tlsMode", S("existing-secret")), ("rtcTlsSecret", S("my-rtc")), ("turnTlsSecret", S("my-turn")))).OrThrow();
        var existingOnGateway = Parse(With(("tlsMode", S("existing-secret")), ("turnTlsSecret", S("my-turn")))).OrThrow();

        Assert.Null(TlsPlan.Build(Input(certManager)));
        Assert.Null(TlsPlan.Build(Input(existing)));
        Assert.Null(TlsPlan.Build(Input(existingOnGateway)));
        Assert.DoesNotContain(Planner.Build(existing).Components, c => c.Name == TlsPlan.Component);
    }

    private static CustomObject Grant(TlsPlan tls) => Assert.Single(tls.Objects.OfType<CustomObject>(), o => o.Kind == ReferenceGrant.Kind);

    /// <summary>The TLS component's input as the planner builds it for <paramref name="spec"/>.</summary>
    private static TlsInput Input(Infra.Plan.Spec.EnvironmentSpec spec) => TlsInput.From(Derived.From(spec));
}
