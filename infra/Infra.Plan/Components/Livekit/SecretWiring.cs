using System.Text.Json;
using System.Text.Json.Serialization;
using Infra.Plan.Secrets;

namespace Infra.Plan.Components.Livekit;

/// <summary>An env var the post-renderer adds to the SFU container, read from a Secret key.</summary>
public sealed record SecretEnv(string Name, string Secret, string Key);

/// <summary>A Secret key the post-renderer mounts as a read-only file <c>Directory/File</c>.</summary>
/// <param name="Mode">File mode: LiveKit refuses a key/secret file that gives "others" any permission.</param>
public sealed record SecretFileMount(string Volume, string Secret, string Key, string Directory, string File, int Mode)
{
    [JsonIgnore]
    public string Path => $"{Directory}/{File}";
}

/// <summary>
/// What the Helm post-renderer (infra/Infra.PostRender) does to the chart's SFU Deployment: the wiring the chart
/// cannot express. The plan writes it as JSON into a pod annotation (<see cref="Annotation"/>) through the Helm
/// values, so the post-renderer needs no arguments (Pulumi's Release.Postrender takes one path) and no stack
/// config: it reads the instructions from the manifest it rewrites. Only Secret names, keys and paths: no secret.
/// </summary>
/// <param name="Container">The container to change (the chart names it after the chart).</param>
/// <param name="StrictConfig">Drop the chart's <c>--disable-strict-config</c> argument, so LiveKit refuses unknown keys.</param>
public sealed record SecretWiring(
    string Container,
    IReadOnlyList<SecretEnv> Env,
    IReadOnlyList<SecretFileMount> Files,
    bool StrictConfig)
{
    public const string Annotation = "matrix-rtc/secret-wiring";

    public const string DisableStrictConfig = "--disable-strict-config";

    public string ToJson() => JsonSerializer.Serialize(this, SecretWiringJson.Default.SecretWiring);

    public static SecretWiring FromJson(string json) =>
        JsonSerializer.Deserialize(json, SecretWiringJson.Default.SecretWiring) ?? throw new JsonException("empty secret wiring");

    /// <summary>Every Secret key the SFU reads (for the tests and the Pulumi shell).</summary>
    public IEnumerable<(string Secret, string Key)> SecretKeys() =>
        Env.Select(e => (e.Secret, e.Key)).Concat(Files.Select(f => (f.Secret, f.Key)));

    public static SecretEnv EnvFrom(string name, SecretRef secret) => new(name, secret.Name, secret.Key);
}

/// <summary>Source-generated JSON of <see cref="SecretWiring"/> (no reflection: the post-renderer is a Native AOT binary).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(SecretWiring))]
internal sealed partial class SecretWiringJson : JsonSerializerContext;
