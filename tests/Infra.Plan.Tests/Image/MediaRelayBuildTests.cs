using System.Text.Json;
using System.Text.RegularExpressions;
using Infra.Plan.Tests.Chart;
using Infra.Servers;

namespace Infra.Plan.Tests.Image;

/// <summary>
/// A real build of images/media-relay where docker has a working engine with BuildKit and network access (to the
/// registries and GitHub); otherwise one SKIPPED line says which of these is missing.
/// </summary>
public partial class MediaRelayBuildTests
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(45);

    [SkippableFact]
    public void The_image_builds_for_both_architectures_and_runs_as_the_stacks_expect()
    {
        var docker = Usable();
        var expected = MediaRelayImage.Expectations();
        var tag = $"matrix-rtc-media-relay:test-{Guid.NewGuid():N}";
        var arm = tag + "-arm64";
        try
        {
            // GIVEN the image built for linux/amd64 and (cross-compiled, no emulation) for linux/arm64, one platform per
            // build so that the plain "docker" builder can load them too; attestations are the release workflow's part
            Build(docker, ["--platform", "linux/amd64", "--load", "--provenance=false", "--sbom=false", "--tag", tag, "--build-arg", "IMAGE_VERSION=test"]);
            Build(docker, ["--platform", "linux/arm64", "--load", "--provenance=false", "--sbom=false", "--tag", arm]);
            Assert.Equal("arm64", Docker(docker, ["image", "inspect", "--format", "{{.Architecture}}", arm]).Stdout.Trim());

            // THEN its config is the user, entrypoint and labels the checks above read from the Dockerfile
            var inspect = Docker(docker, ["image", "inspect", "--format", "{{json .Config}}", tag]);
            Assert.True(inspect.ExitCode == 0, inspect.Stderr);
            using var config = JsonDocument.Parse(inspect.Stdout);
            var root = config.RootElement;
            Assert.All(expected, e => Assert.Equal($"{e.RunAsUser}:{e.RunAsGroup}", root.GetProperty("User").GetString()));
            Assert.Equal(["/livekit-server"], root.GetProperty("Entrypoint").EnumerateArray().Select(a => a.GetString()));
            Assert.True(root.GetProperty("Cmd").ValueKind == JsonValueKind.Null, $"image has a CMD: {root.GetProperty("Cmd")}");
            var labels = root.GetProperty("Labels");
            var dockerfile = MediaRelayImage.LoadDockerfile();
            Assert.Equal(dockerfile.Global(DockerfileRules.VersionArg), labels.GetProperty("matrix-rtc.livekit.version").GetString());
            Assert.Equal("test", labels.GetProperty("org.opencontainers.image.version").GetString());
            Assert.Equal(dockerfile.Final.Base, $"{labels.GetProperty("org.opencontainers.image.base.name").GetString()}@{labels.GetProperty("org.opencontainers.image.base.digest").GetString()}");

            // AND the server takes the chart's argument, as the pod runs it: its user, read-only root, no capability, no network
            var run = Docker(docker, ["run", "--rm", "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
                "--network", "none", "--user", $"{expected[0].RunAsUser}:{expected[0].RunAsGroup}", tag, "--disable-strict-config", "--version"]);
            var output = run.Stdout + run.Stderr;
            Assert.True(run.ExitCode == 0, output);
            // livekit-server prints a CLI error and still exits 0 (cmd/server/main.go): read the output, not only the status
            Assert.DoesNotContain("flag provided but not defined", output);
            Assert.Contains($"version {dockerfile.Global(DockerfileRules.VersionArg)![1..]}", output);

            // AND there is no shell, and the CA bundle is there
            Assert.NotEqual(0, Docker(docker, ["run", "--rm", "--network", "none", "--entrypoint", "/bin/sh", tag, "-c", "true"]).ExitCode);
            var created = Docker(docker, ["create", tag]);
            Assert.True(created.ExitCode == 0, created.Stderr);
            var container = created.Stdout.Trim();
            try
            {
                var bundle = Docker(docker, ["cp", $"{container}:/etc/ssl/certs/ca-certificates.crt", "-"]);
                Assert.True(bundle.ExitCode == 0, bundle.Stderr);
                Assert.Contains("BEGIN CERTIFICATE", bundle.Stdout);
            }
            finally
            {
                Docker(docker, ["rm", container]);
            }
        }
        finally
        {
            Docker(docker, ["image", "rm", "--force", tag, arm]);
        }
    }

    /// <summary>The docker client, or the one skip saying what is missing.</summary>
    private static string Usable()
    {
        var docker = Tools.Find("docker");
        Skip.If(docker is null, "SKIPPED media-relay image build: no docker client on PATH");
        var engine = Docker(docker!, ["info", "--format", "{{.ServerVersion}}"]);
        Skip.If(engine.ExitCode != 0,
            $"SKIPPED media-relay image build: docker is only a client here, there is no engine ({FirstLine(engine.Stderr + engine.Stdout)})");
        var buildx = Docker(docker!, ["buildx", "version"]);
        Skip.If(buildx.ExitCode != 0, $"SKIPPED media-relay image build: docker buildx (BuildKit) is missing ({FirstLine(buildx.Stderr)})");
        return docker!;
    }

    private static void Build(string docker, IReadOnlyList<string> options)
    {
        var result = Docker(docker, ["buildx", "build", .. options, MediaRelayImage.Folder], BuildTimeout);
        if (result.ExitCode != 0 && NetworkFailure().Match(result.Stderr) is { Success: true } offline)
        {
            Skip.If(true, $"SKIPPED media-relay image build: no network access to the registries or GitHub ({offline.Value})");
        }
        Assert.True(result.ExitCode == 0, $"docker buildx build failed:\n{Tail(result.Stderr)}");
    }

    private static ToolResult Docker(string docker, IReadOnlyList<string> args, TimeSpan? timeout = null) =>
        ToolRun.Run(docker, args, timeout: timeout ?? TimeSpan.FromMinutes(2));

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";

    private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(40));

    [GeneratedRegex(@"(dial tcp[^\n]*|no such host|i/o timeout|TLS handshake timeout|Could not resolve host[^\n]*|network is unreachable)")]
    private static partial Regex NetworkFailure();
}
