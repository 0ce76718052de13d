using System.Text.RegularExpressions;

namespace Infra.Plan.Spec.Sections;

/// <summary>How the authorizer reaches the SFU when it creates rooms through its <c>LIVEKIT_URL</c>.</summary>
public enum SfuRoute
{
    /// <summary>
    /// The public URL resolves to the cluster's own load balancer; kube-proxy short-circuits that address to
    /// the ingress controller pods, so the policy must allow the ingress pods on their HTTPS port.
    /// </summary>
    Ingress,
    /// <summary>The public URL leaves the cluster (external load balancer/CDN): covered by the internet 443 rule.</summary>
    Public,
    /// <summary>The URL names the SFU's host port directly (private setups): node CIDRs on the SFU API port.</summary>
    Direct,
}

/// <summary>Cluster services the NetworkPolicies must let traffic reach or come from.</summary>
public sealed record ClusterSpec(
    string DnsNamespace,
    IReadOnlyList<NodeLabel> DnsPodSelector,
    string IngressNamespace,
    IReadOnlyList<NodeLabel> IngressPodSelector,
    bool Monitoring,
    string MonitoringNamespace,
    int IngressPodHttpsPort,
    SfuRoute AuthorizerSfuRoute);

public static partial class ClusterSection
{
    public static readonly ConfigKey DnsNamespace = new("dnsNamespace", ConfigType.String,
        "Namespace of the cluster DNS.", "kube-system");
    public static readonly ConfigKey DnsPodSelector = new("dnsPodSelector", ConfigType.StringArray,
        "Labels (key=value) of the cluster DNS pods.", new[] { "k8s-app=kube-dns" });
    public static readonly ConfigKey IngressNamespace = new("ingressNamespace", ConfigType.String,
        "Namespace of the ingress controller.", "ingress-nginx");
    public static readonly ConfigKey IngressPodSelector = new("ingressPodSelector", ConfigType.StringArray,
        "Labels (key=value) of the ingress controller pods.", new[] { "app.kubernetes.io/name=ingress-nginx" });
    public static readonly ConfigKey Monitoring = new("monitoring", ConfigType.Boolean,
        "ServiceMonitors, PrometheusRules and a Grafana dashboard (needs the Prometheus operator CRDs).", false);
    public static readonly ConfigKey MonitoringNamespace = new("monitoringNamespace", ConfigType.String,
        "Namespace of Prometheus; only it may scrape the metrics ports.", "monitoring");
    public static readonly ConfigKey IngressPodHttpsPort = new("ingressPodHttpsPort", ConfigType.Integer,
        "HTTPS container port of the ingress controller pods (the authorizer reaches the SFU's public URL through them).", 443);
    public static readonly ConfigKey AuthorizerSfuRoute = new("authorizerSfuRoute", ConfigType.String,
        "How the authorizer reaches the SFU's public URL: ingress (the URL resolves to this cluster's load balancer), " +
        "public (it leaves the cluster) or direct (node addresses on the SFU API port).", "ingress");

    public static IReadOnlyList<ConfigKey> Keys { get; } =
        [DnsNamespace, DnsPodSelector, IngressNamespace, IngressPodSelector, Monitoring, MonitoringNamespace, IngressPodHttpsPort, AuthorizerSfuRoute];

    private static readonly Dictionary<string, SfuRoute> Routes = new()
    {
        ["ingress"] = SfuRoute.Ingress,
        ["public"] = SfuRoute.Public,
        ["direct"] = SfuRoute.Direct,
    };

    public static ClusterSpec Read(ConfigReader r) => new(
        r.DnsLabel(DnsNamespace),
        Labels(r, DnsPodSelector),
        r.DnsLabel(IngressNamespace),
        Labels(r, IngressPodSelector),
        r.Bool(Monitoring),
        r.DnsLabel(MonitoringNamespace),
        r.Int(IngressPodHttpsPort, 1, 65535),
        r.Choice(AuthorizerSfuRoute, Routes, SfuRoute.Ingress));

    /// <summary>
    /// A pod selector as key=value labels. Empty is an error: in a NetworkPolicy an empty selector matches
    /// every pod, which would silently open the flow to the whole namespace.
    /// </summary>
    internal static IReadOnlyList<NodeLabel> Labels(ConfigReader r, ConfigKey key)
    {
        var labels = new List<NodeLabel>();
        foreach (var item in r.List(key))
        {
            var m = LabelPattern().Match(item);
            if (m.Success)
            {
                labels.Add(new NodeLabel(m.Groups["key"].Value, m.Groups["value"].Value));
            }
            else
            {
                r.Fail(key, $"\"{item}\"", "labels as key=value with a Kubernetes label key and value, e.g. app.kubernetes.io/name=ingress-nginx");
            }
        }
        if (labels.Count == 0 && r.Errors.All(e => e.Key != key.FullName))
        {
            r.Fail(key, "[]", "at least one key=value label: an empty selector would match every pod");
        }
        if (labels.GroupBy(l => l.Key).FirstOrDefault(g => g.Count() > 1) is { } dup)
        {
            r.Fail(key, $"\"{dup.Key}\" twice", "each label key once (a selector matches one value per key)");
        }
        return labels;
    }

    [GeneratedRegex(@"^(?<key>([a-z0-9]([a-z0-9.-]*[a-z0-9])?/)?[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)=(?<value>([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?)$")]
    private static partial Regex LabelPattern();
}
