using Infra.Plan.Components.Livekit;
using Infra.Plan.Tests.Chart;
using Infra.Plan.Tests.Image;
using Infra.Plan.Tests.Support;

namespace Infra.Plan.Tests.ContainerStart;

/// <summary>
/// The container-start model over everything we deploy: for every container of every workload (our manifests and the
/// post-rendered SFU and Egress charts), the working directory its image gives it, every path its process is told to
/// read or write (config keys, env, args, script defaults) resolved as that process resolves it, must land on a volume
/// mount (made absolute as the kubelet does) that the container's uid/gid can read, and that is writable where written.
/// The rules and their sources: <see cref="StartModel"/>, <see cref="ImageFacts"/>, <see cref="Programs"/>.
/// </summary>
public class ContainerStartTests
{
    /// <summary>Every repository stack, so every media mode (host network, NodePort, load balancers) is covered.</summary>
    public static TheoryData<string> StackNames => [.. StackVariants.StackFiles];

    private static ImageFacts MediaRelay(EnvironmentPlan plan, Dockerfile dockerfile) =>
        ImageFacts.FromDockerfile(plan.Spec.Images.MediaRelay.Repository, dockerfile);

    /// <summary>Each container of the stack's workloads with its start as the model sees it.</summary>
    private static IReadOnlyList<(WorkloadContainer Container, ContainerStart Start)> Starts(string stack, Dockerfile? dockerfile = null)
    {
        var plan = Stacks.Plan(stack);
        // Every SFU release (one per load-balancer address in that mode), each post-rendered.
        var charts = plan.Livekit.Sfus
            .Select(s => (ChartRender.Render(s.Release == plan.Livekit.Release ? stack : $"{stack}/{s.Release.Name}", plan, s.Release), s.Release.Namespace))
            .ToList();
        if (plan.Egress is not null)
        {
            charts.Add((ChartRender.RenderEgress(stack, plan), plan.Egress.Release.Namespace));
        }
        var objects = WorkloadContainer.Objects(plan, charts);
        var catalog = Catalog.Of(plan, objects);
        var relay = MediaRelay(plan, dockerfile ?? MediaRelayImage.LoadDockerfile());
        var ours = new Dictionary<string, ImageFacts> { [relay.Image] = relay };
        return WorkloadContainer.All(objects).Select(c =>
        {
            var image = ImageFacts.For(c.Image, ours);
            var program = Programs.Find(c.Workload, c.Name)
                ?? throw new InvalidOperationException($"{c.Id}: no program in Programs.ByContainer says which files it reads and writes");
            var start = new ContainerStart(c.Id, StartModel.WorkingDir((string?)c.Container["workingDir"], image), c.Identity(image),
                c.PodFsGroup, c.ReadOnlyRoot, c.Mounts, c.Volumes(catalog), program(c, catalog).ToList());
            return (c, start);
        }).ToList();
    }

    private static IReadOnlyList<string> Problems(IReadOnlyList<(WorkloadContainer Container, ContainerStart Start)> starts) =>
        starts.SelectMany(s =>
        {
            var pod = starts.Where(o => o.Container.Pod == s.Container.Pod).SelectMany(o => StartModel.Writes(o.Start)).ToList();
            return StartModel.Check(s.Start, key => StartModel.Written(pod, key));
        }).ToList();

    [SkippableTheory]
    [MemberData(nameof(StackNames))]
    public void Every_container_finds_each_file_it_is_told_to_use_on_a_volume_it_may_read_and_write(string stack)
    {
        // GIVEN every container of the stack's workloads, charts post-rendered
        var starts = Starts(stack);

        // WHEN each path its process is told about is resolved and looked up in its mounts
        var problems = Problems(starts);

        // THEN nothing is missing, unreadable or read-only where written
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        // AND the model saw every component and checked paths in each (a program that reports nothing is visible here)
        var workloads = starts.Select(s => s.Container.Workload).Distinct().Order().ToList();
        var plan = Stacks.Plan(stack);
        var expected = plan.Livekit.Sfus.Select(s => LivekitPlan.FullNameOf(s.Release.Name)).Concat(["redis", "lk-jwt-service"]).ToHashSet();
        if (plan.Coturn is not null)
        {
            expected.Add("coturn");
        }
        Assert.Superset(expected, workloads.ToHashSet());
        Assert.All(starts.Where(s => s.Container.Name != Components.Observability.RedisExporter.ContainerName), s => Assert.NotEmpty(s.Start.Uses));
        if (plan.Egress is not null)
        {
            Assert.Contains("egress", workloads);
        }
    }

    [SkippableFact]
    public void The_sfu_reads_its_key_file_at_the_charts_mount_path_with_no_bit_for_others()
    {
        // GIVEN the prod SFU as the chart and the post-renderer deploy it, on our image
        var sfu = Starts("prod").Single(s => s.Container.Name == LivekitPlan.Container).Start;

        // WHEN key_file (relative) is resolved against the image's working directory
        var keyFile = sfu.Uses.Single(u => u.Why.StartsWith("key_file", StringComparison.Ordinal));
        var path = StartModel.Resolve(keyFile.Path, sfu.WorkingDir!);
        var (mount, mountPath, entry) = StartModel.Locate(sfu.Mounts, path)!.Value;

        // THEN it is the chart's mount (mountPath = subPath = key_file, made absolute by the kubelet) of the keys Secret
        Assert.Equal(("keys.yaml", "/keys.yaml", "/keys.yaml"), (keyFile.Path, path, mountPath));
        Assert.Equal(("keys-volume", "keys.yaml"), (mount.Volume, entry));
        // AND LiveKit's permission rule holds: the file gives "others" nothing (0600 + fsGroup's 0440 = 0640)
        var volume = sfu.Volumes[mount.Volume];
        var (mode, _, group) = StartModel.ProjectedFile(volume.Files![entry], volume.DefaultMode, sfu.FsGroup);
        Assert.Equal((0b110_100_000, LivekitPlan.RunAsUser), (mode, group));
        Assert.Equal(0, mode & Programs.KeyFileOthersMask);
    }

    [SkippableFact]
    public void Behind_load_balancers_each_sfu_release_reads_its_turn_certificate_at_the_charts_mount()
    {
        // GIVEN the loadbalancer stack: one SFU release per address, LiveKit serving TURN/TLS itself
        var plan = Stacks.Plan("loadbalancer");
        var sfus = Starts("loadbalancer").Where(s => s.Container.Name == LivekitPlan.Container).Select(s => s.Start).ToList();

        // THEN the model checked every release's SFU
        Assert.Equal(plan.Livekit.Sfus.Count, sfus.Count);
        Assert.True(sfus.Count > 1);
        foreach (var sfu in sfus)
        {
            // AND each reads the certificate and key the chart points LiveKit at (LIVEKIT_TURN_CERT/_KEY = /etc/lkcert/tls.*)
            var files = sfu.Uses.Where(u => u.Why is "LIVEKIT_TURN_CERT" or "LIVEKIT_TURN_KEY").Select(u => u.Path).Order(StringComparer.Ordinal);
            Assert.Equal(["/etc/lkcert/tls.crt", "/etc/lkcert/tls.key"], files);
            // AND both are files of the TURN name's certificate Secret mounted there
            foreach (var path in files)
            {
                var (mount, _, entry) = StartModel.Locate(sfu.Mounts, path)!.Value;
                Assert.Contains(entry, sfu.Volumes[mount.Volume].Files!.Keys);
            }
        }
    }

    [SkippableFact]
    public void Without_a_workdir_in_our_dockerfile_the_sfu_would_look_for_its_keys_under_home_nonroot()
    {
        // GIVEN our Dockerfile without its WORKDIR lines (the state issue 17 found)
        var text = File.ReadAllText(MediaRelayImage.DockerfilePath);
        var withoutWorkdir = string.Join('\n', text.Split('\n').Where(l => !l.TrimStart().StartsWith("WORKDIR /", StringComparison.Ordinal) || !IsFinalStageLine(text, l)));
        var dockerfile = Dockerfile.Parse(withoutWorkdir);
        Assert.Null(dockerfile.Final.Workdir);

        // WHEN the model checks the prod workloads
        var problems = Problems(Starts("prod", dockerfile));

        // THEN the SFU's key_file resolves under distroless nonroot's working directory, where nothing is mounted
        var problem = Assert.Single(problems);
        Assert.Contains("keys.yaml (resolved against working directory /home/nonroot: /home/nonroot/keys.yaml), key_file", problem);
        Assert.Contains("no volume is mounted there", problem);
    }

    /// <summary>True when <paramref name="line"/> stands after the last FROM of <paramref name="text"/>.</summary>
    private static bool IsFinalStageLine(string text, string line)
    {
        var lines = text.Split('\n');
        var lastFrom = Array.FindLastIndex(lines, l => l.StartsWith("FROM ", StringComparison.Ordinal));
        return Array.IndexOf(lines, line, lastFrom) > lastFrom;
    }
}

/// <summary>The model's rules on minimal inputs, one rule each.</summary>
public class StartModelRuleTests
{
    private static readonly ProcessIdentity Nonroot = new(65532, 65532, [65532]);

    private static ContainerStart Start(ProcessIdentity who, long? fsGroup, bool readOnlyRoot, string? workingDir, MountView[] mounts, VolumeView[] volumes, params FileUse[] uses) =>
        new("c", workingDir, who, fsGroup, readOnlyRoot, mounts, volumes.ToDictionary(v => v.Name), uses);

    [Theory]
    [InlineData("keys.yaml", "/keys.yaml")]
    [InlineData("/etc/livekit/keys.yaml", "/etc/livekit/keys.yaml")]
    [InlineData("a/../b//c/", "/b/c")]
    public void The_kubelet_makes_a_mount_path_absolute_from_the_root(string mountPath, string expected) =>
        Assert.Equal(expected, StartModel.KubeletMountPath(mountPath));

    [Theory]
    [InlineData("keys.yaml", "/", "/keys.yaml")]
    [InlineData("keys.yaml", "/home/nonroot", "/home/nonroot/keys.yaml")]
    [InlineData("/etc/x", "/home/nonroot", "/etc/x")]
    public void A_process_resolves_a_relative_path_against_its_working_directory(string path, string workingDir, string expected) =>
        Assert.Equal(expected, StartModel.Resolve(path, workingDir));

    [Fact]
    public void A_secret_file_0600_is_readable_by_a_non_root_user_only_through_fs_group()
    {
        // GIVEN a 0600 Secret file mounted with subPath, read by uid/gid 65532
        var volume = new VolumeView("keys", VolumeKind.Secret, 0b110_000_000, new Dictionary<string, int?> { ["keys.yaml"] = null });
        var mount = new MountView("keys", "keys.yaml", "keys.yaml", false);
        var use = new FileUse("keys.yaml", Access.Read, "key_file");

        // WHEN fsGroup is the user's group THEN it reads the file (0640, group 65532); without fsGroup it is root's 0600
        Assert.Empty(StartModel.Check(Start(Nonroot, 65532, true, "/", [mount], [volume], use)));
        var problem = Assert.Single(StartModel.Check(Start(new ProcessIdentity(65532, 65532, []), null, true, "/", [mount], [volume], use)));
        Assert.Contains("mode 0600 owner 0 group 0", problem);
    }

    [Fact]
    public void A_file_the_volume_lacks_or_a_path_no_volume_covers_is_reported()
    {
        var volume = new VolumeView("tls", VolumeKind.Secret, null, new Dictionary<string, int?> { ["tls.crt"] = null, ["tls.key"] = null });
        var mount = new MountView("tls", "/etc/tls", null, true);

        var problems = StartModel.Check(Start(Nonroot, 65532, true, "/", [mount], [volume],
            new FileUse("/etc/tls/ca.crt", Access.Read, "ca"), new FileUse("/etc/other/x", Access.Read, "x")));

        Assert.Equal(2, problems.Count);
        Assert.Contains("is no file of it (files: tls.crt, tls.key)", problems[0]);
        Assert.Contains("no volume is mounted there (mounts: /etc/tls)", problems[1]);
    }

    [Fact]
    public void Writes_need_a_writable_volume_under_a_read_only_root()
    {
        var scratch = new VolumeView("run", VolumeKind.EmptyDir, null, null);
        var config = new VolumeView("conf", VolumeKind.ConfigMap, null, new Dictionary<string, int?> { ["a.conf"] = null });
        MountView[] mounts = [new("run", "/run/x", null, false), new("run", "/run/ro", null, true), new("conf", "/etc/conf", null, true)];

        var problems = StartModel.Check(Start(Nonroot, null, true, "/", mounts, [scratch, config],
            new FileUse("/run/x/pid", Access.Write, "ok"),
            new FileUse("/run/ro/pid", Access.Write, "ro mount"),
            new FileUse("/etc/conf", Access.CreateIn, "configMap"),
            new FileUse("/var/lib/db", Access.Write, "root fs")));

        Assert.Equal(3, problems.Count);
        Assert.Contains("is mounted readOnly", problems[0]);
        Assert.Contains("is read-only (ConfigMap volumes are)", problems[1]);
        Assert.Contains("no volume is mounted there and the root filesystem is read-only", problems[2]);
    }

    [Fact]
    public void An_emptydir_file_is_readable_only_when_a_process_of_the_pod_writes_it()
    {
        var run = new VolumeView("run", VolumeKind.EmptyDir, null, null);
        var mount = new MountView("run", "/run/coturn", null, false);
        var reader = Start(Nonroot, null, true, "/", [mount], [run], new FileUse("/run/coturn/turnserver.conf", Access.Read, "-c"));
        var writer = Start(Nonroot, null, true, "/", [mount], [run], new FileUse("/run/coturn", Access.CreateIn, "init"));

        Assert.Single(StartModel.Check(reader, key => StartModel.Written([], key)));
        Assert.Empty(StartModel.Check(reader, key => StartModel.Written(StartModel.Writes(writer), key)));
    }

    [Fact]
    public void A_relative_path_needs_a_known_working_directory()
    {
        var problem = Assert.Single(StartModel.Check(Start(Nonroot, null, true, null, [], [], new FileUse("keys.yaml", Access.Read, "key_file"))));
        Assert.Contains("working directory is not known", problem);
    }

    [Fact]
    public void The_distroless_nonroot_base_starts_in_home_nonroot_unless_the_dockerfile_sets_a_workdir()
    {
        const string Head = "FROM golang AS build\nWORKDIR /src\nFROM gcr.io/distroless/static-debian13:nonroot@sha256:00\nUSER 65532:65532\n";
        Assert.Equal(("/home/nonroot", 65532L, 65532L), Facts(Dockerfile.Parse(Head)));
        Assert.Equal(("/", 65532L, 65532L), Facts(Dockerfile.Parse(Head + "WORKDIR /\n")));
        Assert.Equal(("/", 0L, 0L), Facts(Dockerfile.Parse("FROM gcr.io/distroless/static-debian13:latest\n")));

        static (string?, long?, long?) Facts(Dockerfile d) { var f = ImageFacts.FromDockerfile("x", d); return (f.WorkingDir, f.Uid, f.Gid); }
    }
}
