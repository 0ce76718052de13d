using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Tests.Support;

namespace Infra.Plan.Tests.Livekit;

/// <summary>
/// The post-renderer as a Release input: a path that is the same on every checkout, and a hash of its sources that the
/// build records and the values carry, so a changed post-renderer changes the release.
/// </summary>
public sealed class PostRendererInputTests
{
    /// <summary>
    /// The post-renderer's sources, re-stated independently of Infra.Plan.csproj: what postrender.sh builds (the
    /// Infra.PostRender project and the plan project it references) plus the repository-wide build and package settings.
    /// </summary>
    private static IEnumerable<string> Sources(string root)
    {
        IEnumerable<string> Code(string project) =>
            Directory.EnumerateFiles(Path.Combine(root, project), "*.cs", SearchOption.AllDirectories)
                .Where(p => !Path.GetRelativePath(Path.Combine(root, project), p).Split(Path.DirectorySeparatorChar).Any(d => d is "bin" or "obj"));
        return Code("infra/Infra.PostRender").Concat(Code("infra/Infra.Plan"))
            .Append(Path.Combine(root, "infra/Infra.PostRender/Infra.PostRender.csproj"))
            .Append(Path.Combine(root, "infra/Infra.PostRender/postrender.sh"))
            .Append(Path.Combine(root, "infra/Infra.Plan/Infra.Plan.csproj"))
            .Append(Path.Combine(root, "Directory.Build.props"))
            .Append(Path.Combine(root, "Directory.Packages.props"));
    }

    /// <summary>sha256 of the sorted "path sha256(content, CRLF as LF)" lines.</summary>
    private static string Hash(string root)
    {
        var lines = Sources(root)
            .Select(p =>
            {
                var content = Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(File.ReadAllBytes(p)).Replace("\r\n", "\n"));
                return $"{Path.GetRelativePath(root, p).Replace('\\', '/')} {Convert.ToHexStringLower(SHA256.HashData(content))}";
            })
            .Order(StringComparer.Ordinal);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n")));
    }

    [Fact]
    public void The_recorded_hash_is_the_hash_of_the_current_sources()
    {
        Assert.Matches("^[0-9a-f]{64}$", PostRendererInput.SourceHash);
        Assert.Equal(Hash(Stacks.RepoRoot), PostRendererInput.SourceHash);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void The_values_carry_the_hash_outside_the_pod_template(string stack)
    {
        // GIVEN a stack's SFU values
        var plan = Stacks.Plan(stack);
        var values = plan.Livekit.Release.Values.Content;

        // THEN the hash is a top-level entry of our own, so a changed post-renderer changes the release's values (Helm
        // upgrades and re-runs it) without touching the pod template (the SFUs roll only if the output changes)
        Assert.Contains($"\n{PostRendererInput.ValuesKey}:\n  {PostRendererInput.SourcesEntry}: \"sha256:{PostRendererInput.SourceHash}\"\n", values);
        Assert.DoesNotContain(plan.Livekit.Values.PodAnnotations.Values, v => v.Contains(PostRendererInput.SourceHash, StringComparison.Ordinal));
    }

    [Fact]
    public void The_path_is_relative_to_the_project_and_names_the_script()
    {
        // Helm's getFullPath (exec.LookPath): a name with a slash is a path, resolved in the provider's working
        // directory (the project directory); without one it would be looked up in PATH.
        var path = PostRendererInput.RelativePath;
        Assert.False(Path.IsPathRooted(path));
        Assert.Contains('/', path);
        var full = Path.Combine(Stacks.RepoRoot, path);
        Assert.True(File.Exists(full), full);
        Assert.True(OperatingSystem.IsWindows() || (File.GetUnixFileMode(full) & UnixFileMode.UserExecute) != 0, $"{full} is not executable");
    }

    [Fact]
    public void A_one_byte_change_of_any_post_renderer_source_changes_the_hash_the_build_records()
    {
        // GIVEN a copy of the post-renderer's sources (the build's own target computes the hash there)
        var root = Directory.CreateTempSubdirectory("matrix-rtc-postrender-hash-").FullName;
        try
        {
            foreach (var source in Sources(Stacks.RepoRoot))
            {
                var target = Path.Combine(root, Path.GetRelativePath(Stacks.RepoRoot, source));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(source, target);
            }
            var unchanged = BuildHash(root);
            Assert.Equal(PostRendererInput.SourceHash, unchanged);

            // WHEN one byte changes in the post-renderer, its script, or the plan code it compiles, THEN the hash changes
            foreach (var file in new[] { "infra/Infra.PostRender/LivekitPostRenderer.cs", "infra/Infra.PostRender/postrender.sh", "infra/Infra.Plan/Components/Livekit/SecretWiring.cs" })
            {
                var path = Path.Combine(root, file);
                var original = File.ReadAllBytes(path);
                var changed = (byte[])original.Clone();
                var at = Array.LastIndexOf(changed, (byte)'\n') - 1;
                changed[at] = changed[at] == (byte)' ' ? (byte)'\t' : (byte)' ';
                File.WriteAllBytes(path, changed);
                Assert.NotEqual(unchanged, BuildHash(root));
                File.WriteAllBytes(path, original);
            }

            // AND a CRLF checkout of the same sources records the same hash (same behaviour, same input)
            var crlf = Path.Combine(root, "infra/Infra.PostRender/LivekitPostRenderer.cs");
            File.WriteAllText(crlf, File.ReadAllText(crlf).Replace("\n", "\r\n"));
            Assert.Equal(unchanged, BuildHash(root));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Runs Infra.Plan.csproj's ComputePostRendererSourceHash target in <paramref name="root"/>.</summary>
    private static string BuildHash(string root)
    {
        var start = new ProcessStartInfo("dotnet",
            ["msbuild", Path.Combine(root, "infra/Infra.Plan/Infra.Plan.csproj"), "-nologo", "-t:ComputePostRendererSourceHash", "-getProperty:PostRendererSourceHash"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("dotnet msbuild did not finish in 2 minutes");
        }
        Assert.True(process.ExitCode == 0, $"dotnet msbuild failed: {stdout.Result}{stderr.Result}");
        return stdout.Result.Trim();
    }
}
