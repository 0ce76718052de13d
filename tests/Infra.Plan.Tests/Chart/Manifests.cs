using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Infra.Plan.Tests.Chart;

/// <summary>
/// Rendered manifests read the way the Kubernetes API server reads them (sigs.k8s.io/yaml on go-yaml v2, YAML 1.1):
/// a plain <c>0600</c> is octal 384, <c>true</c> a boolean, a quoted value always a string.
/// </summary>
public static partial class Manifests
{
    /// <summary>Key order is not meaning: an object as JSON with its keys sorted, for comparing two renders.</summary>
    public static string Canonical(JsonNode? node) => node switch
    {
        JsonObject o => "{" + string.Join(",", o.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => System.Text.Json.JsonSerializer.Serialize(kv.Key) + ":" + Canonical(kv.Value))) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Canonical)) + "]",
        null => "null",
        _ => node.ToJsonString(),
    };

    /// <summary>Removes the array's objects that match (to take a post-renderer's additions out again).</summary>
    public static void RemoveWhere(JsonArray array, Func<JsonObject, bool> predicate)
    {
        foreach (var item in array.Where(i => predicate(i!.AsObject())).ToList())
        {
            array.Remove(item);
        }
    }

    public static IReadOnlyList<JsonObject> Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents
            .Select(d => d.RootNode)
            .Where(n => n is YamlMappingNode { Children.Count: > 0 })
            .Select(n => (JsonObject)ToJson(n)!)
            .ToList();
    }

    public static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(e => KeyValuePair.Create(((YamlScalarNode)e.Key).Value!, ToJson(e.Value)))),
        YamlSequenceNode s => new JsonArray(s.Children.Select(ToJson).ToArray()),
        YamlScalarNode sc => Scalar(sc),
        _ => throw new InvalidOperationException($"unexpected YAML node {node.NodeType}"),
    };

    private static JsonNode? Scalar(YamlScalarNode node)
    {
        var text = node.Value ?? "";
        if (node.Style is not (ScalarStyle.Plain or ScalarStyle.Any))
        {
            return JsonValue.Create(text);
        }
        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }
        if (text is "true" or "True" or "TRUE" or "yes" or "Yes" or "on" or "On")
        {
            return JsonValue.Create(true);
        }
        if (text is "false" or "False" or "FALSE" or "no" or "No" or "off" or "Off")
        {
            return JsonValue.Create(false);
        }
        if (OctalPattern().IsMatch(text))
        {
            return JsonValue.Create(Convert.ToInt64(text, 8));
        }
        if (IntPattern().IsMatch(text))
        {
            return JsonValue.Create(long.Parse(text, CultureInfo.InvariantCulture));
        }
        if (FloatPattern().IsMatch(text))
        {
            return JsonValue.Create(double.Parse(text, CultureInfo.InvariantCulture));
        }
        return JsonValue.Create(text);
    }

    /// <summary>The value at a dotted path (<c>spec.template.spec</c>); list items by index (<c>containers.0</c>).</summary>
    public static JsonNode? At(this JsonNode node, string path) =>
        path.Split('.').Aggregate<string, JsonNode?>(node, (n, key) => n switch
        {
            JsonObject o => o[key],
            JsonArray a when int.TryParse(key, out var i) && i < a.Count => a[i],
            _ => null,
        });

    public static string Kind(this JsonObject o) => (string?)o["kind"] ?? "";

    public static string Name(this JsonObject o) => (string?)o.At("metadata.name") ?? "";

    [GeneratedRegex(@"^0[0-7]+$")]
    private static partial Regex OctalPattern();

    [GeneratedRegex(@"^[-+]?(0|[1-9][0-9]*)$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
