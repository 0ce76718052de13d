using System.Text.RegularExpressions;

namespace Infra.Plan.Tests.Image;

/// <summary>
/// What the media-relay workflow must do, as checks returning one message per violation: build on pull requests
/// without pushing, build, scan, push with attestations and sign on release tags only, and propose the digest to the
/// stacks in a pull request.
/// </summary>
public static partial class WorkflowRules
{
    /// <summary>The condition of every step and job that only a release tag may run (a pull request's ref is refs/pull/...).</summary>
    public const string ReleaseIf = "startsWith(github.ref, 'refs/tags/media-relay/')";

    public const string ReleaseTagPrefix = "media-relay/";

    public const string BuildPush = "docker/build-push-action";
    public const string Login = "docker/login-action";
    public const string Trivy = "aquasecurity/trivy-action";
    public const string CosignInstaller = "sigstore/cosign-installer";
    public const string CreatePullRequest = "peter-evans/create-pull-request";
    public const string PromoteScript = "images/media-relay/promote.sh";
    public const string Context = "images/media-relay";
    public const string ImageVariable = "vars.MEDIA_RELAY_IMAGE";

    public static readonly string[] Platforms = ["linux/amd64", "linux/arm64"];

    /// <param name="stackTags">The stacks' mediaRelayImageTag values: each must be a tag the workflow releases.</param>
    public static IReadOnlyList<string> Check(Workflow workflow, IReadOnlyList<string> stackTags)
    {
        var errors = new List<string>();
        errors.AddRange(Triggers(workflow, stackTags));
        errors.AddRange(Permissions(workflow));
        errors.AddRange(Pins(workflow));
        errors.AddRange(NoPushWithoutRelease(workflow));
        errors.AddRange(Builds(workflow));
        errors.AddRange(Scan(workflow));
        errors.AddRange(Signing(workflow));
        errors.AddRange(Promotion(workflow));
        return errors;
    }

    public static IEnumerable<string> Triggers(Workflow workflow, IReadOnlyList<string> stackTags)
    {
        if (!workflow.On.Children.ContainsKey("pull_request"))
        {
            yield return "on: has no pull_request trigger: pull requests must build the image";
        }
        else if (!Workflow.Strings(Workflow.Map(workflow.On, "pull_request"), "paths").Any(p => Workflow.FilterMatches(p, $"{Context}/Dockerfile")))
        {
            yield return $"on.pull_request.paths does not cover {Context}/Dockerfile";
        }
        var push = Workflow.Map(workflow.On, "push");
        var tags = Workflow.Strings(push, "tags");
        if (push is null || tags.Count == 0)
        {
            yield return "on.push has no tags: release tags must build and push the image";
            yield break;
        }
        if (push.Children.ContainsKey("branches") || push.Children.ContainsKey("branches-ignore"))
        {
            yield return "on.push has branches: only release tags may push an image";
        }
        foreach (var tag in stackTags.Where(t => !tags.Any(p => Workflow.FilterMatches(p, ReleaseTagPrefix + t))))
        {
            yield return $"no on.push.tags pattern matches {ReleaseTagPrefix}{tag}, the release tag of the stacks' image";
        }
        if (tags.Any(p => Workflow.FilterMatches(p, "v1.13.5") || Workflow.FilterMatches(p, "main")))
        {
            yield return "on.push.tags matches tags outside media-relay/: other releases would push images";
        }
    }

    /// <summary>Read-only by default; only the build job may mint OIDC tokens, only the promotion job may write.</summary>
    public static IEnumerable<string> Permissions(Workflow workflow)
    {
        var top = workflow.Permissions;
        if (top.Count != 1 || top.GetValueOrDefault("contents") != "read")
        {
            yield return $"top-level permissions must be exactly contents: read, not {Describe(top)}";
        }
        foreach (var job in workflow.Jobs)
        {
            if (!job.Node.Children.ContainsKey("timeout-minutes"))
            {
                yield return $"job {job.Key} has no timeout-minutes";
            }
            var pushes = job.Steps.Any(s => s.Action == BuildPush && s.With("push") == "true");
            if (pushes && job.Permissions.GetValueOrDefault("id-token") != "write")
            {
                yield return $"job {job.Key} pushes and signs but lacks permissions id-token: write (keyless cosign needs the OIDC token)";
            }
            if (pushes && job.Permissions.GetValueOrDefault("contents") == "write")
            {
                yield return $"job {job.Key} builds with contents: write: only the promotion job writes to the repository";
            }
            if (!pushes && job.Permissions.ContainsKey("id-token"))
            {
                yield return $"job {job.Key} does not sign but asks for id-token";
            }
        }
    }

    /// <summary>Every action is pinned to a full commit SHA with its version in a comment, as Renovate and Dependabot write it.</summary>
    public static IEnumerable<string> Pins(Workflow workflow)
    {
        foreach (var step in workflow.Jobs.SelectMany(j => j.Steps).Where(s => s.Uses is { } u && !u.StartsWith("./", StringComparison.Ordinal)))
        {
            if (!PinnedUses().IsMatch(step.Uses!))
            {
                yield return $"{step.Uses} is not pinned to a 40-hex commit";
            }
        }
        foreach (var line in workflow.Text.Split('\n').Where(l => UsesLine().IsMatch(l) && !l.Contains("uses: ./", StringComparison.Ordinal)))
        {
            if (!VersionComment().IsMatch(line))
            {
                yield return $"'{line.Trim()}' has no # vX.Y.Z comment saying which release the SHA is";
            }
        }
        if (workflow.Text.Contains("BUILD_IMAGE_", StringComparison.Ordinal) || workflow.Text.Contains("RUNTIME_IMAGE_", StringComparison.Ordinal))
        {
            yield return "the workflow overrides a base image build argument: the Dockerfile's pinned digests are the only bases";
        }
    }

    /// <summary>Pull requests never push: every pushing, logging-in or signing step runs on release tags only.</summary>
    public static IEnumerable<string> NoPushWithoutRelease(Workflow workflow)
    {
        foreach (var job in workflow.Jobs)
        {
            var jobReleaseOnly = job.If == ReleaseIf;
            foreach (var step in job.Steps)
            {
                var risky = (step.Action == BuildPush && step.With("push") != "false")
                    || step.Action == Login
                    || (step.Run?.Contains("cosign sign", StringComparison.Ordinal) ?? false);
                if (risky && !jobReleaseOnly && step.If != ReleaseIf)
                {
                    yield return $"job {job.Key}, '{step.Describe}' pushes, logs in or signs without if: {ReleaseIf}";
                }
            }
        }
    }

    /// <summary>Both architectures on pull requests (no push) and on release (push, SBOM and provenance attestations).</summary>
    public static IEnumerable<string> Builds(Workflow workflow)
    {
        var builds = workflow.Jobs.SelectMany(j => j.Steps).Where(s => s.Action == BuildPush).ToList();
        foreach (var b in builds.Where(b => b.With("context") != Context))
        {
            yield return $"'{b.Describe}' builds context {b.With("context")}, not {Context}";
        }
        if (!builds.Any(b => b.With("push") == "false" && HasPlatforms(b) && b.If is null or "github.event_name == 'pull_request'"))
        {
            yield return $"no build-push step builds {string.Join(" and ", Platforms)} on pull requests with push: false";
        }
        var pushes = builds.Where(b => b.With("push") == "true").ToList();
        if (pushes.Count == 0)
        {
            yield return "no build-push step pushes (push: true) on release";
        }
        foreach (var p in pushes)
        {
            if (!HasPlatforms(p))
            {
                yield return $"'{p.Describe}' pushes {p.With("platforms")}: both {string.Join(" and ", Platforms)} are required";
            }
            if (p.With("sbom") != "true")
            {
                yield return $"'{p.Describe}' pushes without sbom: true";
            }
            if (p.With("provenance") is not ("true" or "mode=max"))
            {
                yield return $"'{p.Describe}' pushes without provenance (true or mode=max), has {p.With("provenance") ?? "none"}";
            }
            if (!(p.With("tags") ?? "").Trim().StartsWith($"${{{{ {ImageVariable} }}}}:", StringComparison.Ordinal))
            {
                yield return $"'{p.Describe}' pushes to {p.With("tags")}, not to the repository variable ${{{{ {ImageVariable} }}}}";
            }
            if (p.Id is null)
            {
                yield return $"'{p.Describe}' has no id: signing and promotion need its digest output";
            }
        }
    }

    /// <summary>A scan of a loaded build, before anything is pushed, failing on critical findings that have a fix.</summary>
    public static IEnumerable<string> Scan(Workflow workflow)
    {
        foreach (var job in workflow.Jobs.Where(j => j.Steps.Any(s => s.Action == BuildPush && s.With("push") == "true")))
        {
            var steps = job.Steps;
            var scan = steps.FirstOrDefault(s => s.Action == Trivy);
            if (scan is null)
            {
                yield return $"job {job.Key} pushes without a vulnerability scan ({Trivy})";
                continue;
            }
            if (scan.If is not null)
            {
                yield return $"the scan runs only if {scan.If}: it must run on pull requests and releases";
            }
            var severities = (scan.With("severity") ?? "").Split(',', StringSplitOptions.TrimEntries);
            if (!severities.Contains("CRITICAL"))
            {
                yield return $"the scan's severity is {scan.With("severity")}: it must include CRITICAL";
            }
            if (scan.With("ignore-unfixed") != "true")
            {
                yield return "the scan must set ignore-unfixed: true (fail on fixable findings, not on ones nobody can fix yet)";
            }
            if (scan.With("exit-code") != "1")
            {
                yield return $"the scan's exit-code is {scan.With("exit-code") ?? "unset"}: findings must fail the job (1)";
            }
            var loaded = steps.Take(scan.Index).Where(s => s.Action == BuildPush && s.With("load") == "true").Select(s => s.With("tags")).ToList();
            if (!loaded.Contains(scan.With("image-ref")))
            {
                yield return $"the scan reads {scan.With("image-ref")}, which no earlier build-push step loads (load: true)";
            }
            var push = steps.First(s => s.Action == BuildPush && s.With("push") == "true");
            if (push.Index < scan.Index)
            {
                yield return "the image is pushed before it is scanned";
            }
        }
    }

    /// <summary>cosign installed, then the pushed digest signed (keyless: no key input anywhere).</summary>
    public static IEnumerable<string> Signing(Workflow workflow)
    {
        foreach (var job in workflow.Jobs.Where(j => j.Steps.Any(s => s.Action == BuildPush && s.With("push") == "true")))
        {
            var push = job.Steps.First(s => s.Action == BuildPush && s.With("push") == "true");
            var digest = $"steps.{push.Id}.outputs.digest";
            var sign = job.Steps.FirstOrDefault(s => s.Run?.Contains("cosign sign", StringComparison.Ordinal) ?? false);
            if (sign is null)
            {
                yield return $"job {job.Key} pushes but never runs cosign sign";
                continue;
            }
            if (!job.Steps.Take(sign.Index).Any(s => s.Action == CosignInstaller))
            {
                yield return $"cosign sign runs before any {CosignInstaller} step";
            }
            if (sign.Index < push.Index)
            {
                yield return "cosign sign runs before the image is pushed";
            }
            if (!(sign.Run! + string.Join(' ', sign.Env.Values)).Contains(digest, StringComparison.Ordinal))
            {
                yield return $"cosign sign does not sign the pushed digest ({digest})";
            }
            if (sign.Run!.Contains("--key", StringComparison.Ordinal) || sign.Env.Keys.Any(k => k.StartsWith("COSIGN_PRIVATE", StringComparison.Ordinal)))
            {
                yield return "cosign sign uses a key: signing is keyless (OIDC)";
            }
        }
    }

    /// <summary>After the build, on release only: promote.sh with the pushed digest, then a pull request of the result.</summary>
    public static IEnumerable<string> Promotion(Workflow workflow)
    {
        var build = workflow.Jobs.FirstOrDefault(j => j.Steps.Any(s => s.Action == BuildPush && s.With("push") == "true"));
        if (build is null)
        {
            yield break; // reported by Builds
        }
        var push = build.Steps.First(s => s.Action == BuildPush && s.With("push") == "true");
        var output = build.Outputs.FirstOrDefault(o => o.Value.Contains($"steps.{push.Id}.outputs.digest", StringComparison.Ordinal)).Key;
        if (output is null)
        {
            yield return $"job {build.Key} does not output the pushed digest (steps.{push.Id}.outputs.digest)";
            yield break;
        }
        var promote = workflow.Jobs.FirstOrDefault(j => j.Steps.Any(s => s.Run?.Contains(PromoteScript, StringComparison.Ordinal) ?? false));
        if (promote is null)
        {
            yield return $"no job runs {PromoteScript}: the digest never reaches the stacks";
            yield break;
        }
        if (!promote.Needs.Contains(build.Key))
        {
            yield return $"job {promote.Key} does not need {build.Key}: it could run before the image exists";
        }
        if (promote.If != ReleaseIf)
        {
            yield return $"job {promote.Key} must run only if {ReleaseIf}";
        }
        if (promote.Permissions.GetValueOrDefault("contents") != "write" || promote.Permissions.GetValueOrDefault("pull-requests") != "write")
        {
            yield return $"job {promote.Key} needs contents: write and pull-requests: write, has {Describe(promote.Permissions)}";
        }
        var run = promote.Steps.First(s => s.Run?.Contains(PromoteScript, StringComparison.Ordinal) ?? false);
        if (!(run.Run! + string.Join(' ', run.Env.Values)).Contains($"needs.{build.Key}.outputs.{output}", StringComparison.Ordinal))
        {
            yield return $"{PromoteScript} is not given the pushed digest (needs.{build.Key}.outputs.{output})";
        }
        var pr = promote.Steps.FirstOrDefault(s => s.Action == CreatePullRequest);
        if (pr is null || pr.Index < run.Index)
        {
            yield return $"job {promote.Key} opens no pull request ({CreatePullRequest}) after {PromoteScript}: production must only run a reviewed digest";
        }
        else if (!(pr.With("add-paths") ?? "").Split('\n', StringSplitOptions.TrimEntries).Contains("Pulumi.*.yaml"))
        {
            yield return "the promotion pull request does not add the stack files (add-paths: Pulumi.*.yaml)";
        }
    }

    private static bool HasPlatforms(WorkflowStep step) =>
        Platforms.All(p => (step.With("platforms") ?? "").Split(',', StringSplitOptions.TrimEntries).Contains(p));

    private static string Describe(IReadOnlyDictionary<string, string> permissions) =>
        permissions.Count == 0 ? "none" : string.Join(", ", permissions.Select(kv => $"{kv.Key}: {kv.Value}"));

    [GeneratedRegex(@"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")]
    private static partial Regex PinnedUses();

    [GeneratedRegex(@"^\s*(-\s+)?uses:\s")]
    private static partial Regex UsesLine();

    [GeneratedRegex(@"@[0-9a-f]{40}\s+#\s*v\d+(\.\d+)*\s*$")]
    private static partial Regex VersionComment();
}
