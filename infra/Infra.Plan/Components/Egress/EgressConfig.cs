using System.Globalization;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Contract;
using Infra.Plan.Sizing;

namespace Infra.Plan.Components.Egress;

/// <summary><c>redis</c>: the SFU's Sentinel group (livekit/protocol <c>redis.RedisConfig</c>, the struct the SFU reads too).</summary>
/// <param name="TlsCaFile">With TLS: the CA to verify Redis and the sentinels against; null trusts the image's bundle.</param>
public sealed record EgressRedis(
    string MasterName,
    IReadOnlyList<string> SentinelAddresses,
    SecretSource Password,
    SecretSource? SentinelPassword,
    bool Tls,
    string? TlsCaFile);

/// <summary><c>storage.s3</c> (livekit/storage <c>S3Config</c>). Keys only when they come from secure config.</summary>
public sealed record EgressS3(string Bucket, string Region, string Endpoint, bool ForcePathStyle, SecretSource? AccessKey, SecretSource? SecretKey);

/// <summary>
/// The Egress service config (livekit/egress v1.14.1 <c>pkg/config/base.go</c>, <c>service.go</c>, <c>storage.go</c>).
/// Egress parses it with yaml.v3, non-strictly (an unknown key is silently ignored), so only keys of those structs are
/// written, each on purpose. It carries secrets (API key and secret, Redis passwords, maybe S3 keys), so it is a
/// Secret, never the chart's ConfigMap: <see cref="Template"/> holds every secret as a hole the Pulumi layer fills.
/// </summary>
/// <param name="WsUrl">The SFU's in-cluster address: Egress joins rooms there (its Chrome too, from the local template page).</param>
/// <param name="MaxDurationSeconds">Every session limit: a recording, stream or segment output ends after this long.</param>
/// <param name="DisallowLocalStorage">Refuse requests that would write to the pod's disk only (files lost with the pod).</param>
/// <param name="MaxMemoryGiB"><c>cpu_cost.max_memory</c>: memory admission and Egress's own kill of its largest job (EgressSizing).</param>
/// <param name="MemoryCostGiB"><c>cpu_cost.memory_cost</c>: what each admitted job is counted at until Egress measures it.</param>
public sealed record EgressConfig(
    SecretSource ApiKey,
    SecretSource ApiSecret,
    string WsUrl,
    EgressRedis Redis,
    int HealthPort,
    int PrometheusPort,
    string LogLevel,
    int MaxDurationSeconds,
    bool DisallowLocalStorage,
    string StoragePrefix,
    EgressS3? S3,
    double MaxMemoryGiB,
    double MemoryCostGiB)
{
    /// <summary>
    /// <c>cpu_cost.memory_source</c>: the pod's cgroup working set (livekit/egress <c>pkg/config/service.go</c>
    /// <c>MemorySourceCgroup</c>), which is what the memory limit and the kernel's OOM killer count, rather than the sum of
    /// the job processes' RSS (<c>proc_rss</c>, the default), which leaves out the service, PulseAudio and tmpfs.
    /// </summary>
    public const string MemorySource = "cgroup";

    /// <summary>The config as a YAML document whose secret values are holes (see <see cref="SecretSource.YamlTemplate"/>).</summary>
    public SecretSource.YamlTemplate Template(string preview)
    {
        var holes = new List<(string Marker, SecretSource Value)>();
        string Hole(SecretSource value)
        {
            var marker = $"@@matrix-rtc-secret-{holes.Count}@@";
            holes.Add((marker, value));
            return marker;
        }
        var limit = MaxDurationSeconds.ToString(CultureInfo.InvariantCulture) + "s";
        var redis = new YamlMap
        {
            ["sentinel_master_name"] = Redis.MasterName,
            ["sentinel_addresses"] = Redis.SentinelAddresses.Cast<object?>().ToList(),
            ["password"] = Hole(Redis.Password),
        };
        if (Redis.SentinelPassword is { } sentinelPassword)
        {
            redis["sentinel_password"] = Hole(sentinelPassword);
        }
        if (Redis.Tls)
        {
            redis["tls"] = new YamlMap { ["enabled"] = true }.AddIfSet("ca_cert_file", Redis.TlsCaFile);
        }
        var config = new YamlMap
        {
            ["api_key"] = Hole(ApiKey),
            ["api_secret"] = Hole(ApiSecret),
            ["ws_url"] = WsUrl,
            ["redis"] = redis,
            ["health_port"] = HealthPort,
            ["prometheus_port"] = PrometheusPort,
            ["logging"] = new YamlMap { ["level"] = LogLevel },
            // Chrome without its sandbox (the default; the sandbox needs clone/unshare, which Pod Security restricted's
            // RuntimeDefault seccomp profile does not allow): see docs/egress.md, Pod Security.
            ["enable_chrome_sandbox"] = false,
            ["disallow_local_storage"] = DisallowLocalStorage,
            // Every output ends by itself within the grace period, so a stopping Egress never cuts a recording.
            ["session_limits"] = new YamlMap
            {
                ["file_output_max_duration"] = limit,
                ["stream_output_max_duration"] = limit,
                ["segment_output_max_duration"] = limit,
                ["image_output_max_duration"] = limit,
            },
            // Egress's own defaults, written out so its admission and the capacity model use the same numbers.
            ["cpu_cost"] = new YamlMap
            {
                ["max_cpu_utilization"] = EgressCapacityModel.MaxCpuUtilization,
                ["room_composite_cpu_cost"] = EgressCapacityModel.RoomCompositeCpuCost,
                ["audio_room_composite_cpu_cost"] = EgressCapacityModel.AudioRoomCompositeCpuCost,
                ["web_cpu_cost"] = EgressCapacityModel.WebCpuCost,
                ["audio_web_cpu_cost"] = EgressCapacityModel.AudioWebCpuCost,
                ["participant_cpu_cost"] = EgressCapacityModel.ParticipantCpuCost,
                ["track_composite_cpu_cost"] = EgressCapacityModel.TrackCompositeCpuCost,
                ["track_cpu_cost"] = EgressCapacityModel.TrackCpuCost,
                // Memory admission is off unless max_memory is set (monitor.go checkMemoryAdmissionLocked): without it,
                // light jobs admitted by CPU could outgrow the pod's memory and an OOM kill would end every recording on it.
                ["max_memory"] = MaxMemoryGiB,
                ["memory_cost"] = MemoryCostGiB,
                ["memory_source"] = MemorySource,
            },
        };
        if (S3 is { } s3)
        {
            var bucket = new YamlMap { ["bucket"] = s3.Bucket };
            bucket.AddIfSet("region", s3.Region.Length > 0 ? s3.Region : null);
            bucket.AddIfSet("endpoint", s3.Endpoint.Length > 0 ? s3.Endpoint : null);
            bucket["force_path_style"] = s3.ForcePathStyle;
            if (s3 is { AccessKey: { } access, SecretKey: { } secret })
            {
                // Else the AWS SDK's default chain: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from a Secret, or a pod identity.
                bucket["access_key"] = Hole(access);
                bucket["secret"] = Hole(secret);
            }
            config["storage"] = new YamlMap { ["prefix"] = StoragePrefix, ["s3"] = bucket };
        }
        return YamlTemplates.Split(preview, YamlTreeWriter.Write(config), holes);
    }
}
