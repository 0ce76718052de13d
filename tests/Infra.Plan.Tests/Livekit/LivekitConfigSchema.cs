using Infra.Plan.Components.Livekit;

namespace Infra.Plan.Tests.Livekit;

/// <summary>What a config key holds, as far as the key check needs to know.</summary>
public abstract record KeyShape
{
    /// <summary>A scalar, or a list of scalars.</summary>
    public sealed record Value : KeyShape;

    /// <summary>A mapping with a fixed set of keys.</summary>
    public sealed record Section(IReadOnlyDictionary<string, KeyShape> Keys) : KeyShape;

    /// <summary>A list of mappings of one shape (e.g. <c>rtc.turn_servers</c>).</summary>
    public sealed record ListOf(KeyShape Item) : KeyShape;

    /// <summary>A mapping with free keys (e.g. <c>keys</c>) or a section this project never writes into.</summary>
    public sealed record Open : KeyShape;
}

/// <summary>
/// The keys LiveKit server v1.13.5 knows (livekit/livekit pkg/config/config.go with the embedded
/// mediatransportutil rtcconfig.RTCConfig and protocol RedisConfig/WebHookConfig/logger.Config/xtls.Config).
/// In strict mode LiveKit refuses any other key; the tests run every config this project writes, and the one
/// parsed back from the rendered ConfigMap, through <see cref="UnknownKeys"/>. Sections this project never
/// writes (audio, video, sip, ...) are accepted whole.
/// </summary>
public static class LivekitConfigSchema
{
    private static readonly KeyShape V = new KeyShape.Value();
    private static readonly KeyShape O = new KeyShape.Open();

    private static KeyShape.Section S(params (string Key, KeyShape Shape)[] keys) =>
        new(keys.ToDictionary(k => k.Key, k => k.Shape, StringComparer.Ordinal));

    private static KeyShape.Section Values(params string[] keys) => S(keys.Select(k => (k, V)).ToArray());

    public static KeyShape.Section Root { get; } = S(
        ("port", V), ("bind_addresses", V), ("prometheus_port", V),
        ("prometheus", Values("port", "username", "password")),
        ("debug_handler", Values("port")),
        ("rtc", S(
            ("udp_port", V), ("tcp_port", V), ("port_range_start", V), ("port_range_end", V), ("use_stun_port_as_ice", V),
            ("node_ip", V), ("stun_servers", V), ("use_external_ip", V), ("use_ice_lite", V),
            ("interfaces", Values("includes", "excludes")), ("ips", Values("includes", "excludes")),
            ("enable_loopback_candidate", V), ("use_mdns", V), ("external_ip_only", V),
            ("batch_io", Values("batch_size", "max_flush_interval")),
            ("sctp_min_cwnd", V), ("sctp_fast_rtx_wnd", V), ("sctp_cwnd_ca_step", V), ("force_tcp", V),
            ("turn_servers", new KeyShape.ListOf(Values("host", "port", "protocol", "username", "credential", "secret", "secret_file", "ttl"))),
            ("strict_acks", V), ("packet_buffer_size", V), ("packet_buffer_size_video", V), ("packet_buffer_size_audio", V),
            ("pli_throttle", O), ("congestion_control", O), ("allow_tcp_fallback", V), ("tcp_fallback_rtt_threshold", V),
            ("allow_udp_unstable_fallback", V), ("reconnect_on_publication_error", V), ("reconnect_on_subscription_error", V),
            ("reconnect_on_data_channel_error", V), ("data_channel_max_buffered_amount", V), ("datachannel_slow_threshold", V),
            ("datachannel_lossy_target_latency", V), ("datachannel_data_track_target_latency", V), ("forward_stats", O),
            ("enable_rtp_stream_restart_detection", V))),
        ("redis", S(
            ("address", V), ("username", V), ("password", V), ("db", V), ("use_tls", V),
            ("tls", Values("enabled", "insecure", "server_name", "ca_cert_file", "client_cert_file", "client_key_file")),
            ("sentinel_master_name", V), ("sentinel_username", V), ("sentinel_password", V), ("sentinel_addresses", V),
            ("cluster_addresses", V), ("dial_timeout", V), ("read_timeout", V), ("write_timeout", V),
            ("max_redirects", V), ("pool_timeout", V), ("pool_size", V))),
        ("audio", O), ("video", O),
        ("room", S(
            ("auto_create", V), ("enabled_codecs", new KeyShape.ListOf(Values("mime", "fmtp_line"))), ("max_participants", V),
            ("empty_timeout", V), ("departure_timeout", V), ("enable_remote_unmute", V), ("playout_delay", Values("enabled", "min", "max")),
            ("sync_streams", V), ("create_room_timeout", V), ("create_room_attempts", V), ("enable_full_room_in_webhooks", V),
            ("update_batch_target_size", V), ("max_metadata_size", V), ("max_room_name_length", V),
            ("max_participant_identity_length", V), ("room_configurations", O))),
        ("turn", Values(
            "enabled", "domain", "cert_file", "key_file", "tls_port", "udp_port", "relay_range_start", "relay_range_end",
            "external_tls", "bind_addresses", "ttl_seconds", "allow_restricted_peer_cidrs", "deny_peer_cidrs")),
        ("ingress", O), ("sip", O),
        ("webhook", S(("urls", V), ("api_key", V), ("url_notifier", O), ("resource_url_notifier", O), ("filter_params", O))),
        ("node_selector", O),
        ("key_file", V), ("keys", O), ("region", V), ("signal_relay", O), ("psrpc", O), ("log_level", V),
        ("logging", S(
            ("json", V), ("level", V), ("sample", V), ("component_levels", O), ("sample_initial", V), ("sample_interval", V),
            ("item_sample_seconds", V), ("item_sample_initial", V), ("item_sample_interval", V), ("pion_level", V))),
        ("limit", Values(
            "num_tracks", "bytes_per_sec", "subscription_limit_video", "subscription_limit_audio", "max_metadata_size",
            "max_attributes_size", "max_room_name_length", "max_participant_identity_length", "max_participant_name_length",
            "max_data_blob_key_length", "max_data_blobs_size")),
        ("agents", O), ("development", V), ("metric", O), ("trace", Values("jaeger_url")), ("node_stats", O),
        ("enable_data_tracks", V), ("enable_participant_data_blob", V), ("api", O));

    /// <summary>
    /// Dotted paths of every key LiveKit would refuse. <paramref name="tree"/> is a parsed config: nested
    /// <c>IDictionary&lt;object, object&gt;</c> / <c>IList&lt;object&gt;</c> (YamlDotNet) or <see cref="YamlMap"/>.
    /// </summary>
    public static IReadOnlyList<string> UnknownKeys(object? tree)
    {
        var unknown = new List<string>();
        Check(tree, Root, "", unknown);
        return unknown;
    }

    private static void Check(object? node, KeyShape shape, string path, List<string> unknown)
    {
        switch (shape)
        {
            case KeyShape.Section section:
                foreach (var (key, value) in Entries(node))
                {
                    var child = path.Length == 0 ? key : $"{path}.{key}";
                    if (section.Keys.TryGetValue(key, out var childShape))
                    {
                        Check(value, childShape, child, unknown);
                    }
                    else
                    {
                        unknown.Add(child);
                    }
                }
                break;
            case KeyShape.ListOf listOf when node is System.Collections.IList list:
                for (var i = 0; i < list.Count; i++)
                {
                    Check(list[i], listOf.Item, $"{path}[{i}]", unknown);
                }
                break;
        }
    }

    private static IEnumerable<(string Key, object? Value)> Entries(object? node) => node switch
    {
        YamlMap m => m.Select(e => (e.Key, e.Value)),
        IDictionary<object, object?> d => d.Select(e => (e.Key.ToString() ?? "", e.Value)),
        IDictionary<string, object?> d => d.Select(e => (e.Key, e.Value)),
        _ => [],
    };
}
