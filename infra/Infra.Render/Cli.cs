using Infra.Plan;
using Infra.Plan.Components.Network;
using Infra.Plan.Contract;
using Infra.Plan.Policy;
using Infra.Plan.Rendering;
using Infra.Plan.Spec;

namespace Infra.Render;

/// <summary>
/// <c>render</c>: writes what a stack would deploy, for review without a cluster.
///   render --stack dev [--out DIR]      write the plan (default DIR: rendered/&lt;stack&gt; beside Pulumi.yaml)
///   render bench [--stack prod] [--runs N] [--native PATH] [--post-renderer CMD]   time render in process and end to end, next to helm template
///   render docs --check | --write       keep Pulumi.yaml's config section and the README table in step
/// Exit codes: 0 done, 2 bad config or usage (one line per mistake, no stack trace), 1 other failure.
/// </summary>
public static class Cli
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadInput = 2;

    private const string Usage =
        "usage: render --stack <name> [--out <dir>]\n" +
        "       render bench [--stack <name>] [--runs <n>] [--native <render binary>] [--post-renderer <command or path>]\n" +
        "       render docs --check | --write";

    public static int Run(string[] args, string cwd, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            return args.FirstOrDefault() switch
            {
                "bench" => Infra.Render.Bench.Run(Options.Parse(args[1..]), cwd, stdout, stderr),
                "docs" => Docs(args[1..], cwd, stdout, stderr),
                "-h" or "--help" => Help(stdout),
                _ => Render(Options.Parse(args), cwd, stdout, stderr),
            };
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"render: {e.Message}");
            stderr.WriteLine(Usage);
            return BadInput;
        }
        catch (ConfigException e)
        {
            foreach (var error in e.Errors)
            {
                stderr.WriteLine($"error: {error}");
            }
            stderr.WriteLine($"{e.Errors.Count} config error(s); nothing was written.");
            return BadInput;
        }
        catch (PolicyException e)
        {
            foreach (var violation in e.Violations)
            {
                stderr.WriteLine($"error: {violation}");
            }
            stderr.WriteLine($"{e.Violations.Count} policy violation(s); nothing was written.");
            return BadInput;
        }
    }

    private static int Help(TextWriter stdout)
    {
        stdout.WriteLine(Usage);
        return Ok;
    }

    /// <summary>Loads, validates and plans a stack, the way the Pulumi program does.</summary>
    public static (string ProjectDir, IReadOnlyList<KeyValuePair<string, ConfigValue>> Config, EnvironmentPlan Plan) Load(string cwd, string stack)
    {
        var projectDir = StackFile.FindProjectDirectory(cwd)
            ?? throw new UsageException($"no {StackFile.ProjectFileName} in {cwd} or any folder above it; run inside the repository");
        var stackPath = StackFile.StackFilePath(projectDir, stack);
        if (!File.Exists(stackPath))
        {
            var known = Directory.GetFiles(projectDir, "Pulumi.*.yaml").Select(p => Path.GetFileName(p)["Pulumi.".Length..^".yaml".Length]).Order();
            throw new UsageException($"stack file {stackPath} not found; stacks here: {string.Join(", ", known)}");
        }
        var config = StackFile.ReadConfig(stackPath);
        // Every config mistake at once, each naming its key, then the policies: exactly what the Pulumi program runs.
        // (What the Pulumi CLI itself refuses before the program starts, render refuses too, naming the key:
        // tests/Infra.Plan.Tests/Spec/CliConfigGateTests.cs.)
        return (projectDir, config, Planner.Load(stack, config));
    }

    public static IReadOnlyList<PlanFile> RenderFiles(string stack, IReadOnlyList<KeyValuePair<string, ConfigValue>> config, EnvironmentPlan plan) =>
        RenderOutput.Files(plan)
            .Append(new PlanFile("report/config.md", ConfigReport.Build(stack, config)))
            .Append(NetworkAnalysis.Of(plan).File)
            .OrderBy(f => f.Path, StringComparer.Ordinal)
            .ToList();

    private static int Render(Options options, string cwd, TextWriter stdout, TextWriter stderr)
    {
        var stack = options.Stack ?? throw new UsageException("--stack is required");
        var (projectDir, config, plan) = Load(cwd, stack);
        var outDir = Path.GetFullPath(options.Out ?? Path.Combine(projectDir, "rendered", stack), cwd);
        var files = RenderFiles(stack, config, plan);
        RenderOutput.Write(files, outDir);
        stdout.WriteLine($"rendered stack {stack} (tier {plan.Sizing.Preset.Name}) to {outDir}:");
        foreach (var file in files)
        {
            stdout.WriteLine($"  {file.Path}");
        }
        foreach (var warning in plan.Sizing.Warnings)
        {
            stderr.WriteLine($"warning: {warning}");
        }
        return Ok;
    }

    private static int Docs(string[] args, string cwd, TextWriter stdout, TextWriter stderr)
    {
        var write = args.Contains("--write");
        if (!write && !args.Contains("--check"))
        {
            throw new UsageException("docs needs --check or --write");
        }
        var projectDir = StackFile.FindProjectDirectory(cwd) ?? throw new UsageException("no Pulumi.yaml found");
        var targets = new[]
        {
            (Path.Combine(projectDir, "Pulumi.yaml"), ConfigDocs.PulumiBegin, ConfigDocs.PulumiEnd, ConfigDocs.PulumiConfigSection()),
            (Path.Combine(projectDir, "README.md"), ConfigDocs.ReadmeBegin, ConfigDocs.ReadmeEnd, ConfigDocs.ReadmeTable()),
            (Path.Combine(projectDir, "README.md"), ConfigDocs.TierBegin, ConfigDocs.TierEnd, ConfigDocs.TierTable()),
        };
        var stale = 0;
        // Whole generated files: each component's Args class and docs page (Rendering/ComponentDocs.cs).
        foreach (var file in ComponentDocs.Files())
        {
            var path = Path.Combine(projectDir, file.Path);
            if (File.Exists(path) && File.ReadAllText(path) == file.Content)
            {
                continue;
            }
            if (write)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, file.Content);
                stdout.WriteLine($"docs: updated {file.Path}");
            }
            else
            {
                stderr.WriteLine($"docs: {file.Path} is out of date; run: dotnet run --project infra/Infra.Render -- docs --write");
                stale++;
            }
        }
        foreach (var (path, begin, end, block) in targets)
        {
            var current = File.ReadAllText(path);
            var updated = ConfigDocs.Splice(current, begin, end, block);
            if (updated == current)
            {
                continue;
            }
            if (write)
            {
                File.WriteAllText(path, updated);
                stdout.WriteLine($"docs: updated {Path.GetFileName(path)}");
            }
            else
            {
                stderr.WriteLine($"docs: {Path.GetFileName(path)} is out of date; run: dotnet run --project infra/Infra.Render -- docs --write");
                stale++;
            }
        }
        return stale == 0 ? Ok : Failed;
    }
}

public sealed class UsageException(string message) : Exception(message);

public sealed record Options(string? Stack, string? Out, int? Runs, string? Native = null, string? PostRenderer = null)
{
    public static Options Parse(string[] args)
    {
        string? stack = null, output = null, native = null, postRenderer = null;
        int? runs = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--stack" or "-s": stack = Next(); break;
                case "--out" or "-o": output = Next(); break;
                case "--native": native = Next(); break;
                case "--post-renderer": postRenderer = Next(); break;
                case "--runs":
                    runs = int.TryParse(Next(), out var n) && n is > 0 and <= 10_000 ? n : throw new UsageException("--runs takes a number from 1 to 10000");
                    break;
                default: throw new UsageException($"unknown argument {args[i]}");
            }
        }
        return new Options(stack, output, runs, native, postRenderer);
    }
}
