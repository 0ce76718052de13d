using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Infra.Plan.Components.Synapse;

/// <summary>
/// YAML as Synapse reads it, kept as a node tree so an operator's scalars keep their exact text and
/// style (a plain <c>true</c> stays a boolean, a quoted "true" stays a string) when merged and re-emitted.
/// </summary>
public static class SynapseYaml
{
    /// <summary>The top-level mapping of a document; an empty document is an empty mapping.</summary>
    public static YamlMappingNode ParseMapping(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return new YamlMappingNode();
        }
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        if (stream.Documents.Count == 0)
        {
            return new YamlMappingNode();
        }
        if (stream.Documents.Count > 1)
        {
            throw new YamlException("expected one YAML document, found " + stream.Documents.Count);
        }
        return stream.Documents[0].RootNode switch
        {
            YamlMappingNode m => m,
            YamlScalarNode { Value: null or "" or "~" or "null" } => new YamlMappingNode(),
            _ => throw new YamlException("the top level must be a mapping of key: value"),
        };
    }

    /// <summary>Block-style YAML, no anchors, LF line ends: same tree, same bytes.</summary>
    public static string Emit(YamlMappingNode root)
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        var text = writer.ToString().Replace("\r\n", "\n");
        // YamlStream closes every document with an explicit end marker; Synapse does not need it.
        if (text.EndsWith("...\n", StringComparison.Ordinal))
        {
            text = text[..^4];
        }
        return text;
    }

    /// <summary>
    /// Synapse's merge of several config files (synapse/config/_base.py read_config_files:
    /// <c>specified_config.update(yaml_config)</c>): later files replace whole top-level values, nothing
    /// nested is merged.
    /// </summary>
    public static YamlMappingNode ShallowMerge(YamlMappingNode first, YamlMappingNode later)
    {
        var result = new YamlMappingNode();
        foreach (var (key, value) in first.Children)
        {
            result.Children[key] = value;
        }
        foreach (var (key, value) in later.Children)
        {
            result.Children[key] = value;
        }
        return result;
    }

    public static YamlScalarNode Str(string value) => new(value) { Style = ScalarStyle.DoubleQuoted };

    public static YamlScalarNode Bool(bool value) => new(value ? "true" : "false") { Style = ScalarStyle.Plain };

    public static YamlScalarNode Number(double value) => new(value.ToString("0.###", CultureInfo.InvariantCulture)) { Style = ScalarStyle.Plain };

    public static YamlNode? Get(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    public static bool TryNumber(YamlNode? node, out double value)
    {
        value = 0;
        return node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: { } text } &&
               double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Every key path of a tree, dotted, with <c>[]</c> for list items (for the known-keys check).</summary>
    public static IEnumerable<string> KeyPaths(YamlNode node, string prefix = "")
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                {
                    var path = prefix.Length == 0 ? ((YamlScalarNode)key).Value! : $"{prefix}.{((YamlScalarNode)key).Value}";
                    yield return path;
                    foreach (var inner in KeyPaths(value, path))
                    {
                        yield return inner;
                    }
                }
                break;
            case YamlSequenceNode seq:
                foreach (var item in seq.Children)
                {
                    foreach (var inner in KeyPaths(item, prefix + "[]"))
                    {
                        yield return inner;
                    }
                }
                break;
        }
    }
}
