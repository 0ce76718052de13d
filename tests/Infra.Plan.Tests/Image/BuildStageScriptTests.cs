using Infra.Plan.Tests.Chart;
using Infra.Servers;

namespace Infra.Plan.Tests.Image;

/// <summary>
/// The build stage's own shell steps (fetch the pinned tag, refuse a moved one, apply patches/ and check the list),
/// taken from the Dockerfile and run with /bin/sh and git against a local stand-in for the upstream repository, as
/// BuildKit runs a RUN: <c>/bin/sh -c "&lt;the joined line&gt;"</c> with the stage's ARGs in the environment.
/// </summary>
public sealed class BuildStageScriptTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("media-relay-stage-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static DockerStage BuildStage => MediaRelayImage.LoadDockerfile().Stages[0];

    private static string RunLine(string marker) =>
        BuildStage.Of(DockerKeyword.Run).Select(r => r.Source.Arguments).Single(a => a.Contains(marker, StringComparison.Ordinal));

    private static string Git()
    {
        var git = Tools.Find("git");
        Skip.If(git is null || !File.Exists("/bin/sh"), "SKIPPED build-stage script tests: git or /bin/sh missing");
        return git!;
    }

    private static void MustRun(string git, string cwd, params string[] args)
    {
        var r = ToolRun.Run(git, ["-C", cwd, "-c", "user.name=t", "-c", "user.email=t@example.org", .. args]);
        Assert.True(r.ExitCode == 0, $"git {string.Join(' ', args)}: {r.Stderr}");
    }

    /// <summary>A repository shaped like livekit/livekit where it matters: version/version.go and a source file, tagged.</summary>
    private (string Url, string Commit) Upstream(string git, string declared)
    {
        var repo = Path.Combine(_dir, "upstream");
        Directory.CreateDirectory(Path.Combine(repo, "version"));
        Directory.CreateDirectory(Path.Combine(repo, "pkg"));
        File.WriteAllText(Path.Combine(repo, "version", "version.go"), $"package version\n\nconst Version = \"{declared}\"\n");
        File.WriteAllText(Path.Combine(repo, "pkg", "room.go"), "package pkg\n\nconst EmptyTimeout = 300\n");
        MustRun(git, _dir, "init", "-q", "upstream");
        MustRun(git, repo, "add", ".");
        MustRun(git, repo, "commit", "-q", "-m", "release");
        MustRun(git, repo, "tag", "v1.13.5");
        var head = ToolRun.Run(git, ["-C", repo, "rev-parse", "HEAD"]).Stdout.Trim();
        return ("file://" + repo, head);
    }

    private ToolResult Sh(string script, string cwd, IReadOnlyDictionary<string, string> env)
    {
        Directory.CreateDirectory(cwd);
        var withCwd = new Dictionary<string, string>(env) { ["HOME"] = _dir, ["GIT_CONFIG_NOSYSTEM"] = "1" };
        return ToolRun.Run("/bin/sh", ["-c", $"cd '{cwd}' && {{ {script}\n}}"], env: withCwd, timeout: TimeSpan.FromSeconds(60));
    }

    [SkippableFact]
    public void The_fetch_step_takes_the_pinned_tag_and_refuses_a_moved_tag_or_another_version()
    {
        var git = Git();
        var (url, commit) = Upstream(git, "1.13.5");
        var fetch = RunLine("LIVEKIT_COMMIT");
        Dictionary<string, string> Env(string c, string v = "v1.13.5") => new()
        {
            ["LIVEKIT_VERSION"] = v, ["LIVEKIT_COMMIT"] = c, ["LIVEKIT_REPOSITORY"] = url,
        };

        var ok = Sh(fetch, Path.Combine(_dir, "src-ok"), Env(commit));
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        Assert.True(File.Exists(Path.Combine(_dir, "src-ok", "pkg", "room.go")));

        var moved = Sh(fetch, Path.Combine(_dir, "src-moved"), Env(new string('0', 40)));
        Assert.Equal(1, moved.ExitCode);
        Assert.Contains($"tag v1.13.5 of {url} is {commit}, pinned {new string('0', 40)}: refusing a moved tag", moved.Stderr);

        var missing = Sh(fetch, Path.Combine(_dir, "src-missing"), Env(commit, "v1.13.9"));
        Assert.NotEqual(0, missing.ExitCode);
    }

    [SkippableFact]
    public void The_fetch_step_refuses_a_tag_whose_source_declares_another_version()
    {
        var git = Git();
        var (url, commit) = Upstream(git, "1.13.4");
        var result = Sh(RunLine("LIVEKIT_COMMIT"), Path.Combine(_dir, "src"),
            new Dictionary<string, string> { ["LIVEKIT_VERSION"] = "v1.13.5", ["LIVEKIT_COMMIT"] = commit, ["LIVEKIT_REPOSITORY"] = url });
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("version/version.go of v1.13.5 does not declare 1.13.5", result.Stderr);
    }

    [SkippableFact]
    public void The_patch_step_applies_patches_in_name_order_and_stops_when_the_list_differs()
    {
        var git = Git();
        var (url, commit) = Upstream(git, "1.13.5");
        var src = Path.Combine(_dir, "src");
        Assert.Equal(0, Sh(RunLine("LIVEKIT_COMMIT"), src,
            new Dictionary<string, string> { ["LIVEKIT_VERSION"] = "v1.13.5", ["LIVEKIT_COMMIT"] = commit, ["LIVEKIT_REPOSITORY"] = url }).ExitCode);

        // the step reads /patches, where COPY patches/ /patches/ puts the folder; here a temp folder stands in for it
        var copy = BuildStage.Copies.Single(c => c.Sources.SequenceEqual(["patches/"]));
        Assert.Equal("/patches/", copy.Destination);
        var step = RunLine("LIVEKIT_PATCHES");
        Assert.Contains("/patches/*.patch", step);
        var patches = Path.Combine(_dir, "patches");
        Directory.CreateDirectory(patches);
        var script = step.Replace("/patches/", patches + "/", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(patches, "README.md"), "not a patch\n");
        File.WriteAllText(Path.Combine(patches, "0002-later.patch"), Patch("600", "120"));
        File.WriteAllText(Path.Combine(patches, "0001-first.patch"), Patch("300", "600"));

        var wrongOrder = Sh(script, src, new Dictionary<string, string> { ["LIVEKIT_PATCHES"] = "0002-later.patch 0001-first.patch" });
        Assert.Equal(1, wrongOrder.ExitCode);
        Assert.Contains("applied patches '0001-first.patch 0002-later.patch' but LIVEKIT_PATCHES says '0002-later.patch 0001-first.patch'", wrongOrder.Stderr);

        MustRun(git, src, "checkout", "-q", "--", ".");
        var applied = Sh(script, src, new Dictionary<string, string> { ["LIVEKIT_PATCHES"] = "0001-first.patch 0002-later.patch" });
        Assert.True(applied.ExitCode == 0, applied.Stderr);
        Assert.Contains("const EmptyTimeout = 120", File.ReadAllText(Path.Combine(src, "pkg", "room.go")));

        // a patch that does not apply stops the build
        MustRun(git, src, "checkout", "-q", "--", ".");
        File.WriteAllText(Path.Combine(patches, "0003-stale.patch"), Patch("999", "1"));
        var stale = Sh(script, src, new Dictionary<string, string> { ["LIVEKIT_PATCHES"] = "0001-first.patch 0002-later.patch 0003-stale.patch" });
        Assert.NotEqual(0, stale.ExitCode);
    }

    /// <summary>A git diff of pkg/room.go that changes the constant from one value to another.</summary>
    private static string Patch(string from, string to) =>
        "diff --git a/pkg/room.go b/pkg/room.go\n" +
        "--- a/pkg/room.go\n" +
        "+++ b/pkg/room.go\n" +
        "@@ -1,3 +1,3 @@\n" +
        " package pkg\n" +
        " \n" +
        $"-const EmptyTimeout = {from}\n" +
        $"+const EmptyTimeout = {to}\n";
}
