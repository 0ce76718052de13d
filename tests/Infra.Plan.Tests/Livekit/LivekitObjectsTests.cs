using k8s.Models;
using Infra.Plan.Components.Authorizer;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Components.Routing;
using Infra.Plan.Kubernetes;
using Infra.Plan.Secrets;
using Infra.Plan.Spec;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Livekit;

public class LivekitObjectsTests
{
    [Fact]
    public void Disruption_budget_lets_one_sfu_go_at_a_time()
    {
        var plan = Stacks.Plan("prod");
        var pdb = plan.Livekit.Contract.Objects.OfType<V1PodDisruptionBudget>().Single();

        Assert.Equal("policy/v1", pdb.ApiVersion);
        Assert.Equal(plan.Spec.Site.MediaNamespace, pdb.Metadata.NamespaceProperty);
        Assert.Equal("1", pdb.Spec.MaxUnavailable.Value);
        Assert.Null(pdb.Spec.MinAvailable);
        // The chart's pod labels, so the budget selects exactly the SFU pods.
        Assert.Equal(new Dictionary<string, string> { ["app.kubernetes.io/name"] = "livekit-server", ["app.kubernetes.io/instance"] = "livekit" },
            pdb.Spec.Selector.MatchLabels);
    }

    private static EnvironmentPlan ProdOnIngress(params (string Key, ConfigValue Value)[] changes) => Planner.Build(SpecOnIngress("prod", changes));

    [Fact]
    public void The_rtc_host_has_one_ingress_per_namespace_with_the_design_routes()
    {
        // GIVEN the prod stack on routing ingress, ingress-nginx, external-dns
        var plan = ProdOnIngress(("ingressClass", S("nginx")), ("ingressController", S("ingress-nginx")), ("externalDns", S("true")));
        var sfu = plan.Livekit.Contract.Objects.OfType<V1Ingress>().Single();
        var auth = plan.Authorizer.Contract.Objects.OfType<V1Ingress>().Single();

        // THEN "/" goes to the chart's Service in the media namespace ...
        Assert.Equal(plan.Spec.Site.MediaNamespace, sfu.Metadata.NamespaceProperty);
        var root = Assert.Single(Assert.Single(sfu.Spec.Rules).Http.Paths);
        Assert.Equal(("/", "livekit-livekit-server", 7880), (root.Path, root.Backend.Service.Name, root.Backend.Service.Port.Number!.Value));

        // ... and the authorizer's three public paths to its Service in its own namespace, nothing else
        Assert.Equal(plan.Spec.Site.Namespace, auth.Metadata.NamespaceProperty);
        var paths = Assert.Single(auth.Spec.Rules).Http.Paths;
        Assert.Equal(["/sfu/get", "/get_token", "/delegate_delayed_leave"], paths.Select(p => p.Path));
        Assert.All(paths, p => Assert.Equal(("lk-jwt-service", 8080), (p.Backend.Service.Name, p.Backend.Service.Port.Number!.Value)));
        Assert.DoesNotContain(paths, p => p.Path.Contains("webhook") || p.Path.Contains("healthz"));

        // Both: the same host, class and TLS; cert-manager and external-dns annotations as the stack asks
        foreach (var ingress in new[] { sfu, auth })
        {
            Assert.Equal("rtc.example.org", ingress.Spec.Rules[0].Host);
            Assert.Equal("nginx", ingress.Spec.IngressClassName);
            var tls = Assert.Single(ingress.Spec.Tls);
            Assert.Equal((SecretNames.RtcTls, "rtc.example.org"), (tls.SecretName, Assert.Single(tls.Hosts)));
            Assert.Equal("letsencrypt-dns01", ingress.Metadata.Annotations["cert-manager.io/cluster-issuer"]);
            Assert.Equal("rtc.example.org", ingress.Metadata.Annotations["external-dns.alpha.kubernetes.io/hostname"]);
        }
        // The SFU's WebSocket outlives ingress-nginx's 60 s default; the authorizer's short calls need nothing
        Assert.Equal("3600", sfu.Metadata.Annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]);
        Assert.DoesNotContain(auth.Metadata.Annotations.Keys, k => k.StartsWith("nginx.", StringComparison.Ordinal));
    }

    [Fact]
    public void A_generic_ingress_controller_gets_no_controller_annotation_and_the_default_class()
    {
        // GIVEN routing ingress with every default: controller generic, no IngressClass named
        var plan = ProdOnIngress();
        var sfu = plan.Livekit.Contract.Objects.OfType<V1Ingress>().Single();

        // THEN no annotation of any controller (only cert-manager's), and the cluster's default IngressClass
        Assert.Null(sfu.Spec.IngressClassName);
        Assert.Equal(["cert-manager.io/cluster-issuer"], sfu.Metadata.Annotations.Keys);
    }

    [Fact]
    public void Existing_tls_secret_and_no_annotations_without_cert_manager_or_external_dns()
    {
        var spec = Parse(WithIngress(("tlsMode", S("existing-secret")), ("rtcTlsSecret", S("my-rtc-cert")), ("turnTlsSecret", S("my-turn-cert")),
            ("ingressClass", S("traefik")))).OrThrow();
        var plan = Planner.Build(spec);
        var ingress = plan.Livekit.Contract.Objects.OfType<V1Ingress>().Single();

        Assert.Equal("my-rtc-cert", Assert.Single(ingress.Spec.Tls).SecretName);
        Assert.Equal("traefik", ingress.Spec.IngressClassName);
        Assert.Null(ingress.Metadata.Annotations);
    }

    [Fact]
    public void Issuer_kind_picks_the_namespaced_annotation()
    {
        var spec = Parse(WithIngress(("tlsMode", S("cert-manager")), ("certManagerIssuer", S("acme")), ("certManagerIssuerKind", S("Issuer")))).OrThrow();
        var ingress = Planner.Build(spec).Authorizer.Contract.Objects.OfType<V1Ingress>().Single();

        Assert.Equal("acme", ingress.Metadata.Annotations["cert-manager.io/issuer"]);
        Assert.False(ingress.Metadata.Annotations.ContainsKey("cert-manager.io/cluster-issuer"));
    }

    [Fact]
    public void The_rtc_host_has_one_httproute_per_namespace_on_the_named_listener_with_the_design_routes()
    {
        // GIVEN the prod stack (routing gateway: Gateway gateway/public, listener https)
        var plan = Stacks.Plan("prod");
        var (sfuRoute, sfu) = Route(plan.Livekit.Contract.Objects);
        var (authRoute, auth) = Route(plan.Authorizer.Contract.Objects);

        // THEN no Ingress anywhere
        Assert.Empty(plan.Objects.OfType<V1Ingress>());
        // AND "/" goes to the chart's Service, from a route in the media namespace (its own: no ReferenceGrant needed)
        Assert.Equal((plan.Spec.Site.MediaNamespace, "livekit-rtc"), (sfuRoute.Metadata.NamespaceProperty, sfuRoute.Metadata.Name));
        var rule = Assert.Single(sfu.Rules);
        Assert.Equal(new HttpRouteMatch(new HttpPathMatch("PathPrefix", "/")), Assert.Single(rule.Matches));
        Assert.Equal(new HttpBackendRef("livekit-livekit-server", 7880), Assert.Single(rule.BackendRefs));
        // AND the authorizer's three public paths, from a route in its namespace, to its Service; never the webhook
        Assert.Equal((plan.Spec.Site.Namespace, "authorizer-rtc"), (authRoute.Metadata.NamespaceProperty, authRoute.Metadata.Name));
        var authRule = Assert.Single(auth.Rules);
        Assert.Equal(["/sfu/get", "/get_token", "/delegate_delayed_leave"], authRule.Matches.Select(m => m.Path.Value));
        Assert.All(authRule.Matches, m => Assert.Equal("PathPrefix", m.Path.Type));
        Assert.Equal(new HttpBackendRef("lk-jwt-service", 8080), Assert.Single(authRule.BackendRefs));
        Assert.DoesNotContain(authRule.Matches, m => m.Path.Value.Contains("webhook") || m.Path.Value.Contains("healthz"));
        // Both: the RTC host, attached only to the Gateway's HTTPS listener
        foreach (var spec in new[] { sfu, auth })
        {
            Assert.Equal(["rtc.example.org"], spec.Hostnames);
            Assert.Equal(new ParentReference("gateway.networking.k8s.io", "Gateway", "public", "gateway", "https"), Assert.Single(spec.ParentRefs));
        }
    }

    private static (CustomObject Object, HttpRouteSpec Spec) Route(IEnumerable<k8s.IKubernetesObject> objects)
    {
        var route = Assert.Single(objects.OfType<CustomObject>(), o => o.Kind == "HTTPRoute");
        Assert.Equal("gateway.networking.k8s.io/v1", route.ApiVersion);
        return (route, Assert.IsType<HttpRouteSpec>(route.Spec));
    }
}

public class ReleaseWaitTests
{
    [Fact]
    public void A_rolling_drain_of_hours_skips_the_await()
    {
        // GIVEN prod: 3 SFUs that may each drain calls for 3 h
        var plan = Stacks.Plan("prod");

        var wait = LivekitPlan.Wait(LivekitInput.From(plan.Derived));

        Assert.True(wait.SkipAwait);
        Assert.Equal(LivekitPlan.MaxAwaitSeconds, wait.TimeoutSeconds);
    }

    [Fact]
    public void A_short_drain_is_awaited_for_the_whole_rollout()
    {
        var spec = Parse(With(("sfuDrainSeconds", S("120")))).OrThrow();
        var plan = Planner.Build(spec);

        var wait = LivekitPlan.Wait(LivekitInput.From(plan.Derived));

        Assert.False(wait.SkipAwait);
        Assert.Equal(plan.Sizing.SfuReplicas * (120 + LivekitPlan.StartSeconds), wait.TimeoutSeconds);
    }
}
