using Infra.Plan.Tests.Chart;
using Infra.Plan.Tests.Support;
using Infra.Render;
using Infra.Servers;

namespace Infra.Plan.Tests.Rendering;

/// <summary>
/// The fast build works and changes nothing: the Native AOT render that <c>dotnet publish infra/Infra.Render -c
/// Release</c> makes (the README's fast path, what the bench times) writes the bytes of the in-process render. It
/// publishes for real (about a minute on 2 cores the first time; later runs only relink what changed).
/// </summary>
public sealed class NativeBuildTests : IDisposable
{
    private readonly string _tmp = Directory.CreateTempSubdirectory("native-build-").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    [Fact]
    public void The_published_native_render_writes_the_bytes_of_the_in_process_render()
    {
        // GIVEN render published as the README says
        var publish = ToolRun.Run("dotnet", ["publish", Path.Combine(Stacks.RepoRoot, "infra", "Infra.Render"), "-c", "Release", "--nologo", "-v", "q"],
            timeout: TimeSpan.FromMinutes(10));
        Assert.True(publish.ExitCode == 0, $"dotnet publish failed: {publish.Stdout}{publish.Stderr}");
        var native = Bench.NativeRender(Stacks.RepoRoot);
        Assert.True(File.Exists(native), $"{native} not written by dotnet publish");
        Assert.False(File.Exists(Path.ChangeExtension(native, ".dll")), "the publish output is a native binary, not an assembly");

        foreach (var stack in new[] { "dev", "prod" })
        {
            // WHEN it renders the stack from a subfolder of the repository
            var outDir = Path.Combine(_tmp, stack);
            var run = ToolRun.Run("/bin/sh", ["-c", $"cd '{Path.Combine(Stacks.RepoRoot, "infra")}' && exec '{native}' --stack {stack} --out '{outDir}'"]);
            Assert.True(run.ExitCode == 0, run.Stderr);

            // THEN it wrote exactly the in-process render's files and bytes
            var expected = Cli.RenderFiles(stack, Stacks.File(stack), Stacks.Plan(stack));
            var written = Directory.GetFiles(outDir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(outDir, f)).Order(StringComparer.Ordinal);
            Assert.Equal(expected.Select(f => f.Path).Order(StringComparer.Ordinal), written);
            foreach (var file in expected)
            {
                Assert.True(File.ReadAllText(Path.Combine(outDir, file.Path)) == file.Content.Replace("\r\n", "\n"), $"{stack}: {file.Path} differs");
            }
        }

        // AND a config mistake is still one line and exit 2, not a crash of the native binary
        var bad = ToolRun.Run("/bin/sh", ["-c", $"cd '{Stacks.RepoRoot}' && exec '{native}' --stack no-such-stack"]);
        Assert.Equal(Cli.BadInput, bad.ExitCode);
        Assert.StartsWith("render: stack file", bad.Stderr);
    }

    [Fact]
    public void The_bench_checks_each_build_against_the_in_process_render_and_prints_the_ratio_to_helm_template()
    {
        // GIVEN the bench with one run per measurement (figures are not the point here, the checks are)
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        // WHEN it runs from the repository, with the installed post-renderer where helm and the chart are here
        var withHelm = Tools.Helm is not null && Tools.LivekitChart is not null;
        var code = Cli.Run(["bench", "--runs", "1", .. withHelm ? new[] { "--post-renderer", PostRenderTool.Path } : []], Stacks.RepoRoot, stdout, stderr);

        // THEN the JIT build rendered the in-process bytes, and with helm and the chart here it prints the ratio
        Assert.True(code == Cli.Ok, stderr.ToString());
        var output = stdout.ToString();
        Assert.Contains("bench: end-to-end render, JIT (dotnet render.dll): median", output);
        Assert.DoesNotContain("DIFFERENT", output);
        Assert.Contains("byte-identical to the in-process render", output);
        if (withHelm)
        {
            Assert.Matches(@"render end to end / helm template: JIT \(dotnet render.dll\) [0-9.]+x", output);
            Assert.Matches(@"bench: post-renderer end to end \([0-9]+ bytes of manifests on stdin\): matrix-rtc-postrender \(the .NET tool, JIT\) median [0-9]+ ms", output);
        }
        else
        {
            Assert.Contains("SKIPPED helm template and post-renderer", output);
        }
    }
}
