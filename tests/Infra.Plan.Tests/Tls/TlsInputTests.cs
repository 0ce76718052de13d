using Infra.Plan.Components.Routing;
using Infra.Plan.Components.Tls;
using Infra.Plan.Kubernetes;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Tests.Tls;

/// <summary>TLS planned alone, from its own input record: no stack file, no parsed environment.</summary>
public sealed class TlsInputTests
{
    private static TlsInput Input(TlsMode mode, RoutingMode routing, string gatewayNamespace) => new(
        Stack: "unit",
        Site: new SiteSpec("example.test", "rtc.example.test", "turn.example.test", "rtc-x", "media-x", Production: false, KubeContext: ""),
        Tls: new TlsSpec(mode, "issuer-x", "ClusterIssuer", "", "", "", ExternalDns: false),
        Routing: new RoutingSpec(routing, new GatewayListener("public-x", gatewayNamespace, "https"), IngressController.Generic));

    [Fact]
    public void Self_signed_on_a_gateway_of_another_namespace_writes_one_secret_and_a_grant_from_the_input_alone()
    {
        // GIVEN a literal input: self-signed, routing gateway, Gateway "public-x" in namespace "gw-x"
        var input = Input(TlsMode.SelfSigned, RoutingMode.Gateway, "gw-x");

        // WHEN TLS is planned from it alone
        var tls = TlsPlan.Build(input)!;

        // THEN the CA is named after the stack and signs a leaf for the RTC host
        Assert.Equal(("internal-ca", "matrix-rtc unit internal CA"), (tls.Ca!.Id, tls.Ca.CommonName));
        Assert.Equal(("rtc-host", "internal-ca"), (tls.Rtc!.Id, tls.Rtc.Issuer));
        Assert.Equal(["rtc.example.test"], tls.Rtc.DnsNames);
        // AND rtc-tls once in the app namespace for the Gateway, the CA alone for the authorizer
        Assert.Equal(["rtc-x/rtc-tls: Gateway gw-x/public-x", "rtc-x/matrix-rtc-internal-ca: Deployment rtc-x/lk-jwt-service"],
            tls.Secrets.Select(s => $"{s.Namespace}/{s.Name}: {string.Join(",", s.ConsumedBy)}"));
        // AND a ReferenceGrant in the app namespace lets Gateways of gw-x read that Secret
        var grant = (CustomObject)Assert.Single(tls.Objects);
        Assert.Equal(("rtc-tls-for-gateway", "rtc-x"), (grant.Metadata.Name, grant.Metadata.NamespaceProperty));
        var spec = (ReferenceGrantSpec)grant.Spec;
        Assert.Equal("gw-x", Assert.Single(spec.From).Namespace);
    }

    [Fact]
    public void Self_signed_on_ingresses_writes_a_secret_per_namespace_and_cert_manager_on_ingresses_nothing()
    {
        // GIVEN self-signed on ingresses WHEN planned THEN rtc-tls in each namespace for its own Ingress, no grant
        var tls = TlsPlan.Build(Input(TlsMode.SelfSigned, RoutingMode.Ingress, "gw-x"))!;
        Assert.Equal(["rtc-x/rtc-tls: Ingress rtc-x/authorizer-rtc", "media-x/rtc-tls: Ingress media-x/livekit-rtc", "rtc-x/matrix-rtc-internal-ca: Deployment rtc-x/lk-jwt-service"],
            tls.Secrets.Select(s => $"{s.Namespace}/{s.Name}: {string.Join(",", s.ConsumedBy)}"));
        Assert.Empty(tls.Objects);

        // AND cert-manager on ingresses (the ingress-shim issues it) or existing Secrets: nothing here
        Assert.Null(TlsPlan.Build(Input(TlsMode.CertManager, RoutingMode.Ingress, "gw-x")));
        Assert.Null(TlsPlan.Build(Input(TlsMode.ExistingSecret, RoutingMode.Gateway, "gw-x")));
    }
}
