using System.Collections.Immutable;
using System.Diagnostics;
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

    private static readonly string[] ComponentNames = ["RedisSentinel", "Coturn", "LiveKit", "Authorizer", "Egress", "SynapseConfig", "NetworkPolicies", "MatrixRtc"];

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
    public async Task The_schema_names_the_package_its_version_and_every_component_whose_inputs_may_all_be_omitted()
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
    /// <see cref="SdkTestHost"/>). Fast, and it runs previews; the gRPC path itself (marshalling, the provider as a
    /// process, the callbacks to engine and monitor) is <see cref="Construct_over_grpc_against_a_fake_engine_registers_the_children_with_the_consumers_provider"/>.
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

        // THEN one error logged to the engine (which fails the update on it) naming the component, the input, the bad
        // value and what is allowed, without a stack trace; Construct still answers, every output unknown
        Assert.Null(run.Error);
        var error = Assert.Single(run.Errors);
        Assert.Contains("RedisSentinel \"cache\"", error);
        Assert.Contains("redisDataNodes: \"4\" is not allowed; an odd number", error);
        Assert.DoesNotContain("   at ", error);
        Assert.All(run.Response!.Outputs.Where(o => o.Key != "urn"), o => Assert.True(o.Value.IsComputed, $"{o.Key}: {o.Value}"));
        // AND nothing of the component's was created
        Assert.DoesNotContain(run.Registrations, r => r.Type != "matrix-rtc:index:RedisSentinel");
    }

    /// <summary>
    /// The engine's side of Construct, over the real protocol: the provider runs as the engine runs it (its built
    /// program, given the engine's address, printing its port), the test calls ResourceProvider/Construct over gRPC as
    /// the engine forwards a consumer's <c>new matrix-rtc.RedisSentinel("cache", {}, {providers: {kubernetes: ...}})</c>,
    /// and <see cref="FakeEngine"/> serves the engine and resource monitor the provider's SDK calls back. The monitor
    /// answers as the engine does for the parts that matter here: a URN per registration, the inputs back as outputs,
    /// RandomPassword's result, and outputs named in additionalSecretOutputs made secret (pulumi/pulumi
    /// pkg/resource/deploy/step_executor.go). An update, not a preview.
    /// </summary>
    [Fact]
    public async Task Construct_over_grpc_against_a_fake_engine_registers_the_children_with_the_consumers_provider()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "pulumi-resource-matrix-rtc.dll");
        Assert.True(File.Exists(dll), $"{dll}: the provider is built with the tests (ProjectReference)");
        await using var engine = await FakeEngine.StartAsync(RespondAsTheEngine);

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add(engine.Address);
        using var provider = Process.Start(start)!;
        var stderr = new System.Text.StringBuilder();
        provider.ErrorDataReceived += (_, e) => { lock (stderr) { stderr.AppendLine(e.Data); } };
        provider.BeginErrorReadLine();
        JsonElement response;
        try
        {
            // GIVEN the provider started as the engine starts a plugin: it prints the port it serves on
            var port = await provider.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));

            Assert.True(int.TryParse(port, out _), $"the provider printed '{port}' instead of its port; stderr: {stderr}");

            // WHEN the engine forwards a consumer's RedisSentinel "cache" with no inputs and its Kubernetes provider
            var construct = FakeEngine.Service("Pulumirpc.ProviderReflection", "ResourceProvider").FindMethodByName("Construct");
            var request = JsonSerializer.Serialize(new
            {
                project = Project, stack = StackName, organization = "organization", dryRun = false, parallel = 4,
                monitorEndpoint = engine.Address, type = "matrix-rtc:index:RedisSentinel", name = "cache", parent = ConsumerStack,
                inputs = new { }, providers = new Dictionary<string, string> { ["kubernetes"] = KubernetesProvider },
            });
            try
            {
                response = await FakeEngine.CallAsync($"127.0.0.1:{port}", construct, request, TimeSpan.FromSeconds(120));
            }
            catch (Grpc.Core.RpcException e)
            {
                throw new Xunit.Sdk.XunitException($"Construct failed: {e.Status}\nthe fake engine's failures: {string.Join("\n", engine.Failures)}\nprovider stderr: {stderr}\ncalls: {string.Join("\n", engine.Calls.Select(c => $"{c.Method} {c.Request}"[..Math.Min(300, $"{c.Method} {c.Request}".Length)]))}");
            }
        }
        finally
        {
            if (!provider.HasExited)
            {
                provider.Kill(entireProcessTree: true);
            }
            await provider.WaitForExitAsync();
        }

        // THEN the SDK registered the component under the consumer's stack and every child under the component
        var calls = engine.Calls.ToList();
        Assert.DoesNotContain(calls, c => c.Method == "Engine/Log" && c.Request.TryGetProperty("severity", out var s) && s.GetString() == "ERROR");
        var registrations = calls.Where(c => c.Method == "ResourceMonitor/RegisterResource").Select(c => Registration.From(c.Request, StackName, Project)).ToList();
        var component = Assert.Single(registrations, r => r.Type == "matrix-rtc:index:RedisSentinel");
        Assert.Equal(ConsumerStack, component.Parent);
        Assert.Equal(component.Urn, response.GetProperty("urn").GetString());
        var children = registrations.Where(r => r != component).ToList();
        Assert.All(children, r => Assert.Equal(component.Urn, r.Parent));
        Assert.Contains(children, r => r.ToString() == "kubernetes:yaml/v2:ConfigGroup cache-objects");
        Assert.Contains(children, r => r.ToString() == "kubernetes:core/v1:Secret cache-matrix-rtc-redis-auth");
        Assert.Equal(2, children.Count(r => r.Type == "random:index/randomPassword:RandomPassword"));
        Assert.Contains("kind: StatefulSet", children.Single(r => r.Type == "kubernetes:yaml/v2:ConfigGroup").String("yaml"));
        // AND the Kubernetes children use the consumer's provider
        Assert.All(children.Where(r => r.IsKubernetes && r.Custom), r => Assert.Equal(KubernetesProvider, r.Provider));
        Assert.All(children.Where(r => r.IsKubernetes && r.Remote), r => Assert.Equal(KubernetesProvider, r.Providers.GetValueOrDefault("kubernetes")));
        // AND the state the engine gets back: defaults for the omitted inputs, the passwords as secrets
        var state = response.GetProperty("state");
        Assert.Equal(
            ["redis-0.redis-headless.matrix-rtc.svc.cluster.local:26379", "redis-1.redis-headless.matrix-rtc.svc.cluster.local:26379",
             "redis-2.redis-headless.matrix-rtc.svc.cluster.local:26379"],
            state.GetProperty("sentinelAddresses").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("matrix-rtc", state.GetProperty("masterName").GetString());
        // (an output value: the provider keeps the secret flag and the RandomPassword it depends on, pulumi-dotnet
        // Serialization/Constants.cs SpecialOutputValueSig)
        foreach (var (secret, from) in new[] { ("password", "cache-redis-password"), ("sentinelPassword", "cache-redis-sentinel-password") })
        {
            var value = state.GetProperty(secret);
            Assert.True(value.TryGetProperty(Registration.SpecialSigKey, out var sig) && sig.GetString() == OutputValueSig
                && value.GetProperty("secret").GetBoolean(), $"{secret} is not a secret output value: {value}");
            Assert.StartsWith("MockPassword", value.GetProperty("value").GetString());
            Assert.Contains(registrations.Single(r => r.Name == from).Urn, value.GetProperty("dependencies").EnumerateArray().Select(d => d.GetString()));
        }
    }

    private const string OutputValueSig = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

    /// <summary>What the fake engine answers (<see cref="Construct_over_grpc_against_a_fake_engine_registers_the_children_with_the_consumers_provider"/>).</summary>
    private static string? RespondAsTheEngine(string method, JsonElement request)
    {
        switch (method)
        {
            case "ResourceMonitor/SupportsFeature":
                // The engine supports these (and more). Without aliasSpecs the SDK computes alias URNs itself and fails
                // on the parent Construct is given (a DependencyResource): NullReferenceException inside the provider.
                return JsonSerializer.Serialize(new { hasSupport = request.GetProperty("id").GetString() is "secrets" or "resourceReferences" or "aliasSpecs" });
            case "Engine/GetRootResource":
                return JsonSerializer.Serialize(new { urn = ConsumerStack });
            case "ResourceMonitor/RegisterResource":
                var registration = Registration.From(request, StackName, Project);
                var state = JsonNode.Parse(registration.Inputs.GetRawText())!.AsObject();
                if (registration.Type == "random:index/randomPassword:RandomPassword")
                {
                    state["result"] = $"MockPassword{registration.Name.Replace("-", "")}";
                }
                foreach (var key in registration.AdditionalSecretOutputs.Where(state.ContainsKey))
                {
                    var value = state[key]!.DeepClone();
                    state[key] = new JsonObject { [Registration.SpecialSigKey] = Registration.SecretSig, ["value"] = value };
                }
                return JsonSerializer.Serialize(new { urn = registration.Urn, id = registration.Custom ? $"{registration.Name}-id" : "", @object = state });
            default:
                return null;
        }
    }

    private static string Normalize(string json) =>
        JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement, new JsonSerializerOptions { WriteIndented = true }).Replace("\r\n", "\n") + "\n";
}
