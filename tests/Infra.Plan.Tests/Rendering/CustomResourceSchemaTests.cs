using System.Text.Json.Nodes;
using k8s;
using Infra.Plan.Components.Network;
using Infra.Plan.Kubernetes;
using Infra.Plan.Tests.Network;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Rendering;

/// <summary>
/// Every object the plan renders is checked against its kind's published schema: Kubernetes' own kinds and the CRDs
/// of Gateway API, the Prometheus operator and cert-manager through the npm kubernetes-models packages, and
/// CiliumNetworkPolicy through the CRD rules CiliumPolicySchemaTests re-states. A kind with no schema fails.
/// </summary>
public class CustomResourceSchemaTests
{
    /// <summary>Stacks that together render every kind: routing gateway and ingress, each TLS mode, monitoring, Egress, Cilium,
    /// each media mode (NodePort and LoadBalancer Services, the TURN name's Certificate for LiveKit's own TURN/TLS).</summary>
    private static readonly string[] ConfigNames = ["dev", "prod", "cilium", "ingress-cert-manager", "gateway-existing-secret", "nodeport", "loadbalancer"];

    public static TheoryData<string> Configs => new(ConfigNames);

    private static EnvironmentPlan PlanFor(string name) => name switch
    {
        "dev" or "prod" or "nodeport" or "loadbalancer" => Stacks.Plan(name),
        "cilium" => Planner.Build(Stacks.Spec("dev", ("cni", S("cilium")))),
        "ingress-cert-manager" => Planner.Build(Parse(WithIngress(("tlsMode", S("cert-manager")), ("certManagerIssuer", S("dns01")),
            ("monitoring", S("true")), ("ingressController", S("ingress-nginx")))).OrThrow()),
        "gateway-existing-secret" => Planner.Build(Parse(With(("tlsMode", S("existing-secret")), ("turnTlsSecret", S("my-turn")),
            ("gatewayNamespace", S("matrix-rtc")))).OrThrow()),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [SkippableTheory]
    [MemberData(nameof(Configs))]
    public void Every_rendered_object_passes_the_schema_of_its_kind(string config)
    {
        // GIVEN every object the stack renders, as render writes it
        var objects = PlanFor(config).Objects.ToList();
        var cilium = objects.Where(o => o.Kind == CiliumPolicy.Kind).ToList();

        // WHEN the CiliumNetworkPolicies meet Cilium's CRD rules and everything else the npm schemas
        foreach (var doc in CiliumPolicySchemaTests.Documents(ManifestWriter.Write(cilium)))
        {
            Assert.Empty(CiliumPolicySchemaTests.Problems(doc));
        }
        var reports = KubernetesSchemas.AssertAllValid(objects.Except(cilium));

        // THEN all pass, none for lack of a schema (AssertAllValid), and every object was checked by one or the other
        Assert.Equal(objects.Count, reports.Count + cilium.Count);
    }

    [SkippableFact]
    public void The_configs_render_every_custom_resource_kind_we_emit()
    {
        // The coverage above is real only if the configs render each custom kind this project emits.
        var kinds = ConfigNames.SelectMany(c => PlanFor(c).Objects).Select(o => $"{o.ApiVersion} {o.Kind}").ToHashSet();

        Assert.Superset(new HashSet<string>
        {
            "gateway.networking.k8s.io/v1 HTTPRoute", "gateway.networking.k8s.io/v1beta1 ReferenceGrant",
            "monitoring.coreos.com/v1 ServiceMonitor", "monitoring.coreos.com/v1 PrometheusRule",
            "cert-manager.io/v1 Certificate", "cilium.io/v2 CiliumNetworkPolicy", "networking.k8s.io/v1 Ingress",
        }, kinds);
    }

    [SkippableFact]
    public void A_kind_no_package_models_fails_instead_of_passing_unchecked()
    {
        var unknown = new CustomObject("example.org/v1", "Widget", new() { Name = "w", NamespaceProperty = "matrix-rtc" }, new SortedDictionary<string, object>());

        Assert.Equal("no-schema", Assert.Single(KubernetesSchemas.Validate([unknown])).Status);
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => KubernetesSchemas.AssertAllValid([unknown]));
    }

    /// <summary>One realistic mistake per custom kind, each caught by that kind's published schema.</summary>
    public static TheoryData<string, string, string, string> Mistakes => new()
    {
        // an Ingress path type on an HTTPRoute
        { "HTTPRoute", "spec.rules.0.matches.0.path.type", "Prefix", "type" },
        // a ReferenceGrant naming a kind with a space
        { "ReferenceGrant", "spec.to.0.kind", "Tls Secret", "kind" },
        // a Prometheus duration with a space
        { "ServiceMonitor", "spec.endpoints.0.interval", "30 s", "interval" },
        { "PrometheusRule", "spec.groups.0.rules.0.for", "1 minute", "for" },
        // a key algorithm cert-manager does not offer
        { "Certificate", "spec.privateKey.algorithm", "DSA", "algorithm" },
    };

    [SkippableTheory]
    [MemberData(nameof(Mistakes))]
    public void A_custom_resource_with_a_mistake_is_invalid(string kind, string path, string value, string named)
    {
        // GIVEN the prod stack's first object of the kind, with one field set wrong
        var obj = Stacks.Plan("prod").Objects.First(o => o.Kind == kind);
        var json = JsonNode.Parse(KubernetesJson.Serialize(obj))!;
        Set(json, path, value);

        // WHEN validated THEN invalid, naming the field
        var report = Assert.Single(KubernetesSchemas.Validate([json]));
        Assert.Equal("invalid", report.Status);
        Assert.Contains(named, report.Error);
    }

    private static void Set(JsonNode node, string path, string value)
    {
        var parts = path.Split('.');
        foreach (var part in parts[..^1])
        {
            node = int.TryParse(part, out var i) ? node[i]! : node[part]!;
        }
        node[parts[^1]] = value;
    }
}
