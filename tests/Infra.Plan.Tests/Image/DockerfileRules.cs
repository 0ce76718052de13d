using System.Globalization;
using System.Text.RegularExpressions;

namespace Infra.Plan.Tests.Image;

/// <summary>
/// What the media-relay Dockerfile must hold, as checks that return one message per violation (empty: all hold), so
/// each rule can be shown to fail on a Dockerfile that breaks it.
/// </summary>
public static partial class DockerfileRules
{
    public const string VersionArg = "LIVEKIT_VERSION";
    public const string CommitArg = "LIVEKIT_COMMIT";
    public const string PatchesArg = "LIVEKIT_PATCHES";

    /// <summary>Labels the image must carry (OCI annotation keys, opencontainers/image-spec annotations.md, plus ours).</summary>
    public static readonly string[] RequiredLabels =
    [
        "org.opencontainers.image.source", "org.opencontainers.image.version", "org.opencontainers.image.revision",
        "org.opencontainers.image.base.name", "org.opencontainers.image.base.digest",
        "matrix-rtc.livekit.version", "matrix-rtc.livekit.commit", "matrix-rtc.livekit.patches", "matrix-rtc.build.image",
    ];

    /// <summary>
    /// The only instructions the runtime stage may have: no RUN (there is no shell), no ADD, ENV, CMD, SHELL. WORKDIR is
    /// allowed (the server opens a relative key_file from it: tests/Infra.Plan.Tests/ContainerStart checks where it lands).
    /// </summary>
    public static readonly DockerKeyword[] RuntimeStageKeywords =
        [DockerKeyword.From, DockerKeyword.Arg, DockerKeyword.Label, DockerKeyword.Copy, DockerKeyword.User, DockerKeyword.Workdir, DockerKeyword.Entrypoint];

    /// <summary>
    /// distroless "static" images carry ca-certificates, tzdata, /tmp and a passwd entry, and no shell
    /// (GoogleContainerTools/distroless base/README.md, README.md "Entrypoints").
    /// </summary>
    public const string RuntimeBasePrefix = "gcr.io/distroless/static";

    public static IReadOnlyList<string> Check(Dockerfile dockerfile, IReadOnlyList<StackImageExpectation> stacks, IReadOnlyList<string> patches)
    {
        var errors = new List<string>();
        errors.AddRange(Pinned(dockerfile));
        errors.AddRange(Version(dockerfile, stacks));
        errors.AddRange(User(dockerfile, stacks));
        errors.AddRange(Entrypoint(dockerfile));
        errors.AddRange(RuntimeStage(dockerfile));
        errors.AddRange(Labels(dockerfile));
        errors.AddRange(Patches(dockerfile, patches));
        errors.AddRange(BuiltLikeUpstream(dockerfile));
        return errors;
    }

    /// <summary>Every base image (and a <c># syntax=</c> frontend) by digest: a tag can be re-pushed, a digest cannot.</summary>
    public static IEnumerable<string> Pinned(Dockerfile dockerfile)
    {
        foreach (var stage in dockerfile.Stages.Where(s => !dockerfile.Stages.Take(s.Index).Any(p => p.Name == s.Base)))
        {
            if (!PinnedReference().IsMatch(stage.Base))
            {
                yield return $"stage {stage.Index} (FROM {stage.Base}, line {stage.Instructions[0].Source.Line}) is not pinned by digest: write name:tag@sha256:<64 hex>";
            }
        }
        if (dockerfile.Directives.TryGetValue("syntax", out var syntax) && !PinnedReference().IsMatch(syntax))
        {
            yield return $"# syntax={syntax} is not pinned by digest: the frontend image is part of the build";
        }
    }

    /// <summary>The LiveKit version is the stacks' mediaRelayLivekitVersion; each stack's image tag is &lt;version&gt;-mr.&lt;n&gt;.</summary>
    public static IEnumerable<string> Version(Dockerfile dockerfile, IReadOnlyList<StackImageExpectation> stacks)
    {
        var text = dockerfile.Global(VersionArg);
        var m = text is null ? Match.Empty : ReleaseTag().Match(text);
        if (!m.Success)
        {
            yield return $"ARG {VersionArg}={text} is not a LiveKit release tag such as v1.13.5";
            yield break;
        }
        var version = new Version(Int(m, 1), Int(m, 2), Int(m, 3));
        foreach (var stack in stacks)
        {
            if (stack.LivekitVersion != version)
            {
                yield return $"ARG {VersionArg}={text} but {stack.File} has matrix-rtc:mediaRelayLivekitVersion v{stack.LivekitVersion}: " +
                    "they change together, through a release tag and its promotion pull request (images/media-relay/promote.sh)";
            }
            if (!stack.ImageTag.StartsWith($"v{stack.LivekitVersion}-mr.", StringComparison.Ordinal) || !ImageTag().IsMatch(stack.ImageTag))
            {
                yield return $"{stack.File} has matrix-rtc:mediaRelayImageTag {stack.ImageTag}, which does not name its LiveKit version: " +
                    $"expected v{stack.LivekitVersion}-mr.<n>";
            }
        }
        if (dockerfile.Global(CommitArg) is not { } commit || !CommitPattern().IsMatch(commit))
        {
            yield return $"ARG {CommitArg}={dockerfile.Global(CommitArg)} is not the 40-hex commit of tag {text}";
        }
    }

    /// <summary>The image's USER is the SFU pod's runAsUser:runAsGroup, numeric (the kubelet can only verify runAsNonRoot on a number).</summary>
    public static IEnumerable<string> User(Dockerfile dockerfile, IReadOnlyList<StackImageExpectation> stacks)
    {
        var user = dockerfile.Final.User;
        var m = user is null ? Match.Empty : NumericUser().Match(user);
        if (!m.Success)
        {
            yield return $"the runtime stage's USER is {user ?? "not set"}: write the numeric uid:gid the SFU pod runs as";
            yield break;
        }
        var (uid, gid) = (long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        foreach (var stack in stacks.Where(s => s.RunAsUser != uid || s.RunAsGroup != gid))
        {
            yield return $"USER {user} but the SFU pod of {stack.File} runs as {stack.RunAsUser}:{stack.RunAsGroup} (LivekitPlan.RunAsUser)";
        }
        if (uid == 0 || gid == 0)
        {
            yield return $"USER {user} is root";
        }
    }

    /// <summary>
    /// The chart sets <c>args</c> and no <c>command</c>, so the image's ENTRYPOINT must be the server itself in exec
    /// form (a shell form runs /bin/sh -c, which distroless lacks and which drops the args), and there must be no CMD:
    /// once the post-renderer removes the chart's only arg, an image CMD would become the server's arguments.
    /// </summary>
    public static IEnumerable<string> Entrypoint(Dockerfile dockerfile)
    {
        var final = dockerfile.Final;
        switch (final.Entrypoint)
        {
            case null:
                yield return "the runtime stage has no ENTRYPOINT: the chart passes only args, so the image must start the server";
                break;
            case CommandForm.Shell shell:
                yield return $"ENTRYPOINT {shell.Command} is the shell form: use the exec form [\"/livekit-server\"] so the chart's args reach the server";
                break;
            case CommandForm.Exec exec when exec.Argv.Count == 0 || !exec.Argv[0].StartsWith('/'):
                yield return $"ENTRYPOINT [{string.Join(", ", exec.Argv)}] must start with the server's absolute path";
                break;
            case CommandForm.Exec exec:
                var binaries = final.Copies.Where(c => c.From is not null && dockerfile.IsStage(c.From)).Select(c => CopiedPath(c)).ToList();
                if (!binaries.Contains(exec.Argv[0]))
                {
                    yield return $"ENTRYPOINT runs {exec.Argv[0]}, which no COPY --from=<build stage> puts there (copied: {string.Join(", ", binaries)})";
                }
                break;
        }
        if (final.Cmd is not null)
        {
            yield return "the runtime stage sets CMD: with the chart's args removed by the post-renderer it would become the server's arguments";
        }
    }

    /// <summary>The runtime stage is the distroless base plus the one binary: no RUN, ADD, ENV, CMD; the CA bundle comes with the base.</summary>
    public static IEnumerable<string> RuntimeStage(Dockerfile dockerfile)
    {
        var final = dockerfile.Final;
        foreach (var i in final.Instructions.Where(i => !RuntimeStageKeywords.Contains(i.Source.Keyword)))
        {
            yield return $"line {i.Source.Line}: {i.Source.Keyword.ToString().ToUpperInvariant()} in the runtime stage: it holds only the binary, labels, USER and ENTRYPOINT";
        }
        var copies = final.Copies;
        if (copies.Count != 1 || copies[0].From is not { } from || !dockerfile.IsStage(from))
        {
            yield return $"the runtime stage must COPY exactly one file, the server, from a build stage (it has {copies.Count} COPY)";
        }
        if (!final.Base.StartsWith(RuntimeBasePrefix, StringComparison.Ordinal))
        {
            yield return $"the runtime base {final.Base} is not distroless static ({RuntimeBasePrefix}...), which brings the CA bundle and no shell";
        }
    }

    /// <summary>The labels exist and say what the build used: base name and digest, build image, LiveKit version, commit, patches.</summary>
    public static IEnumerable<string> Labels(Dockerfile dockerfile)
    {
        var labels = dockerfile.Final.Labels;
        foreach (var key in RequiredLabels.Where(k => !labels.ContainsKey(k)))
        {
            yield return $"label {key} is missing";
        }
        var baseRef = $"{labels.GetValueOrDefault("org.opencontainers.image.base.name")}@{labels.GetValueOrDefault("org.opencontainers.image.base.digest")}";
        if (baseRef != dockerfile.Final.Base)
        {
            yield return $"labels org.opencontainers.image.base.name/base.digest say {baseRef}, the runtime stage is FROM {dockerfile.Final.Base}";
        }
        var build = dockerfile.Final.Copies.Select(c => c.From).FirstOrDefault(f => f is not null && dockerfile.IsStage(f));
        if (build is not null && labels.GetValueOrDefault("matrix-rtc.build.image") != dockerfile.Stage(build).Base)
        {
            yield return $"label matrix-rtc.build.image says {labels.GetValueOrDefault("matrix-rtc.build.image")}, the build stage is FROM {dockerfile.Stage(build).Base}";
        }
        foreach (var (label, arg) in new[] { ("matrix-rtc.livekit.version", VersionArg), ("matrix-rtc.livekit.commit", CommitArg), ("matrix-rtc.livekit.patches", PatchesArg) })
        {
            if (labels.ContainsKey(label) && labels[label] != (dockerfile.Global(arg) ?? ""))
            {
                yield return $"label {label}={labels[label]} but ARG {arg}={dockerfile.Global(arg)}";
            }
        }
    }

    /// <summary>LIVEKIT_PATCHES lists exactly the patches/*.patch files, in the order the build applies them.</summary>
    public static IEnumerable<string> Patches(Dockerfile dockerfile, IReadOnlyList<string> patches)
    {
        var declared = (dockerfile.Global(PatchesArg) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!declared.SequenceEqual(patches))
        {
            yield return $"ARG {PatchesArg}=\"{string.Join(' ', declared)}\" but patches/ holds \"{string.Join(' ', patches)}\" (in name order)";
        }
        var build = dockerfile.Stages.FirstOrDefault(s => s.Copies.Any(c => c.Sources.Any(src => src.TrimEnd('/') == "patches")));
        if (patches.Count > 0 && build is null)
        {
            yield return "no stage copies patches/ into the build, so the listed patches would not be applied";
        }
    }

    /// <summary>
    /// As upstream builds it (livekit/livekit Dockerfile and .goreleaser.yaml at v1.13.5): CGO_ENABLED=0, the package
    /// ./cmd/server, into the file the runtime stage copies.
    /// </summary>
    public static IEnumerable<string> BuiltLikeUpstream(Dockerfile dockerfile)
    {
        var copy = dockerfile.Final.Copies.FirstOrDefault(c => c.From is not null && dockerfile.IsStage(c.From));
        if (copy is null)
        {
            yield break; // reported by RuntimeStage
        }
        var stage = dockerfile.Stage(copy.From!);
        var build = stage.Of(DockerKeyword.Run).FirstOrDefault(r => GoBuild().IsMatch(r.Source.Arguments));
        if (build is null)
        {
            yield return $"stage {stage.Name ?? stage.Index.ToString(CultureInfo.InvariantCulture)} has no RUN ... go build";
            yield break;
        }
        var command = build.Source.Arguments;
        var cgo = CgoInline().Match(command) is { Success: true } inline ? inline.Groups[1].Value : build.Variables.GetValueOrDefault("CGO_ENABLED");
        if (cgo != "0")
        {
            yield return $"line {build.Source.Line}: go build runs with CGO_ENABLED={cgo ?? "unset"}: upstream builds a static binary with CGO_ENABLED=0 (distroless static has no libc)";
        }
        if (!command.Contains("./cmd/server", StringComparison.Ordinal))
        {
            yield return $"line {build.Source.Line}: go build does not build ./cmd/server";
        }
        var output = GoOutput().Match(command);
        if (!output.Success || !copy.Sources.Contains(output.Groups[1].Value))
        {
            yield return $"line {build.Source.Line}: go build writes {(output.Success ? output.Groups[1].Value : "no -o file")}, the runtime stage copies {string.Join(", ", copy.Sources)}";
        }
    }

    private static string CopiedPath(CopyInstruction copy) =>
        copy.Destination.EndsWith('/') ? copy.Destination + Path.GetFileName(copy.Sources[0]) : copy.Destination;

    private static int Int(Match m, int group) => int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^[a-z0-9][a-z0-9./_:-]*[a-z0-9](:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?@sha256:[0-9a-f]{64}$")]
    private static partial Regex PinnedReference();

    [GeneratedRegex(@"^v(\d+)\.(\d+)\.(\d+)$")]
    private static partial Regex ReleaseTag();

    [GeneratedRegex(@"^v\d+\.\d+\.\d+-mr\.[1-9]\d*$")]
    private static partial Regex ImageTag();

    [GeneratedRegex(@"^[0-9a-f]{40}$")]
    private static partial Regex CommitPattern();

    [GeneratedRegex(@"^(\d+):(\d+)$")]
    private static partial Regex NumericUser();

    [GeneratedRegex(@"(^|[\s;&|])go\s+build\s")]
    private static partial Regex GoBuild();

    [GeneratedRegex(@"CGO_ENABLED=(\S+)\s+(?:\S+=\S+\s+)*go\s+build")]
    private static partial Regex CgoInline();

    [GeneratedRegex(@"\s-o\s+(\S+)")]
    private static partial Regex GoOutput();
}
