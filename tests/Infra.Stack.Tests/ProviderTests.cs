using System.Text.Json;
using System.Text.Json.Nodes;
using Infra.Provider;
using Pulumi.Experimental.Provider;

namespace Infra.Tests.Stacks;

/// <summary>
/// The matrix-rtc package as another language sees it: the schema the provider serves (GetSchema) and a component made
/// through Construct, the call the engine forwards when a TypeScript/YAML/Python program creates one.
/// </summary>
public class ProviderTests
{
    public const string WriteSchemaEnv = "MATRIX_RTC_WRITE_SCHEMA";

    private static readonly string SchemaPath = Path.Combine(StackRun.RepoRoot, "provider", "schema.json");

    private static readonly string[] ComponentNames = ["RedisSentinel", "Coturn", "LiveKit", "Authorizer", "Egress", "SynapseConfig", "MatrixRtc"];

    private static async Task<string> ServedSchemaAsync() =>
        (await PackageProvider.Create().GetSchema(new GetSchemaRequest(0, null, null), CancellationToken.None)).Schema!;

    [Fact]
    public async Task The_served_schema_is_the_checked_in_one()
    {
        // GIVEN the schema the provider serves and provider/schema.json
        var served = Normalize(await ServedSchemaAsync());
        if (Environment.GetEnvironmentVariable(WriteSchemaEnv) == "1")
        {
            await File.WriteAllTextAsync(SchemaPath, served);
        }
        var checkedIn = File.Exists(SchemaPath) ? Normalize(await File.ReadAllTextAsync(SchemaPath)) : "";

        // THEN they are the same text; else the first line that differs and how to refresh the file
        if (served != checkedIn)
        {
            var a = checkedIn.Split('\n');
            var b = served.Split('\n');
            var line = Enumerable.Range(0, Math.Max(a.Length, b.Length)).First(i => i >= a.Length || i >= b.Length || a[i] != b[i]);
            Assert.Fail($"provider/schema.json differs from the schema the provider serves, first at line {line + 1}:\n" +
                $"  checked in: {(line < a.Length ? a[line].Trim() : "<end of file>")}\n" +
                $"  served:     {(line < b.Length ? b[line].Trim() : "<end of file>")}\n" +
                $"If the change is intended (a consumer's generated SDK changes with it), refresh the file:\n" +
                $"  {WriteSchemaEnv}=1 dotnet test tests/Infra.Stack.Tests --filter FullyQualifiedName~ProviderTests.The_served_schema");
        }
    }

    [Fact]
    public async Task The_schema_names_the_package_its_version_and_seven_components_whose_inputs_may_all_be_omitted()
    {
        var schema = JsonNode.Parse(await ServedSchemaAsync())!;

        Assert.Equal("matrix-rtc", (string?)schema["name"]);
        Assert.Equal("0.1.0", (string?)schema["version"]);
        var resources = schema["resources"]!.AsObject();
        Assert.Equal(ComponentNames.Select(n => $"matrix-rtc:index:{n}").Order(StringComparer.Ordinal), resources.Select(r => r.Key).Order(StringComparer.Ordinal));
        foreach (var (token, resource) in resources)
        {
            Assert.True((bool?)resource!["isComponent"], token);
            Assert.NotEmpty(resource["inputProperties"]!.AsObject());
            // Every input may be omitted (its default applies in the component): none is required.
            Assert.Empty(resource["requiredInputs"]?.AsArray() ?? []);
        }
        // The secret outputs are in the schema as outputs. They are not marked secret there: pulumi-dotnet v3.112.1's
        // schema types have no "secret" field to set (sdk/Pulumi/Provider/Schema.cs, record TypeSpec: type, items,
        // additionalProperties, $ref, plain) and ComponentAnalyzer.cs never emits one.
        var redis = resources["matrix-rtc:index:RedisSentinel"]!["properties"]!.AsObject();
        Assert.Equal("string", (string?)redis["password"]!["type"]);
        Assert.Equal("string", (string?)redis["sentinelPassword"]!["type"]);
        Assert.Equal("array", (string?)redis["sentinelAddresses"]!["type"]);
        var livekit = resources["matrix-rtc:index:LiveKit"]!["properties"]!.AsObject();
        Assert.Contains("apiKey", livekit.Select(p => p.Key));
        Assert.Contains("apiSecret", livekit.Select(p => p.Key));
        Assert.DoesNotContain("\"secret\"", schema.ToJsonString());
    }

    private static string Normalize(string json) =>
        JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement, new JsonSerializerOptions { WriteIndented = true }).Replace("\r\n", "\n") + "\n";
}
