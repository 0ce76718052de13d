using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Infra.Provider;
using Pulumi;
using Pulumi.Experimental;
using Pulumi.Experimental.Provider;
using Pulumi.Testing;

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
        // additionalProperties, $ref, plain) and ComponentAnalyzer.cs never emits one. They are secret at run time:
        // The_provider_constructs_a_RedisSentinel_with_every_input_omitted asserts that.
        var redis = resources["matrix-rtc:index:RedisSentinel"]!["properties"]!.AsObject();
        Assert.Equal("string", (string?)redis["password"]!["type"]);
        Assert.Equal("string", (string?)redis["sentinelPassword"]!["type"]);
        Assert.Equal("array", (string?)redis["sentinelAddresses"]!["type"]);
        var livekit = resources["matrix-rtc:index:LiveKit"]!["properties"]!.AsObject();
        Assert.Contains("apiKey", livekit.Select(p => p.Key));
        Assert.Contains("apiSecret", livekit.Select(p => p.Key));
        Assert.DoesNotContain("\"secret\"", schema.ToJsonString());
    }

    // What the engine hands the provider: the consumer's stack as parent, its Kubernetes provider by reference.
    private const string Project = "consumer";
    private const string StackName = "dev";
    private const string ConsumerStack = $"urn:pulumi:{StackName}::{Project}::pulumi:pulumi:Stack::{Project}-{StackName}";
    private const string KubernetesProvider = $"urn:pulumi:{StackName}::{Project}::pulumi:providers:kubernetes::cluster::cluster-id";

    private sealed record Constructed(ConstructResponse? Response, Exception? Error, IReadOnlyList<Registration> Registrations, IReadOnlyList<string> Errors)
    {
        public Registration Component(string type, string name) => Assert.Single(Registrations, r => r.Type == type && r.Name == name);
    }

    /// <summary>
    /// Calls <see cref="ComponentProvider.Construct"/> as pulumi-dotnet's gRPC service does for the engine
    /// (v3.112.1 sdk/Pulumi/Provider/Provider.cs, <c>ResourceProviderService.Construct</c>): with the options it builds
    /// from the request (the parent as a <c>DependencyResource</c>, each provider as a <c>DependencyProviderResource</c>,
    /// both internal: made by reflection), the inputs as <see cref="PropertyValue"/>s, in an inline run as
    /// <c>RunInlineAsyncWithResult</c> makes one, whose monitor is the SDK's MockMonitor (recorded by
    /// <see cref="SdkTestHost"/>). Not covered: the protobuf marshalling of request and response (PropertyValue
    /// Marshal/Unmarshal) and a real monitor endpoint: there is no Pulumi engine here.
    /// </summary>
    private static async Task<Constructed> ConstructAsync(string type, string name, ImmutableDictionary<string, PropertyValue> inputs, bool preview = false)
    {
        var log = new RegistrationLog(StackName, Project);
        var mocks = new Mocks(log, preview);
        var (result, response, error) = await SdkTestHost.RunInlineAsync(mocks, new TestOptions { IsPreview = preview, StackName = StackName, ProjectName = Project }, log.Add, () =>
        {
            var options = new ComponentResourceOptions
            {
                Parent = SdkInternal<Resource>("Pulumi.DependencyResource", ConsumerStack),
                Providers = [SdkInternal<ProviderResource>("Pulumi.DependencyProviderResource", KubernetesProvider)],
            };
            return PackageProvider.Create().Construct(new ConstructRequest(type, name, inputs, options), CancellationToken.None);
        });
        return new Constructed(response, error, log.All, result.EngineErrors);
    }

    private static T SdkInternal<T>(string typeName, string argument)
    {
        var type = typeof(Deployment).Assembly.GetType(typeName)
            ?? throw new InvalidOperationException($"Pulumi SDK: internal {typeName} not found; update ProviderTests for this SDK version");
        return (T)Activator.CreateInstance(type, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, null, [argument], null)!;
    }

    private static ImmutableDictionary<string, PropertyValue> Inputs(params (string Key, PropertyValue Value)[] inputs) =>
        inputs.ToImmutableDictionary(i => i.Key, i => i.Value);

    private static string[] Strings(PropertyValue value) =>
        value.TryGetArray(out var items) ? items.Select(i => i.TryGetString(out var s) ? s : throw new InvalidOperationException($"not a string: {i}")).ToArray()
            : throw new InvalidOperationException($"not an array: {value}");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_provider_constructs_a_RedisSentinel_with_every_input_omitted(bool preview)
    {
        // GIVEN a consumer in another language creates a RedisSentinel "cache" and gives no input at all
        var run = await ConstructAsync("matrix-rtc:index:RedisSentinel", "cache", Inputs(), preview);

        // THEN no error; the component is registered under the consumer's stack (as a local component: the SDK sends a
        // providers map only for remote ones, Deployment_Prepare.cs; the consumer's registration carried it)
        Assert.Empty(run.Errors);
        var component = run.Component("matrix-rtc:index:RedisSentinel", "cache");
        Assert.Equal(ConsumerStack, component.Parent);
        Assert.Equal(component.Urn, (string)run.Response!.Urn);

        // AND its children: the StatefulSet group, the Secrets, the RandomPasswords, every one parented to it
        var children = run.Registrations.Where(r => r.Parent == component.Urn).Select(r => r.ToString()).ToList();
        Assert.Contains("kubernetes:yaml/v2:ConfigGroup cache-objects", children);
        Assert.Contains("random:index/randomPassword:RandomPassword cache-redis-password", children);
        Assert.Contains("random:index/randomPassword:RandomPassword cache-redis-sentinel-password", children);
        Assert.Contains("kubernetes:core/v1:Secret cache-matrix-rtc-redis-auth", children);
        Assert.All(run.Registrations.Where(r => r != component && r.Type != "pulumi:pulumi:Stack"), r => Assert.Equal(component.Urn, r.Parent));
        var group = run.Component("kubernetes:yaml/v2:ConfigGroup", "cache-objects");
        Assert.True(preview ? group.IsUnknownAt("yaml") : group.String("yaml")!.Contains("kind: StatefulSet", StringComparison.Ordinal));

        // AND every Kubernetes child uses the consumer's provider, never the default one: a custom resource by its
        // provider reference, a remote component (the ConfigGroup) in its providers map
        Assert.All(run.Registrations.Where(r => r.IsKubernetes && r.Custom), r => Assert.Equal(KubernetesProvider, r.Provider));
        Assert.All(run.Registrations.Where(r => r.IsKubernetes && r.Remote), r => Assert.Equal(KubernetesProvider, r.Providers.GetValueOrDefault("kubernetes")));

        // AND the outputs the engine gets back: the omitted inputs took their defaults (3 data nodes, namespace
        // matrix-rtc, cluster.local), the passwords are secret (unknown in a preview of a new stack)
        var outputs = run.Response.Outputs;
        Assert.Equal(
            ["redis-0.redis-headless.matrix-rtc.svc.cluster.local:26379", "redis-1.redis-headless.matrix-rtc.svc.cluster.local:26379",
             "redis-2.redis-headless.matrix-rtc.svc.cluster.local:26379"],
            Strings(outputs["sentinelAddresses"]));
        Assert.True(outputs["masterName"].TryGetString(out var master) && master == "matrix-rtc");
        Assert.False(outputs["masterName"].IsSecret);
        Assert.False(outputs["sentinelAddresses"].IsSecret);
        foreach (var secret in new[] { "password", "sentinelPassword" })
        {
            Assert.True(outputs[secret].IsSecret, $"{secret} is not secret");
            Assert.Equal(preview, outputs[secret].IsComputed);
        }
        if (!preview)
        {
            Assert.True(outputs["password"].TryGetString(out var password) && password.StartsWith("MockPassword", StringComparison.Ordinal), $"{outputs["password"]}");
            Assert.Equal(password, Registration.Unwrap(run.Component("kubernetes:core/v1:Secret", "cache-matrix-rtc-redis-auth").Input("stringData", "redis-password")!.Value).GetString());
        }
    }

    [Fact]
    public async Task The_provider_passes_given_inputs_to_the_component()
    {
        // GIVEN inputs as another language sends them (numbers are doubles on the wire)
        var run = await ConstructAsync("matrix-rtc:index:RedisSentinel", "cache",
            Inputs(("namespace", new PropertyValue("rtc-cache")), ("redisDataNodes", new PropertyValue(5.0))));

        // THEN the component used them: five sentinels in the given namespace
        Assert.Empty(run.Errors);
        var addresses = Strings(run.Response!.Outputs["sentinelAddresses"]);
        Assert.Equal(5, addresses.Length);
        Assert.All(addresses, a => Assert.Contains(".redis-headless.rtc-cache.svc.cluster.local:26379", a));
    }

    [Fact]
    public async Task A_bad_input_through_the_provider_names_the_input_without_a_stack_trace()
    {
        // GIVEN an even number of data nodes, which Sentinel cannot use
        var run = await ConstructAsync("matrix-rtc:index:RedisSentinel", "cache", Inputs(("redisDataNodes", new PropertyValue(4.0))));

        // THEN Construct fails with the message the engine shows the consumer (the RPC status carries the message
        // only): it names the component and the input, and it is a ResourceException that hides its stack
        Assert.Null(run.Response);
        var error = Assert.IsType<ResourceException>(run.Error);
        // (internal: what the runner reads to print the message alone, Deployment.Runner.cs LogExceptionToErrorStream)
        Assert.True((bool?)(typeof(ResourceException).GetField("HideStack", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)?.GetValue(error)
            ?? typeof(ResourceException).GetProperty("HideStack", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)?.GetValue(error)));
        Assert.Contains("RedisSentinel \"cache\"", error.Message);
        Assert.Contains("redisDataNodes: \"4\" is not allowed", error.Message);
        Assert.DoesNotContain("   at ", error.Message);
        // AND nothing of the component's was created
        Assert.DoesNotContain(run.Registrations, r => r.Type != "matrix-rtc:index:RedisSentinel");
    }

    private static string Normalize(string json) =>
        JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement, new JsonSerializerOptions { WriteIndented = true }).Replace("\r\n", "\n") + "\n";
}
