using k8s.Models;
using Infra.Plan.Net;

namespace Infra.Plan.Components.Network;

/// <summary>Typed factories for NetworkPolicy peers (the from/to entries).</summary>
public static class NetworkPolicyPeer
{
    /// <summary>The label every namespace carries (Kubernetes >= 1.21), so namespaces are selected by name.</summary>
    public const string NamespaceNameLabel = "kubernetes.io/metadata.name";

    /// <summary>Pods of the policy's own namespace.</summary>
    public static V1NetworkPolicyPeer Pods(IReadOnlyDictionary<string, string> labels) => new()
    {
        PodSelector = Selector(labels),
    };

    /// <summary>Pods with <paramref name="labels"/> in the namespace called <paramref name="ns"/>.</summary>
    public static V1NetworkPolicyPeer PodsIn(string ns, IReadOnlyDictionary<string, string> labels) => new()
    {
        NamespaceSelector = Selector(new Dictionary<string, string> { [NamespaceNameLabel] = ns }),
        PodSelector = Selector(labels),
    };

    /// <summary>Every pod of the namespace called <paramref name="ns"/>.</summary>
    public static V1NetworkPolicyPeer Namespace(string ns) => new()
    {
        NamespaceSelector = Selector(new Dictionary<string, string> { [NamespaceNameLabel] = ns }),
    };

    public static V1NetworkPolicyPeer Block(Cidr cidr, IEnumerable<Cidr>? except = null)
    {
        var list = except?.Select(e => e.ToString()).ToList();
        return new V1NetworkPolicyPeer
        {
            IpBlock = new V1IPBlock { Cidr = cidr.ToString(), Except = list is { Count: > 0 } ? list : null },
        };
    }

    /// <summary>An empty selector: every pod (only for default-deny and namespace-wide DNS).</summary>
    public static V1LabelSelector All() => new();

    public static V1LabelSelector Selector(IReadOnlyDictionary<string, string> labels) => new()
    {
        MatchLabels = new Dictionary<string, string>(labels.OrderBy(kv => kv.Key, StringComparer.Ordinal)),
    };
}
