namespace Infra.Plan.Components.Livekit;

// A typed model of the LiveKit server config (livekit/livekit pkg/config/config.go, v1.13.5), holding only the
// keys this project sets. Each record writes its own keys by their LiveKit names, so a key LiveKit does not
// know cannot be written: the server runs in strict mode (the post-renderer removes --disable-strict-config)
// and would refuse it. LivekitConfigSchema lists every key LiveKit knows; a test checks this model against it.

/// <summary><c>rtc.turn_servers[]</c>: an external TURN server with TURN REST credentials from <c>secret_file</c>.</summary>
/// <param name="Protocol">udp, tcp or tls.</param>
/// <param name="SecretFile">Path of the mounted shared secret (never the secret itself): needs LiveKit v1.13.0+.</param>
/// <param name="TtlSeconds">Credential lifetime LiveKit hands out.</param>
public sealed record TurnServerConfig(string Host, int Port, TurnProtocol Protocol, string SecretFile, int TtlSeconds)
{
    public YamlMap ToYaml() => new()
    {
        ["host"] = Host,
        ["port"] = Port,
        ["protocol"] = Protocol.ToString().ToLowerInvariant(),
        ["secret_file"] = SecretFile,
        ["ttl"] = TtlSeconds,
    };
}

public enum TurnProtocol
{
    Udp,
    Tcp,
    Tls,
}

/// <summary><c>rtc</c>: the ports and addresses media flows through.</summary>
/// <param name="UdpPort">One UDP port carrying all media (muxed), instead of a 10,000-port range.</param>
/// <param name="IpsIncludes"><c>rtc.ips.includes</c>: the addresses LiveKit gathers candidates on: the node CIDRs on the host
/// network (never a CNI interface), the pod CIDRs in the pod network (the pod's own address, rewritten to the advertised one).</param>
/// <param name="NodeIp"><c>rtc.node_ip</c>: the advertised address where it is given (a load balancer's); null where STUN finds it
/// or the pod takes it from <c>NODE_IP</c>. With it and without <c>use_external_ip</c>, LiveKit rewrites every host candidate to
/// it (livekit/mediatransportutil 77f742a <c>pkg/rtcconfig/webrtc_config.go</c>, <c>SetNAT1To1AddressRewriteRules</c>).</param>
/// <param name="StunServers">Written only where LiveKit asks them (<c>use_external_ip</c>).</param>
public sealed record RtcConfig(
    int TcpPort,
    int UdpPort,
    bool UseExternalIp,
    IReadOnlyList<string> IpsIncludes,
    IReadOnlyList<string> StunServers,
    IReadOnlyList<TurnServerConfig> TurnServers,
    string? NodeIp = null)
{
    public YamlMap ToYaml() => new YamlMap
    {
        ["tcp_port"] = TcpPort,
        ["udp_port"] = UdpPort,
        ["use_external_ip"] = UseExternalIp,
    }
        .AddIfSet("node_ip", NodeIp)
        .AddIfSet("ips", new YamlMap { ["includes"] = IpsIncludes.Cast<object?>().ToList() })
        .AddIfSet("stun_servers", UseExternalIp ? StunServers.Cast<object?>().ToList() : null)
        .AddIfSet("turn_servers", TurnServers.Select(t => (object?)t.ToYaml()).ToList());
}

/// <summary>
/// <c>turn</c>: LiveKit's embedded TURN, where coturn cannot run (no host network). Clients get
/// <c>turn:&lt;node_ip&gt;:&lt;udp_port&gt;?transport=udp</c> and, with a TLS port, <c>turns:&lt;domain&gt;:443?transport=tcp</c>
/// (livekit/livekit 788d4c35 <c>pkg/service/roommanager.go</c>); the relay address is <c>node_ip</c> and its ports come from
/// the relay range. Since v1.12.0 it refuses private, loopback and link-local peers unless allowed
/// (<c>pkg/service/turn.go</c>, permission handler): the SFU's own advertised address is such a peer where it is private.
/// </summary>
/// <param name="TlsPort">0: no TURN/TLS (a node port cannot be 443). With it LiveKit terminates TLS with the TURN name's
/// certificate, which the chart mounts and names in LIVEKIT_TURN_CERT/KEY (<see cref="LivekitChartValues.TurnTlsSecret"/>).</param>
public sealed record EmbeddedTurnConfig(
    string Domain,
    int UdpPort,
    int TlsPort,
    int RelayRangeStart,
    int RelayRangeEnd,
    IReadOnlyList<string> AllowRestrictedPeerCidrs)
{
    public YamlMap ToYaml() => new YamlMap
    {
        ["enabled"] = true,
        ["domain"] = Domain,
        ["udp_port"] = UdpPort,
        ["tls_port"] = TlsPort,
        ["external_tls"] = false,
        ["relay_range_start"] = RelayRangeStart,
        ["relay_range_end"] = RelayRangeEnd,
    }
        .AddIfSet("allow_restricted_peer_cidrs", AllowRestrictedPeerCidrs.Count > 0 ? AllowRestrictedPeerCidrs.Cast<object?>().ToList() : null);
}

/// <summary><c>redis.tls</c>: verify the Redis/Sentinel certificates against a mounted CA.</summary>
/// <param name="CaCertFile">The CA file LiveKit trusts for Redis; null: the system roots (an existing Redis with a public CA).</param>
public sealed record RedisTlsConfig(string? CaCertFile)
{
    public YamlMap ToYaml() => new YamlMap { ["enabled"] = true }.AddIfSet("ca_cert_file", CaCertFile);
}

/// <summary>
/// <c>redis</c> through Sentinel: <c>address</c> stays empty. The passwords are not here: they arrive as
/// <c>LIVEKIT_REDIS_PASSWORD</c> / <c>LIVEKIT_REDIS_SENTINEL_PASSWORD</c> env vars from Secrets.
/// </summary>
public sealed record RedisConfig(string SentinelMasterName, IReadOnlyList<string> SentinelAddresses, RedisTlsConfig? Tls)
{
    public YamlMap ToYaml() => new YamlMap
    {
        ["sentinel_master_name"] = SentinelMasterName,
        ["sentinel_addresses"] = SentinelAddresses.Cast<object?>().ToList(),
    }.AddIfSet("tls", Tls?.ToYaml());
}

/// <summary><c>room</c>: rooms are created only by the authorizer (<c>auto_create: false</c>).</summary>
public sealed record RoomConfig(bool AutoCreate, int EmptyTimeoutSeconds, int DepartureTimeoutSeconds, int MaxParticipants)
{
    public YamlMap ToYaml() => new()
    {
        ["auto_create"] = AutoCreate,
        ["empty_timeout"] = EmptyTimeoutSeconds,
        ["departure_timeout"] = DepartureTimeoutSeconds,
        ["max_participants"] = MaxParticipants,
    };
}

/// <summary>
/// <c>webhook</c>: room events go to the authorizer, in-cluster. <c>api_key</c> (the key id, from the Pulumi-made
/// Secret) arrives as the <c>LIVEKIT_WEBHOOK_API_KEY</c> env var, so the values never depend on Pulumi state.
/// </summary>
public sealed record WebhookConfig(IReadOnlyList<string> Urls)
{
    public YamlMap ToYaml() => new() { ["urls"] = Urls.Cast<object?>().ToList() };
}

/// <summary>The whole server config: what the chart writes, as <c>livekit:</c>, into its ConfigMap.</summary>
/// <param name="KeyFile">Relative name: the chart mounts the keys Secret with <c>subPath: key_file</c> (why: <see cref="LivekitPlan.KeyFile"/>).</param>
/// <param name="EmbeddedTurn">LiveKit's own TURN off the host network; null on it, where coturn serves TURN.</param>
public sealed record LivekitServerConfig(
    int Port,
    int PrometheusPort,
    string LogLevel,
    RtcConfig Rtc,
    RedisConfig Redis,
    RoomConfig Room,
    WebhookConfig Webhook,
    string KeyFile,
    EmbeddedTurnConfig? EmbeddedTurn)
{
    public YamlMap ToYaml() => new()
    {
        ["port"] = Port,
        // The chart knows only the deprecated prometheus_port (it adds the metrics host port from it).
        ["prometheus_port"] = PrometheusPort,
        ["logging"] = new YamlMap { ["level"] = LogLevel },
        ["rtc"] = Rtc.ToYaml(),
        ["redis"] = Redis.ToYaml(),
        ["room"] = Room.ToYaml(),
        ["turn"] = EmbeddedTurn?.ToYaml() ?? new YamlMap { ["enabled"] = false },
        ["webhook"] = Webhook.ToYaml(),
        ["key_file"] = KeyFile,
    };
}
