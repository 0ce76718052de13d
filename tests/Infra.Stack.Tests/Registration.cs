using System.Text.Json;
using Google.Protobuf;

namespace Infra.Tests.Stacks;

/// <summary>
/// One <c>RegisterResourceRequest</c> as the SDK sent it (pulumi/pulumi proto/pulumi/resource.proto), read through
/// protobuf's JSON form. <see cref="Inputs"/> is the serialized <c>object</c>: secret values are wrapped in the secret
/// signature, unknown values (preview) are the unknown sentinel, assets carry the asset signature.
/// </summary>
internal sealed record Registration(
    string Type,
    string Name,
    string Parent,
    bool Custom,
    bool Remote,
    string Provider,
    IReadOnlyDictionary<string, string> Providers,
    IReadOnlyList<string> Dependencies,
    IReadOnlyDictionary<string, IReadOnlyList<string>> PropertyDependencies,
    IReadOnlyList<string> AdditionalSecretOutputs,
    JsonElement Inputs)
{
    // pulumi-dotnet Serialization/Constants.cs
    public const string SpecialSigKey = "4dabf18193072939515e22adb298388d";
    public const string SecretSig = "1b47061264138c4ac30d75fd1eb44270";
    public const string AssetSig = "c44067f5952c0a294b673a41bacd8c17";
    public const string Unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

    /// <summary>The URN the SDK's MockMonitor gives the resource (Testing/MockMonitor.cs <c>NewUrn</c>); dependencies name these.</summary>
    public string Urn { get; init; } = "";

    public static Registration From(IMessage request, string stack, string project)
    {
        using var doc = JsonDocument.Parse(JsonFormatter.Default.Format(request));
        return From(doc.RootElement.Clone(), stack, project);
    }

    /// <summary>A request in protobuf's JSON form (as a fake engine receives it over gRPC).</summary>
    public static Registration From(JsonElement root, string stack, string project)
    {
        string Str(string name) => root.TryGetProperty(name, out var v) ? v.GetString() ?? "" : "";
        bool Bool(string name) => root.TryGetProperty(name, out var v) && v.GetBoolean();
        IReadOnlyList<string> List(JsonElement? e) => e is { ValueKind: JsonValueKind.Array } a ? a.EnumerateArray().Select(x => x.GetString()!).ToList() : [];
        JsonElement? Prop(string name) => root.TryGetProperty(name, out var v) ? v : null;

        var type = Str("type");
        var name = Str("name");
        var parent = Str("parent");
        var qualified = parent.Length == 0 ? type : $"{parent.Split("::")[2].Split('$')[0]}${type}";
        return new Registration(
            type, name, parent, Bool("custom"), Bool("remote"), Str("provider"),
            Prop("providers") is { ValueKind: JsonValueKind.Object } p ? p.EnumerateObject().ToDictionary(e => e.Name, e => e.Value.GetString()!) : new Dictionary<string, string>(),
            List(Prop("dependencies")),
            Prop("propertyDependencies") is { ValueKind: JsonValueKind.Object } pd
                ? pd.EnumerateObject().ToDictionary(e => e.Name, e => List(e.Value.TryGetProperty("urns", out var u) ? u : null))
                : new Dictionary<string, IReadOnlyList<string>>(),
            List(Prop("additionalSecretOutputs")),
            Prop("object") ?? JsonDocument.Parse("{}").RootElement.Clone())
        {
            Urn = $"urn:pulumi:{stack}::{project}::{qualified}::{name}",
        };
    }

    public bool IsKubernetes => Type.StartsWith("kubernetes:", StringComparison.Ordinal);

    /// <summary>An input with the secret wrapper and asset signature removed; null when absent or unknown.</summary>
    public JsonElement? Input(params string[] path) => Sent(path) is { } e && !IsUnknownValue(e) ? e : null;

    /// <summary>
    /// Whether the input at <paramref name="path"/> is sent as the unknown sentinel: a preview value computed from an
    /// output the engine does not know yet. Absent is not unknown (<see cref="Input"/> answers null for both).
    /// </summary>
    public bool IsUnknownAt(params string[] path) => Sent(path) is { } e && IsUnknownValue(e);

    /// <summary>A boolean input as sent; null when absent or unknown (so `?? default` never hides a missing field).</summary>
    public bool? Bool(params string[] path) => Input(path) is { ValueKind: JsonValueKind.True or JsonValueKind.False } b ? b.GetBoolean() : null;

    /// <summary>An integer input as sent; null when absent or unknown.</summary>
    public int? Int(params string[] path) => Input(path) is { ValueKind: JsonValueKind.Number } n ? n.GetInt32() : null;

    /// <summary>
    /// The input at <paramref name="path"/> with secret wrappers removed; null when absent. Unknown when it or a map
    /// around it is unknown (an InputMap is one output: one unknown value makes the whole map unknown).
    /// </summary>
    private JsonElement? Sent(string[] path)
    {
        JsonElement current = Inputs;
        foreach (var key in path)
        {
            current = Unwrap(current);
            if (IsUnknownValue(current))
            {
                return current;
            }
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(key, out current))
            {
                return null;
            }
        }
        return Unwrap(current);
    }

    private static bool IsUnknownValue(JsonElement e) => e.ValueKind == JsonValueKind.String && e.GetString() == Unknown;

    /// <summary>Whether the input at <paramref name="path"/> is sent as a secret (it, or a map or list around it, is wrapped).</summary>
    public bool IsSecretAt(params string[] path)
    {
        JsonElement current = Inputs;
        foreach (var key in path)
        {
            if (IsSecret(current))
            {
                return true;
            }
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(key, out current))
            {
                return false;
            }
        }
        return IsSecret(current);
    }

    public string? String(params string[] path) => Input(path) is { ValueKind: JsonValueKind.String } s ? s.GetString() : null;

    /// <summary>The (namespace, name) of a typed Kubernetes object's metadata input.</summary>
    public (string Namespace, string Name) Metadata => (String("metadata", "namespace") ?? "", String("metadata", "name") ?? "");

    public static JsonElement Unwrap(JsonElement e) =>
        IsSecret(e) ? (e.TryGetProperty("value", out var v) ? v : default) : e;

    public static bool IsSecret(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(SpecialSigKey, out var sig) && sig.GetString() == SecretSig;

    public static bool IsAsset(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(SpecialSigKey, out var sig) && sig.GetString() == AssetSig;

    /// <summary>Every string in the inputs that is not inside a secret wrapper.</summary>
    public IEnumerable<string> PlainStrings() => PlainStrings(Inputs);

    private static IEnumerable<string> PlainStrings(JsonElement e)
    {
        if (IsSecret(e))
        {
            yield break;
        }
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                yield return e.GetString()!;
                break;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    foreach (var s in PlainStrings(p.Value))
                    {
                        yield return s;
                    }
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray())
                {
                    foreach (var s in PlainStrings(item))
                    {
                        yield return s;
                    }
                }
                break;
        }
    }

    public override string ToString() => $"{Type} {Name}";
}
