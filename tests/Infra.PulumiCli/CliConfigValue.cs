using Infra.Plan.Spec;
using YamlDotNet.RepresentationModel;

namespace Infra.PulumiCli;

/// <summary>
/// One stack config value as the Pulumi CLI holds it (pulumi/pulumi sdk/go/common/resource/config/value.go
/// <c>Value</c>, built by object.go <c>MarshalString</c>): <see cref="Text"/> is the decrypted text (a scalar's string,
/// a bool or number as its JSON text, a list or map as compact Go JSON), <see cref="Secure"/> says it was encrypted
/// (<c>secure:</c>), <see cref="Object"/> that the text is JSON of a list or map. Text is null for a secure value
/// nobody decrypted (render never does).
/// </summary>
public sealed record CliConfigValue(string? Text, bool Secure, bool Object)
{
    public static CliConfigValue Plain(string text) => new(text, false, false);

    /// <summary>A <c>secure:</c> value and its plaintext (what <c>pulumi config set --secret</c> stores).</summary>
    public static CliConfigValue Encrypted(string? plaintext) => new(plaintext, true, false);

    /// <summary>A list value (object.go: marshalled as JSON, <c>Object</c> true).</summary>
    public static CliConfigValue List(params string[] items) => new(GoJson.Serialize(items), false, true);

    /// <summary>The value a stack file's YAML node gives (object.go <c>unmarshalObject</c> + <c>MarshalString</c>).</summary>
    public static CliConfigValue FromYaml(YamlNode node) => FromGo(GoYaml.Value(node));

    public static CliConfigValue FromGo(object? value) => value switch
    {
        string s => Plain(s),
        bool or long or ulong or double => Plain(GoJson.Serialize(value)),
        GoYaml.Map m when m.Count == 1 && m["secure"] is string => Encrypted(null),
        // A list or map: JSON text; nested secure values stay {"secure": ciphertext}, so the text is not decrypted.
        _ => new CliConfigValue(ContainsSecure(value) ? null : GoJson.Serialize(value), ContainsSecure(value), true),
    };

    private static bool ContainsSecure(object? value) => value switch
    {
        GoYaml.Map m when m.Count == 1 && m["secure"] is string => true,
        GoYaml.Map m => m.Any(e => ContainsSecure(e.Value)),
        List<object?> l => l.Any(ContainsSecure),
        _ => false,
    };

    // Keep plaintext secrets out of logs, exceptions and record printing.
    public override string ToString() => Secure ? "CliConfigValue(secure)" : $"CliConfigValue({Text})";
}

/// <summary>A stack file's <c>config:</c> as the CLI loads it (go-yaml v3 into <see cref="CliConfigValue"/>s).</summary>
public static class CliStackConfig
{
    public static IReadOnlyList<KeyValuePair<string, CliConfigValue>> Read(string path)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ConfigException([new ConfigError(Path.GetFileName(path), $"is not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}")]);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root ||
            !root.Children.TryGetValue(new YamlScalarNode("config"), out var node) || node is not YamlMappingNode config)
        {
            return [];
        }
        return config.Children
            .Select(e => new KeyValuePair<string, CliConfigValue>(PulumiConfigJson.CleanKey(((YamlScalarNode)e.Key).Value ?? ""), CliConfigValue.FromYaml(e.Value)))
            .ToArray();
    }
}
