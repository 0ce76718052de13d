using k8s.Models;

namespace Infra.Plan.Kubernetes;

/// <summary>Names and labels every object of this project carries.</summary>
public static class Meta
{
    public const string PartOf = "matrix-rtc";
    public const string ManagedBy = "pulumi";

    /// <summary>Recommended labels (app.kubernetes.io/*); <paramref name="component"/> is the selector label too.</summary>
    public static Dictionary<string, string> Labels(string component, string? version = null)
    {
        var labels = new Dictionary<string, string>
        {
            ["app.kubernetes.io/name"] = component,
            ["app.kubernetes.io/part-of"] = PartOf,
            ["app.kubernetes.io/managed-by"] = ManagedBy,
        };
        if (version is not null)
        {
            labels["app.kubernetes.io/version"] = SanitizeLabelValue(version);
        }
        return labels;
    }

    /// <summary>The minimal, immutable selector for a component's pods.</summary>
    public static Dictionary<string, string> Selector(string component) => new()
    {
        ["app.kubernetes.io/name"] = component,
        ["app.kubernetes.io/part-of"] = PartOf,
    };

    public static V1ObjectMeta Object(string name, string? ns, string component, string? version = null) => new()
    {
        Name = name,
        NamespaceProperty = ns,
        Labels = Labels(component, version),
    };

    private static string SanitizeLabelValue(string value)
    {
        var cleaned = new string(value.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        return cleaned.Length > 63 ? cleaned[..63] : cleaned;
    }
}
