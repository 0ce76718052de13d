namespace Infra.Plan.Spec.Sections;

/// <summary>Cluster services the NetworkPolicies must let traffic reach or come from.</summary>
public sealed record ClusterSpec(
    string DnsNamespace,
    IReadOnlyList<NodeLabel> DnsPodSelector,
    string IngressNamespace,
    IReadOnlyList<NodeLabel> IngressPodSelector,
    bool Monitoring,
    string MonitoringNamespace);

public static class ClusterSection
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

    public static IReadOnlyList<ConfigKey> Keys { get; } =
        [DnsNamespace, DnsPodSelector, IngressNamespace, IngressPodSelector, Monitoring, MonitoringNamespace];

    public static ClusterSpec Read(ConfigReader r) => new(
        r.DnsLabel(DnsNamespace),
        Labels(r, DnsPodSelector),
        r.DnsLabel(IngressNamespace),
        Labels(r, IngressPodSelector),
        r.Bool(Monitoring),
        r.DnsLabel(MonitoringNamespace));

    internal static IReadOnlyList<NodeLabel> Labels(ConfigReader r, ConfigKey key)
    {
        var labels = new List<NodeLabel>();
        foreach (var item in r.List(key))
        {
            var eq = item.IndexOf('=');
            if (eq > 0 && eq < item.Length - 1)
            {
                labels.Add(new NodeLabel(item[..eq], item[(eq + 1)..]));
            }
            else
            {
                r.Fail(key, $"\"{item}\"", "labels as key=value");
            }
        }
        if (labels.Count == 0 && r.Errors.All(e => e.Key != key.FullName))
        {
            r.Fail(key, "[]", "at least one key=value label: an empty selector would match every pod");
        }
        return labels;
    }
}
