using System.Text.RegularExpressions;

namespace Infra.Plan.Spec.Sections;

/// <summary>How the RTC host's public paths reach the SFU and the authorizer.</summary>
public enum RoutingMode
{
    /// <summary>Gateway API HTTPRoutes attached to a listener of the operator's Gateway (the default since ingress-nginx retired).</summary>
    Gateway,
    /// <summary>networking.k8s.io/v1 Ingresses for an IngressClass.</summary>
    Ingress,
}

/// <summary>The Ingress controller, only for what the Ingress API cannot say: controller-specific annotations.</summary>
public enum IngressController
{
    /// <summary>No controller-specific annotation: the controller's own defaults must let a WebSocket live for hours.</summary>
    Generic,
    /// <summary>ingress-nginx (retired March 2026): proxy-read/send-timeout raised for the SFU's WebSocket.</summary>
    IngressNginx,
}

/// <summary>The listener the HTTPRoutes attach to: a Gateway the operator runs, named by namespace, name and listener.</summary>
public sealed record GatewayListener(string Name, string Namespace, string SectionName);

/// <summary>The routing of the RTC host: Gateway API (the listener) or Ingress (the controller).</summary>
public sealed record RoutingSpec(RoutingMode Mode, GatewayListener Gateway, IngressController IngressController);

public static partial class RoutingSection
{
    public static readonly ConfigKey Routing = new("routing", ConfigType.String,
        "How the RTC host is routed: gateway (Gateway API HTTPRoutes on the operator's Gateway) or ingress (Ingresses of ingressClass).", "gateway");
    public static readonly ConfigKey GatewayName = new("gatewayName", ConfigType.String,
        "Name of the Gateway the HTTPRoutes attach to (routing gateway; required there). The operator runs it.", "");
    public static readonly ConfigKey GatewayNamespace = new("gatewayNamespace", ConfigType.String,
        "Namespace of that Gateway (routing gateway; required there).", "");
    public static readonly ConfigKey GatewaySectionName = new("gatewaySectionName", ConfigType.String,
        "Name of the Gateway's HTTPS listener for the RTC host (routing gateway; required there): without it a route attaches to " +
        "every listener, plain HTTP included.", "");
    public static readonly ConfigKey Controller = new("ingressController", ConfigType.String,
        "Ingress controller, for its own annotations (routing ingress): generic (none) or ingress-nginx (WebSocket read/send timeouts 3600 s).", "generic");

    public static IReadOnlyList<ConfigKey> Keys { get; } = [Routing, GatewayName, GatewayNamespace, GatewaySectionName, Controller];

    private static readonly Dictionary<string, RoutingMode> Modes = new()
    {
        ["gateway"] = RoutingMode.Gateway,
        ["ingress"] = RoutingMode.Ingress,
    };

    private static readonly Dictionary<string, IngressController> Controllers = new()
    {
        ["generic"] = IngressController.Generic,
        ["ingress-nginx"] = IngressController.IngressNginx,
    };

    /// <summary>The config spelling of a mode (errors and the report name modes this way).</summary>
    public static string Name(RoutingMode mode) => Modes.Single(m => m.Value == mode).Key;

    /// <summary>Keys that must be set in a routing mode, and why.</summary>
    private static readonly (RoutingMode Mode, ConfigKey Key, string Allowed)[] RequiredIn =
    [
        (RoutingMode.Gateway, GatewayName, "the name of the Gateway the RTC host's HTTPRoutes attach to"),
        (RoutingMode.Gateway, GatewayNamespace, "the namespace of that Gateway"),
        (RoutingMode.Gateway, GatewaySectionName,
            "the name of its HTTPS listener: a route without one attaches to every listener, plain HTTP included, and tokens would cross it unencrypted"),
    ];

    /// <summary>The keys a routing mode needs set (no default fits: they name the operator's Gateway).</summary>
    public static IReadOnlyList<ConfigKey> RequiredFor(RoutingMode mode) => RequiredIn.Where(k => k.Mode == mode).Select(k => k.Key).ToList();

    /// <summary>
    /// Keys that only one routing mode reads, with their value as parsed. Changed from the default under the other mode they
    /// would be silently ignored (the NetworkPolicies would admit pods that never carry the traffic), so that is an error
    /// naming the mode they belong to. The value is compared, not the key's presence: Pulumi hands the program every
    /// declared key, defaults included.
    /// </summary>
    private static readonly (RoutingMode Mode, ConfigKey Key, Func<EnvironmentSpec, string> Value)[] OnlyIn =
    [
        (RoutingMode.Gateway, GatewayName, s => s.Routing.Gateway.Name),
        (RoutingMode.Gateway, GatewayNamespace, s => s.Routing.Gateway.Namespace),
        (RoutingMode.Gateway, GatewaySectionName, s => s.Routing.Gateway.SectionName),
        (RoutingMode.Gateway, ClusterSection.GatewayPodNamespace, s => s.Cluster.GatewayPods.Namespace),
        (RoutingMode.Gateway, ClusterSection.GatewayPodSelector, s => Shown(s.Cluster.GatewayPods.Selector)),
        (RoutingMode.Gateway, ClusterSection.GatewayPodHttpsPort, s => Shown(s.Cluster.GatewayPods.HttpsPort)),
        (RoutingMode.Ingress, Controller, s => Controllers.Single(c => c.Value == s.Routing.IngressController).Key),
        (RoutingMode.Ingress, TlsSection.IngressClass, s => s.Tls.IngressClass),
        (RoutingMode.Ingress, TlsSection.ExternalDns, s => Shown(s.Tls.ExternalDns)),
        (RoutingMode.Ingress, ClusterSection.IngressNamespace, s => s.Cluster.IngressNamespace),
        (RoutingMode.Ingress, ClusterSection.IngressPodSelector, s => Shown(s.Cluster.IngressPodSelector)),
        (RoutingMode.Ingress, ClusterSection.IngressPodHttpsPort, s => Shown(s.Cluster.IngressPodHttpsPort)),
    ];

    /// <summary>Every key of the other routing mode that differs from its default (a cross-key rule: Checks/ConfigRules.cs).</summary>
    public static IEnumerable<ConfigError> CheckOtherModeKeys(EnvironmentSpec spec)
    {
        var mode = spec.Routing.Mode;
        foreach (var (only, key, value) in OnlyIn.Where(k => k.Mode != mode))
        {
            var shown = value(spec);
            if (shown != Shown(key.Default))
            {
                yield return ConfigError.Invalid(key, $"\"{shown}\"",
                    $"its default while {Routing.FullName} is {Name(mode)}: it applies to routing {Name(only)} only; remove it or set {Routing.FullName}: {Name(only)}");
            }
        }
    }

    private static string Shown(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        int i => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
        IEnumerable<string> items => string.Join(",", items),
        IEnumerable<NodeLabel> labels => string.Join(",", labels.Select(l => $"{l.Key}={l.Value}")),
        _ => value.ToString() ?? "",
    };

    public static RoutingSpec Read(ConfigReader r)
    {
        var mode = r.Choice(Routing, Modes, RoutingMode.Gateway);
        var gateway = new GatewayListener(r.DnsName(GatewayName), r.DnsLabel(GatewayNamespace),
            r.Matching(GatewaySectionName, SectionNamePattern(), "a listener name (Gateway API SectionName): lower case letters, digits, '-' and '.', at most 253, starting and ending alphanumeric"));
        var controller = r.Choice(Controller, Controllers, IngressController.Generic);
        var values = new Dictionary<ConfigKey, string> { [GatewayName] = gateway.Name, [GatewayNamespace] = gateway.Namespace, [GatewaySectionName] = gateway.SectionName };
        foreach (var (_, key, allowed) in RequiredIn.Where(k => k.Mode == mode))
        {
            if (values[key].Length == 0 && r.Errors.All(e => e.Key != key.FullName))
            {
                r.Fail(key, "\"\"", $"{allowed} (routing is {Name(mode)})");
            }
        }
        return new RoutingSpec(mode, gateway, controller);
    }

    // Gateway API SectionName (kubernetes-sigs/gateway-api apis/v1/shared_types.go, v1.6): this pattern, 1-253 characters.
    [GeneratedRegex(@"^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex SectionNamePattern();
}
