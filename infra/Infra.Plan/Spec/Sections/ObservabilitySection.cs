namespace Infra.Plan.Spec.Sections;

/// <summary>What the monitoring objects need beyond <see cref="ClusterSpec.Monitoring"/>.</summary>
/// <param name="MonitorLabels">Labels the Prometheus operator selects ServiceMonitors/PrometheusRules by (kube-prometheus-stack: release=&lt;name&gt;).</param>
/// <param name="DashboardLabels">Labels the Grafana dashboard sidecar selects ConfigMaps by.</param>
/// <param name="RedisExporterImage">redis_exporter sidecar in each Redis pod.</param>
public sealed record ObservabilitySpec(
    IReadOnlyList<NodeLabel> MonitorLabels,
    IReadOnlyList<NodeLabel> DashboardLabels,
    ImageRef RedisExporterImage)
{
    /// <summary>Each image with the key that sets it.</summary>
    public IEnumerable<(ConfigKey Key, ImageRef Image)> Keyed() => [(ObservabilitySection.RedisExporterImage, RedisExporterImage)];
}

public static class ObservabilitySection
{
    public static readonly ConfigKey MonitorLabels = new("monitoringSelectorLabels", ConfigType.StringArray,
        "Labels (key=value) the Prometheus operator selects ServiceMonitors and PrometheusRules by.", new[] { "release=kube-prometheus-stack" });
    public static readonly ConfigKey DashboardLabels = new("grafanaDashboardLabels", ConfigType.StringArray,
        "Labels (key=value) the Grafana sidecar selects dashboard ConfigMaps by.", new[] { "grafana_dashboard=1" });
    // renovate: datasource=docker
    public static readonly ConfigKey RedisExporterImage = new("redisExporterImage", ConfigType.String,
        "redis_exporter sidecar image in each Redis pod (monitoring on); pin by digest in production.", "oliver006/redis_exporter:v1.90.0");

    public static IReadOnlyList<ConfigKey> Keys { get; } = [MonitorLabels, DashboardLabels, RedisExporterImage];

    public static ObservabilitySpec Read(ConfigReader r)
    {
        var text = r.String(RedisExporterImage);
        if (!ImageRef.TryParse(text, out var image))
        {
            r.Fail(RedisExporterImage, "an image reference repository:tag, optionally @sha256:<digest>");
            ImageRef.TryParse((string)RedisExporterImage.Default!, out image);
        }
        return new ObservabilitySpec(ClusterSection.Labels(r, MonitorLabels), ClusterSection.Labels(r, DashboardLabels), image);
    }
}
