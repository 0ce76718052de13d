using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.Schemas;

namespace Infra.Plan.Kubernetes;

/// <summary>
/// The YAML of <c>k8s.KubernetesYaml.Serialize</c>, byte for byte, without its reflection-driven serializer (which
/// scans every model type's attributes when it is built, ~200 ms per process, and cannot run under Native AOT).
/// Model objects are walked through the property metadata KubernetesClient's own System.Text.Json source generator
/// emitted (<see cref="SourceGenerationContext"/>: generated getters, JSON names, declaration order), and YamlDotNet's
/// <see cref="Emitter"/> gets the very events KubernetesYaml's serializer sends it, so every scalar-style decision
/// (plain, quoted, literal, flow <c>{}</c>/<c>[]</c>) is still the emitter's own. What KubernetesYaml's pipeline adds
/// before the emitter, re-stated from KubernetesClient (src/KubernetesClient/KubernetesYaml.cs,
/// StringQuotingEmitter.cs, FloatEmitter.cs, Models/*YamlConverter.cs) and YamlDotNet 18.1
/// (FullObjectGraphTraversalStrategy, TypeAssigningEventEmitter, DefaultValuesObjectGraphVisitor):
/// <list type="bullet">
/// <item>null properties are left out (OmitNull); nulls inside lists and maps are written;</item>
/// <item>a model type with an ApiVersion or Kind property writes apiVersion, kind, metadata first, then the rest in
/// declaration order; other types in declaration order;</item>
/// <item>strings that YAML 1.1/1.2 would read as null, a boolean or a number are double-quoted, other multi-line strings
/// ask for literal style; property names ask for plain style, map keys and values for any style;</item>
/// <item>IntOrString, ResourceQuantity (canonical form) and byte[] (base64) are untagged scalars of any style;
/// DateTime/DateTimeOffset double-quoted RFC 3339 (UTC, microseconds, trailing zeros dropped);
/// doubles keep one decimal (<c>1.0</c>).</item>
/// </list>
/// Tested against KubernetesYaml.Serialize on every object of the stacks' plans and on generated variants of every
/// model type they use (tests/Infra.Plan.Tests/Rendering/KubernetesYamlWriterTests.cs).
/// </summary>
public static partial class KubernetesYamlWriter
{
    /// <summary>One object, exactly the string KubernetesYaml.Serialize returns for it (no document marker).</summary>
    public static string Serialize(object value)
    {
        var sb = new StringBuilder();
        Write(sb, value);
        return sb.ToString();
    }

    // The same events as KubernetesYaml.Serialize: no DocumentEnd, so the emitter keeps the last line break (as there).
    private static void Write(StringBuilder sb, object value)
    {
        using var writer = new StringWriter(sb, CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(writer, EmitterSettings.Default.WithNewLine("\n"));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Value(emitter, value, ScalarStyle.Any);
    }

    private static readonly TagName StrTag = FailsafeSchema.Tags.Str;
    private static readonly TagName IntTag = JsonSchema.Tags.Int;
    private static readonly TagName BoolTag = JsonSchema.Tags.Bool;
    private static readonly TagName NullTag = JsonSchema.Tags.Null;

    // KubernetesClient's StringQuotingEmitter.QuotedRegex, unchanged (note: $ also matches before a final \n).
    [GeneratedRegex(@"^(\~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|on|On|ON|n|N|no|No|NO|off|Off|OFF|-?(0|[0-9]*)(\.[0-9]*)?([eE][-+]?[0-9]+)?)?$")]
    private static partial Regex LooksLikeNonString();

    private static void Value(IEmitter emitter, object? value, ScalarStyle requested)
    {
        switch (value)
        {
            case null:
                emitter.Emit(new Scalar(AnchorName.Empty, NullTag, "", requested == ScalarStyle.Any ? ScalarStyle.Plain : requested, true, false));
                return;
            case string s:
                emitter.Emit(String(s, requested));
                return;
            case bool b:
                emitter.Emit(new Scalar(AnchorName.Empty, BoolTag, YamlFormatter.Default.FormatBoolean(b), Plain(requested), true, false));
                return;
            case int or long or short or byte or sbyte or ushort or uint or ulong:
                emitter.Emit(new Scalar(AnchorName.Empty, IntTag, YamlFormatter.Default.FormatNumber(value), Plain(requested), true, false));
                return;
            case double d:
                emitter.Emit(new Scalar(d.ToString("0.0######################", CultureInfo.InvariantCulture)));
                return;
            case float f:
                emitter.Emit(new Scalar(f.ToString("0.0######################", CultureInfo.InvariantCulture)));
                return;
            // KubernetesClient's type converters: they write to the emitter directly, past the quoting emitter.
            case IntOrString i:
                emitter.Emit(new Scalar(i.Value));
                return;
            case ResourceQuantity q:
                emitter.Emit(new Scalar(q.ToString()));
                return;
            case byte[] bytes:
                emitter.Emit(new Scalar(Convert.ToBase64String(bytes)));
                return;
            case DateTime dt:
                emitter.Emit(Timestamp(new DateTimeOffset(dt)));
                return;
            case DateTimeOffset dto:
                emitter.Emit(Timestamp(dto));
                return;
            case IDictionary map:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, false, MappingStyle.Any));
                foreach (DictionaryEntry entry in map)
                {
                    Value(emitter, entry.Key, ScalarStyle.Any);
                    Value(emitter, entry.Value, ScalarStyle.Any);
                }
                emitter.Emit(new MappingEnd());
                return;
        }
        // YamlDotNet's order: maps (above), then anything enumerable, then an object's properties.
        if (value is IEnumerable items)
        {
            emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, false, SequenceStyle.Any));
            foreach (var item in items)
            {
                Value(emitter, item, ScalarStyle.Any);
            }
            emitter.Emit(new SequenceEnd());
            return;
        }
        var properties = ModelProperties(value.GetType())
            ?? throw new NotSupportedException($"KubernetesYamlWriter cannot write a {value.GetType().FullName}: it writes k8s.Models " +
                $"objects, the types listed in {nameof(PlanObjectTypes)}, maps, lists, strings, numbers and booleans");
        emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, false, MappingStyle.Any));
        foreach (var property in properties)
        {
            Property(emitter, property.Name, property.Get!(value));
        }
        emitter.Emit(new MappingEnd());
    }

    private static void Property(IEmitter emitter, string name, object? value)
    {
        if (value is null)
        {
            return;
        }
        emitter.Emit(String(name, ScalarStyle.Plain));
        Value(emitter, value, ScalarStyle.Any);
    }

    private static Scalar String(string s, ScalarStyle requested)
    {
        var style = LooksLikeNonString().IsMatch(s) ? ScalarStyle.DoubleQuoted
            : s.Contains('\n') ? ScalarStyle.Literal
            : requested;
        return new Scalar(AnchorName.Empty, StrTag, s, style, true, false);
    }

    private static ScalarStyle Plain(ScalarStyle requested) => requested == ScalarStyle.Any ? ScalarStyle.Plain : requested;

    private static Scalar Timestamp(DateTimeOffset value)
    {
        var date = value.ToUniversalTime();
        var basePart = date.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        var fraction = date.ToString(".ffffff", CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.');
        return new Scalar(AnchorName.Empty, TagName.Empty, basePart + fraction + "Z", ScalarStyle.DoubleQuoted, true, false);
    }

    private static readonly ConcurrentDictionary<Type, JsonPropertyInfo[]?> Properties = new();

    private static readonly string[] PreferredOrder = ["apiVersion", "kind", "metadata"];

    /// <summary>An object type's properties in KubernetesYaml's order; null for a type without source-generated metadata.</summary>
    private static JsonPropertyInfo[]? ModelProperties(Type type) => Properties.GetOrAdd(type, static t =>
    {
        var isModel = t.Namespace == typeof(V1ObjectMeta).Namespace;
        var info = isModel ? SourceGenerationContext.Default.GetTypeInfo(t) : PlanObjectTypes.Default.GetTypeInfo(t);
        if (info is not { Kind: JsonTypeInfoKind.Object })
        {
            return null;
        }
        var declared = info.Properties.Where(p => p.Get is not null).ToArray();
        if (!isModel || !declared.Any(p => p.Name is "apiVersion" or "kind"))
        {
            return declared;
        }
        // KubernetesYaml's WithOverridesFromJsonPropertyAttributes: ApiVersion, Kind, Metadata first, the rest after.
        return declared
            .Select((p, i) => (Property: p, Rank: Array.IndexOf(PreferredOrder, p.Name) is var r and >= 0 ? r : PreferredOrder.Length + i))
            .OrderBy(x => x.Rank)
            .Select(x => x.Property)
            .ToArray();
    });
}
