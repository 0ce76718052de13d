using Infra.Plan.Components.Livekit;
using Infra.Plan.Spec;
using Infra.Plan.Tests.Support;

namespace Infra.Plan.Tests.Image;

/// <summary>What one stack expects of the media-relay image: read from its stack file and from the plan it builds.</summary>
/// <param name="File">The stack file's name, for messages (Pulumi.prod.yaml).</param>
/// <param name="RunAsUser">The SFU pod's securityContext.runAsUser, as <see cref="LivekitPlan"/> sets it.</param>
public sealed record StackImageExpectation(string File, Version LivekitVersion, string ImageTag, long RunAsUser, long RunAsGroup);

/// <summary>The repository's media-relay image files and what the rest of the repository expects of them.</summary>
public static class MediaRelayImage
{
    public static string Folder => Path.Combine(Stacks.RepoRoot, "images", "media-relay");

    public static string DockerfilePath => Path.Combine(Folder, "Dockerfile");

    public static string PatchesFolder => Path.Combine(Folder, "patches");

    public static string PromoteScript => Path.Combine(Folder, "promote.sh");

    public static string WorkflowPath => Path.Combine(Stacks.RepoRoot, ".github", "workflows", "media-relay-image.yml");

    public static Dockerfile LoadDockerfile(IReadOnlyDictionary<string, string>? buildArgs = null) => Dockerfile.Load(DockerfilePath, buildArgs);

    /// <summary>The stacks of the repository: every Pulumi.&lt;stack&gt;.yaml beside Pulumi.yaml.</summary>
    public static IReadOnlyList<string> StackNames(string root) => Directory.GetFiles(root, "Pulumi.*.yaml")
        .Select(Path.GetFileName)
        .Select(f => f!["Pulumi.".Length..^".yaml".Length])
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>Each stack's LiveKit version and image tag, and the uid/gid its SFU pod runs as (from the plan's pod security context).</summary>
    public static IReadOnlyList<StackImageExpectation> Expectations() => StackNames(Stacks.RepoRoot).Select(Expectation).ToList();

    public static StackImageExpectation Expectation(string stack) => Expectation(stack, Stacks.File(stack));

    /// <summary>The same from any stack file's config (e.g. one promote.sh has just rewritten).</summary>
    public static StackImageExpectation Expectation(string stack, IReadOnlyList<KeyValuePair<string, ConfigValue>> config)
    {
        var plan = Planner.Build(Planner.Validate(stack, config).OrThrow());
        var pod = plan.Livekit.Values.PodSecurityContext;
        return new StackImageExpectation($"Pulumi.{stack}.yaml", plan.Spec.Images.LivekitVersion, plan.Spec.Images.MediaRelay.Tag,
            pod.RunAsUser ?? throw new InvalidOperationException("the SFU pod sets no runAsUser"),
            pod.RunAsGroup ?? throw new InvalidOperationException("the SFU pod sets no runAsGroup"));
    }

    /// <summary>The patch files the build applies, in the order it applies them (the shell's glob: byte order).</summary>
    public static IReadOnlyList<string> Patches(string folder) => Directory.Exists(folder)
        ? Directory.GetFiles(folder, "*.patch").Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToList()
        : [];
}
