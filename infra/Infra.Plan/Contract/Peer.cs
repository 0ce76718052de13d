using k8s;
using k8s.Models;
using Infra.Plan.Net;

namespace Infra.Plan.Contract;

/// <summary>A port a workload accepts connections (or datagrams) on.</summary>
public sealed record Listener(int Port, Protocol Protocol, string Purpose)
{
    public override string ToString() => $"{Port}/{Protocol.ToString().ToUpperInvariant()}";
}

/// <summary>
/// A set of pods as a network-policy peer and as a node of the connectivity model: namespace (null outside the
/// cluster), the labels that select them (<see cref="Selector"/>, what policies use) and that they carry
/// (<see cref="Labels"/>, a superset, what the model matches), whether they use the host network, and what they
/// listen on. A workload
/// <em>is</em> a peer (the cdk8s-plus way): peers are taken from the workload objects, so a selector or a port is
/// never typed twice. Host-network pods are never selected by NetworkPolicies; their traffic carries a node address.
/// </summary>
public sealed record Peer(
    string Name,
    string? Namespace,
    IReadOnlyDictionary<string, string> Selector,
    IReadOnlyDictionary<string, string> Labels,
    bool HostNetwork,
    IReadOnlyList<Listener> Listens)
{
    public bool IsPod => Namespace is not null && !HostNetwork;

    /// <summary>The listener for <paramref name="purpose"/>; a plan bug if it is not there.</summary>
    public Listener Listener(string purpose) =>
        Listens.SingleOrDefault(l => l.Purpose == purpose) ?? throw new InvalidOperationException($"{Name} has no listener \"{purpose}\"");

    /// <summary>
    /// The pods of a Deployment, StatefulSet or DaemonSet: its namespace, its selector, its pod labels and its
    /// host-network flag, with <paramref name="listens"/>. On the pod network each listener must be a port the
    /// containers declare (a listener the pods do not open would make a policy or the report lie); host-network pods
    /// also bind ports they cannot declare (coturn's relay range), so theirs come from the port plan.
    /// </summary>
    public static Peer Of(string name, IKubernetesObject workload, params Listener[] listens)
    {
        var (meta, selector, template) = workload switch
        {
            V1Deployment d => (d.Metadata, d.Spec.Selector, d.Spec.Template),
            V1StatefulSet s => (s.Metadata, s.Spec.Selector, s.Spec.Template),
            V1DaemonSet ds => (ds.Metadata, ds.Spec.Selector, ds.Spec.Template),
            _ => throw new ArgumentException($"{workload.Kind} has no pods to be a peer", nameof(workload)),
        };
        var pod = template.Spec;
        var hostNetwork = pod.HostNetwork == true;
        var declared = pod.Containers.SelectMany(c => c.Ports ?? [])
            .Select(p => (p.HostPort ?? p.ContainerPort, (p.Protocol ?? "TCP").ToUpperInvariant()))
            .ToHashSet();
        foreach (var l in listens.Where(l => !hostNetwork && !declared.Contains((l.Port, l.Protocol.ToString().ToUpperInvariant()))))
        {
            throw new InvalidOperationException($"{workload.Kind} {meta.Name} declares no container port {l} for {name} ({l.Purpose})");
        }
        return new Peer(name, meta.NamespaceProperty, new Dictionary<string, string>(selector.MatchLabels),
            new Dictionary<string, string>(template.Metadata.Labels), hostNetwork, listens);
    }
}
