using System.Text;
using Infra.Plan.Spec;

namespace Infra.PulumiCli;

/// <summary>The two environment variables the .NET language host starts the program with.</summary>
public sealed record LanguageHostEnvironment(string? ConfigJson, string SecretKeysJson);

/// <summary>
/// Encodes the merged stack config (<see cref="CliConfigGate.Apply"/>) the way the CLI and the .NET language host
/// hand it to the program, the inverse of <see cref="PulumiConfigJson.Decode"/>:
/// the engine decrypts every value (pulumi/pulumi pkg/resource/deploy/source_eval.go <c>Iterate</c>:
/// <c>Config.Decrypt</c>, <c>Config.SecureKeys</c>) and sends them as a map of "ns:key" to text
/// (sdk/go/common/resource/plugin/langruntime_plugin.go <c>Run</c>); pulumi-language-dotnet (pulumi/pulumi-dotnet
/// v3.112.1 pulumi-language-dotnet/main.go <c>constructConfig</c>, <c>constructConfigSecretKeys</c>,
/// <c>constructEnv</c>) writes <c>json.Marshal</c> of that map to PULUMI_CONFIG (left unset when there is no config)
/// and of the secret key names to PULUMI_CONFIG_SECRET_KEYS (<c>[]</c> when none).
/// </summary>
public static class LanguageHostConfig
{
    public static LanguageHostEnvironment Encode(IReadOnlyDictionary<string, CliConfigValue> merged)
    {
        if (merged.Values.Any(v => v.Text is null))
        {
            throw new ArgumentException("a secure value without its plaintext cannot be handed to a program", nameof(merged));
        }
        var config = merged.Count == 0 ? null : GoJson.Serialize(merged.Select(e => new KeyValuePair<string, object?>(e.Key, e.Value.Text)));
        // Go builds the list from map iteration (any order); the SDK reads it as a set. Sorted here for stable tests.
        var secretKeys = new StringBuilder("[");
        foreach (var key in merged.Where(e => e.Value.Secure).Select(e => e.Key).Order(StringComparer.Ordinal))
        {
            if (secretKeys.Length > 1)
            {
                secretKeys.Append(',');
            }
            GoJson.WriteString(secretKeys, key);
        }
        return new LanguageHostEnvironment(config, secretKeys.Append(']').ToString());
    }
}
