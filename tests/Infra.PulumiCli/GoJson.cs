using System.Globalization;
using System.Text;

namespace Infra.PulumiCli;

/// <summary>
/// Go's <c>encoding/json</c> <c>Marshal</c> for the values the Pulumi CLI serializes config with (null, bool, integers,
/// float64, string, lists, maps): compact, map keys sorted by byte order, and strings escaped the Go way (HTML-safe:
/// <c>&lt; &gt; &amp;</c> as <c>\u003c \u003e \u0026</c>, U+2028/U+2029 escaped; Go <c>encode.go</c> <c>appendString</c>,
/// floats as <c>floatEncoder</c> writes them). The language host hands the program exactly these bytes.
/// </summary>
public static class GoJson
{
    public static string Serialize(object? value)
    {
        var sb = new StringBuilder();
        Write(sb, value);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, object? value)
    {
        switch (value)
        {
            case null:
                sb.Append("null");
                break;
            case bool b:
                sb.Append(b ? "true" : "false");
                break;
            case string s:
                WriteString(sb, s);
                break;
            case long or int or ulong:
                sb.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
            case double d:
                sb.Append(Float(d));
                break;
            case GoYaml.Map map:
                WriteMap(sb, map);
                break;
            case IEnumerable<KeyValuePair<string, object?>> map:
                WriteMap(sb, map);
                break;
            case IEnumerable<KeyValuePair<string, string>> map:
                WriteMap(sb, map.Select(e => new KeyValuePair<string, object?>(e.Key, e.Value)));
                break;
            case System.Collections.IEnumerable list:
                sb.Append('[');
                var first = true;
                foreach (var item in list)
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }
                    first = false;
                    Write(sb, item);
                }
                sb.Append(']');
                break;
            default:
                throw new ArgumentException($"GoJson: unsupported value type {value.GetType().Name}", nameof(value));
        }
    }

    private static void WriteMap(StringBuilder sb, IEnumerable<KeyValuePair<string, object?>> map)
    {
        sb.Append('{');
        var first = true;
        // Go sorts map keys by their UTF-8 bytes; ordinal UTF-16 order is the same for the keys config uses.
        foreach (var (key, item) in map.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!first)
            {
                sb.Append(',');
            }
            first = false;
            WriteString(sb, key);
            sb.Append(':');
            Write(sb, item);
        }
        sb.Append('}');
    }

    public static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '<' or '>' or '&' or '\u2028' or '\u2029' or < '\u0020':
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default: sb.Append(c); break;
            }
        }
        sb.Append('"');
    }

    /// <summary>Go's float64 encoding: shortest round-trip digits, exponent form below 1e-6 and from 1e21.</summary>
    private static string Float(double d)
    {
        if (double.IsNaN(d) || double.IsInfinity(d))
        {
            throw new ArgumentException($"json: unsupported value: {d}");
        }
        var abs = Math.Abs(d);
        if (abs != 0 && (abs < 1e-6 || abs >= 1e21))
        {
            // Go: strconv 'e' format (two exponent digits at least), then "e-07" is cleaned up to "e-7".
            var e = d.ToString("E16", CultureInfo.InvariantCulture);
            var shortest = d.ToString("R", CultureInfo.InvariantCulture);
            var mantissa = (shortest.Contains('E') ? shortest[..shortest.IndexOf('E')] : e[..e.IndexOf('E')]).TrimEnd('0').TrimEnd('.');
            var exponent = int.Parse(e[(e.IndexOf('E') + 1)..], CultureInfo.InvariantCulture);
            return exponent < 0 ? $"{mantissa}e-{-exponent}" : $"{mantissa}e+{exponent:00}";
        }
        return d.ToString("R", CultureInfo.InvariantCulture);
    }
}
