namespace Infra.Plan.Tests.ContainerStart;

/// <summary>How a process uses a path it was told about.</summary>
public enum Access
{
    /// <summary>Opens a file for reading.</summary>
    Read,

    /// <summary>Reads a directory's entries and every file in it (Go's <c>SSL_CERT_DIR</c>, a script's secret directory).</summary>
    List,

    /// <summary>Creates or replaces a file (a pid file, a generated config, a database).</summary>
    Write,

    /// <summary>Creates files or directories under a directory (<c>mkdir -p</c>, per-job scratch, sockets).</summary>
    CreateIn,
}

/// <summary>A path a process is told to use, as it is told (maybe relative), and who tells it.</summary>
public sealed record FileUse(string Path, Access Access, string Why);

/// <summary>
/// A volume as the container sees it. <paramref name="Files"/>: for secret, configMap and projected volumes, each file
/// the kubelet writes (path in the volume) with its item mode (null: the volume's defaultMode); null for directory
/// volumes (emptyDir, PVC), whose content the pod's processes write.
/// </summary>
public sealed record VolumeView(string Name, VolumeKind Kind, int? DefaultMode, IReadOnlyDictionary<string, int?>? Files);

public enum VolumeKind { Secret, ConfigMap, Projected, EmptyDir, Claim, Other }

/// <summary>A volumeMount as written in the pod spec.</summary>
public sealed record MountView(string Volume, string MountPath, string? SubPath, bool ReadOnly);

/// <summary>The identity the runtime gives the container's process (kubelet + runtime, see <see cref="StartModel.Identity"/>).</summary>
public sealed record ProcessIdentity(long Uid, long Gid, IReadOnlyList<long> SupplementaryGroups)
{
    public bool InGroup(long gid) => Gid == gid || SupplementaryGroups.Contains(gid);
}

/// <summary>One container ready to be checked: where it starts, who it runs as, what is mounted, what it will touch.</summary>
/// <param name="WorkingDir">Null when the image's working directory is not known (then only absolute paths can be checked).</param>
public sealed record ContainerStart(
    string Name,
    string? WorkingDir,
    ProcessIdentity Identity,
    long? FsGroup,
    bool ReadOnlyRoot,
    IReadOnlyList<MountView> Mounts,
    IReadOnlyDictionary<string, VolumeView> Volumes,
    IReadOnlyList<FileUse> Uses);

/// <summary>
/// The container-start rules, each re-stated from its upstream source. A problem is a sentence naming the container,
/// the path as the process resolves it and why it would fail at start; no problem means every path the process is told
/// about lands on a volume that gives it what it needs.
/// </summary>
public static class StartModel
{
    /// <summary>
    /// The API's default file mode of secret, configMap and projected volumes (k8s.io/api core/v1 types.go
    /// <c>SecretVolumeSourceDefaultMode</c>, <c>ConfigMapVolumeSourceDefaultMode</c>, <c>ProjectedVolumeSourceDefaultMode</c>: 0644).
    /// </summary>
    public const int ApiDefaultMode = 0b110_100_100;

    /// <summary>
    /// The working directory when neither the container (<c>workingDir</c>) nor the image sets one: containerd's
    /// default spec has <c>Cwd: "/"</c> (containerd <c>pkg/oci/spec.go</c> <c>populateDefaultUnixSpec</c>), and
    /// <c>WithImageConfig</c> replaces it only with a non-empty image <c>WorkingDir</c>.
    /// </summary>
    public const string RuntimeDefaultWorkingDir = "/";

    /// <summary>
    /// A mount path as the kubelet hands it to the runtime: a relative one is made absolute (kubernetes
    /// <c>pkg/kubelet/kubelet_pods.go</c> <c>makeMounts</c>: <c>if !filepath.IsAbs(containerPath) { containerPath =
    /// volumeutil.MakeAbsolutePath(runtime.GOOS, containerPath) }</c>; <c>pkg/volume/util/util.go</c>
    /// <c>MakeAbsolutePath</c> on Linux: <c>filepath.Clean("/" + path)</c>).
    /// </summary>
    public static string KubeletMountPath(string mountPath) => Clean(mountPath.StartsWith('/') ? mountPath : "/" + mountPath);

    /// <summary>
    /// A path as a process opens it: a relative path is relative to the working directory (POSIX <c>open(2)</c>, which
    /// Go's <c>os.Open</c>/<c>os.Stat</c> and C's <c>fopen</c> call as given).
    /// </summary>
    public static string Resolve(string path, string workingDir) => Clean(path.StartsWith('/') ? path : $"{workingDir.TrimEnd('/')}/{path}");

    /// <summary>The image's working directory, else the runtime's default (<see cref="RuntimeDefaultWorkingDir"/>).</summary>
    public static string? WorkingDir(string? containerWorkingDir, ImageFacts image) =>
        containerWorkingDir ?? (image.WorkingDirKnown ? image.WorkingDir ?? RuntimeDefaultWorkingDir : null);

    /// <summary>Lexical cleaning as Go's <c>path.Clean</c>: no empty or "." elements, ".." removed with its parent.</summary>
    public static string Clean(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                continue;
            }
            parts.Add(part);
        }
        return "/" + string.Join('/', parts);
    }

    /// <summary>
    /// Who the process is. uid: <c>runAsUser</c> of the container, else of the pod, else the image's numeric USER; gid:
    /// <c>runAsGroup</c> likewise, else the image's (for a USER given without a group, the runtime takes that user's
    /// primary group from the image's /etc/passwd: containerd <c>pkg/oci/spec_opts.go</c> <c>WithUser</c>). The kubelet
    /// adds <c>fsGroup</c> and <c>supplementalGroups</c> to the supplementary groups (kubernetes
    /// <c>pkg/kubelet/kuberuntime/security_context_others.go</c> <c>determineEffectiveSecurityContext</c>).
    /// </summary>
    public static ProcessIdentity Identity(long? containerUid, long? podUid, long? containerGid, long? podGid, long? fsGroup,
        IReadOnlyList<long> supplementalGroups, ImageFacts image)
    {
        var uid = containerUid ?? podUid ?? image.Uid
            ?? throw new InvalidOperationException($"{image.Image}: no runAsUser and no numeric USER, the model cannot tell the uid");
        var gid = containerGid ?? podGid ?? image.Gid
            ?? throw new InvalidOperationException($"{image.Image}: no runAsGroup and no known primary group of the image's user");
        var groups = new List<long>();
        if (fsGroup is { } fs)
        {
            groups.Add(fs);
        }
        groups.AddRange(supplementalGroups);
        return new ProcessIdentity(uid, gid, groups.Distinct().ToList());
    }

    /// <summary>
    /// A file of a secret, configMap or projected volume: written by the kubelet as root with the item's mode (else the
    /// volume's defaultMode, else 0644); with <c>fsGroup</c> its group becomes fsGroup and the read-only mask 0440 is
    /// added, since these volumes are read-only (kubernetes <c>pkg/volume/volume_linux.go</c> <c>changeFilePermission</c>:
    /// <c>Lchown(-1, fsGroup)</c>, <c>Chmod(mode | roMask)</c>; the plugins' <c>GetAttributes().ReadOnly</c> is true).
    /// </summary>
    public static (int Mode, long Owner, long Group) ProjectedFile(int? itemMode, int? defaultMode, long? fsGroup) =>
        fsGroup is { } g
            ? ((itemMode ?? defaultMode ?? ApiDefaultMode) | 0b100_100_000, 0, g)
            : (itemMode ?? defaultMode ?? ApiDefaultMode, 0, 0);

    /// <summary>
    /// Read permission as the kernel decides it without a capability that overrides it (every container here drops
    /// ALL): the owner's bits for the owner, else the group's bits for a member of the file's group, else the others' bits
    /// (fs/namei.c <c>acl_permission_check</c>).
    /// </summary>
    public static bool CanRead(int mode, long owner, long group, ProcessIdentity who) =>
        who.Uid == owner ? (mode & 0b100_000_000) != 0
        : who.InGroup(group) ? (mode & 0b000_100_000) != 0
        : (mode & 0b000_000_100) != 0;

    /// <summary>Where a path lands: the mount that provides it and the entry inside that mount's volume; null on the root filesystem.</summary>
    public static (MountView Mount, string MountPath, string Entry)? Locate(IReadOnlyList<MountView> mounts, string path)
    {
        // The deepest mount whose path is the file or one of its directories shadows the others.
        var hit = mounts.Select(m => (Mount: m, Path: KubeletMountPath(m.MountPath)))
            .Where(m => path == m.Path || path.StartsWith(m.Path == "/" ? "/" : m.Path + "/", StringComparison.Ordinal))
            .OrderByDescending(m => m.Path.Length).FirstOrDefault();
        if (hit.Mount is null)
        {
            return null;
        }
        // subPath mounts that entry of the volume at the mount path (kubernetes pkg/volume/util/subpath: the bind source
        // is <volume>/<subPath>).
        var rest = path.Length > hit.Path.Length ? path[(hit.Path.Length + (hit.Path == "/" ? 0 : 1))..] : "";
        return (hit.Mount, hit.Path, string.Join('/', new[] { hit.Mount.SubPath ?? "", rest }.Where(p => p.Length > 0)));
    }

    /// <summary>
    /// What the container writes into its volumes, as <c>volume:entry</c> (a file it writes) or <c>volume:entry/</c> (a
    /// directory it creates files in), for the other containers' reads of emptyDir files.
    /// </summary>
    public static IEnumerable<string> Writes(ContainerStart c) =>
        from use in c.Uses
        where use.Access is Access.Write or Access.CreateIn && (c.WorkingDir is not null || use.Path.StartsWith('/'))
        let at = Locate(c.Mounts, Resolve(use.Path, c.WorkingDir ?? "/"))
        where at is not null
        select $"{at.Value.Mount.Volume}:{at.Value.Entry}{(use.Access == Access.CreateIn ? "/" : "")}";

    /// <summary>Whether <paramref name="key"/> (<c>volume:entry</c>) is among <paramref name="writes"/>.</summary>
    public static bool Written(IEnumerable<string> writes, string key) =>
        writes.Any(w => w == key || (w.EndsWith('/') && (key.StartsWith(w, StringComparison.Ordinal) || w.EndsWith(":/") && key.StartsWith(w[..^1], StringComparison.Ordinal))));

    /// <summary>Checks every use of the container; returns one sentence per problem.</summary>
    public static IReadOnlyList<string> Check(ContainerStart c, Func<string, bool>? writtenInPod = null)
    {
        var problems = new List<string>();
        foreach (var use in c.Uses)
        {
            if (c.WorkingDir is null && !use.Path.StartsWith('/'))
            {
                problems.Add($"{c.Name}: {use.Path}, {use.Why}: a relative path, and the image's working directory is not known");
                continue;
            }
            var path = Resolve(use.Path, c.WorkingDir ?? "/");
            var said = use.Path == path ? $"{path}" : $"{use.Path} (resolved against working directory {c.WorkingDir}: {path})";
            string Fail(string why) => $"{c.Name}: {said}, {use.Why}: {why}";

            if (Locate(c.Mounts, path) is not var (mount, mountPath, entry))
            {
                problems.Add(Fail(use.Access is Access.Write or Access.CreateIn && c.ReadOnlyRoot
                    ? "no volume is mounted there and the root filesystem is read-only"
                    : $"no volume is mounted there (mounts: {string.Join(", ", c.Mounts.Select(m => KubeletMountPath(m.MountPath)).Order())})"));
                continue;
            }
            if (!c.Volumes.TryGetValue(mount.Volume, out var volume))
            {
                problems.Add(Fail($"mount {mountPath} names volume {mount.Volume}, which the pod does not define"));
                continue;
            }
            problems.AddRange(CheckInVolume(c, volume, mount, entry, use.Access, writtenInPod).Select(Fail));
        }
        return problems;
    }

    private static IEnumerable<string> CheckInVolume(ContainerStart c, VolumeView volume, MountView mount, string entry, Access access,
        Func<string, bool>? writtenInPod)
    {
        var where = $"volume {volume.Name} ({volume.Kind}) entry '{entry}'";
        if (volume.Files is { } files)
        {
            if (access is Access.Write or Access.CreateIn)
            {
                yield return $"{where} is read-only ({volume.Kind} volumes are)";
                yield break;
            }
            var inDir = files.Keys.Where(f => entry.Length == 0 || f.StartsWith(entry + "/", StringComparison.Ordinal)).ToList();
            var targets = access == Access.List ? inDir : files.ContainsKey(entry) ? [entry] : [];
            if (targets.Count == 0)
            {
                yield return access == Access.List
                    ? $"{where} is no directory with files in it (files: {string.Join(", ", files.Keys.Order())})"
                    : $"{where} is no file of it (files: {string.Join(", ", files.Keys.Order())})";
                yield break;
            }
            foreach (var file in targets)
            {
                var (mode, owner, group) = ProjectedFile(files[file], volume.DefaultMode, c.FsGroup);
                if (!CanRead(mode, owner, group, c.Identity))
                {
                    yield return $"{where}: file {file} has mode {Convert.ToString(mode, 8).PadLeft(4, '0')} owner {owner} group {group}, " +
                        $"which uid {c.Identity.Uid} (gid {c.Identity.Gid}, groups {string.Join(",", c.Identity.SupplementaryGroups)}) cannot read";
                }
            }
            yield break;
        }
        switch (volume.Kind)
        {
            case VolumeKind.EmptyDir:
                // An emptyDir is created 0777 (kubernetes pkg/volume/emptydir/empty_dir.go setupDir, "perm os.FileMode = 0777"):
                // any uid may create files in it, and reads what the pod's processes wrote there.
                if (access is Access.Write or Access.CreateIn && mount.ReadOnly)
                {
                    yield return $"{where} is mounted readOnly";
                }
                if (access is Access.Read && writtenInPod is not null && !writtenInPod($"{volume.Name}:{entry}"))
                {
                    yield return $"{where} is an emptyDir file no process of the pod writes";
                }
                break;
            case VolumeKind.Claim:
                // A claim's root belongs to whoever formatted it; only fsGroup makes it the pod's (volume_linux.go: group
                // fsGroup, rw mask 0660 plus setgid and exec on directories).
                if (access is Access.Write or Access.CreateIn && (mount.ReadOnly || c.FsGroup is null))
                {
                    yield return $"{where} is not writable: {(mount.ReadOnly ? "mounted readOnly" : "a claim without fsGroup")}";
                }
                break;
            default:
                yield return $"{where}: the model knows no rule for this volume kind";
                break;
        }
    }
}
