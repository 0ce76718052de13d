namespace Infra.Plan.Tests.Image;

/// <summary>
/// .github/workflows/media-relay-image.yml parsed with YamlDotNet: triggers, permissions, pins, and that its steps
/// build, scan, push, sign and promote in that order and only on release tags. Each rule is also shown to fail.
/// </summary>
public class MediaRelayWorkflowTests
{
    private static readonly string Text = File.ReadAllText(MediaRelayImage.WorkflowPath);

    private static IReadOnlyList<string> StackTags => MediaRelayImage.Expectations().Select(e => e.ImageTag).ToList();

    private static string Mutated(string from, string to)
    {
        Assert.Contains(from, Text);
        return Text.Replace(from, to, StringComparison.Ordinal);
    }

    private static void AssertViolation(string text, string expected)
    {
        var errors = WorkflowRules.Check(Workflow.Parse(text), StackTags);
        Assert.True(errors.Any(e => e.Contains(expected, StringComparison.Ordinal)),
            $"expected a violation containing \"{expected}\", got:\n{string.Join('\n', errors)}");
    }

    [Fact]
    public void The_workflow_builds_scans_pushes_signs_and_promotes_as_required()
    {
        var workflow = Workflow.Load(MediaRelayImage.WorkflowPath);
        Assert.Empty(WorkflowRules.Check(workflow, StackTags));

        // The shape, in figures: two jobs; the build job's steps in order; the promotion after it.
        Assert.Equal(["build", "promote"], workflow.Jobs.Select(j => j.Key));
        var build = workflow.Jobs[0];
        var order = build.Steps.Select(s => s.Action ?? (s.Run!.Contains("cosign sign", StringComparison.Ordinal) ? "cosign sign" : s.Id)).ToList();
        Assert.Equal(
            ["actions/checkout", "resolve", "docker/setup-buildx-action", WorkflowRules.BuildPush, WorkflowRules.Trivy, WorkflowRules.BuildPush,
             WorkflowRules.Login, WorkflowRules.BuildPush, WorkflowRules.CosignInstaller, "cosign sign"],
            order);
        Assert.Equal(["build"], workflow.Jobs[1].Needs);
        Assert.Equal("write", build.Permissions["id-token"]);
    }

    [Fact]
    public void The_release_tag_of_every_stack_triggers_it_and_the_version_comes_from_that_tag()
    {
        Assert.All(StackTags, t => Assert.Matches(@"^v\d+\.\d+\.\d+-mr\.\d+$", t));
        var workflow = Workflow.Load(MediaRelayImage.WorkflowPath);
        var patterns = Workflow.Strings(Workflow.Map(workflow.On, "push"), "tags");
        Assert.Contains(patterns, p => Workflow.FilterMatches(p, "media-relay/v1.13.5-mr.1"));
        Assert.DoesNotContain(patterns, p => Workflow.FilterMatches(p, "v1.13.5") || Workflow.FilterMatches(p, "media-relay/x/v1"));

        // The resolve step accepts exactly the tags promote.sh accepts (same pattern), and passes the version on.
        var resolve = workflow.Jobs[0].Steps.Single(s => s.Id == "resolve").Run!;
        Assert.Contains(@"^(v[0-9]+\.[0-9]+\.[0-9]+)-mr\.[1-9][0-9]*$", resolve);
        Assert.Contains(@"v[0-9]+\.[0-9]+\.[0-9]+-mr\.[1-9][0-9]*", File.ReadAllText(MediaRelayImage.PromoteScript));
        Assert.Contains("echo \"LIVEKIT_VERSION=$version\"", resolve);
        Assert.Contains("echo \"LIVEKIT_COMMIT=$commit\"", resolve);
    }

    [Theory]
    [InlineData("*", "media-relay/v1", false)]
    [InlineData("media-relay/v*", "media-relay/v1.13.5-mr.1", true)]
    [InlineData("media-relay/v*", "media-relay/v1/x", false)]
    [InlineData("media-relay/**", "media-relay/v1/x", true)]
    [InlineData("images/media-relay/**", "images/media-relay/Dockerfile", true)]
    [InlineData("v1.*", "v1x2", false)]
    public void Filter_patterns_follow_githubs_glob(string pattern, string name, bool matches) =>
        Assert.Equal(matches, Workflow.FilterMatches(pattern, name));

    [Fact]
    public void Wrong_triggers_fail()
    {
        AssertViolation(Mutated("      - \"media-relay/v*\"", "      - \"release/v*\""), "no on.push.tags pattern matches media-relay/v1.13.5-mr.1");
        AssertViolation(Mutated("  push:\n    tags:", "  push:\n    branches: [main]\n    tags:"), "on.push has branches");
        AssertViolation(Mutated("      - \"media-relay/v*\"", "      - \"media-relay/v*\"\n      - \"v*\""), "matches tags outside media-relay/");
        AssertViolation(Mutated("  pull_request:\n    paths:\n      - \"images/media-relay/**\"\n", "  pull_request:\n    paths:\n"),
            "on.pull_request.paths does not cover images/media-relay/Dockerfile");
    }

    [Fact]
    public void Wrong_permissions_fail()
    {
        AssertViolation(Mutated("      id-token: write\n", ""), "job build pushes and signs but lacks permissions id-token: write");
        AssertViolation(Mutated("permissions:\n  contents: read\n", "permissions:\n  contents: write\n"), "top-level permissions must be exactly contents: read");
        AssertViolation(Mutated("    permissions:\n      contents: read\n", "    permissions:\n      contents: write\n"), "job build builds with contents: write");
        AssertViolation(Mutated("      pull-requests: write\n", ""), "job promote needs contents: write and pull-requests: write");
        AssertViolation(Mutated("    timeout-minutes: 10\n", ""), "job promote has no timeout-minutes");
    }

    [Fact]
    public void An_action_by_tag_or_without_its_version_comment_fails()
    {
        AssertViolation(Mutated("sigstore/cosign-installer@6f9f17788090df1f26f669e9d70d6ae9567deba6 # v4.1.2", "sigstore/cosign-installer@v4"),
            "sigstore/cosign-installer@v4 is not pinned to a 40-hex commit");
        AssertViolation(Mutated("@6f9f17788090df1f26f669e9d70d6ae9567deba6 # v4.1.2", "@6f9f17788090df1f26f669e9d70d6ae9567deba6"), "has no # vX.Y.Z comment");
        AssertViolation(Mutated("            echo \"IMAGE_SOURCE=", "            echo \"RUNTIME_IMAGE_DIGEST=sha256:0\"\n            echo \"IMAGE_SOURCE="),
            "overrides a base image build argument");
    }

    [Fact]
    public void Pushing_logging_in_or_signing_on_a_pull_request_fails()
    {
        // the pull-request build made to push
        AssertViolation(Mutated("          platforms: linux/amd64,linux/arm64\n          build-args: ${{ steps.resolve.outputs.build-args }}\n          push: false\n",
                "          platforms: linux/amd64,linux/arm64\n          build-args: ${{ steps.resolve.outputs.build-args }}\n          push: true\n"),
            "job build, 'Build linux/amd64 and linux/arm64 (pull request, nothing pushed)' pushes, logs in or signs without if:");
        AssertViolation(Mutated("      - name: Log in to the registry\n        if: startsWith(github.ref, 'refs/tags/media-relay/')\n", "      - name: Log in to the registry\n"),
            "'Log in to the registry' pushes, logs in or signs without if:");
        AssertViolation(Mutated("      - name: Sign the pushed digest (keyless)\n        if: startsWith(github.ref, 'refs/tags/media-relay/')\n", "      - name: Sign the pushed digest (keyless)\n"),
            "'Sign the pushed digest (keyless)' pushes, logs in or signs without if:");
    }

    [Fact]
    public void Missing_architectures_or_attestations_fail()
    {
        const string pushStep = "          push: true\n          sbom: true\n          provenance: mode=max\n";
        AssertViolation(Mutated(pushStep, "          push: true\n          provenance: mode=max\n"), "pushes without sbom: true");
        AssertViolation(Mutated(pushStep, "          push: true\n          sbom: true\n          provenance: false\n"), "pushes without provenance (true or mode=max), has false");
        AssertViolation(Mutated("          platforms: linux/amd64,linux/arm64\n          build-args: ${{ steps.resolve.outputs.build-args }}\n          push: true\n",
                "          platforms: linux/amd64\n          build-args: ${{ steps.resolve.outputs.build-args }}\n          push: true\n"),
            "pushes linux/amd64: both linux/amd64 and linux/arm64 are required");
        AssertViolation(Mutated("          platforms: linux/amd64,linux/arm64\n          build-args: ${{ steps.resolve.outputs.build-args }}\n          push: false\n",
                "          platforms: linux/amd64\n          build-args: ${{ steps.resolve.outputs.build-args }}\n          push: false\n"),
            "no build-push step builds linux/amd64 and linux/arm64 on pull requests with push: false");
        AssertViolation(Mutated("tags: ${{ vars.MEDIA_RELAY_IMAGE }}:", "tags: ghcr.io/someone/media-relay:"), "not to the repository variable ${{ vars.MEDIA_RELAY_IMAGE }}");
    }

    [Fact]
    public void A_scan_that_would_not_stop_a_fixable_critical_finding_fails()
    {
        AssertViolation(Mutated("severity: CRITICAL", "severity: HIGH"), "the scan's severity is HIGH: it must include CRITICAL");
        AssertViolation(Mutated("exit-code: \"1\"", "exit-code: \"0\""), "the scan's exit-code is 0");
        AssertViolation(Mutated("ignore-unfixed: true", "ignore-unfixed: false"), "ignore-unfixed: true");
        AssertViolation(Mutated("image-ref: media-relay:scan", "image-ref: media-relay:other"), "the scan reads media-relay:other, which no earlier build-push step loads");
        AssertViolation(Mutated("      - name: Scan (fails on a critical vulnerability that has a fix)\n", "      - name: Scan (fails on a critical vulnerability that has a fix)\n        if: github.event_name == 'pull_request'\n"),
            "the scan runs only if github.event_name == 'pull_request'");
    }

    [Fact]
    public void Signing_or_promoting_something_else_than_the_pushed_digest_fails()
    {
        AssertViolation(Mutated("DIGEST: ${{ steps.push.outputs.digest }}", "DIGEST: ${{ steps.resolve.outputs.tag }}"), "cosign sign does not sign the pushed digest (steps.push.outputs.digest)");
        AssertViolation(Mutated("cosign sign --yes \"$IMAGE@$DIGEST\"", "cosign sign --yes --key cosign.key \"$IMAGE@$DIGEST\""), "cosign sign uses a key");
        AssertViolation(Mutated("DIGEST: ${{ needs.build.outputs.digest }}", "DIGEST: sha256:0"), "promote.sh is not given the pushed digest (needs.build.outputs.digest)");
        AssertViolation(Mutated("    needs: build\n", ""), "job promote does not need build");
        AssertViolation(Mutated("        uses: peter-evans/create-pull-request@", "        uses: peter-evans/create-issue-from-file@"), "opens no pull request");
        AssertViolation(Mutated("            Pulumi.*.yaml\n", ""), "does not add the stack files");
    }
}
