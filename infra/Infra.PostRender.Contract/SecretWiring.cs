using System.Text.Json;
using System.Text.Json.Serialization;
namespace Infra.PostRender.Contract;

/// <summary>
/// An env var the post-renderer sets on the chart's container, read from a Secret key. <paramref name="Replace"/>: the
/// chart already defines it (e.g. egress's <c>EGRESS_CONFIG_BODY</c> from its ConfigMap) and its source becomes the
/// Secret key; otherwise the chart must not define it.
/// </summary>
public sealed record SecretEnv(
    string Name,
    string Secret,
    string Key,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Replace = false);

/// <summary>A Secret key the post-renderer mounts as a read-only file <c>Directory/File</c>.</summary>
/// <param name="Mode">File mode: LiveKit refuses a key/secret file that gives "others" any permission.</param>
public sealed record SecretFileMount(string Volume, string Secret, string Key, string Directory, string File, int Mode)
{
    [JsonIgnore]
    public string Path => $"{Directory}/{File}";
}

/// <summary>An emptyDir the post-renderer mounts at <paramref name="Directory"/>, bounded by <paramref name="SizeLimit"/> (a quantity).</summary>
/// <param name="Memory">tmpfs (counts against the container's memory limit) rather than the node's disk.</param>
public sealed record ScratchMount(string Volume, string Directory, string SizeLimit, bool Memory = false);

/// <summary>
/// An env var the post-renderer sets on the chart's container from the pod's own fields (the downward API,
/// <c>valueFrom.fieldRef.fieldPath</c>), e.g. <c>NODE_IP</c> from <c>status.hostIP</c>, which LiveKit reads as
/// <c>rtc.node_ip</c> (livekit-server <c>cmd/server/main.go</c>: flag <c>node-ip</c> from env <c>NODE_IP</c>;
/// <c>pkg/config/config.go</c> <c>updateFromCLI</c>). The chart must not define it.
/// </summary>
public sealed record FieldRefEnv(string Name, string FieldPath);

/// <summary>
/// What the Helm post-renderer (infra/Infra.PostRender) does to a chart's Deployment: the wiring the chart cannot
/// express. One format for every release (the SFU's livekit-server chart, the egress chart). The plan writes it as JSON
/// into a pod annotation (<see cref="Annotation"/>) through the Helm values, so the post-renderer needs no arguments
/// (Pulumi's Release.Postrender takes one path) and no stack config: it reads the instructions from the manifest it
/// rewrites. Only Secret names, keys and paths: no secret. Members a release does not use are left out of the JSON,
/// so adding an operation changes no existing release's annotation.
/// </summary>
/// <param name="Container">The container to change (the charts name it after the chart).</param>
/// <param name="StrictConfig">Drop the chart's <c>--disable-strict-config</c> argument, so LiveKit refuses unknown keys.</param>
/// <param name="Scratch">Writable emptyDirs the chart does not mount.</param>
/// <param name="NoServiceAccountToken">Set <c>automountServiceAccountToken: false</c> (the chart's pods never call the API).</param>
/// <param name="PullSecrets">Image pull Secrets, for a chart without an <c>imagePullSecrets</c> value.</param>
/// <param name="NoHostPorts">Remove every <c>hostPort</c> from the Deployment's container ports: the livekit-server chart
/// (1.9.0, templates/deployment.yaml) puts one on its RTC, TURN and metrics ports whatever <c>podHostNetwork</c> says, and
/// a pod off the host network must not claim node ports (Pod Security <c>baseline</c> forbids them). Refused on a pod
/// with <c>hostNetwork: true</c>, where the ports are the host's anyway.</param>
/// <param name="SecretVolumeMode">The file mode of every Secret volume the chart mounts without one: livekit-server 1.9.0
/// mounts the TURN certificate (<c>lkturncert</c>) with the default 0644, its private key readable by every user.</param>
/// <param name="FieldEnv">Env vars from the pod's own fields (<see cref="FieldRefEnv"/>), e.g. the node's address.</param>
/// <param name="ChartOnlyConfigKeys">Dotted paths (e.g. <c>turn.secretName</c>) to remove from the LiveKit config the chart
/// writes: the ConfigMap key the container's <see cref="ConfigEnv"/> reads (<c>valueFrom.configMapKeyRef</c>). The
/// livekit-server chart (1.9.0) copies all of its <c>livekit:</c> values into that config.yaml (templates/configmap.yaml),
/// including keys only the chart reads: <c>turn.secretName</c>, which it requires for TURN/TLS
/// (templates/deployment.yaml, "tls secret required if turn enabled") and LiveKit's strict config refuses (livekit
/// <c>pkg/config/config.go</c>: <c>KnownFields</c>; <c>TURNConfig</c> has no such field). Every path must be there:
/// one that is not means the values are not the plan's.</param>
/// <param name="PostRenderer">The post-renderer version the plan was built for (<see cref="PostRendererIdentity.Version"/>):
/// the post-renderer refuses to run when it is another version, and leaves this member out of the Deployment it writes
/// (so a new version alone rolls no pod).</param>
public sealed record SecretWiring(
    string Container,
    IReadOnlyList<SecretEnv> Env,
    IReadOnlyList<SecretFileMount> Files,
    bool StrictConfig,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ScratchMount>? Scratch = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool NoServiceAccountToken = false,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? PullSecrets = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool NoHostPorts = false,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<FieldRefEnv>? FieldEnv = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? ChartOnlyConfigKeys = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? SecretVolumeMode = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PostRenderer = null)
{
    public const string Annotation = "matrix-rtc/secret-wiring";

    public const string DisableStrictConfig = "--disable-strict-config";

    /// <summary>The env var LiveKit reads its config body from (livekit <c>cmd/server/main.go</c>: flag <c>config-body</c>);
    /// the chart sets it from its ConfigMap.</summary>
    public const string ConfigEnv = "LIVEKIT_CONFIG";

    public string ToJson() => JsonSerializer.Serialize(this, SecretWiringJson.Default.SecretWiring);

    public static SecretWiring FromJson(string json) =>
        JsonSerializer.Deserialize(json, SecretWiringJson.Default.SecretWiring) ?? throw new JsonException("empty secret wiring");

    /// <summary>Every Secret key the wired container reads (for the tests and the Pulumi shell).</summary>
    public IEnumerable<(string Secret, string Key)> SecretKeys() =>
        Env.Select(e => (e.Secret, e.Key)).Concat(Files.Select(f => (f.Secret, f.Key)));

}

/// <summary>Source-generated JSON of <see cref="SecretWiring"/> (no reflection: the post-renderer is a Native AOT binary).</summary>
// An operation this tool does not know is refused, never skipped: a wiring from a newer plan (e.g. one that strips host
// ports or drops a chart-only config key) through an older tool would otherwise install pods that cannot start.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(SecretWiring))]
internal sealed partial class SecretWiringJson : JsonSerializerContext;
