using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Infra.Plan.Components.Synapse;

/// <summary>
/// <c>/.well-known/matrix/client</c> with <c>org.matrix.msc4143.rtc_foci</c>: legacy discovery, kept for older clients.
/// Element Call from v0.24 ("Remove well-known discovery") asks only Synapse's /rtc/transports (MSC4143, the
/// <c>matrix_rtc</c> fragment); older Element Call and other clients still read rtc_foci. Merged with the operator's current
/// document (config key <c>wellKnownClientExisting</c>) so m.homeserver and friends are kept. Serve it as
/// application/json with <c>Access-Control-Allow-Origin: *</c>.
/// </summary>
public static class WellKnownClient
{
    public const string RtcFoci = "org.matrix.msc4143.rtc_foci";

    private static readonly JsonSerializerOptions Output = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static IReadOnlyList<string> Check(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            return [$"a JSON object (it does not parse at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})"];
        }
        if (node is not JsonObject obj)
        {
            return ["a JSON object such as {\"m.homeserver\": {\"base_url\": \"https://matrix.example.org\"}}"];
        }
        if (obj[RtcFoci] is { } foci && (foci is not JsonArray list || list.Any(f => f is not JsonObject)))
        {
            return [$"\"{RtcFoci}\" as a list of objects"];
        }
        return [];
    }

    public static string Build(string existingJson, string livekitServiceUrl)
    {
        var root = string.IsNullOrWhiteSpace(existingJson) ? new JsonObject() : (JsonObject)JsonNode.Parse(existingJson)!;
        var foci = new JsonArray(new JsonObject
        {
            ["type"] = "livekit",
            ["livekit_service_url"] = livekitServiceUrl,
        });
        if (root[RtcFoci] is JsonArray old)
        {
            foreach (var item in old.OfType<JsonObject>())
            {
                if (Url(item)?.TrimEnd('/') != livekitServiceUrl.TrimEnd('/'))
                {
                    foci.Add(item.DeepClone());
                }
            }
        }
        root[RtcFoci] = foci;
        return root.ToJsonString(Output).Replace("\r\n", "\n") + "\n";
    }

    private static string? Url(JsonObject focus) =>
        focus["livekit_service_url"] is JsonValue v && v.TryGetValue<string>(out var url) ? url : null;
}
