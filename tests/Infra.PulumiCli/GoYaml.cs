using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Infra.PulumiCli;

/// <summary>
/// A YAML node as the Pulumi CLI sees it: the CLI reads Pulumi.yaml and Pulumi.&lt;stack&gt;.yaml with go-yaml v3,
/// which resolves plain scalars to bool, int, float or null (YAML 1.2 core schema; go-yaml v3 <c>resolve.go</c>
/// <c>resolve</c>); quoted scalars stay strings. The result is what Go's <c>yaml.Unmarshal</c> into <c>any</c> gives:
/// null, bool, long, ulong, double, string, <see cref="List{T}"/> or an ordered map.
/// <para>Not re-stated: timestamps (go-yaml turns an unquoted <c>2001-12-14</c> into a time, which Pulumi's config
/// then prints as text; no key here takes a date) and the legacy octal <c>0777</c> form beyond <c>ParseInt(s, 0)</c>.</para>
/// </summary>
public static partial class GoYaml
{
    /// <summary>A YAML mapping as go-yaml hands it on: string keys in document order.</summary>
    public sealed class Map : List<KeyValuePair<string, object?>>
    {
        public object? this[string key] => this.FirstOrDefault(e => e.Key == key).Value;

        public bool Has(string key) => this.Any(e => e.Key == key);
    }

    public static object? Value(YamlNode node) => node switch
    {
        YamlScalarNode s => Scalar(s),
        YamlSequenceNode q => q.Children.Select(Value).ToList(),
        YamlMappingNode m => ToMap(m),
        _ => null,
    };

    private static Map ToMap(YamlMappingNode m)
    {
        var map = new Map();
        foreach (var (k, v) in m.Children)
        {
            map.Add(new(k is YamlScalarNode ks ? ks.Value ?? "" : k.ToString(), Value(v)));
        }
        return map;
    }

    private static object? Scalar(YamlScalarNode s)
    {
        var text = s.Value ?? "";
        var tag = s.Tag.IsEmpty ? "" : s.Tag.Value;
        if (tag is "tag:yaml.org,2002:str" || s.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted
            or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return text;
        }
        return Resolve(text);
    }

    /// <summary>go-yaml v3 <c>resolve("", in)</c> for a plain scalar.</summary>
    public static object? Resolve(string text)
    {
        switch (text)
        {
            case "true" or "True" or "TRUE": return true;
            case "false" or "False" or "FALSE": return false;
            case "" or "~" or "null" or "Null" or "NULL": return null;
            case ".nan" or ".NaN" or ".NAN": return double.NaN;
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF": return double.PositiveInfinity;
            case "-.inf" or "-.Inf" or "-.INF": return double.NegativeInfinity;
        }
        var hint = text[0];
        if (hint == '.')
        {
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) ? f : text;
        }
        if (hint is not ('+' or '-' or (>= '0' and <= '9')))
        {
            return text;
        }
        var plain = text.Replace("_", "");
        if (GoParseInt(plain) is { } integer)
        {
            return integer;
        }
        if (YamlStyleFloat().IsMatch(plain) && double.TryParse(plain, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return d;
        }
        return text;
    }

    /// <summary>Go's <c>strconv.ParseInt(s, 0, 64)</c> (then <c>ParseUint</c>): sign, 0x / 0o / 0b / leading-0 octal prefixes.</summary>
    private static object? GoParseInt(string s)
    {
        var negative = s.StartsWith('-');
        var body = s.TrimStart('+', '-');
        if (body.Length == 0 || s.Length - body.Length > 1)
        {
            return null;
        }
        var (radix, digits) = body switch
        {
            _ when body.StartsWith("0x", StringComparison.OrdinalIgnoreCase) => (16, body[2..]),
            _ when body.StartsWith("0o", StringComparison.OrdinalIgnoreCase) => (8, body[2..]),
            _ when body.StartsWith("0b", StringComparison.OrdinalIgnoreCase) => (2, body[2..]),
            _ when body.Length > 1 && body[0] == '0' => (8, body[1..]),
            _ => (10, body),
        };
        if (digits.Length == 0)
        {
            return null;
        }
        System.Numerics.BigInteger value = 0;
        foreach (var c in digits)
        {
            var digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => 99,
            };
            if (digit >= radix)
            {
                return null;
            }
            value = value * radix + digit;
        }
        if (negative)
        {
            value = -value;
        }
        if (value >= long.MinValue && value <= long.MaxValue)
        {
            return (long)value;
        }
        return !negative && value <= ulong.MaxValue ? (ulong)value : null;
    }

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex YamlStyleFloat();
}
