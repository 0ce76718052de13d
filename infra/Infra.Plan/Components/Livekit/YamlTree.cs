using System.Globalization;
using System.Text;
using System.Text.Json;
using k8s;

namespace Infra.Plan.Components.Livekit;

/// <summary>
/// An insertion-ordered YAML mapping. Values are string, int, long, bool, null, <see cref="YamlMap"/> or a list
/// of those. A null value is written as <c>null</c>: in Helm values that deletes the chart's default for the key,
/// which is how the plan removes chart defaults LiveKit does not know.
/// </summary>
public sealed class YamlMap : IEnumerable<KeyValuePair<string, object?>>
{
    private readonly List<KeyValuePair<string, object?>> entries = [];

    public object? this[string key]
    {
        get => entries.FirstOrDefault(e => e.Key == key).Value;
        set
        {
            var i = entries.FindIndex(e => e.Key == key);
            if (i >= 0)
            {
                entries[i] = new(key, value);
            }
            else
            {
                entries.Add(new(key, value));
            }
        }
    }

    public int Count => entries.Count;

    public bool ContainsKey(string key) => entries.Any(e => e.Key == key);

    public void Add(string key, object? value) => this[key] = value;

    /// <summary>Adds the entry only when the value is not null (optional keys).</summary>
    public YamlMap AddIfSet(string key, object? value)
    {
        if (value is not null)
        {
            this[key] = value;
        }
        return this;
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => entries.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// A k8s.Models object (affinity, resources, ...) as a tree, with the API's field names and order: its JSON as
    /// KubernetesJson writes it, through KubernetesClient's source-generated metadata (no reflection, AOT-safe).
    /// </summary>
    public static object? FromModel(object model) =>
        FromJson(JsonSerializer.SerializeToElement(model, SourceGenerationContext.Default.GetTypeInfo(model.GetType())
            ?? throw new ArgumentException($"{model.GetType().FullName} is no k8s.Models type")));

    private static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().Aggregate(new YamlMap(), (m, p) => { m.Add(p.Name, FromJson(p.Value)); return m; }),
        JsonValueKind.Array => e.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}

/// <summary>
/// Writes a <see cref="YamlMap"/> as block YAML. Strings are always double-quoted, so no value can turn into a
/// number, a boolean or null by accident ("on", "0600", "7882"); output is byte-for-byte deterministic.
/// </summary>
public static class YamlTreeWriter
{
    public static string Write(YamlMap map)
    {
        var sb = new StringBuilder();
        WriteMap(sb, map, 0);
        return sb.ToString();
    }

    private static void WriteMap(StringBuilder sb, YamlMap map, int indent)
    {
        foreach (var (key, value) in map)
        {
            sb.Append(' ', indent).Append(Key(key)).Append(':');
            WriteValue(sb, value, indent);
        }
    }

    private static void WriteValue(StringBuilder sb, object? value, int indent)
    {
        switch (value)
        {
            case YamlMap { Count: 0 }:
                sb.Append(" {}\n");
                break;
            case YamlMap m:
                sb.Append('\n');
                WriteMap(sb, m, indent + 2);
                break;
            case System.Collections.IList { Count: 0 }:
                sb.Append(" []\n");
                break;
            case System.Collections.IList list:
                sb.Append('\n');
                foreach (var item in list)
                {
                    WriteItem(sb, item, indent + 2);
                }
                break;
            default:
                sb.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    private static void WriteItem(StringBuilder sb, object? item, int indent)
    {
        sb.Append(' ', indent).Append('-');
        if (item is YamlMap { Count: > 0 } m)
        {
            var first = true;
            foreach (var (key, value) in m)
            {
                if (first)
                {
                    sb.Append(' ').Append(Key(key)).Append(':');
                    first = false;
                }
                else
                {
                    sb.Append(' ', indent + 2).Append(Key(key)).Append(':');
                }
                WriteValue(sb, value, indent + 2);
            }
        }
        else
        {
            WriteValue(sb, item, indent);
        }
    }

    private static string Key(string key) =>
        key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/') &&
        char.IsAsciiLetter(key[0]) && !Yaml11Words.Contains(key)
            ? key
            : Quote(key);

    /// <summary>Plain words YAML 1.1 (Helm, Kubernetes) reads as booleans or null: a key like "on" must be quoted.</summary>
    private static readonly HashSet<string> Yaml11Words = new(StringComparer.OrdinalIgnoreCase)
    {
        "y", "n", "yes", "no", "on", "off", "true", "false", "null",
    };

    public static string Scalar(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        string s => Quote(s),
        _ => throw new ArgumentException($"unsupported YAML value type {value.GetType().Name}"),
    };

    /// <summary>A double-quoted YAML scalar (the post-renderer writes the same: <see cref="YamlQuote"/>).</summary>
    public static string Quote(string s) => YamlQuote.Quote(s);
}
