using System.Text.Json.Nodes;

namespace Infra.Plan.Tests.Egress;

/// <summary>
/// The keys LiveKit Egress v1.14.1 reads from its config, re-stated from the yaml tags of its structs, because Egress
/// parses the config with yaml.v3 non-strictly (<c>pkg/config/service.go</c> NewServiceConfig: <c>yaml.Unmarshal</c>):
/// a misspelt key would be silently ignored there. Sources: livekit/egress v1.14.1 <c>pkg/config/base.go</c>
/// (BaseConfig, SessionLimits), <c>service.go</c> (ServiceConfig, CPUCostConfig), <c>storage.go</c> (StorageConfig);
/// livekit/protocol <c>redis/redis.go</c> (RedisConfig), <c>xtls/tls.go</c> (Config), <c>logger/config.go</c>;
/// livekit/storage <c>config.go</c> (S3Config, ProxyConfig).
/// </summary>
public static class EgressConfigSchema
{
    private static readonly Dictionary<string, string[]> Keys = new()
    {
        [""] =
        [
            "redis", "api_key", "api_secret", "ws_url", "logging", "template_base", "cluster_id", "enable_chrome_sandbox",
            "max_upload_queue", "disallow_local_storage", "io_create_timeout", "io_update_timeout", "io_selection_timeout",
            "io_workers", "session_limits", "storage", "backup", "s3_assume_role_key", "s3_assume_role_secret", "s3_assume_role_arn",
            "s3_assume_role_external_id", "insecure", "debug", "chrome_flags", "latency", "latency_overrides",
            "enable_one_shot_sender_report_sync", "enable_sync_engine", "audio_tempo_controller", "test_overrides",
            "health_port", "template_port", "prometheus_port", "debug_handler_port", "pulse_sink_reap_grace_sec", "cpu_cost",
        ],
        ["redis"] =
        [
            "address", "username", "password", "db", "use_tls", "tls", "sentinel_master_name", "sentinel_username",
            "sentinel_password", "sentinel_addresses", "cluster_addresses", "dial_timeout", "read_timeout", "write_timeout",
            "max_redirects", "pool_timeout", "pool_size",
        ],
        ["redis.tls"] = ["enabled", "insecure", "server_name", "ca_cert_file", "client_cert_file", "client_key_file"],
        ["logging"] = ["json", "level", "sample", "component_levels", "sample_initial", "sample_interval", "item_sample_seconds", "item_sample_initial", "item_sample_interval"],
        ["session_limits"] = ["file_output_max_duration", "file_output_max_size", "stream_output_max_duration", "segment_output_max_duration", "image_output_max_duration"],
        ["storage"] = ["prefix", "generate_presigned_url", "s3", "azure", "gcp", "alioss"],
        ["storage.s3"] =
        [
            "access_key", "secret", "session_token", "assume_role_arn", "assume_role_external_id", "region", "endpoint", "bucket",
            "force_path_style", "proxy_config", "max_retries", "max_retry_delay", "min_retry_delay", "metadata", "tagging", "content_disposition",
        ],
        ["cpu_cost"] =
        [
            "max_cpu_utilization", "max_memory", "memory_cost", "room_composite_cpu_cost", "audio_room_composite_cpu_cost",
            "sdk_audio_room_composite_cpu_cost", "sdk_audio_room_composite_memory_cost", "web_cpu_cost", "audio_web_cpu_cost",
            "participant_cpu_cost", "track_composite_cpu_cost", "track_cpu_cost", "max_pulse_clients", "memory_source",
            "memory_kill_grace_sec", "cpu_kill_grace_sec",
        ],
    };

    /// <summary>time.Duration fields: yaml.v3 reads a string through time.ParseDuration (an integer would be nanoseconds).</summary>
    private static readonly string[] DurationPaths =
    [
        "session_limits.file_output_max_duration", "session_limits.stream_output_max_duration",
        "session_limits.segment_output_max_duration", "session_limits.image_output_max_duration",
    ];

    /// <summary>Dotted paths of keys Egress does not know, in the mappings whose keys are listed above.</summary>
    public static IEnumerable<string> UnknownKeys(JsonObject config) => Walk(config, "");

    public static IEnumerable<string> Durations(JsonObject config) =>
        DurationPaths.Select(p => p.Split('.').Aggregate<string, JsonNode?>(config, (n, k) => n?[k])).OfType<JsonNode>().Select(n => (string)n!);

    private static IEnumerable<string> Walk(JsonObject map, string path)
    {
        if (!Keys.TryGetValue(path, out var known))
        {
            yield break;
        }
        foreach (var (key, value) in map)
        {
            var child = path.Length == 0 ? key : $"{path}.{key}";
            if (!known.Contains(key))
            {
                yield return child;
            }
            else if (value is JsonObject nested)
            {
                foreach (var unknown in Walk(nested, child))
                {
                    yield return unknown;
                }
            }
        }
    }
}
