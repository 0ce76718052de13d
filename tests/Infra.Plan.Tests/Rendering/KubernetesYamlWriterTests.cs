using System.Collections;
using System.Reflection;
using System.Text;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Kubernetes;
using Infra.Plan.Tests.Support;
using k8s;
using k8s.Models;

namespace Infra.Plan.Tests.Rendering;

/// <summary>
/// <see cref="KubernetesYamlWriter"/> (and so every manifest render and the Pulumi layer register) writes the bytes
/// KubernetesClient's reflection serializer, <c>KubernetesYaml.Serialize</c>, writes: on every object the plans emit,
/// on generated variants of every model type those objects use (and of all other k8s.Models types), and on strings
/// chosen to hit each of YAML's quoting rules.
/// </summary>
public class KubernetesYamlWriterTests
{
    /// <summary>Strings for every scalar rule: YAML 1.1/1.2 non-strings, indicators, line breaks, blanks, escapes.</summary>
    public static readonly string[] TrickyStrings =
    [
        "", " ", "  ", "plain", "two words", "true", "True", "TRUE", "false", "yes", "Yes", "no", "NO", "on", "On", "off", "OFF",
        "y", "Y", "n", "N", "~", "null", "Null", "NULL", "0", "-0", "007", "0600", "7882", "-1", "+1", "1.5", ".5", "5.", "1e3",
        "1E-3", "-1.5e+3", "1_000", "0x1F", "0o17", "0b101", "12:30", "1:20:30", ".inf", "-.inf", ".nan", "2024-01-01",
        "2024-01-01T00:00:00Z", "a: b", "a:b", "a #b", "a# b", "#x", "- x", "-", "--", "---", "...", "?", "? x", ":", ": x",
        "[x]", "{x}", "x]", "*a", "&a", "!a", "!!str", "|", ">", "'q'", "\"q\"", "it's", "%x", "@x", "`x", ",", "a,b",
        "http://x.example:80/y?z=1#f", "${VAR}", "$(cmd)", "key=value", "50%", "25%", "500m", "4Gi", "\\", "back\\slash",
        "multi\nline", "multi\nline\n", "multi\nline\n\n", "\n", "\n\n", "\nlead", "true\n", "0600\n", "trailing \nspace",
        " lead\nx", "x\n lead", "tab\tinside", "\ttab", "tab\t", "line\r\nwindows", "cr\ronly", "ünïcödé", "emoji 🎉",
        "bell\u0007", "nul\0", "del\u007f", "nbsp\u00a0x", "bom\ufeffx", "line\u2028sep", "next\u0085line", "trailing ",
        " leading", new string('x', 300), string.Join(' ', Enumerable.Repeat("word", 60)), "a\n" + new string('y', 200),
        "script:\n  set -eu\n  echo \"$HOST_IP\" 'quoted'\n",
    ];

    private static IEnumerable<(string Name, EnvironmentPlan Plan)> Plans()
    {
        yield return ("dev", Stacks.Plan("dev"));
        yield return ("prod", Stacks.Plan("prod"));
        // Kinds and fields neither stack has: PVC templates with quantities, Redis off, an existing TLS Secret.
        foreach (var (name, config) in new[]
        {
            ("persistence", Stacks.With(("redisPersistence", Stacks.S("true")), ("redisStorageClass", Stacks.S("fast")), ("redisStorageSize", Stacks.S("1500Mi")))),
            ("monitoring", Stacks.With(("monitoring", Stacks.S("true")), ("tlsMode", Stacks.S("cert-manager")), ("certManagerIssuer", Stacks.S("dns01")))),
        })
        {
            yield return (name, Planner.Build(Stacks.Parse(config).OrThrow()));
        }
    }

    [Fact]
    public void Every_object_of_the_plans_is_written_as_KubernetesYaml_writes_it()
    {
        // GIVEN every object the dev and prod plans (and two variants) emit, of every kind
        var objects = Plans().SelectMany(p => p.Plan.Components.SelectMany(c => c.Objects.Select(o => (p.Name, c.Name, Object: o)))).ToList();
        Assert.Contains(objects, o => o.Object is CustomObject);
        Assert.Contains(objects, o => o.Object is CertManagerCertificate);
        Assert.Contains(objects, o => o.Object is V1StatefulSet { Spec.VolumeClaimTemplates.Count: > 0 });

        // WHEN each is written by both serializers THEN the bytes are the same
        foreach (var (plan, component, obj) in objects)
        {
            AssertSame(obj, $"{plan}/{component}/{obj.Kind}/{(obj as IMetadata<V1ObjectMeta>)?.Metadata?.Name}");
        }
    }

    [Fact]
    public void Manifest_files_are_the_ones_the_reflection_serializer_gave()
    {
        // GIVEN the manifests of both stacks as render writes them
        foreach (var (name, plan) in Plans())
        {
            foreach (var component in plan.Components)
            {
                // WHEN compared with the former ManifestWriter (KubernetesYaml.Serialize per document)
                var expected = new StringBuilder();
                foreach (var obj in component.Objects)
                {
                    expected.Append("---\n").Append(KubernetesYaml.Serialize(obj).Replace("\r\n", "\n").TrimEnd('\n')).Append('\n');
                }

                // THEN they are identical
                Assert.True(expected.ToString() == ManifestWriter.Write(component.Objects), $"{name}: manifests/{component.Name}.yaml differs");
            }
        }
    }

    [Theory]
    [MemberData(nameof(TrickyStringIndexes))]
    public void A_string_is_quoted_as_KubernetesYaml_quotes_it_as_key_value_list_item_and_property(int index)
    {
        // GIVEN one tricky string in every position a string takes in a manifest
        var s = TrickyStrings[index];
        var map = new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = new V1ObjectMeta { Name = s, Labels = new Dictionary<string, string> { [s.Length == 0 ? "empty" : s] = s, ["k"] = s } },
            Data = new Dictionary<string, string> { ["value"] = s, [s.Length == 0 ? "-" : s] = "key" },
        };
        var container = new V1Container { Name = s, Args = [s, "after"], Command = [s], Image = s, WorkingDir = s, Ports = [new V1ContainerPort { ContainerPort = 80, Name = s }] };
        var custom = new CustomObject("example.org/v1", "Thing", new V1ObjectMeta { Name = "x" },
            new SortedDictionary<string, object> { ["value"] = s, ["list"] = new object[] { s, 1, true, 1.5, new Dictionary<string, object>() } });

        // THEN both serializers write the same bytes for each
        AssertSame(map, $"ConfigMap with {Show(s)}");
        AssertSame(container, $"Container with {Show(s)}");
        AssertSame(custom, $"CustomObject with {Show(s)}");
        AssertSame(new V1ServicePort { Port = 80, Name = "x", TargetPort = s }, $"IntOrString {Show(s)}");
    }

    public static TheoryData<int> TrickyStringIndexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < TrickyStrings.Length; i++)
        {
            data.Add(i);
        }
        return data;
    }

    [Theory]
    [InlineData("2")]
    [InlineData("500m")]
    [InlineData("0.5")]
    [InlineData("1.5")]
    [InlineData("4Gi")]
    [InlineData("1500Mi")]
    [InlineData("1e3")]
    [InlineData("100M")]
    [InlineData("0")]
    [InlineData("1024Ki")]
    public void Resource_quantities_and_int_or_string_are_written_as_KubernetesYaml_writes_them(string text)
    {
        // GIVEN a quantity (canonicalised by ResourceQuantity) and int-or-string fields with numbers and names
        var resources = new V1ResourceRequirements
        {
            Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(text), ["memory"] = new(text) },
            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(text) },
        };
        var strategy = new V1DeploymentStrategy { RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 1, MaxUnavailable = text } };
        var probe = new V1Probe { HttpGet = new V1HTTPGetAction { Port = text, Path = "/" }, TcpSocket = new V1TCPSocketAction { Port = 7880 } };

        // THEN the bytes are the same
        AssertSame(resources, text);
        AssertSame(strategy, text);
        AssertSame(probe, text);
    }

    [Fact]
    public void Empty_maps_and_lists_nulls_in_collections_bytes_and_dates_are_written_as_KubernetesYaml_writes_them()
    {
        // GIVEN empty collections, null values inside collections, binary data and timestamps
        var secret = new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Metadata = new V1ObjectMeta
            {
                Name = "s",
                Labels = new Dictionary<string, string>(),
                Annotations = new Dictionary<string, string> { ["gone"] = null! },
                Finalizers = [],
                CreationTimestamp = new DateTime(2024, 2, 29, 23, 59, 58, 123, DateTimeKind.Utc).AddTicks(4560),
            },
            Data = new Dictionary<string, byte[]> { ["bin"] = [0, 1, 2, 250, 251, 252, 253, 254, 255], ["empty"] = [] },
            StringData = new Dictionary<string, string>(),
        };
        var custom = new CustomObject("example.org/v1", "Thing", new V1ObjectMeta(), new SortedDictionary<string, object?>
        {
            ["emptyMap"] = new SortedDictionary<string, object>(),
            ["emptyList"] = Array.Empty<object>(),
            ["nested"] = new List<object?> { null, new List<object>(), new SortedDictionary<string, string>() },
            ["numbers"] = new object[] { 0, -1, long.MaxValue, 0.1, 1e21, 1.0, double.NaN, 2.5f },
        });

        // THEN the bytes are the same
        AssertSame(secret, "secret");
        AssertSame(custom, "custom");
        AssertSame(new V1ObjectMeta { CreationTimestamp = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc) }, "whole seconds");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Generated_variants_of_every_type_the_plans_use_are_written_as_KubernetesYaml_writes_them(int seed)
    {
        // GIVEN random objects (fixed seeds) of each kind the plans emit: every property set or not, tricky strings,
        // empty and filled maps and lists, quantities, int-or-string, nested to depth 8
        var kinds = Plans().SelectMany(p => p.Plan.Components.SelectMany(c => c.Objects)).Select(o => o.GetType()).Distinct().ToList();
        var generator = new ModelGenerator(new Random(seed), maxDepth: 8);

        // WHEN each variant is written by both serializers THEN the bytes are the same
        foreach (var kind in kinds)
        {
            for (var i = 0; i < 40; i++)
            {
                AssertSame(generator.Create(kind), $"{kind.Name} variant {i} of seed {seed}");
            }
        }
    }

    [Fact]
    public void A_variant_of_every_k8s_model_type_is_written_as_KubernetesYaml_writes_it()
    {
        // GIVEN two random objects of every class in k8s.Models (covers the apiVersion/kind/metadata-first rule on
        // types like V1ObjectReference, whose other fields sort before "kind")
        var types = typeof(V1Pod).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == typeof(V1Pod).Namespace && t.IsClass && !t.IsAbstract && !t.IsGenericTypeDefinition &&
                t.GetConstructor(Type.EmptyTypes) is not null && typeof(IEnumerable).IsAssignableFrom(t) == false &&
                t != typeof(IntOrString) && t != typeof(ResourceQuantity) && t != typeof(V1Patch) &&
                // the hand-written metrics types have no generated metadata and V1Status has a JSON converter: the
                // writer refuses them by name
                SourceGenerationContext.Default.GetTypeInfo(t) is { Kind: System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object })
            .ToList();
        Assert.True(types.Count > 500, $"only {types.Count} model types found");
        var generator = new ModelGenerator(new Random(11), maxDepth: 4);
        var compared = 0;

        foreach (var type in types)
        {
            for (var i = 0; i < 2; i++)
            {
                var obj = generator.Create(type);
                string expected;
                try
                {
                    expected = KubernetesYaml.Serialize(obj);
                }
                catch (Exception)
                {
                    continue; // a type the reflection serializer itself cannot write is no reference
                }
                Assert.True(expected == KubernetesYamlWriter.Serialize(obj), Diff(expected, KubernetesYamlWriter.Serialize(obj), type.Name));
                compared++;
            }
        }
        Assert.True(compared > 1000, $"only {compared} objects compared");
    }

    [Fact]
    public void An_object_type_without_generated_metadata_is_refused_by_name()
    {
        // GIVEN a plain class the writer has no source-generated metadata for
        // WHEN written THEN the error names the type and where to register it
        var e = Assert.Throws<NotSupportedException>(() => KubernetesYamlWriter.Serialize(new Unregistered()));
        Assert.Contains(typeof(Unregistered).FullName!, e.Message);
        Assert.Contains(nameof(PlanObjectTypes), e.Message);
    }

    private sealed class Unregistered
    {
        public string Name { get; set; } = "x";
    }

    private static void AssertSame(object obj, string what)
    {
        var expected = KubernetesYaml.Serialize(obj);
        var actual = KubernetesYamlWriter.Serialize(obj);
        Assert.True(expected == actual, Diff(expected, actual, what));
    }

    private static string Show(string s) => System.Text.Json.JsonSerializer.Serialize(s.Length > 40 ? s[..40] + "..." : s);

    private static string Diff(string expected, string actual, string what)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        var i = 0;
        while (i < e.Length && i < a.Length && e[i] == a[i])
        {
            i++;
        }
        return $"{what}: first difference at line {i + 1}: KubernetesYaml {Show(i < e.Length ? e[i] : "<end>")}, ours {Show(i < a.Length ? a[i] : "<end>")}";
    }
}

/// <summary>
/// Random objects of k8s.Models (and the plan's own) types for differential tests, by reflection (tests only):
/// each settable property is left null or set, strings from <see cref="KubernetesYamlWriterTests.TrickyStrings"/>,
/// collections empty or filled, nesting cut at <c>maxDepth</c>.
/// </summary>
public sealed class ModelGenerator(Random random, int maxDepth)
{
    private static readonly string[] Quantities = ["2", "500m", "0.5", "4Gi", "1500Mi", "1e3", "100M", "0", "1024Ki", "1.5"];
    private static readonly string[] IntOrStrings = ["8080", "0", "http", "25%", "007", "metrics", "1.5", "true", ""];

    public object Create(Type type) => Value(type, 0) ?? throw new InvalidOperationException($"cannot generate a {type.Name}");

    private object? Value(Type type, int depth)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(string))
        {
            return String();
        }
        if (underlying == typeof(int))
        {
            return random.Next(4) switch { 0 => 0, 1 => -random.Next(1000), 2 => int.MaxValue, _ => random.Next(70000) };
        }
        if (underlying == typeof(long))
        {
            return random.Next(3) switch { 0 => 0L, 1 => long.MinValue, _ => (long)random.Next() * 1000 };
        }
        if (underlying == typeof(bool))
        {
            return random.Next(2) == 0;
        }
        if (underlying == typeof(double))
        {
            return random.Next(4) switch { 0 => 0.0, 1 => 1.0, 2 => -0.25, _ => random.NextDouble() * 1e6 };
        }
        if (underlying == typeof(DateTime))
        {
            return new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks((long)(random.NextDouble() * TimeSpan.TicksPerDay * 3000));
        }
        if (underlying == typeof(IntOrString))
        {
            return random.Next(2) == 0 ? (IntOrString)random.Next(65536) : (IntOrString)IntOrStrings[random.Next(IntOrStrings.Length)];
        }
        if (underlying == typeof(ResourceQuantity))
        {
            return new ResourceQuantity(Quantities[random.Next(Quantities.Length)]);
        }
        if (underlying == typeof(byte[]))
        {
            var bytes = new byte[random.Next(6)];
            random.NextBytes(bytes);
            return bytes;
        }
        if (underlying == typeof(object))
        {
            return Tree(depth);
        }
        if (depth >= maxDepth)
        {
            return null;
        }
        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() is var definition &&
            (definition == typeof(IDictionary<,>) || definition == typeof(Dictionary<,>)))
        {
            var args = underlying.GetGenericArguments();
            var map = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(args))!;
            for (var i = random.Next(4); i > 0; i--)
            {
                map[String() is { Length: > 0 } key ? key : "k"] = Value(args[1], depth + 1);
            }
            return map;
        }
        if (underlying.IsGenericType && (underlying.GetGenericTypeDefinition() == typeof(IList<>) || underlying.GetGenericTypeDefinition() == typeof(List<>)))
        {
            var item = underlying.GetGenericArguments()[0];
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(item))!;
            for (var i = random.Next(4); i > 0; i--)
            {
                if (Value(item, depth + 1) is { } v)
                {
                    list.Add(v);
                }
            }
            return list;
        }
        if (underlying.IsClass && underlying != typeof(V1Patch) && underlying.GetConstructors().OrderBy(c => c.GetParameters().Length).FirstOrDefault() is { } constructor)
        {
            // CustomObject has only its full constructor; models have a parameterless one
            var obj = constructor.Invoke(constructor.GetParameters().Select(p => Value(p.ParameterType, depth + 1) ?? Activator.CreateInstance(p.ParameterType)).ToArray());
            foreach (var property in underlying.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetIndexParameters().Length == 0))
            {
                // Leave a third unset (null, to be left out); keep apiVersion/kind/metadata mostly, they are the order rule.
                if (random.Next(3) == 0 && property.Name is not ("ApiVersion" or "Kind" or "Metadata"))
                {
                    if (!property.PropertyType.IsValueType || Nullable.GetUnderlyingType(property.PropertyType) is not null)
                    {
                        property.SetValue(obj, null);
                    }
                    continue;
                }
                if (Value(property.PropertyType, depth + 1) is { } value)
                {
                    property.SetValue(obj, value);
                }
            }
            return obj;
        }
        return null;
    }

    private string String() => KubernetesYamlWriterTests.TrickyStrings[random.Next(KubernetesYamlWriterTests.TrickyStrings.Length)];

    /// <summary>Plain data as CustomObject specs hold it: sorted maps, lists, arrays, strings, numbers, booleans.</summary>
    private object Tree(int depth) => (depth >= maxDepth ? random.Next(4) : random.Next(7)) switch
    {
        0 => String(),
        1 => random.Next(100000) - 50,
        2 => random.Next(2) == 0,
        3 => random.NextDouble() * 100,
        4 => Enumerable.Range(0, random.Next(4)).ToDictionary(i => $"{String()}{i}", _ => Tree(depth + 1))
            .Aggregate(new SortedDictionary<string, object>(StringComparer.Ordinal), (m, kv) => { m[kv.Key] = kv.Value; return m; }),
        5 => Enumerable.Range(0, random.Next(4)).Select(_ => Tree(depth + 1)).ToList(),
        _ => Enumerable.Range(0, random.Next(3)).Select(_ => String()).ToArray(),
    };
}
