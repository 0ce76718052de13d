using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Infra.PostRender.Contract;

/// <summary>
/// The double-quoted YAML scalar both the plan's values writer and the post-renderer write: one definition, so a change
/// of it counts as a change of the post-renderer (its hash covers this project).
/// </summary>
public static class YamlQuote
{
    /// <summary>A double-quoted YAML scalar; JSON escaping is valid YAML double-quoted escaping.</summary>
    public static string Quote(string s)
    {
        // What JsonSerializer.Serialize(s) writes (its string converter is this one call), without the serializer.
        var buffer = new ArrayBufferWriter<byte>(s.Length + 8);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStringValue(s);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
