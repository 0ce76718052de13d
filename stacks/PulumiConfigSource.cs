using System.Text.Json;
using Infra.Plan.Spec;

namespace Infra.Stacks;

/// <summary>
/// Hands the stack's config to the shared <see cref="SpecParser"/>, so <c>pulumi up</c> and <c>render</c> accept
/// and reject exactly the same config.
/// <para>How config reaches a .NET program (pulumi-dotnet v3.112.1, <c>Deployment_Config.cs</c>): the language
/// host sets <c>PULUMI_CONFIG</c> to a JSON object of <em>all</em> the stack's config, decrypted, and
/// <c>PULUMI_CONFIG_SECRET_KEYS</c> to a JSON array of the keys that were <c>secure:</c>. Values are JSON strings
/// (arrays and objects arrive as JSON text inside the string, which <see cref="ConfigReader.List"/> accepts);
/// the SDK itself reads a non-string value with <c>JsonElement.ToString()</c>, so we do the same. Keys may still
/// come in the legacy form <c>project:config:key</c>, which the SDK's <c>CleanKey</c> folds to <c>project:key</c>.</para>
/// <para>Why not <c>new Config()</c>: it can only look keys up, never list them; listing is what lets a misspelt key
/// of ours be reported instead of silently ignored. (The SDK's own map is internal, so inline Automation API
/// programs, which pass config in-process, are not supported: run the program through the CLI.)</para>
/// </summary>
public static class PulumiConfigSource
{
    public const string ConfigEnv = "PULUMI_CONFIG";
    public const string SecretKeysEnv = "PULUMI_CONFIG_SECRET_KEYS";

    public static IReadOnlyList<KeyValuePair<string, ConfigValue>> Read() =>
        FromJson(Environment.GetEnvironmentVariable(ConfigEnv), Environment.GetEnvironmentVariable(SecretKeysEnv));

    public static IReadOnlyList<KeyValuePair<string, ConfigValue>> FromJson(string? configJson, string? secretKeysJson)
    {
        if (string.IsNullOrWhiteSpace(configJson))
        {
            return [];
        }
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        if (!string.IsNullOrWhiteSpace(secretKeysJson))
        {
            using var keys = JsonDocument.Parse(secretKeysJson);
            foreach (var element in keys.RootElement.EnumerateArray())
            {
                secrets.Add(CleanKey(element.ToString()));
            }
        }
        using var doc = JsonDocument.Parse(configJson);
        return doc.RootElement.EnumerateObject()
            .Select(p => (Key: CleanKey(p.Name), Text: p.Value.ToString()))
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => new KeyValuePair<string, ConfigValue>(e.Key,
                secrets.Contains(e.Key) ? new ConfigValue.Secret(e.Text) : new ConfigValue.Scalar(e.Text)))
            .ToArray();
    }

    /// <summary><c>project:config:key</c> → <c>project:key</c>, as the SDK does; other keys unchanged.</summary>
    public static string CleanKey(string key)
    {
        var idx = key.IndexOf(':');
        return idx > 0 && key.AsSpan(idx + 1).StartsWith("config:", StringComparison.Ordinal)
            ? string.Concat(key.AsSpan(0, idx), ":", key.AsSpan(idx + 1 + "config:".Length))
            : key;
    }
}
