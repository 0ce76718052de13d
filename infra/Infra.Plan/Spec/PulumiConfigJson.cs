using System.Text.Json;

namespace Infra.Plan.Spec;

/// <summary>
/// Decodes stack config as the Pulumi language host hands it to a .NET program (pulumi-dotnet v3.112.1,
/// <c>Deployment_Config.cs</c>): <c>PULUMI_CONFIG</c> is a JSON object of <em>all</em> the stack's config,
/// decrypted; <c>PULUMI_CONFIG_SECRET_KEYS</c> a JSON array of the keys that were <c>secure:</c>. Values are JSON
/// strings (arrays and objects arrive as JSON text inside the string, which <see cref="ConfigReader.List"/> accepts);
/// a non-string value (which the CLI does not send, but a test harness may) is taken as its JSON text, so
/// <c>true</c> stays <c>true</c> (the SDK's own <c>JsonElement.ToString()</c> would give <c>True</c>). Keys may come in the
/// legacy form <c>project:config:key</c>, which the SDK's <c>CleanKey</c> folds to <c>project:key</c>.
/// Pulumi-free, so it is tested with the plan; <c>stacks/PulumiConfigSource.cs</c> only reads the environment.
/// </summary>
public static class PulumiConfigJson
{
    public const string ConfigEnv = "PULUMI_CONFIG";
    public const string SecretKeysEnv = "PULUMI_CONFIG_SECRET_KEYS";

    public static IReadOnlyList<KeyValuePair<string, ConfigValue>> Decode(string? configJson, string? secretKeysJson)
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
            .Select(p => (Key: CleanKey(p.Name), Text: p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText()))
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
