using Infra.PulumiCli;
using System.Collections.Immutable;
using Infra.Plan;
using Infra.Plan.Spec;
using Infra.Stacks;
using Pulumi;
using Pulumi.Testing;

namespace Infra.Tests.Stacks;

/// <summary>The Pulumi CLI refused the stack's config before the program would start (its message, verbatim).</summary>
internal sealed class CliRefusedException(string message) : Exception(message);

/// <summary>The program failed: the engine's error messages (what <c>pulumi up</c> would print) and what it registered.</summary>
internal sealed class ProgramFailedException(IReadOnlyList<string> errors, IReadOnlyList<Registration> registrations)
    : Exception(string.Join("\n", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;

    public IReadOnlyList<Registration> Registrations { get; } = registrations;
}

/// <summary>
/// Runs <see cref="MatrixRtcStack"/> under mocks with a real <c>Pulumi.&lt;stack&gt;.yaml</c>, handed over exactly as the
/// CLI hands it: the CLI's gate first (<see cref="CliConfigGate"/>: Pulumi.yaml's defaults merged, refusals as the CLI
/// refuses), then the merged config encoded as the language host encodes it (<see cref="LanguageHostConfig"/>:
/// PULUMI_CONFIG and PULUMI_CONFIG_SECRET_KEYS), in preview or update mode.
/// </summary>
internal sealed record StackRun(ImmutableArray<Resource> Resources, IReadOnlyList<Registration> Registrations, Mocks Mocks, EnvironmentPlan Plan, bool Preview)
{
    public const string Project = "matrix-rtc";

    // Binaries may be built outside the tree (ArtifactsPath); then the source file's own folder leads to the project.
    public static string RepoRoot { get; } = StackFile.FindProjectDirectory(AppContext.BaseDirectory)
        ?? StackFile.FindProjectDirectory(Path.GetDirectoryName(SourceFile())!)
        ?? throw new InvalidOperationException("Pulumi.yaml not found above the test binaries or this source file");

    private static string SourceFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;

    /// <summary>Every stack file of the repository × preview and update.</summary>
    public static TheoryData<string, bool> EveryStackInBothModes()
    {
        var data = new TheoryData<string, bool>();
        foreach (var stack in Stacks())
        {
            data.Add(stack, true);
            data.Add(stack, false);
        }
        return data;
    }

    public static IEnumerable<string> Stacks() =>
        Directory.GetFiles(RepoRoot, "Pulumi.*.yaml").Select(p => Path.GetFileName(p)["Pulumi.".Length..^".yaml".Length]).Order(StringComparer.Ordinal);

    public MatrixRtcStack Stack => Resources.OfType<MatrixRtcStack>().Single();

    /// <summary>
    /// The stack file's config as the CLI loads it, with <paramref name="overrides"/>: a value replaces the key's,
    /// null removes it. Override values are YAML scalars or <see cref="CliConfigValue"/>s (e.g. an encrypted one).
    /// </summary>
    public static List<KeyValuePair<string, CliConfigValue>> Config(string stack, params (string Key, object? Value)[] overrides)
    {
        var config = CliStackConfig.Read(StackFile.StackFilePath(RepoRoot, stack)).ToDictionary(e => e.Key, e => e.Value);
        foreach (var (key, value) in overrides)
        {
            var full = key.Contains(':') ? key : $"{Project}:{key}";
            switch (value)
            {
                case null: config.Remove(full); break;
                case CliConfigValue v: config[full] = v; break;
                case string s: config[full] = CliConfigValue.FromGo(GoYaml.Resolve(s)); break;
                default: throw new ArgumentException($"{key}: give a YAML scalar or a CliConfigValue", nameof(overrides));
            }
        }
        return [.. config];
    }

    public static Task<StackRun> RunAsync(string stack, bool preview = false) => RunAsync(stack, Config(stack), preview);

    /// <param name="randomResults">Results for RandomPasswords of these names instead of the mocks' defaults (a rotation).</param>
    /// <param name="existingSecrets">The operator's Secrets a read finds, by namespace/name (data values base64).</param>
    public static async Task<StackRun> RunAsync(string stack, IReadOnlyList<KeyValuePair<string, CliConfigValue>> config, bool preview = false,
        IReadOnlyDictionary<string, string>? randomResults = null, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? existingSecrets = null)
    {
        var gate = CliConfigGate.Apply(stack, PulumiProject.Read(Path.Combine(RepoRoot, StackFile.ProjectFileName)), config);
        if (!gate.Accepted)
        {
            throw new CliRefusedException(gate.Refusal!);
        }
        var env = LanguageHostConfig.Encode(gate.Merged!);
        Environment.SetEnvironmentVariable(PulumiConfigSource.ConfigEnv, env.ConfigJson);
        Environment.SetEnvironmentVariable(PulumiConfigSource.SecretKeysEnv, env.SecretKeysJson);

        var log = new RegistrationLog(stack, Project);
        var mocks = new Mocks(log, preview, randomResults, existingSecrets);
        var result = await SdkTestHost.RunAsync<MatrixRtcStack>(mocks, new TestOptions { IsPreview = preview, StackName = stack, ProjectName = Project }, log.Add);
        if (result.EngineErrors.Count > 0)
        {
            throw new ProgramFailedException(result.EngineErrors, log.All);
        }
        var plan = MatrixRtcStack.Load(stack, PulumiConfigSource.Read());
        return new StackRun(result.Resources, log.All, mocks, plan, preview);
    }

    public static Task<T> ValueOf<T>(Output<T> output) => Pulumi.Utilities.OutputUtilities.GetValueAsync(output);
}
