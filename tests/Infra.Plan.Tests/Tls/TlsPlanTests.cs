using Infra.Plan.Components.Tls;
using Infra.Plan.Kubernetes;
using Infra.Plan.Secrets;
using Infra.Plan.Tests.Support;

namespace Infra.Plan.Tests.Tls;

public sealed class TlsPlanTests
{
    [Fact]
    public void Self_signed_makes_internal_certificates_for_both_public_names_and_no_cert_manager_objects()
    {
        // GIVEN dev (self-signed)
        var spec = Stacks.Spec("dev");

        // WHEN planning TLS
        var tls = TlsPlan.For(spec);

        // THEN the shell signs the RTC host (Secret in both namespaces) and the TURN name (media namespace)
        Assert.Null(tls.CertManager);
        Assert.DoesNotContain(Planner.Build(spec).Components, c => c.Name == TlsPlan.Component);
        var rtc = tls.Internal.Single(c => c.Name == "rtc");
        Assert.Equal(new[] { "rtc.dev.example.org" }, rtc.DnsNames);
        Assert.Equal(new[] { "matrix-rtc", "matrix-rtc-media" }, rtc.Targets.Select(t => t.Namespace).Order());
        var turn = tls.Internal.Single(c => c.Name == "turn");
        Assert.Equal(("matrix-rtc-media", SecretNames.TurnTls), (turn.Targets.Single().Namespace, turn.Targets.Single().Name));
        Assert.Equal(SecretNames.TurnTls, tls.TurnSecretName);
    }

    [Fact]
    public void Cert_manager_issues_through_the_configured_issuer_and_the_secrets_keep_their_names()
    {
        // GIVEN prod (cert-manager, issuer letsencrypt-dns01)
        var plan = Stacks.Plan("prod");

        // WHEN looking at the tls component
        var certs = plan.Component(TlsPlan.Component).Objects.Cast<CustomObject>().ToList();

        // THEN three Certificates: the RTC host in each namespace, the TURN name in the media namespace
        Assert.All(certs, c => Assert.Equal(("cert-manager.io/v1", "Certificate"), (c.ApiVersion, c.Kind)));
        Assert.Equal(
            new[] { "matrix-rtc-media/rtc-tls", "matrix-rtc-media/turn-tls", "matrix-rtc/rtc-tls" },
            certs.Select(c => $"{c.Metadata.NamespaceProperty}/{c.Metadata.Name}").Order());
        var yaml = ManifestWriter.Write(certs);
        Assert.Contains("name: letsencrypt-dns01", yaml);
        Assert.Contains("kind: ClusterIssuer", yaml);
        Assert.Contains("- turn.example.org", yaml);
        Assert.Contains("secretName: turn-tls", yaml);
        Assert.DoesNotContain(TlsPlan.For(plan.Spec).Internal, c => c.Name is "rtc" or "turn");
    }

    [Fact]
    public void Existing_secrets_are_used_by_name_and_nothing_is_created()
    {
        var spec = Stacks.Parse(Stacks.With(
            ("tlsMode", Stacks.S("existing-secret")), ("rtcTlsSecret", Stacks.S("my-rtc")), ("turnTlsSecret", Stacks.S("my-turn")))).OrThrow();
        var tls = TlsPlan.For(spec);
        Assert.Empty(tls.Internal);
        Assert.Null(tls.CertManager);
        Assert.Equal(("my-rtc", "my-turn"), (tls.RtcSecretName, tls.TurnSecretName));
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
        Assert.DoesNotContain(TlsPlan.For(Stacks.Spec("dev")).Internal, c => c.Name == "redis");
    }
}
