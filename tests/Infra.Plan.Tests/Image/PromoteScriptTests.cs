using Infra.Plan.Spec;
using Infra.Plan.Tests.Chart;
using Infra.Plan.Tests.Support;

namespace Infra.Plan.Tests.Image;

/// <summary>
/// images/media-relay/promote.sh, as the release workflow runs it, on copies of the repository's stack files and
/// Dockerfile: it must leave them agreeing with each other (the rules above) and change nothing else.
/// </summary>
public sealed class PromoteScriptTests : IDisposable
{
    private const string Repository = "ghcr.io/example/media-relay";
    private const string Tag = "v1.13.6-mr.2";
    private static readonly string Digest = "sha256:" + new string('c', 64);
    private static readonly string Commit = new('d', 40);

    private readonly string _root = Directory.CreateTempSubdirectory("media-relay-promote-").FullName;

    public PromoteScriptTests()
    {
        foreach (var stack in MediaRelayImage.StackNames(Stacks.RepoRoot))
        {
            File.Copy(StackFile.StackFilePath(Stacks.RepoRoot, stack), StackFile.StackFilePath(_root, stack));
        }
        Directory.CreateDirectory(Path.Combine(_root, "images", "media-relay"));
        File.Copy(MediaRelayImage.DockerfilePath, DockerfileCopy);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string DockerfileCopy => Path.Combine(_root, "images", "media-relay", "Dockerfile");

    private ToolResult Promote(params string[] args)
    {
        Skip.If(!File.Exists("/bin/sh"), "SKIPPED promote.sh tests: no /bin/sh");
        return ToolRun.Run("/bin/sh", [MediaRelayImage.PromoteScript, "--root", _root, .. args], timeout: TimeSpan.FromSeconds(30));
    }

    private Dictionary<string, string> Snapshot() => Directory.GetFiles(_root, "*", SearchOption.AllDirectories)
        .ToDictionary(f => Path.GetRelativePath(_root, f), File.ReadAllText);

    [SkippableFact]
    public void Sets_tag_digest_and_version_in_every_stack_and_the_dockerfile_and_nothing_else()
    {
        var before = Snapshot();

        var result = Promote(Repository, Tag, Digest, Commit);

        Assert.True(result.ExitCode == 0, result.Stderr);
        foreach (var stack in MediaRelayImage.StackNames(_root))
        {
            // every stack now runs exactly the promoted image and says which LiveKit it carries
            var config = StackFile.ReadConfig(StackFile.StackFilePath(_root, stack));
            var spec = SpecParser.Parse(stack, config).OrThrow();
            Assert.Equal(new ImageRef(Repository, Tag, Digest), spec.Images.MediaRelay);
            Assert.Equal(new Version(1, 13, 6), spec.Images.LivekitVersion);

            // every other line (comments included) is as it was; only the four keys changed, the digest perhaps added
            var file = $"Pulumi.{stack}.yaml";
            var changed = new[] { "mediaRelayImageRepository", "mediaRelayImageTag", "mediaRelayImageDigest", "mediaRelayLivekitVersion" };
            static bool Kept(string line, string[] keys) => !keys.Any(k => line.TrimStart().StartsWith($"matrix-rtc:{k}:", StringComparison.Ordinal));
            Assert.Equal(before[file].Split('\n').Where(l => Kept(l, changed)), File.ReadAllText(StackFile.StackFilePath(_root, stack)).Split('\n').Where(l => Kept(l, changed)));
            var oldConfig = StackFile.ReadConfig(StackFile.StackFilePath(Stacks.RepoRoot, stack)).Where(kv => !changed.Any(k => kv.Key == $"matrix-rtc:{k}"));
            Assert.Equal(oldConfig.Select(kv => kv.Key), config.Where(kv => !changed.Any(k => kv.Key == $"matrix-rtc:{k}")).Select(kv => kv.Key));
        }

        // the Dockerfile now builds that release, and every consistency rule holds for the result
        var dockerfile = Dockerfile.Load(DockerfileCopy);
        Assert.Equal("v1.13.6", dockerfile.Global(DockerfileRules.VersionArg));
        Assert.Equal(Commit, dockerfile.Global(DockerfileRules.CommitArg));
        var stacks = MediaRelayImage.StackNames(_root)
            .Select(s => MediaRelayImage.Expectation(s, StackFile.ReadConfig(StackFile.StackFilePath(_root, s))))
            .ToList();
        Assert.Empty(DockerfileRules.Check(dockerfile, stacks, MediaRelayImage.Patches(MediaRelayImage.PatchesFolder)));
        var dockerfileLines = File.ReadAllText(DockerfileCopy).Split('\n');
        var oldLines = before[Path.Combine("images", "media-relay", "Dockerfile")].Split('\n');
        Assert.Equal(oldLines.Length, dockerfileLines.Length);
        Assert.Equal(2, oldLines.Zip(dockerfileLines).Count(p => p.First != p.Second));

        // and a second run with the same arguments changes no byte
        var once = Snapshot();
        Assert.Equal(0, Promote(Repository, Tag, Digest, Commit).ExitCode);
        Assert.Equal(once, Snapshot());
    }

    [SkippableTheory]
    [InlineData("ghcr.io/Example/media-relay", Tag, "repository 'ghcr.io/Example/media-relay' is not an image repository")]
    [InlineData("ghcr.io/example/media-relay:v1", Tag, "is not an image repository")]
    [InlineData(Repository, "latest", "tag 'latest' is not v<LiveKit version>-mr.<n>")]
    [InlineData(Repository, "v1.13.6", "tag 'v1.13.6' is not v<LiveKit version>-mr.<n>")]
    [InlineData(Repository, "v1.13.6-mr.0", "is not v<LiveKit version>-mr.<n>")]
    public void Refuses_a_bad_repository_or_tag_and_changes_nothing(string repository, string tag, string message)
    {
        var before = Snapshot();
        var result = Promote(repository, tag, Digest, Commit);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
        Assert.Equal(before, Snapshot());
    }

    [SkippableFact]
    public void Refuses_a_bad_digest_or_commit_or_a_missing_argument()
    {
        var before = Snapshot();
        var digest = Promote(Repository, Tag, "sha256:" + new string('C', 64), Commit);
        Assert.Equal(2, digest.ExitCode);
        Assert.Contains("is not sha256:<64 lower-case hex digits>", digest.Stderr);
        var commit = Promote(Repository, Tag, Digest, "v1.13.6");
        Assert.Equal(2, commit.ExitCode);
        Assert.Contains("LiveKit commit 'v1.13.6' is not 40 lower-case hex digits", commit.Stderr);
        var usage = Promote(Repository, Tag, Digest);
        Assert.Equal(2, usage.ExitCode);
        Assert.StartsWith("usage: promote.sh [--root DIR] REPOSITORY TAG DIGEST LIVEKIT_COMMIT", usage.Stderr);
        Assert.Equal(before, Snapshot());
    }
}
