using System.Text.Json;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Tests.Support;
using k8s;
using k8s.Models;

namespace Infra.Plan.Tests.Rendering;

/// <summary>
/// The JSON the plan writes without reflection (so render and the post-renderer run as Native AOT binaries) is the
/// JSON the reflection-based calls it replaced wrote: Helm values' model subtrees (KubernetesJson), quoted YAML
/// strings (JsonSerializer on a string) and the post-renderer's wiring annotation (JsonSerializer on the record).
/// </summary>
public class ReflectionFreeJsonTests
{
    /// <summary>The former YamlMap.FromModel: KubernetesJson's reflection-backed options, then the same tree.</summary>
    private static object? FormerFromModel(object model) => FormerTree(JsonDocument.Parse(KubernetesJson.Serialize(model)).RootElement);

    private static object? FormerTree(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().Aggregate(new YamlMap(), (m, p) => { m.Add(p.Name, FormerTree(p.Value)); return m; }),
        JsonValueKind.Array => e.EnumerateArray().Select(FormerTree).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    [Theory]
    [InlineData(typeof(V1ResourceRequirements))]
    [InlineData(typeof(V1Toleration))]
    [InlineData(typeof(V1Affinity))]
    [InlineData(typeof(V1PodSecurityContext))]
    [InlineData(typeof(V1SecurityContext))]
    [InlineData(typeof(V1DeploymentStrategy))]
    [InlineData(typeof(V1Probe))]
    public void A_model_becomes_the_same_values_tree_as_through_KubernetesJson(Type type)
    {
        // GIVEN random objects of a type the Helm values take from the plan (quantities, int-or-string, nesting)
        var generator = new ModelGenerator(new Random(type.Name.Length), maxDepth: 6);
        for (var i = 0; i < 60; i++)
        {
            var model = generator.Create(type);

            // WHEN turned into a values tree both ways THEN the written YAML is the same
            Assert.Equal(YamlTreeWriter.Write(new YamlMap { ["v"] = FormerFromModel(model) }), YamlTreeWriter.Write(new YamlMap { ["v"] = YamlMap.FromModel(model) }));
        }
    }

    [Fact]
    public void Quote_writes_what_JsonSerializer_wrote_for_every_tricky_string()
    {
        var former = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        foreach (var s in KubernetesYamlWriterTests.TrickyStrings.Append("\ud800 lone surrogate").Append("<>&'+ html"))
        {
            string? expected = null, actual = null;
            Type? expectedError = null, actualError = null;
            try { expected = JsonSerializer.Serialize(s, former); } catch (Exception e) { expectedError = e.GetType(); }
            try { actual = YamlTreeWriter.Quote(s); } catch (Exception e) { actualError = e.GetType(); }
            Assert.Equal((expected, expectedError), (actual, actualError));
        }
    }

    [Fact]
    public void The_wiring_annotation_is_the_JSON_the_reflection_serializer_wrote_and_reads_back()
    {
        // GIVEN the wiring of the prod plan, one with every list empty, and one off the host network (NoHostPorts, FieldEnv, ChartOnlyConfigKeys)
        var former = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never,
        };
        var prod = LivekitPlan.WiringFor(LivekitInput.From(Derived.From(Stacks.Spec("prod"))));
        var podNetwork = prod with { NoHostPorts = true, FieldEnv = [new FieldRefEnv("NODE_IP", "status.hostIP")], ChartOnlyConfigKeys = ["turn.secretName"] };
        foreach (var wiring in new[] { prod, new SecretWiring("c", [], [], StrictConfig: false), podNetwork })
        {
            // WHEN written THEN it is the former JSON, and it reads back equal
            var json = wiring.ToJson();
            Assert.Equal(JsonSerializer.Serialize(wiring, former), json);
            var back = SecretWiring.FromJson(json);
            Assert.Equal((wiring.Container, wiring.StrictConfig), (back.Container, back.StrictConfig));
            Assert.Equal(wiring.Env, back.Env);
            Assert.Equal(wiring.Files, back.Files);
            Assert.Equal((wiring.NoHostPorts, wiring.FieldEnv is null), (back.NoHostPorts, back.FieldEnv is null));
            Assert.Equal(wiring.FieldEnv ?? [], back.FieldEnv ?? []);
            Assert.Equal(wiring.ChartOnlyConfigKeys, back.ChartOnlyConfigKeys);
        }
    }
}
