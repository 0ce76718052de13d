using Infra.Plan.Components.Tls;
using Infra.Plan.Secrets;
using Infra.Plan.Tests.Support;

namespace Infra.Plan.Tests.Tls;

public sealed class TlsPlanTests
{
    [Fact]
    public void Self_signed_makes_an_internal_certificate_for_the_rtc_host_in_both_namespaces()
    {
        // GIVEN dev (self-signed, no Redis TLS) WHEN planning TLS
        var tls = TlsPlan.For(Stacks.Spec("dev"));

        // THEN only the RTC host, written to rtc-tls in both namespaces (the TURN certificate is coturn's)
        var rtc = Assert.Single(tls.Internal);
        Assert.Equal(("rtc", CertificatePurpose.Server), (rtc.Name, rtc.Purpose));
        Assert.Equal(new[] { "rtc.dev.example.org" }, rtc.DnsNames);
        Assert.Equal(new[] { "matrix-rtc-media/rtc-tls", "matrix-rtc/rtc-tls" },
            rtc.Targets.Select(t => $"{t.Namespace}/{t.Name}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Cert_manager_leaves_the_public_names_to_cert_manager()
    {
        // GIVEN prod (cert-manager, redisTls on) WHEN planning TLS THEN only Redis is signed internally
        var tls = TlsPlan.For(Stacks.Spec("prod"));
        Assert.Equal("redis", Assert.Single(tls.Internal).Name);
    }

    [Fact]
    public void Existing_secrets_are_used_by_name_and_nothing_is_created()
    {
        var spec = Stacks.Parse(Stacks.With(
            ("tlsMode", Stacks.S("existing-secret")), ("rtcTlsSecret", Stacks.S("my-rtc")), ("turnTlsSecret", Stacks.S("my-turn")))).OrThrow();
        Assert.False(TlsPlan.For(spec).NeedsInternalCa);
    }

    [Fact]
    public void Redis_tls_gets_an_internal_certificate_for_every_pod_name_and_the_CA_for_LiveKit()
    {
        // GIVEN managed Redis with TLS and 5 data nodes
        var spec = Stacks.Parse(Stacks.With(("redisTls", Stacks.S("true")), ("redisDataNodes", Stacks.S("5")), ("redisQuorum", Stacks.S("3")))).OrThrow();

        // WHEN planning TLS
        var redis = TlsPlan.For(spec).Internal.Single(c => c.Name == "redis");

        // THEN each pod's stable DNS name is in the certificate and LiveKit's namespace gets only the CA
        Assert.Equal(CertificatePurpose.ServerAndClient, redis.Purpose);
        for (var i = 0; i < 5; i++)
        {
            Assert.Contains($"redis-{i}.redis-headless.matrix-rtc.svc.cluster.local", redis.DnsNames);
        }
        Assert.Contains(redis.Targets, t => t == new SecretRef("matrix-rtc-media", SecretNames.RedisTls, "ca.crt"));
        Assert.Contains(redis.Targets, t => t == new SecretRef("matrix-rtc", SecretNames.RedisTls, "tls.crt"));
    }
}
