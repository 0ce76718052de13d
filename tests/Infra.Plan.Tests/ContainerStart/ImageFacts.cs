using Infra.Plan.Tests.Image;

namespace Infra.Plan.Tests.ContainerStart;

/// <summary>
/// What an image's config says about how its process starts: the working directory (null with
/// <paramref name="WorkingDirKnown"/>: the image sets none, so the runtime's "/" applies), and the numeric user and primary
/// group its USER gives (null when it names none, or a name only). <paramref name="Source"/> cites where it is stated.
/// </summary>
public sealed record ImageFacts(string Image, string? WorkingDir, bool WorkingDirKnown, long? Uid, long? Gid, string Source)
{
    /// <summary>
    /// The pinned public images, by repository. Each working directory is the final stage's WORKDIR or, where the final
    /// stage sets none, its base's (an image config's WorkingDir is inherited from the base image unless a WORKDIR sets it).
    /// </summary>
    public static readonly IReadOnlyList<ImageFacts> Public =
    [
        // coturn/coturn docker/coturn/debian/Dockerfile: stage "runtime" FROM debian:${debian_ver}-slim has no WORKDIR
        // (only the build stage "dist-coturn" has WORKDIR /app/), and debian's images set none; USER nobody:nogroup
        // (65534:65534 in Debian's base-passwd).
        new("coturn/coturn", null, true, 65534, 65534, "coturn/coturn docker/coturn/debian/Dockerfile (stage runtime: no WORKDIR, USER nobody:nogroup)"),
        // valkey-io/valkey-container 8.1/debian/Dockerfile: WORKDIR /data, user valkey 999:999 (groupadd -r -g 999,
        // useradd -u 999); no USER (its entrypoint drops to valkey with setpriv/gosu, which our command bypasses).
        new("valkey/valkey", "/data", true, null, 999, "valkey-io/valkey-container 8.1/debian/Dockerfile (WORKDIR /data, no USER)"),
        // docker-library/redis 7.2 (Dockerfile.template): the same layout, user redis 999:999, WORKDIR /data.
        new("redis", "/data", true, null, 999, "docker-library/redis 7.2/debian/Dockerfile (WORKDIR /data, no USER)"),
        // element-hq/lk-jwt-service Dockerfile: final stage FROM scratch, no WORKDIR and no USER.
        new("ghcr.io/element-hq/lk-jwt-service", null, true, null, null, "element-hq/lk-jwt-service Dockerfile (FROM scratch: no WORKDIR, no USER)"),
        // livekit/egress v1.14.1 build/egress/Dockerfile: the final stage (FROM livekit/gstreamer:1.24.12-prod) has no
        // WORKDIR, and livekit/gstreamer's Dockerfile is not public in what we can read: working directory unknown.
        // USER egress (a name): useradd -g root on ubuntu:24.04 makes it 1001 with primary group root (EgressPlan.RunAsUser).
        new("livekit/egress", null, false, 1001, 0, "livekit/egress build/egress/Dockerfile (final stage: no WORKDIR; USER egress, useradd -g root)"),
        // oliver006/redis_exporter Dockerfile: final stage FROM scratch, USER 59000:59000.
        new("oliver006/redis_exporter", null, true, 59000, 59000, "oliver006/redis_exporter Dockerfile (FROM scratch, USER 59000:59000)"),
    ];

    /// <summary>
    /// The distroless bases our Dockerfile may use, and the working directory and user each variant sets:
    /// GoogleContainerTools/distroless <c>static/static.bzl</c> <c>USER_VARIANTS = [("root", 0, "/"), ("nonroot", NONROOT,
    /// "/home/nonroot")]</c>, passed to <c>oci_image(workdir = workdir, user = uid)</c>; <c>common/variables.bzl</c> NONROOT = 65532.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (string WorkingDir, long Uid)> DistrolessVariants = new Dictionary<string, (string, long)>
    {
        ["root"] = ("/", 0),
        ["nonroot"] = ("/home/nonroot", 65532),
    };

    /// <summary>The image's repository: the reference without tag or digest.</summary>
    public static string Repository(string reference)
    {
        var noDigest = reference.Split('@')[0];
        var slash = noDigest.LastIndexOf('/');
        var colon = noDigest.LastIndexOf(':');
        return colon > slash ? noDigest[..colon] : noDigest;
    }

    /// <summary>
    /// The facts of our own image, from its Dockerfile: the final stage's WORKDIR, else the distroless variant's (the
    /// tag's <c>:nonroot</c> / <c>:latest</c> suffix, static.bzl above); its USER as uid:gid.
    /// </summary>
    public static ImageFacts FromDockerfile(string image, Dockerfile dockerfile)
    {
        var final = dockerfile.Final;
        var baseRef = final.Base.Split('@')[0];
        var variant = baseRef.EndsWith(":nonroot", StringComparison.Ordinal) || baseRef.EndsWith(":debug-nonroot", StringComparison.Ordinal) ? "nonroot" : "root";
        if (!baseRef.StartsWith("gcr.io/distroless/", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{image}: final stage FROM {final.Base}: the model knows the defaults of distroless bases only");
        }
        var (baseDir, baseUid) = DistrolessVariants[variant];
        var user = final.User?.Split(':');
        long? uid = user is null ? baseUid : long.TryParse(user[0], out var u) ? u : null;
        long? gid = user is { Length: 2 } && long.TryParse(user[1], out var g) ? g : uid;
        var workdir = final.Workdir;
        return new ImageFacts(image, workdir ?? baseDir, true, uid, gid,
            workdir is null
                ? $"images/media-relay/Dockerfile: no WORKDIR in the final stage, so {final.Base}'s {baseDir} (distroless static/static.bzl USER_VARIANTS)"
                : $"images/media-relay/Dockerfile: WORKDIR {workdir}");
    }

    public static ImageFacts For(string reference, IReadOnlyDictionary<string, ImageFacts> ours)
    {
        var repository = Repository(reference);
        if (ours.TryGetValue(repository, out var own))
        {
            return own;
        }
        var bare = repository.StartsWith("docker.io/", StringComparison.Ordinal) ? repository["docker.io/".Length..] : repository;
        bare = bare.StartsWith("library/", StringComparison.Ordinal) ? bare["library/".Length..] : bare;
        return Public.SingleOrDefault(f => f.Image == bare)
            ?? throw new InvalidOperationException($"no image facts for {reference}: add its working directory and user, with the source, to ImageFacts.Public");
    }
}
