using System.Globalization;
using System.Text.Json;
using Infra.Plan.Spec;

namespace Infra.PulumiCli;

/// <summary>What the CLI's config gate decided: the merged config it hands the program, or its refusal.</summary>
public sealed record CliGateResult(IReadOnlyDictionary<string, CliConfigValue>? Merged, string? Refusal)
{
    public bool Accepted => Refusal is null;
}

/// <summary>
/// The checks the Pulumi CLI runs on Pulumi.yaml and the stack file before the program starts, re-stated from
/// pulumi/pulumi v3.258.0 (the SDK line pulumi-dotnet 3.112.1 is built against), with the CLI's own messages:
/// <list type="bullet">
/// <item><c>sdk/go/common/workspace/project.go</c> <c>(*Project).Validate</c>: <see cref="ValidateProject"/>;</item>
/// <item><c>pkg/workspace/config.go</c> <c>mergeConfig</c> (defaults merged, missing required keys refused) and
/// <c>validateStackConfigValues</c> / <c>validateStackConfigValue</c> (secret keys must be <c>secure:</c>, values
/// must match <c>type</c>/<c>items</c>): <see cref="Apply"/>;</item>
/// <item><c>project.go</c> <c>ValidateConfigValue</c> and <c>InferFullTypeName</c>: <see cref="ValidateConfigValue"/>.</item>
/// </list>
/// Not re-stated: the JSON-schema check of Pulumi.yaml's shape (project.json) and ESC environments (none here).
/// </summary>
public static class CliConfigGate
{
    /// <summary>
    /// <c>Project.Validate</c>. Go iterates the config map in random order and returns the first error; this
    /// iterates sorted, so with several broken keys the reported one may differ, never whether one is reported.
    /// </summary>
    public static string? ValidateProject(PulumiProject project)
    {
        if (project.Name.Length == 0)
        {
            return "project is missing a 'name' attribute";
        }
        foreach (var (key, type) in project.Config.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (type.Default is not null && type.Value is not null)
            {
                return $"project config '{key}' cannot have both a 'default' and 'value' attribute";
            }
            if (PulumiProject.IsNamespacedByProject(project.Name, key))
            {
                if (type.IsExplicitlyTyped && type.Type == "array" && type.Items is null)
                {
                    return $"The configuration key '{key}' declares an array but does not specify the underlying type via the 'items' attribute";
                }
                if (type.IsExplicitlyTyped && type.Default is not null && !ValidateConfigValue(type.Type!, type.Items, type.Default))
                {
                    return $"The default value specified for configuration key '{key}' is not of the expected type '{InferFullTypeName(type.Type!, type.Items)}'";
                }
            }
            else
            {
                if (type.IsExplicitlyTyped)
                {
                    return $"Configuration key '{key}' is not namespaced by the project and should not define a type";
                }
                if (type.Default is not null)
                {
                    return $"Configuration key '{key}' is not namespaced by the project and should not define a default value. " +
                        "Did you mean to use the 'value' attribute instead of 'default'?";
                }
                if (type.Value is null)
                {
                    return $"Configuration key '{key}' is namespaced and must provide an attribute 'value'";
                }
            }
        }
        return null;
    }

    /// <summary>
    /// Loading the project (<c>Validate</c>), then <c>mergeConfig(..., validate: true)</c>: the stack's values with
    /// the project's defaults and values merged in, or the CLI's refusal. A secure value whose plaintext is unknown
    /// (render never decrypts) passes the type check: the CLI checks the decrypted text, and this cannot.
    /// </summary>
    public static CliGateResult Apply(string stackName, PulumiProject project, IEnumerable<KeyValuePair<string, CliConfigValue>> stackConfig)
    {
        if (ValidateProject(project) is { } invalid)
        {
            return new CliGateResult(null, invalid);
        }
        var merged = new Dictionary<string, CliConfigValue>(StringComparer.Ordinal);
        foreach (var (key, value) in stackConfig)
        {
            merged[key] = value;
        }

        var missing = new List<string>();
        foreach (var (projectKey, type) in project.Config.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var key = ParseConfigKey(project.Name, projectKey);
            var found = merged.ContainsKey(key);
            var hasDefault = type.Default is not null;
            var hasValue = type.Value is not null;
            if (!found && !hasValue && !hasDefault && Namespace(key) == project.Name)
            {
                missing.Add(projectKey);
                continue;
            }
            if (!found && (hasValue || hasDefault))
            {
                merged[key] = CreateConfigValue(hasDefault ? type.Default : type.Value);
            }
        }
        if (missing.Count > 0)
        {
            return new CliGateResult(null, MissingKeysError(missing, stackName));
        }

        // validateStackConfigValues: typed keys only, in sorted order, first error wins.
        foreach (var (projectKey, type) in project.Config.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!type.IsExplicitlyTyped)
            {
                continue;
            }
            var value = merged.GetValueOrDefault(ParseConfigKey(project.Name, projectKey)) ?? CliConfigValue.Plain("");
            if (ValidateStackConfigValue(stackName, projectKey, type, value) is { } error)
            {
                return new CliGateResult(null, error);
            }
        }
        return new CliGateResult(merged, null);
    }

    /// <summary><c>validateStackConfigValue</c>.</summary>
    private static string? ValidateStackConfigValue(string stackName, string projectKey, ProjectConfigType type, CliConfigValue value)
    {
        if (type.Secret && !value.Secure)
        {
            return $"Stack '{stackName}' with configuration key '{projectKey}' must be encrypted as it's secret";
        }
        if (value.Text is null)
        {
            return null; // secure and not decrypted here: see Apply
        }
        object? content = value.Text;
        if (value.Object)
        {
            try
            {
                using var doc = JsonDocument.Parse(value.Text);
                content = FromJson(doc.RootElement);
            }
            catch (JsonException e)
            {
                return e.Message;
            }
        }
        return ValidateConfigValue(type.Type!, type.Items, content)
            ? null
            : $"Stack '{stackName}' with configuration key '{projectKey}' must be of type '{InferFullTypeName(type.Type!, type.Items)}'";
    }

    /// <summary>
    /// <c>ValidateConfigValue</c>: <paramref name="value"/> as Go holds it (a YAML default: string, long, bool, list; a
    /// stack value: its text, or what <c>json.Unmarshal</c> makes of an object's JSON: double, string, bool, list, map).
    /// </summary>
    public static bool ValidateConfigValue(string typeName, ProjectConfigItemsType? items, object? value)
    {
        switch (typeName)
        {
            case "string":
                return value is string;
            case "integer":
                return value switch
                {
                    long => true,
                    // YAML and JSON numbers may arrive as floats: whole ones count.
                    double d => d == Math.Truncate(d),
                    // strconv.Atoi: optional sign, decimal digits, 64-bit range.
                    string s => long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
                    _ => false,
                };
            case "boolean":
                return value is bool || value is "true" or "false";
            case "object":
                return value is GoYaml.Map;
        }
        if (value is not List<object?> list || items is null)
        {
            return false;
        }
        return list.All(item => ValidateConfigValue(items.Type, items.Items, item));
    }

    /// <summary><c>InferFullTypeName</c>: <c>array&lt;string&gt;</c> for an array of strings.</summary>
    public static string InferFullTypeName(string typeName, ProjectConfigItemsType? items) =>
        items is not null ? $"array<{InferFullTypeName(items.Type, items.Items)}>" : typeName;

    /// <summary>config.go <c>formatMissingKeys</c> and <c>missingStackConfigurationKeysError</c>.</summary>
    public static string MissingKeysError(IReadOnlyList<string> missing, string stackName)
    {
        string keys;
        if (missing.Count == 1)
        {
            keys = $"'{missing[0]}'";
        }
        else
        {
            var sorted = missing.Order(StringComparer.Ordinal).ToList();
            var sb = new System.Text.StringBuilder();
            for (var i = 0; i < sorted.Count; i++)
            {
                sb.Append(i == sorted.Count - 1 ? $"and '{sorted[i]}'" : i == sorted.Count - 2 ? $"'{sorted[i]}' " : $"'{sorted[i]}', ");
            }
            keys = sb.ToString();
        }
        return $"Stack '{stackName}' is missing configuration {(missing.Count > 1 ? "values" : "value")} {keys}";
    }

    /// <summary>config.go <c>createConfigValue</c>: a default as the stack value the program receives.</summary>
    private static CliConfigValue CreateConfigValue(object? value) => value switch
    {
        // isPrimitiveValue (string, int, bool): fmt.Sprintf("%v")
        string s => CliConfigValue.Plain(s),
        bool b => CliConfigValue.Plain(b ? "true" : "false"),
        long l => CliConfigValue.Plain(l.ToString(CultureInfo.InvariantCulture)),
        _ => new CliConfigValue(GoJson.Serialize(value), false, true),
    };

    /// <summary>config.go <c>parseConfigKey</c>: a key without namespace belongs to the project.</summary>
    private static string ParseConfigKey(string projectName, string key) =>
        key.Contains(':') ? PulumiConfigJson.CleanKey(key) : $"{projectName}:{key}";

    private static string Namespace(string key) => key[..key.IndexOf(':')];

    private static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => e.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.Object => ToMap(e),
        _ => null,
    };

    private static GoYaml.Map ToMap(JsonElement e)
    {
        var map = new GoYaml.Map();
        foreach (var p in e.EnumerateObject())
        {
            map.Add(new(p.Name, FromJson(p.Value)));
        }
        return map;
    }
}
