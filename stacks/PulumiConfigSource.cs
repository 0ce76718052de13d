using System.Text.Json;
using Infra.Plan.Spec;

namespace Infra.Stacks;

/// <summary>
/// Hands the stack's config to the shared <see cref="SpecParser"/>. The Pulumi .NET SDK receives all config
/// from the engine as JSON in PULUMI_CONFIG (and the secret key names in PULUMI_CONFIG_SECRET_KEYS); reading
/// the whole map is what lets unknown keys of ours be reported instead of ignored.
/// </summary>
public static class PulumiConfigSource
{
    public static IReadOnlyList<KeyValuePair<string, ConfigValue>> Read()
    {
        var json = Environment.GetEnvironmentVariable("PULUMI_CONFIG");
        var secretKeys = Environment.GetEnvironmentVariable("PULUMI_CONFIG_SECRET_KEYS");
        return FromJson(json, secretKeys);
    }

    public static IReadOnlyList<KeyValuePair<string, ConfigValue>> FromJson(string? configJson, string? secretKeysJson)
    {
        if (string.IsNullOrWhiteSpace(configJson))
        {
            return [];
        }
        var secrets = string.IsNullOrWhiteSpace(secretKeysJson)
            ? new HashSet<string>()
            : JsonSerializer.Deserialize<string[]>(secretKeysJson)!.ToHashSet();
        var map = JsonSerializer.Deserialize<Dictionary<string, string>>(configJson) ?? [];
        return map
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => new KeyValuePair<string, ConfigValue>(e.Key,
                secrets.Contains(e.Key) ? new ConfigValue.Secret(e.Value) : new ConfigValue.Scalar(e.Value)))
            .ToArray();
    }
}
