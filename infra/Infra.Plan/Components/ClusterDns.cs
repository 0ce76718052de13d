namespace Infra.Plan.Components;

/// <summary>
/// In-cluster DNS names as Kubernetes' DNS specification builds them (kubernetes/dns docs/specification.md): a
/// Service is <c>&lt;service&gt;.&lt;ns&gt;.svc.&lt;zone&gt;</c>, a pod with a hostname behind a headless Service
/// <c>&lt;hostname&gt;.&lt;service&gt;.&lt;ns&gt;.svc.&lt;zone&gt;</c>. The zone is the cluster domain (kubelet
/// <c>--cluster-domain</c>, <c>matrix-rtc:clusterDomain</c>), never a literal: clusters that renamed it resolve nothing else.
/// </summary>
public sealed record ClusterDns(string Domain)
{
    public string Service(string service, string ns) => $"{service}.{ns}.svc.{Domain}";

    public string Pod(string hostname, string service, string ns) => $"{hostname}.{Service(service, ns)}";

    /// <summary>Every pod behind a headless Service (a TLS wildcard name).</summary>
    public string AnyPod(string service, string ns) => $"*.{Service(service, ns)}";
}
