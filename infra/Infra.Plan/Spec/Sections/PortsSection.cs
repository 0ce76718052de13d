using Infra.Plan.Net;

namespace Infra.Plan.Spec.Sections;

/// <summary>
/// The host ports of the host-network pods (SFU and coturn), as the operator set them. The checks that
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
    int AuthorizerHttp)
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
    public static readonly ConfigKey SfuRtcTcpPort = new("sfuRtcTcpPort", ConfigType.Integer,
        "SFU ICE-TCP port (TCP, open to the internet).", 7881);
    public static readonly ConfigKey SfuRtcUdpPort = new("sfuRtcUdpPort", ConfigType.Integer,
        "SFU media port: all RTC media muxed on one UDP port (open to the internet).", 7882);
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

    public static IReadOnlyList<ConfigKey> Keys { get; } =
        [SfuApiPort, SfuRtcTcpPort, SfuRtcUdpPort, SfuMetricsPort, TurnPort, TurnTlsPort, TurnRelayPorts, TurnMetricsPort, TurnTlsOn443, AuthorizerPort];

    public static PortsSpec Read(ConfigReader r)
    {
        var relayText = r.String(TurnRelayPorts);
        if (!PortRange.TryParse(relayText, out var relay) || relay.Count < 2)
        {
            r.Fail(TurnRelayPorts, "a port range low-high within 1-65535, such as 61000-65535");
            relay = new PortRange(61000, 65535);
        }
        var spec = new PortsSpec(
            r.Int(SfuApiPort, 1, 65535),
            r.Int(SfuRtcTcpPort, 1, 65535),
            r.Int(SfuRtcUdpPort, 1, 65535),
            r.Int(SfuMetricsPort, 1, 65535),
            r.Int(TurnPort, 1, 65535),
            r.Int(TurnTlsPort, 1, 65535),
            relay,
            r.Int(TurnMetricsPort, 1, 65535),
            r.Bool(TurnTlsOn443),
            r.Int(AuthorizerPort, 1024, 65535));
        if (spec.TurnTlsOn443 && r.IsSet(TurnTlsPort) && spec.TurnTls != 443)
        {
            r.Fail(TurnTlsPort, $"unset when {TurnTlsOn443.FullName} is true: coturn has one TLS listener, and with turnTlsOn443 it binds 443");
        }
        return spec;
    }
}
