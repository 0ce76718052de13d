using Infra.Plan.Net;

namespace Infra.Plan.Spec.Sections;

/// <summary>
/// The ports of the media pods (SFU and coturn), as the operator set them (or their defaults for the media mode:
/// behind a NodePort Service the SFU listens on its node ports, <see cref="NodePortDefaults"/>). The checks that
/// involve several ports (overlaps, NodePort and ephemeral ranges) live in <c>Ports.PortPlan</c>.
/// </summary>
public sealed record PortsSpec(
    int SfuApi,
    int SfuRtcTcp,
    int SfuRtcUdp,
    int SfuMetrics,
    int Turn,
    int TurnTls,
    PortRange TurnRelay,
    int TurnMetrics,
    bool TurnTlsOn443,
    int AuthorizerHttp,
    int SfuTurnUdp,
    int SfuTurnTls,
    PortRange SfuTurnRelay)
{
    /// <summary>
    /// The port coturn's TLS listener binds. coturn has exactly one TLS listener (its "alt" listeners exist only
    /// with a second listening address), so "TLS on 443" moves it rather than adding one.
    /// </summary>
    public int TurnTlsEffective => TurnTlsOn443 ? 443 : TurnTls;
}

public static class PortsSection
{
    public static readonly ConfigKey SfuApiPort = new("sfuApiPort", ConfigType.Integer,
        "SFU API/WebSocket port (TCP, host network, reached through the Gateway or ingress).", 7880);
    // The media ports' defaults follow sfuMediaExposure (MediaDefaults): 0 stands for "the mode's default", as the CLI
    // hands every declared default to the program and would otherwise give a nodePort stack the host-network port.
    public static readonly ConfigKey SfuRtcTcpPort = new("sfuRtcTcpPort", ConfigType.Integer,
        "SFU ICE-TCP port (TCP, open to the internet); with sfuMediaExposure nodePort also the node port. 0 means 7881, or 30001 with nodePort.", 0);
    public static readonly ConfigKey SfuRtcUdpPort = new("sfuRtcUdpPort", ConfigType.Integer,
        "SFU media port: all RTC media muxed on one UDP port (open to the internet); with nodePort also the node port. 0 means 7882, or 30002 with nodePort.", 0);
    public static readonly ConfigKey SfuMetricsPort = new("sfuMetricsPort", ConfigType.Integer,
        "SFU Prometheus port (TCP, cluster only).", 6789);
    public static readonly ConfigKey TurnPort = new("turnPort", ConfigType.Integer,
        "TURN/STUN listening port (UDP and TCP, open to the internet).", 3478);
    public static readonly ConfigKey TurnTlsPort = new("turnTlsPort", ConfigType.Integer,
        "TURN over TLS port (TCP, open to the internet).", 5349);
    public static readonly ConfigKey TurnRelayPorts = new("turnRelayPorts", ConfigType.String,
        "coturn relay port range (UDP, open to the internet); must avoid the NodePort and ephemeral ranges.", "61000-65535");
    public static readonly ConfigKey TurnMetricsPort = new("turnMetricsPort", ConfigType.Integer,
        "coturn Prometheus port (TCP, cluster only; coturn images that have Prometheus).", 9641);
    public static readonly ConfigKey TurnTlsOn443 = new("turnTlsOn443", ConfigType.Boolean,
        "Serve TURN/TLS on 443 instead of turnTlsPort, for clients behind firewalls that allow only HTTPS (443 must be free on the media nodes' host network).", false);
    public static readonly ConfigKey AuthorizerPort = new("authorizerPort", ConfigType.Integer,
        "Authorizer (lk-jwt-service) HTTP port inside the pod network.", 8080);

    // LiveKit's embedded TURN, where coturn cannot run (sfuMediaExposure nodePort or loadBalancer).
    public static readonly ConfigKey SfuTurnUdpPort = new("sfuTurnUdpPort", ConfigType.Integer,
        "Without host networking: the SFU's own TURN/UDP port (open to the internet); with nodePort also the node port. 0 means 3478, or 30004 with nodePort.", 0);
    public static readonly ConfigKey SfuTurnTlsPort = new("sfuTurnTlsPort", ConfigType.Integer,
        "With loadBalancer: the port the SFU's own TURN/TLS listens on; each load balancer serves it on 443 (LiveKit hands out turns:<turnHost>:443).", 5349);
    public static readonly ConfigKey SfuTurnRelayPorts = new("sfuTurnRelayPorts", ConfigType.String,
        "Without host networking: the SFU's own TURN relay ports (UDP, inside the pod; clear of its other ports and the ephemeral range).", "20000-29999");

    /// <summary>The keys of LiveKit's own TURN (not coturn's).</summary>
    public static IReadOnlyList<ConfigKey> EmbeddedTurnKeys { get; } = [SfuTurnUdpPort, SfuTurnTlsPort, SfuTurnRelayPorts];

    public static IReadOnlyList<ConfigKey> Keys { get; } =
        [SfuApiPort, SfuRtcTcpPort, SfuRtcUdpPort, SfuMetricsPort, TurnPort, TurnTlsPort, TurnRelayPorts, TurnMetricsPort, TurnTlsOn443, AuthorizerPort,
         .. EmbeddedTurnKeys];

    /// <summary>
    /// The media ports' defaults per mode. Behind a NodePort Service LiveKit listens on the node port itself (it advertises
    /// the port it listens on), so there they lie in the NodePort range: ess-helm's defaults (charts/matrix-stack values:
    /// 30001 TCP, 30002 UDP, 30004 TURN).
    /// </summary>
    public static IReadOnlyDictionary<ConfigKey, (int Default, int NodePort)> MediaDefaults { get; } = new Dictionary<ConfigKey, (int, int)>
    {
        [SfuRtcTcpPort] = (7881, 30001),
        [SfuRtcUdpPort] = (7882, 30002),
        [SfuTurnUdpPort] = (3478, 30004),
    };

    public static PortsSpec Read(ConfigReader r, MediaExposure exposure)
    {
        var relay = Range(r, TurnRelayPorts);
        int Media(ConfigKey key) => r.Int(key, 0, 65535, "a port from 1 to 65535, or 0 for the default of the sfuMediaExposure mode") switch
        {
            0 => exposure == MediaExposure.NodePort ? MediaDefaults[key].NodePort : MediaDefaults[key].Default,
            var port => port,
        };
        var spec = new PortsSpec(
            r.Int(SfuApiPort, 1, 65535),
            Media(SfuRtcTcpPort),
            Media(SfuRtcUdpPort),
            r.Int(SfuMetricsPort, 1, 65535),
            r.Int(TurnPort, 1, 65535),
            r.Int(TurnTlsPort, 1, 65535),
            relay,
            r.Int(TurnMetricsPort, 1, 65535),
            r.Bool(TurnTlsOn443),
            r.Int(AuthorizerPort, 1024, 65535),
            Media(SfuTurnUdpPort),
            r.Int(SfuTurnTlsPort, 1024, 65535),
            Range(r, SfuTurnRelayPorts));
        if (spec.TurnTlsOn443 && r.IsChosen(TurnTlsPort) && spec.TurnTls != 443)
        {
            r.Fail(TurnTlsPort, $"unset when {TurnTlsOn443.FullName} is true: coturn has one TLS listener, and with turnTlsOn443 it binds 443");
        }
        // Keys of the other TURN than the one the mode runs are mistakes the operator would not see otherwise.
        var unused = exposure == MediaExposure.HostNetwork
            ? EmbeddedTurnKeys
            : [TurnPort, TurnTlsPort, TurnRelayPorts, TurnMetricsPort, TurnTlsOn443];
        if (exposure == MediaExposure.NodePort)
        {
            unused = [.. unused, SfuTurnTlsPort];
        }
        foreach (var key in unused.Where(r.IsChosen))
        {
            r.Fail(key, exposure == MediaExposure.HostNetwork
                ? $"unset with {SfuSection.MediaExposureKey.FullName} hostNetwork: coturn serves TURN there (turnPort, turnTlsPort, turnRelayPorts)"
                : key == SfuTurnTlsPort
                    ? $"unset with {SfuSection.MediaExposureKey.FullName} nodePort: TURN/TLS needs port 443, which a node port cannot be"
                    : $"unset without host networking: coturn does not run there, LiveKit's own TURN does (sfuTurnUdpPort, sfuTurnTlsPort, sfuTurnRelayPorts)");
        }
        return spec;
    }

    /// <summary>A relay range of at least two ports (one allocation holds one port); a bad one is reported and the default stands in.</summary>
    private static PortRange Range(ConfigReader r, ConfigKey key)
    {
        var fallback = (string)key.Default!;
        if (!PortRange.TryParse(r.String(key), out var range) || range.Count < 2)
        {
            r.Fail(key, $"a port range low-high within 1-65535, such as {fallback}");
            PortRange.TryParse(fallback, out range);
        }
        return range;
    }
}
