using Infra.Plan.Components.Livekit;

namespace Infra.Plan.Tests.Image;

/// <summary>
/// images/media-relay/Dockerfile against the stacks and the plan: the LiveKit version, the user, the pins, the
/// entrypoint, the labels. Each rule is also shown to fail on a Dockerfile that breaks it.
/// </summary>
public class MediaRelayDockerfileTests
{
    private static readonly string Text = File.ReadAllText(MediaRelayImage.DockerfilePath);

    private static IReadOnlyList<string> CheckReal(string text) =>
        DockerfileRules.Check(Dockerfile.Parse(text), MediaRelayImage.Expectations(), MediaRelayImage.Patches(MediaRelayImage.PatchesFolder));

    /// <summary>The repository's Dockerfile with one exact change (which must exist, so a stale test fails loudly).</summary>
    private static string Mutated(string from, string to)
    {
        Assert.Contains(from, Text);
        return Text.Replace(from, to, StringComparison.Ordinal);
    }

    private static void AssertViolation(string text, string expected)
    {
        var errors = CheckReal(text);
        Assert.True(errors.Any(e => e.Contains(expected, StringComparison.Ordinal)),
            $"expected a violation containing \"{expected}\", got:\n{string.Join('\n', errors)}");
    }

    [Fact]
    public void The_dockerfile_agrees_with_every_stack_and_the_plan()
    {
        var stacks = MediaRelayImage.Expectations();
        Assert.Contains("Pulumi.dev.yaml", stacks.Select(s => s.File));
        Assert.Contains("Pulumi.prod.yaml", stacks.Select(s => s.File));
        Assert.Empty(CheckReal(Text));

        // What the rules compared, in figures: one LiveKit version, the pod's uid/gid from the plan's code.
        var d = MediaRelayImage.LoadDockerfile();
        Assert.All(stacks, s => Assert.Equal($"v{s.LivekitVersion}", d.Global(DockerfileRules.VersionArg)));
        Assert.All(stacks, s => Assert.Equal((LivekitPlan.RunAsUser, LivekitPlan.RunAsUser), (s.RunAsUser, s.RunAsGroup)));
        Assert.Equal($"{LivekitPlan.RunAsUser}:{LivekitPlan.RunAsUser}", d.Final.User);
        Assert.Equal(["/livekit-server"], Assert.IsType<CommandForm.Exec>(d.Final.Entrypoint).Argv);
        Assert.Equal(2, d.Stages.Count);
        Assert.All(d.Stages, s => Assert.Matches("@sha256:[0-9a-f]{64}$", s.Base));
    }

    [Fact]
    public void A_release_build_labels_the_image_with_what_the_workflow_passes()
    {
        // GIVEN the build arguments the workflow's release run passes
        var d = MediaRelayImage.LoadDockerfile(new Dictionary<string, string>
        {
            ["LIVEKIT_VERSION"] = "v1.13.6",
            ["LIVEKIT_COMMIT"] = new string('a', 40),
            ["IMAGE_VERSION"] = "v1.13.6-mr.1",
            ["IMAGE_REVISION"] = new string('b', 40),
            ["IMAGE_SOURCE"] = "https://github.com/example/matrix-rtc",
        });

        // THEN the labels say them, and the base labels still name the pinned bases
        var labels = d.Final.Labels;
        Assert.Equal("v1.13.6", labels["matrix-rtc.livekit.version"]);
        Assert.Equal(new string('a', 40), labels["matrix-rtc.livekit.commit"]);
        Assert.Equal("v1.13.6-mr.1", labels["org.opencontainers.image.version"]);
        Assert.Equal(new string('b', 40), labels["org.opencontainers.image.revision"]);
        Assert.Equal("https://github.com/example/matrix-rtc", labels["org.opencontainers.image.source"]);
        Assert.Equal(d.Final.Base, $"{labels["org.opencontainers.image.base.name"]}@{labels["org.opencontainers.image.base.digest"]}");
        Assert.Equal(d.Stages[0].Base, labels["matrix-rtc.build.image"]);
        Assert.Equal("LiveKit server v1.13.6 for the matrix-rtc SFU", labels["org.opencontainers.image.description"]);
        Assert.Empty(DockerfileRules.Labels(d));
    }

    [Fact]
    public void A_base_image_by_tag_only_fails()
    {
        AssertViolation(Mutated("FROM ${RUNTIME_IMAGE_NAME}@${RUNTIME_IMAGE_DIGEST}", "FROM ${RUNTIME_IMAGE_NAME}"),
            "stage 1 (FROM gcr.io/distroless/static-debian13:nonroot, line");
        AssertViolation(Mutated("ARG BUILD_IMAGE_DIGEST=sha256:af8d", "ARG BUILD_IMAGE_DIGEST=sha256:AF8D"), "stage 0 (FROM golang:1.26.6-alpine3.24@sha256:AF8D");
        AssertViolation("# syntax=docker/dockerfile:1\n" + Text, "# syntax=docker/dockerfile:1 is not pinned by digest");
    }

    [Fact]
    public void A_livekit_version_other_than_the_stacks_fails_naming_each_stack_file()
    {
        var errors = CheckReal(Mutated("ARG LIVEKIT_VERSION=v1.13.5", "ARG LIVEKIT_VERSION=v1.13.6"));
        Assert.Contains(errors, e => e.StartsWith("ARG LIVEKIT_VERSION=v1.13.6 but Pulumi.dev.yaml has matrix-rtc:mediaRelayLivekitVersion v1.13.5", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ARG LIVEKIT_VERSION=v1.13.6 but Pulumi.prod.yaml has matrix-rtc:mediaRelayLivekitVersion v1.13.5", StringComparison.Ordinal));
        AssertViolation(Mutated("ARG LIVEKIT_VERSION=v1.13.5", "ARG LIVEKIT_VERSION=1.13.5"), "ARG LIVEKIT_VERSION=1.13.5 is not a LiveKit release tag");
        AssertViolation(Mutated("ARG LIVEKIT_COMMIT=3b9f", "ARG LIVEKIT_COMMIT=v1.13.5-3b9f"), "is not the 40-hex commit of tag v1.13.5");
    }

    [Fact]
    public void A_stack_whose_version_or_tag_disagrees_fails()
    {
        var d = MediaRelayImage.LoadDockerfile();
        var good = MediaRelayImage.Expectation("prod");

        var newer = DockerfileRules.Version(d, [good with { LivekitVersion = new Version(1, 13, 6) }]).ToList();
        Assert.Contains("ARG LIVEKIT_VERSION=v1.13.5 but Pulumi.prod.yaml has matrix-rtc:mediaRelayLivekitVersion v1.13.6", newer[0]);

        var tag = DockerfileRules.Version(d, [good with { ImageTag = "v1.13.4-mr.3" }]).ToList();
        Assert.Equal(["Pulumi.prod.yaml has matrix-rtc:mediaRelayImageTag v1.13.4-mr.3, which does not name its LiveKit version: expected v1.13.5-mr.<n>"], tag);
        Assert.Single(DockerfileRules.Version(d, [good with { ImageTag = "v1.13.5-1" }]));
    }

    [Fact]
    public void A_user_other_than_the_pods_fails()
    {
        AssertViolation(Mutated("USER 65532:65532", "USER nonroot"), "USER is nonroot: write the numeric uid:gid");
        AssertViolation(Mutated("USER 65532:65532", "USER 65532"), "USER is 65532: write the numeric uid:gid");
        AssertViolation(Mutated("USER 65532:65532", "USER 65532:0"), "USER 65532:0 but the SFU pod of Pulumi.dev.yaml runs as 65532:65532");
        AssertViolation(Mutated("USER 65532:65532", "USER 0:0"), "USER 0:0 is root");
        AssertViolation(Mutated("USER 65532:65532\n", ""), "USER is not set");

        // and the other way round: a pod that runs as someone else
        var d = MediaRelayImage.LoadDockerfile();
        var other = MediaRelayImage.Expectation("dev") with { RunAsUser = 1000, RunAsGroup = 1000 };
        Assert.Equal(["USER 65532:65532 but the SFU pod of Pulumi.dev.yaml runs as 1000:1000 (LivekitPlan.RunAsUser)"], DockerfileRules.User(d, [other]));
    }

    [Fact]
    public void An_entrypoint_the_charts_args_would_not_reach_fails()
    {
        const string exec = "ENTRYPOINT [\"/livekit-server\"]";
        AssertViolation(Mutated(exec, "ENTRYPOINT /livekit-server"), "ENTRYPOINT /livekit-server is the shell form");
        AssertViolation(Mutated(exec, "ENTRYPOINT [\"livekit-server\"]"), "must start with the server's absolute path");
        AssertViolation(Mutated(exec, "ENTRYPOINT [\"/usr/bin/livekit-server\"]"), "ENTRYPOINT runs /usr/bin/livekit-server, which no COPY --from=<build stage> puts there");
        AssertViolation(Mutated(exec, exec + "\nCMD [\"--config\", \"/etc/livekit.yaml\"]"), "the runtime stage sets CMD");
        AssertViolation(Mutated(exec, ""), "the runtime stage has no ENTRYPOINT");
    }

    [Fact]
    public void Anything_but_the_binary_in_the_runtime_stage_fails()
    {
        const string user = "USER 65532:65532";
        AssertViolation(Mutated(user, "RUN [\"/livekit-server\", \"--version\"]\n" + user), "RUN in the runtime stage");
        AssertViolation(Mutated(user, "ENV LIVEKIT_CONFIG=x\n" + user), "ENV in the runtime stage");
        AssertViolation(Mutated(user, "COPY --from=build /bin/busybox /bin/sh\n" + user), "must COPY exactly one file, the server, from a build stage (it has 2 COPY)");
        AssertViolation(Mutated("ARG RUNTIME_IMAGE_NAME=gcr.io/distroless/static-debian13:nonroot", "ARG RUNTIME_IMAGE_NAME=alpine:3.24"),
            "the runtime base alpine:3.24@sha256:f7f8");
    }

    [Fact]
    public void Labels_that_are_missing_or_say_something_else_fail()
    {
        AssertViolation(Mutated("      org.opencontainers.image.revision=\"${IMAGE_REVISION}\" \\\n", ""), "label org.opencontainers.image.revision is missing");
        AssertViolation(Mutated("org.opencontainers.image.base.digest=\"${RUNTIME_IMAGE_DIGEST}\"", "org.opencontainers.image.base.digest=\"${BUILD_IMAGE_DIGEST}\""),
            "labels org.opencontainers.image.base.name/base.digest say gcr.io/distroless/static-debian13:nonroot@sha256:af8d");
        AssertViolation(Mutated("matrix-rtc.livekit.version=\"${LIVEKIT_VERSION}\"", "matrix-rtc.livekit.version=\"v1.13.4\""),
            "label matrix-rtc.livekit.version=v1.13.4 but ARG LIVEKIT_VERSION=v1.13.5");
        AssertViolation(Mutated("matrix-rtc.build.image=\"${BUILD_IMAGE_NAME}@${BUILD_IMAGE_DIGEST}\"", "matrix-rtc.build.image=\"${BUILD_IMAGE_NAME}\""),
            "label matrix-rtc.build.image says golang:1.26.6-alpine3.24, the build stage is FROM golang:1.26.6-alpine3.24@sha256:af8d");
    }

    [Fact]
    public void The_patch_list_must_be_the_patches_folder()
    {
        var d = MediaRelayImage.LoadDockerfile();
        Assert.Equal("", d.Global(DockerfileRules.PatchesArg));
        Assert.Empty(MediaRelayImage.Patches(MediaRelayImage.PatchesFolder));

        // a patch dropped into patches/ but not listed, or listed in another order
        Assert.Equal(["ARG LIVEKIT_PATCHES=\"\" but patches/ holds \"0001-fix.patch\" (in name order)"], DockerfileRules.Patches(d, ["0001-fix.patch"]));
        var listed = Dockerfile.Parse(Mutated("ARG LIVEKIT_PATCHES=\"\"", "ARG LIVEKIT_PATCHES=\"0002-b.patch 0001-a.patch\""));
        Assert.Single(DockerfileRules.Patches(listed, ["0001-a.patch", "0002-b.patch"]));
        var ordered = Dockerfile.Parse(Mutated("ARG LIVEKIT_PATCHES=\"\"", "ARG LIVEKIT_PATCHES=\"0001-a.patch 0002-b.patch\""));
        Assert.Empty(DockerfileRules.Patches(ordered, ["0001-a.patch", "0002-b.patch"]));
        Assert.Equal("0001-a.patch 0002-b.patch", ordered.Final.Labels["matrix-rtc.livekit.patches"]);
    }

    [Fact]
    public void The_patches_folder_is_read_in_the_order_the_build_applies_it()
    {
        var dir = Directory.CreateTempSubdirectory("media-relay-patches-").FullName;
        try
        {
            foreach (var name in new[] { "0010-z.patch", "0002-B.patch", "0002-a.patch", "README.md" })
            {
                File.WriteAllText(Path.Combine(dir, name), "");
            }
            // byte order, as busybox sh's glob in the build stage (C locale): upper case before lower case
            Assert.Equal(["0002-B.patch", "0002-a.patch", "0010-z.patch"], MediaRelayImage.Patches(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_build_unlike_upstreams_fails()
    {
        AssertViolation(Mutated("ENV CGO_ENABLED=0 ", "ENV CGO_ENABLED=1 "), "go build runs with CGO_ENABLED=1");
        AssertViolation(Mutated("GOOS=linux GOARCH=", "CGO_ENABLED=1 GOOS=linux GOARCH="), "go build runs with CGO_ENABLED=1");
        AssertViolation(Mutated("-o /out/livekit-server ./cmd/server", "-o /out/lk ./cmd/server"), "go build writes /out/lk, the runtime stage copies /out/livekit-server");
        AssertViolation(Mutated("-o /out/livekit-server ./cmd/server", "-o /out/livekit-server ./cmd/cli"), "go build does not build ./cmd/server");
    }
}
