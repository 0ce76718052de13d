using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Infra.Plan.Spec;

/// <summary>
/// Typed access to raw config values that never throws: a bad value is recorded as a
/// <see cref="ConfigError"/> and a safe fallback is returned, so every mistake is reported in one run.
/// </summary>
public sealed partial class ConfigReader(IReadOnlyDictionary<string, ConfigValue> values, List<ConfigError> errors)
{
    public List<ConfigError> Errors { get; } = errors;

    public bool IsSet(ConfigKey key) => values.ContainsKey(key.Name);

    /// <summary>
    /// Set to something other than its default. The Pulumi CLI hands the program every key Pulumi.yaml gives a default
    /// (it merges them into the stack's config), so being set alone does not say the operator chose it.
    /// </summary>
    public bool IsChosen(ConfigKey key)
    {
        string[]? items = Raw(key) switch
        {
            null => null,
            ConfigValue.Sequence q => q.Items.OfType<ConfigValue.Scalar>().Select(i => i.Text.Trim()).ToArray(),
            ConfigValue.Scalar s when key.Type == ConfigType.StringArray && QuietList(s.Text) is { } list => list,
            ConfigValue.Scalar s => [s.Text.Trim()],
            _ => [],
        };
        if (items is null)
        {
            return false;
        }
        string[] defaults = key.Default switch
        {
            null => [],
            string[] d => d,
            bool b => [b ? "true" : "false"],
            IFormattable f => [f.ToString(null, CultureInfo.InvariantCulture)],
            var d => [d.ToString() ?? ""],
        };
        return key.Type == ConfigType.StringArray
            ? !items.SequenceEqual(defaults)
            : !(items.Length == 1 && defaults.Length == 1 && string.Equals(items[0], defaults[0], StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A JSON array of strings (how Pulumi hands lists over), or null without reporting anything.</summary>
    private static string[]? QuietList(string text)
    {
        try
        {
            var parsed = JsonElement.Parse(text);
            return parsed.ValueKind == JsonValueKind.Array ? parsed.EnumerateArray().Select(e => e.ToString()).ToArray() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// One validated value of <paramref name="keyName"/> read as <paramref name="read"/> reads it: how the Pulumi layer
    /// turns a stack's config into typed Args, through exactly the parsing the plan did.
    /// </summary>
    public static T Read<T>(string keyName, ConfigValue value, Func<ConfigReader, ConfigKey, T> read)
    {
        var key = ConfigSchema.Find(keyName) ?? throw new ArgumentException($"{keyName} is no config key", nameof(keyName));
        var errors = new List<ConfigError>();
        var result = read(new ConfigReader(new Dictionary<string, ConfigValue> { [key.Name] = value }, errors), key);
        return errors.Count == 0 ? result : throw new InvalidOperationException($"{key.FullName} was not validated before: {errors[0].Message}");
    }

    public ConfigValue? Raw(ConfigKey key) => values.GetValueOrDefault(key.Name);

    public void Fail(ConfigKey key, string allowed) => Errors.Add(ConfigError.Invalid(key, Raw(key), allowed));

    public void Fail(ConfigKey key, string shownValue, string allowed) =>
        Errors.Add(ConfigError.Invalid(key, shownValue, allowed));

    /// <summary>A string; a required key that is missing or empty is an error.</summary>
    public string String(ConfigKey key)
    {
        var raw = Raw(key);
        switch (raw)
        {
            case null:
                if (key.Required)
                {
                    Errors.Add(new ConfigError(key.FullName, $"is required; {key.Description}"));
                }
                return key.Default as string ?? "";
            case ConfigValue.Scalar s:
                if (key.Required && string.IsNullOrWhiteSpace(s.Text))
                {
                    Fail(key, "a non-empty value is required");
                }
                return s.Text.Trim();
            case ConfigValue.Secret:
                Fail(key, "a plain value (this key is not secret)");
                return key.Default as string ?? "";
            default:
                Fail(key, "a single string value");
                return key.Default as string ?? "";
        }
    }

    /// <summary>A string matching <paramref name="pattern"/>; empty is allowed unless the key is required.</summary>
    public string Matching(ConfigKey key, Regex pattern, string allowed)
    {
        var text = String(key);
        if (text.Length > 0 && !pattern.IsMatch(text))
        {
            Fail(key, allowed);
        }
        return text;
    }

    public string DnsName(ConfigKey key) =>
        Matching(key, DnsNamePattern(), "a DNS name such as example.com (lower case letters, digits, '-' and '.')");

    public string DnsLabel(ConfigKey key) =>
        Matching(key, DnsLabelPattern(), "a Kubernetes name: at most 63 lower case letters, digits or '-', starting and ending alphanumeric");

    public int Int(ConfigKey key, int min, int max) => Int(key, min, max, $"a whole number from {min} to {max}");

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>; otherwise an error saying <paramref name="allowed"/>.</summary>
    public int Int(ConfigKey key, int min, int max, string allowed)
    {
        var fallback = key.Default is int d ? d : min;
        var raw = Raw(key);
        if (raw is null)
        {
            if (key.Required)
            {
                Errors.Add(new ConfigError(key.FullName, $"is required; {key.Description}"));
            }
            return fallback;
        }
        if (raw is ConfigValue.Scalar s && int.TryParse(s.Text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            if (value >= min && value <= max)
            {
                return value;
            }
        }
        Fail(key, allowed);
        return fallback;
    }

    public bool Bool(ConfigKey key)
    {
        var fallback = key.Default is true;
        var raw = Raw(key);
        if (raw is null)
        {
            return fallback;
        }
        if (raw is ConfigValue.Scalar s)
        {
            switch (s.Text.Trim().ToLowerInvariant())
            {
                case "true": return true;
                case "false": return false;
            }
        }
        Fail(key, "true or false");
        return fallback;
    }

    /// <summary>One of a fixed set of names, mapped to a typed value (an enum, usually).</summary>
    public T Choice<T>(ConfigKey key, IReadOnlyDictionary<string, T> choices, T fallback)
    {
        var text = String(key);
        if (text.Length == 0 && !key.Required && key.Default is null)
        {
            return fallback;
        }
        if (choices.TryGetValue(text, out var value))
        {
            return value;
        }
        if (text.Length > 0 || key.Required)
        {
            Fail(key, "one of: " + string.Join(", ", choices.Keys));
        }
        return fallback;
    }

    /// <summary>
    /// A list of strings. Pulumi hands arrays to the program as JSON text, the stack file as a YAML
    /// sequence: both are accepted.
    /// </summary>
    public IReadOnlyList<string> List(ConfigKey key)
    {
        var fallback = key.Default as string[] ?? [];
        var raw = Raw(key);
        switch (raw)
        {
            case null:
                if (key.Required)
                {
                    Errors.Add(new ConfigError(key.FullName, $"is required; {key.Description}"));
                }
                return fallback;
            case ConfigValue.Sequence seq when seq.Items.All(i => i is ConfigValue.Scalar):
                return seq.Items.Cast<ConfigValue.Scalar>().Select(i => i.Text.Trim()).ToArray();
            case ConfigValue.Scalar s when s.Text.TrimStart().StartsWith('['):
                try
                {
                    var parsed = JsonElement.Parse(s.Text);
                    if (parsed.ValueKind == JsonValueKind.Array)
                    {
                        return parsed.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToArray();
                    }
                }
                catch (JsonException)
                {
                    // reported below
                }
                break;
            case ConfigValue.Scalar s when string.IsNullOrWhiteSpace(s.Text):
                return [];
        }
        Fail(key, "a list of strings, e.g. [\"a\", \"b\"]");
        return fallback;
    }

    /// <summary>A <c>secure:</c> value. Given as plain text it is an error: it would sit unencrypted in git.</summary>
    public SecretInput Secret(ConfigKey key)
    {
        return Raw(key) switch
        {
            null => SecretInput.NotSet,
            ConfigValue.Secret s => new SecretInput(true, s.Plaintext),
            _ => Reject(),
        };

        SecretInput Reject()
        {
            Errors.Add(new ConfigError(key.FullName,
                "is given as plain text; set it with `pulumi config set --secret " + key.FullName + " <value>` so it is stored encrypted"));
            return SecretInput.NotSet;
        }
    }

    [GeneratedRegex(@"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")]
    private static partial Regex DnsNamePattern();

    [GeneratedRegex(@"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabelPattern();
}

/// <summary>A secret given in stack config. <see cref="Plaintext"/> is null in render, which never decrypts.</summary>
public sealed record SecretInput(bool IsSet, string? Plaintext)
{
    public static readonly SecretInput NotSet = new(false, null);

    public override string ToString() => IsSet ? "SecretInput(set)" : "SecretInput(not set)";
}
