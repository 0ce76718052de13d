using Infra.Plan.Components.Tls;
using Infra.Plan.Secrets;
using Infra.Plan.Tests.Support;

namespace Infra.Plan.Tests.Tls;

public sealed class TlsPlanTests
{
    [Fact]
    public void Self_signed_makes_an_internal_CA_that_signs_the_rtc_host_written_to_both_namespaces()
    {
        // GIVEN a minimal stack (self-signed by default) WHEN planning TLS
        var tls = TlsPlan.Build(Stacks.Parse(Stacks.With()).OrThrow())!;

        // THEN a CA and one leaf for the RTC host, signed by that CA, with server usages only
        Assert.True(tls.Ca.IsCa);
        Assert.Null(tls.Ca.Issuer);
        Assert.Equal(tls.Ca.Id, tls.Rtc.Issuer);
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
        // AND the CA's certificate alone for the authorizer, which reaches the SFU through that Ingress
        var ca = tls.Secrets.Single(s => s.Name == SecretNames.InternalCa);
        Assert.Equal([("ca.crt", (SecretSource)new SecretSource.Certificate(tls.Ca.Id))], ca.Entries.Select(e => (e.Key, e.Source)));
        Assert.Equal("Deployment matrix-rtc/lk-jwt-service", Assert.Single(ca.ConsumedBy).ToString());
    }

    [Fact]
    public void Cert_manager_and_existing_secrets_need_no_internal_CA()
    {
        var certManager = Stacks.Parse(Stacks.With(("tlsMode", Stacks.S("cert-manager")), ("certManagerIssuer", Stacks.S("dns01")))).OrThrow();
        var existing = Stacks.Parse(Stacks.With(
            ("tlsMode", Stacks.S("existing-secret")), ("rtcTlsSecret", Stacks.S("my-rtc")), ("turnTlsSecret", Stacks.S("my-turn")))).OrThrow();

        Assert.Null(TlsPlan.Build(certManager));
        Assert.Null(TlsPlan.Build(existing));
        Assert.DoesNotContain(Planner.Build(existing).Components, c => c.Name == TlsPlan.Component);
    }
}
