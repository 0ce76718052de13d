using System.Text.RegularExpressions;
using Infra.Plan.Components.Network;
using Infra.Plan.Kubernetes;
using Infra.Plan.Tests.Support;
using YamlDotNet.RepresentationModel;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Network;

/// <summary>
/// The emitted CiliumNetworkPolicies against the rules of Cilium's CRD, re-stated here because no Cilium schema
/// package is installable (npm kubernetes-models has none): cilium/cilium
/// pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnetworkpolicies.yaml (commit 02904c9b). spec: exactly one of
/// endpointSelector / nodeSelector, at least one of ingress / ingressDeny / egress / egressDeny; rule members as
/// listed, one L3 member per rule ("mutually exclusive"); entities from the Entity enum; toPorts[].ports at most 40,
/// each with a string port matching the CRD pattern, protocol from its enum, endPort 0-65535.
/// </summary>
public class CiliumPolicySchemaTests
{
    private static readonly HashSet<string> SpecKeys =
        ["description", "egress", "egressDeny", "enableDefaultDeny", "endpointSelector", "ingress", "ingressDeny", "labels", "log", "nodeSelector"];
    private static readonly HashSet<string> IngressKeys =
        ["authentication", "fromCIDR", "fromCIDRSet", "fromEndpoints", "fromEntities", "fromGroups", "fromNodes", "fromRequires", "icmps", "toPorts"];
    private static readonly HashSet<string> EgressKeys =
        ["authentication", "icmps", "toCIDR", "toCIDRSet", "toEndpoints", "toEntities", "toFQDNs", "toGroups", "toNodes", "toPorts", "toRequires", "toServices"];
    private static readonly HashSet<string> L3Keys =
        ["fromCIDR", "fromCIDRSet", "fromEndpoints", "fromEntities", "fromGroups", "fromNodes", "toCIDR", "toCIDRSet", "toEndpoints", "toEntities", "toFQDNs", "toGroups", "toNodes", "toServices"];
    private static readonly HashSet<string> Entities =
        ["all", "world", "cluster", "host", "init", "ingress", "unmanaged", "remote-node", "health", "none", "kube-apiserver"];
    private static readonly HashSet<string> PortRuleKeys = ["listener", "originatingTLS", "ports", "rules", "serverNames", "terminatingTLS"];
    private static readonly HashSet<string> Protocols = ["TCP", "UDP", "SCTP", "ANY"];
    private static readonly Regex PortPattern =
        new(@"^(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})|([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$");

    /// <summary>Every rule the object breaks, as "path: problem".</summary>
    internal static List<string> Problems(YamlMappingNode doc)
    {
        var problems = new List<string>();
        void Check(bool ok, string problem)
        {
            if (!ok)
            {
                problems.Add(problem);
            }
        }
        Check(Scalar(doc, "apiVersion") == "cilium.io/v2", "apiVersion: not cilium.io/v2");
        Check(Scalar(doc, "kind") == "CiliumNetworkPolicy", "kind: not CiliumNetworkPolicy");
        var meta = Map(doc, "metadata");
        Check(meta is not null && Scalar(meta, "name") is { Length: > 0 } && Scalar(meta, "namespace") is { Length: > 0 }, "metadata: name and namespace required (namespaced)");
        var spec = Map(doc, "spec");
        if (spec is null)
        {
            problems.Add("spec: missing");
            return problems;
        }
        var keys = Keys(spec);
        Check(keys.All(SpecKeys.Contains), $"spec: unknown members {string.Join(", ", keys.Where(k => !SpecKeys.Contains(k)))}");
        Check(keys.Count(k => k is "endpointSelector" or "nodeSelector") == 1, "spec: exactly one of endpointSelector, nodeSelector");
        Check(keys.Any(k => k is "ingress" or "ingressDeny" or "egress" or "egressDeny"), "spec: one of ingress, ingressDeny, egress, egressDeny");
        foreach (var (direction, allowed) in new[] { ("ingress", IngressKeys), ("egress", EgressKeys) })
        {
            if (spec.Children.TryGetValue(direction, out var rulesNode))
            {
                foreach (var rule in ((YamlSequenceNode)rulesNode).Cast<YamlMappingNode>())
                {
                    var ruleKeys = Keys(rule);
                    Check(ruleKeys.All(allowed.Contains), $"{direction}: unknown members {string.Join(", ", ruleKeys.Where(k => !allowed.Contains(k)))}");
                    Check(ruleKeys.Count(L3Keys.Contains) <= 1, $"{direction}: more than one L3 member");
                    foreach (var entity in ruleKeys.Where(k => k.EndsWith("Entities", StringComparison.Ordinal)).SelectMany(k => (YamlSequenceNode)rule.Children[k]))
                    {
                        Check(Entities.Contains(((YamlScalarNode)entity).Value!), $"{direction}: entity {entity} not in the enum");
                    }
                    if (rule.Children.TryGetValue("toPorts", out var toPorts))
                    {
                        foreach (var portRule in ((YamlSequenceNode)toPorts).Cast<YamlMappingNode>())
                        {
                            Check(Keys(portRule).All(PortRuleKeys.Contains), $"{direction}.toPorts: unknown members");
                            var ports = (YamlSequenceNode)portRule.Children["ports"];
                            Check(ports.Children.Count <= 40, $"{direction}.toPorts.ports: more than 40");
                            foreach (var port in ports.Cast<YamlMappingNode>())
                            {
                                var p = (YamlScalarNode)port.Children["port"];
                                // a string in the CRD: serialized quoted, never as a YAML integer
                                Check(p.Style is YamlDotNet.Core.ScalarStyle.DoubleQuoted or YamlDotNet.Core.ScalarStyle.SingleQuoted, $"port {p.Value}: not a string");
                                Check(PortPattern.IsMatch(p.Value!), $"port {p.Value}: does not match the CRD pattern");
                                Check(Scalar(port, "protocol") is null || Protocols.Contains(Scalar(port, "protocol")!), $"port {p.Value}: protocol {Scalar(port, "protocol")}");
                                Check(Scalar(port, "endPort") is not { } end || (int.TryParse(end, out var e) && e is >= 0 and <= 65535), $"port {p.Value}: endPort");
                            }
                        }
                    }
                }
            }
        }
        return problems;
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var v) && v is YamlScalarNode s ? s.Value : null;

    private static YamlMappingNode? Map(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var v) ? v as YamlMappingNode : null;

    private static List<string> Keys(YamlMappingNode node) => node.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList();

    internal static List<YamlMappingNode> Documents(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    [Theory]
    [InlineData("ingress")]
    [InlineData("direct")]
    public void Emitted_cilium_policies_follow_the_crd(string route)
    {
        var plan = Planner.Build(Stacks.Spec("prod", ("cni", S("cilium")), ("authorizerSfuRoute", S(route))));
        var yaml = Infra.Plan.Rendering.RenderOutput.Files(plan).Single(f => f.Path == "manifests/network-policies.yaml").Content;

        var cilium = Documents(yaml).Where(d => Scalar(d, "kind") == CiliumPolicy.Kind).ToList();

        Assert.Equal(plan.Network.CiliumPolicies.Count, cilium.Count);
        Assert.NotEmpty(cilium);
        Assert.All(cilium, d => Assert.Empty(Problems(d)));
    }

    [Fact]
    public void A_broken_cilium_policy_is_caught()
    {
        var good = Planner.Build(Stacks.Spec("dev", ("cni", S("cilium")))).Network.CiliumPolicies.First();
        var broken = good with
        {
            Spec = good.Spec with
            {
                Ingress = [new CiliumIngressRule(["nodes"], [new CiliumPortRule([new CiliumPort("", "TCP"), new CiliumPort("6379", "ICMP")])])],
            },
        };

        var problems = Problems(Documents(ManifestWriter.Write([broken.ToObject()])).Single());

        Assert.Contains(problems, p => p.Contains("entity nodes"));
        Assert.Contains(problems, p => p.Contains("port : does not match"));
        Assert.Contains(problems, p => p.Contains("port 6379: protocol ICMP"));
    }
}
