using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json;
using Infra.Plan;
using Infra.Plan.Spec;
using Infra.Stacks;
using Pulumi;
using Pulumi.Testing;

namespace Infra.Tests.Stacks;

/// <summary>
/// Runs <see cref="MatrixRtcStack"/> under mocks with the config of a real <c>Pulumi.&lt;stack&gt;.yaml</c>, handed
/// over exactly as the Pulumi language host does (env PULUMI_CONFIG: a JSON object of strings, arrays as JSON text).
/// </summary>
internal sealed record StackRun(ImmutableArray<Resource> Resources, Mocks Mocks, EnvironmentPlan Plan)
{
    // Binaries may be built outside the tree (ArtifactsPath); then the source file's own folder leads to the project.
    public static string RepoRoot { get; } = StackFile.FindProjectDirectory(AppContext.BaseDirectory)
        ?? StackFile.FindProjectDirectory(Path.GetDirectoryName(SourceFile())!)
        ?? throw new InvalidOperationException("Pulumi.yaml not found above the test binaries or this source file");

    private static string SourceFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;

    public MatrixRtcStack Stack => Resources.OfType<MatrixRtcStack>().Single();

    /// <summary>The stack file's config as the language host passes it; <paramref name="overrides"/> values of null remove a key.</summary>
    public static Dictionary<string, string> Config(string stack, params (string Key, string? Value)[] overrides)
    {
        var config = StackFile.ReadConfig(StackFile.StackFilePath(RepoRoot, stack))
            .ToDictionary(e => e.Key, e => e.Value switch
            {
                ConfigValue.Scalar s => s.Text,
                ConfigValue.Sequence q => JsonSerializer.Serialize(q.Items.Select(i => ((ConfigValue.Scalar)i).Text)),
                _ => throw new InvalidOperationException($"{e.Key}: unsupported in stack tests"),
            });
        foreach (var (key, value) in overrides)
        {
            var full = key.Contains(':') ? key : $"matrix-rtc:{key}";
            if (value is null) config.Remove(full); else config[full] = value;
        }
        return config;
    }

    public static async Task<StackRun> RunAsync(string stack, Dictionary<string, string> config, IEnumerable<string>? secretKeys = null, Mocks? mocks = null)
    {
        Environment.SetEnvironmentVariable(PulumiConfigSource.ConfigEnv, JsonSerializer.Serialize(config));
        Environment.SetEnvironmentVariable(PulumiConfigSource.SecretKeysEnv, JsonSerializer.Serialize(secretKeys ?? []));
        mocks ??= new Mocks();
        var resources = await Deployment.TestAsync<MatrixRtcStack>(mocks, new TestOptions
        {
            IsPreview = false,
            StackName = stack,
            ProjectName = "matrix-rtc",
        });
        var plan = MatrixRtcStack.Load(stack, PulumiConfigSource.Read());
        return new StackRun(resources, mocks, plan);
    }

    public static Task<StackRun> RunAsync(string stack) => RunAsync(stack, Config(stack));

    /// <summary>
    /// A resource's children. Pulumi's SDK keeps them in the internal <c>Resource.ChildResources</c> (v3.112.1) and
    /// the mock monitor does not pass the parent on, so this is the one place the tests look inside the SDK.
    /// </summary>
    public static IReadOnlyList<Resource> Children(Resource parent)
    {
        var property = typeof(Resource).GetProperty("ChildResources", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("Pulumi's Resource.ChildResources is gone; update StackRun.Children for this SDK version");
        var set = (HashSet<Resource>)property.GetValue(parent)!;
        lock (set)
        {
            return set.ToList();
        }
    }

    public static Task<T> ValueOf<T>(Output<T> output) => Pulumi.Utilities.OutputUtilities.GetValueAsync(output);
}
