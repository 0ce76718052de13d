using Infra.Plan.Tests.Chart;
using Infra.Plan.Tests.Support;
using Infra.PostRender;
using Infra.Render;
using Infra.Servers;

namespace Infra.Plan.Tests.Rendering;

/// <summary>
/// The fast builds work and change nothing: the Native AOT render that <c>dotnet publish infra/Infra.Render -c
/// Release</c> makes (the README's fast path, what the bench times) writes the bytes of the in-process render, and
/// postrender.sh, as Helm and Pulumi run it, builds the native post-renderer itself and writes what the in-process
/// post-renderer writes. Both publish for real (about a minute and 20 s on 2 cores the first time; later runs only
/// relink what changed); one class, so the two builds of the shared plan library never run at once.
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
    public void Postrender_sh_builds_the_native_post_renderer_and_it_writes_what_the_in_process_one_writes()
    {
        // GIVEN chart-shaped manifests, and the real chart's output where helm and the chart are here
        var inputs = new List<string> { PostRendererTests.ConfigMap + PostRendererTests.Deployment(PostRendererTests.Annotated) };
        if (Tools.Helm is not null && Tools.LivekitChart is not null)
        {
            inputs.Add(ChartRender.RenderWithoutPostRenderer("prod").Output);
        }
        var script = Bench.PostRenderScript(Stacks.RepoRoot);
        var native = Bench.NativePostRender(Stacks.RepoRoot);

        foreach (var input in inputs)
        {
            // WHEN postrender.sh runs as Helm runs it (no test DLL), building the native binary when it is stale
            var run = ToolRun.Run(script, [], stdin: input, timeout: TimeSpan.FromMinutes(10));

            // THEN its output is the in-process post-renderer's, and the native binary alone gives the same
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.True(LivekitPostRenderer.Apply(input) == run.Stdout, "postrender.sh wrote other bytes than the in-process post-renderer");
            Assert.True(File.Exists(native), $"postrender.sh did not build {native}");
            Assert.Equal(run.Stdout, ToolRun.Run(native, [], stdin: input).Stdout);
        }

        // AND the native binary refuses manifests without the wiring as the in-process one does: exit 1, one line
        var refused = ToolRun.Run(native, [], stdin: PostRendererTests.ConfigMap);
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("", refused.Stdout);
        Assert.StartsWith("matrix-rtc post-renderer: no Deployment carries the pod annotation", refused.Stderr);
    }

    [Fact]
    public void The_bench_checks_each_build_against_the_in_process_render_and_prints_the_ratio_to_helm_template()
    {
        // GIVEN the bench with one run per measurement (figures are not the point here, the checks are)
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        // WHEN it runs from the repository
        var code = Cli.Run(["bench", "--runs", "1"], Stacks.RepoRoot, stdout, stderr);

        // THEN the JIT build rendered the in-process bytes, and with helm and the chart here it prints the ratio
        Assert.True(code == Cli.Ok, stderr.ToString());
        var output = stdout.ToString();
        Assert.Contains("bench: end-to-end render, JIT (dotnet render.dll): median", output);
        Assert.DoesNotContain("DIFFERENT", output);
        Assert.Contains("byte-identical to the in-process render", output);
        if (Tools.Helm is not null && Tools.LivekitChart is not null)
        {
            Assert.Matches(@"render end to end / helm template: JIT \(dotnet render.dll\) [0-9.]+x", output);
            Assert.Contains("bench: post-renderer end to end", output);
        }
        else
        {
            Assert.Contains("SKIPPED helm template and post-renderer", output);
        }
    }
}
