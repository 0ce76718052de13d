using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Tests.Support;

namespace Infra.Plan.Tests.Livekit;

/// <summary>
/// The post-renderer as a Release input: a command name that is the same on every machine, and an identity (name,
/// version, hash of exactly what determines its output) that the values record, so a changed post-renderer changes
/// the release and nothing else does.
/// </summary>
public sealed class PostRendererInputTests
{
    private const string ToolProject = "infra/Infra.PostRender/Infra.PostRender.csproj";
    private const string ContractProject = "infra/Infra.PostRender.Contract/Infra.PostRender.Contract.csproj";

    /// <summary>
    /// What determines the post-renderer's output, re-stated independently of the contract project's target: the code of
    /// the two projects it compiles, their project files, the repository-wide build settings, and the versions of the
    /// packages they reference. Nothing of infra/Infra.Plan.
    /// </summary>
    private static IEnumerable<string> Lines(string root)
    {
        IEnumerable<string> Code(string project) =>
            Directory.EnumerateFiles(Path.Combine(root, project), "*.cs", SearchOption.AllDirectories)
                .Where(p => !Path.GetRelativePath(Path.Combine(root, project), p).Split(Path.DirectorySeparatorChar).Any(d => d is "bin" or "obj"));
        var files = Code("infra/Infra.PostRender").Concat(Code("infra/Infra.PostRender.Contract"))
            .Append(Path.Combine(root, ToolProject))
            .Append(Path.Combine(root, ContractProject))
            .Append(Path.Combine(root, "Directory.Build.props"))
            .Select(p =>
            {
                var content = Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(File.ReadAllBytes(p)).Replace("\r\n", "\n"));
                return $"{Path.GetRelativePath(root, p).Replace('\\', '/')} {Convert.ToHexStringLower(SHA256.HashData(content))}";
            });
        var referenced = new[] { ToolProject, ContractProject }
            .SelectMany(p => XDocument.Load(Path.Combine(root, p)).Descendants("PackageReference").Select(r => (string)r.Attribute("Include")!))
            .ToHashSet();
        var packages = XDocument.Load(Path.Combine(root, "Directory.Packages.props")).Descendants("PackageVersion")
            .Where(v => referenced.Contains((string)v.Attribute("Include")!))
            .Select(v => $"package {(string)v.Attribute("Include")!} {(string)v.Attribute("Version")!}");
        return files.Concat(packages);
    }

    private static string Hash(string root) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", Lines(root).Order(StringComparer.Ordinal)) + "\n")));

    private static string Version(string root) =>
        XDocument.Load(Path.Combine(root, "Directory.Build.props")).Descendants("MatrixRtcVersion").Single().Value;

    [Fact]
    public void The_recorded_identity_is_the_tool_its_version_and_the_hash_of_its_current_sources()
    {
        Assert.Contains("package YamlDotNet ", string.Join("\n", Lines(Stacks.RepoRoot)));
        Assert.Equal($"matrix-rtc-postrender {Version(Stacks.RepoRoot)} sha256:{Hash(Stacks.RepoRoot)}", PostRendererInput.RecordedValue);
    }

    [Fact]
    public void The_release_names_the_tool_by_command_which_is_the_packed_tools_name_and_version()
    {
        // GIVEN the post-renderer's project file
        var project = XDocument.Load(Path.Combine(Stacks.RepoRoot, ToolProject));
        string Property(string name) => project.Descendants(name).Single().Value;

        // THEN it packs a tool whose command and package are the name the releases give Helm, at the one version
        Assert.Equal("true", Property("PackAsTool"));
        Assert.Equal(PostRendererInput.Command, Property("ToolCommandName"));
        Assert.Equal(PostRendererInput.Command, Property("PackageId"));
        Assert.Equal("$(MatrixRtcVersion)", Property("Version"));
        Assert.Equal(Version(Stacks.RepoRoot), PostRendererIdentity.Version);
        // AND the name has no slash, so Helm's getFullPath (exec.LookPath) looks it up in PATH on every machine
        Assert.DoesNotContain('/', PostRendererInput.Command);
        var plan = Stacks.Plan("prod");
        Assert.Equal(PostRendererInput.Command, plan.Livekit.Release.PostRenderer);
        Assert.Equal(PostRendererInput.Command, plan.Egress!.Release.PostRenderer);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void The_values_carry_the_identity_outside_the_pod_template_and_the_wiring_asks_for_the_version(string stack)
    {
        // GIVEN a stack's releases that run the post-renderer (the SFU's; Egress's where it is on)
        var plan = Stacks.Plan(stack);
        var releases = new List<(HelmReleasePlan Release, IReadOnlyDictionary<string, string> PodAnnotations)> { (plan.Livekit.Release, plan.Livekit.Values.PodAnnotations) };
        if (plan.Egress is { } egress)
        {
            releases.Add((egress.Release, egress.Values.PodAnnotations));
        }

        foreach (var (release, podAnnotations) in releases)
        {
            // THEN the identity is a top-level entry of our own, so a changed post-renderer changes the release's values
            // (Helm upgrades and re-runs it) without touching the pod template (the pods roll only if the output changes)
            Assert.Contains($"\n{PostRendererInput.ValuesKey}:\n  {PostRendererInput.IdentityEntry}: \"{PostRendererInput.RecordedValue}\"\n", release.Values.Content);
            Assert.DoesNotContain(podAnnotations.Values, v => v.Contains(PostRendererIdentity.SourceHash, StringComparison.Ordinal));
            // AND the wiring asks for this version (the tool refuses another; it writes the annotation without it)
            Assert.Equal(PostRendererIdentity.Version, SecretWiring.FromJson(podAnnotations[SecretWiring.Annotation]).PostRenderer);
        }
        Assert.Equal(stack == "prod", releases.Count == 2);
    }

    [Fact]
    public void Only_a_change_of_what_the_post_renderer_compiles_changes_the_hash_the_build_records()
    {
        // GIVEN a copy of infra/ and the repository's build settings (the build's own target computes the hash there)
        var root = Directory.CreateTempSubdirectory("matrix-rtc-postrender-hash-").FullName;
        try
        {
            foreach (var source in Directory.EnumerateFiles(Path.Combine(Stacks.RepoRoot, "infra"), "*", SearchOption.AllDirectories)
                         .Where(p => !Path.GetRelativePath(Stacks.RepoRoot, p).Split(Path.DirectorySeparatorChar).Any(d => d is "bin" or "obj"))
                         .Append(Path.Combine(Stacks.RepoRoot, "Directory.Build.props"))
                         .Append(Path.Combine(Stacks.RepoRoot, "Directory.Packages.props")))
            {
                var target = Path.Combine(root, Path.GetRelativePath(Stacks.RepoRoot, source));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(source, target);
            }
            var unchanged = BuildHash(root);
            Assert.Equal(PostRendererIdentity.SourceHash, unchanged);
            Assert.Equal(Hash(root), unchanged);

            // WHEN plan files the post-renderer does not compile change (the SFU's plan, the plan's own YAML writer and
            // project) and a package only the plan uses moves, THEN the hash stays: the release does not upgrade
            var unused = new[]
            {
                "infra/Infra.Plan/Components/Livekit/LivekitPlan.cs", "infra/Infra.Plan/Components/Livekit/YamlTree.cs",
                "infra/Infra.Plan/Infra.Plan.csproj", "infra/Infra.Render/Cli.cs",
            };
            foreach (var file in unused)
            {
                File.AppendAllText(Path.Combine(root, file), file.EndsWith(".csproj", StringComparison.Ordinal) ? "\n<!-- edited -->\n" : "\n// edited\n");
            }
            Bump(root, "KubernetesClient");
            Assert.Equal(unchanged, BuildHash(root));

            // WHEN one byte changes (an indentation space becomes a tab) in the post-renderer, in the contract it compiles
            // (wiring format, YAML quoting, the hash's own project), in the build settings, or the version of a package
            // it uses, THEN the hash changes
            var used = new[]
            {
                "infra/Infra.PostRender/LivekitPostRenderer.cs", ToolProject, "infra/Infra.PostRender.Contract/SecretWiring.cs",
                "infra/Infra.PostRender.Contract/YamlQuote.cs", ContractProject, "Directory.Build.props",
            };
            foreach (var file in used)
            {
                var path = Path.Combine(root, file);
                var original = File.ReadAllBytes(path);
                var changed = (byte[])original.Clone();
                changed[Encoding.ASCII.GetString(original).IndexOf("\n ", StringComparison.Ordinal) + 1] = (byte)'\t';
                File.WriteAllBytes(path, changed);
                Assert.True(unchanged != BuildHash(root), $"a change of {file} left the recorded hash unchanged");
                File.WriteAllBytes(path, original);
            }
            var packages = File.ReadAllText(Path.Combine(root, "Directory.Packages.props"));
            Bump(root, "YamlDotNet");
            Assert.NotEqual(unchanged, BuildHash(root));
            File.WriteAllText(Path.Combine(root, "Directory.Packages.props"), packages);

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

    /// <summary>Raises a package's version in Directory.Packages.props of <paramref name="root"/>.</summary>
    private static void Bump(string root, string package)
    {
        var path = Path.Combine(root, "Directory.Packages.props");
        var props = XDocument.Load(path, LoadOptions.PreserveWhitespace);
        var version = props.Descendants("PackageVersion").Single(v => (string)v.Attribute("Include")! == package).Attribute("Version")!;
        version.Value += ".1";
        props.Save(path, SaveOptions.DisableFormatting);
    }

    /// <summary>Runs Infra.PostRender.Contract.csproj's ComputePostRendererSourceHash target in <paramref name="root"/>.</summary>
    private static string BuildHash(string root)
    {
        var start = new ProcessStartInfo("dotnet",
            ["msbuild", Path.Combine(root, ContractProject), "-nologo", "-t:ComputePostRendererSourceHash", "-getProperty:PostRendererSourceHash"])
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
