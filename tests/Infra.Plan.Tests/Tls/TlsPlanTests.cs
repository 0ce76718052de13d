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
    public void Cert_manager_and_redis_tls_need_nothing_from_the_internal_CA()
    {
        // GIVEN prod (cert-manager for the public names, redisTls on: RedisSentinel signs its own) THEN nothing here
        Assert.False(TlsPlan.For(Stacks.Spec("prod")).NeedsInternalCa);
    }

    [Fact]
    public void Existing_secrets_are_used_by_name_and_nothing_is_created()
    {
        var spec = Stacks.Parse(Stacks.With(
            ("tlsMode", Stacks.S("existing-secret")), ("rtcTlsSecret", Stacks.S("my-rtc")), ("turnTlsSecret", Stacks.S("my-turn")))).OrThrow();
        Assert.False(TlsPlan.For(spec).NeedsInternalCa);
    }

}
