using System.Security.Cryptography;
using Infra.Plan.Components.Coturn;
using Infra.Servers;
using Infra.Servers.Coturn;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Coturn;

/// <summary>
/// coturn without privilege escalation, on the real Debian turnserver: a copy of it carries the file capability the
/// official image gives its binary (coturn docker/coturn/debian/Dockerfile: <c>setcap CAP_NET_BIND_SERVICE=+ep
/// /usr/bin/turnserver</c>), and it runs as nobody with the capability sets and no_new_privs the runtime gives the plan's
/// turnserver container (<see cref="ContainerCapabilities"/>), binding the TURN listener below 1024 on 127.0.0.1.
/// Needs root (to change user and set file capabilities), setpriv (util-linux) and setcap (libcap2-bin); else SKIPPED.
/// </summary>
public class CoturnPrivilegeTests
{
    /// <summary>Privileged ports on loopback for the test's listeners (nothing on this machine uses them).</summary>
    private const int LowPort = 478;
    private const int LowTlsPort = 479;

    private const string Nbs = "net_bind_service";

    private static (string SetPriv, string SetCap, string TurnServer) RequireTools()
    {
        var missing = new[] { ("turnserver", CoturnTools.TurnServer), ("setpriv", Tools.Find("setpriv")), ("setcap", Tools.Find("setcap")) }
            .Where(t => t.Item2 is null).Select(t => t.Item1).ToList();
        if (missing.Count > 0)
        {
            var reason = $"SKIPPED coturn privilege test: {string.Join(", ", missing)} not installed (apt-get install coturn util-linux libcap2-bin)";
            Assert.False(Tools.Required, reason + " but MATRIX_RTC_REQUIRE_TOOLS=1");
            Skip.If(true, reason);
        }
        // Changing the user and setting a file capability need root: no tool can give this process that, so skip even
        // under the test script (as the NAT test does).
        Skip.If(Environment.UserName != "root", "SKIPPED coturn privilege test: needs root (setpriv --reuid, setcap)");
        return (Tools.Find("setpriv")!, Tools.Find("setcap")!, CoturnTools.TurnServer!);
    }

    private static EnvironmentPlan DefaultPlan() => Planner.Build(Parse(With()).OrThrow());

    private static k8s.Models.V1Container TurnServerContainer(EnvironmentPlan plan) =>
        plan.Coturn!.DaemonSet.Spec.Template.Spec.Containers.Single(c => c.Name == "turnserver");

    [Fact]
    public void The_runtime_gives_the_turnserver_container_the_capability_permitted_but_not_inheritable_or_ambient()
    {
        // GIVEN the plan's turnserver container WHEN the runtime builds its process THEN
        var caps = ContainerCapabilities.For(TurnServerContainer(DefaultPlan()).SecurityContext);

        Assert.Equal([Nbs], caps.Bounding);
        Assert.Equal([Nbs], caps.Permitted);
        Assert.Equal([Nbs], caps.Effective);
        Assert.Empty(caps.Inheritable);
        Assert.Empty(caps.Ambient);
        // allowPrivilegeEscalation: false
        Assert.True(caps.NoNewPrivs);
    }

    /// <summary>What happened to one run: whether the low port accepted, the process's status, its log.</summary>
    private sealed record Run(bool Listening, int? Exit, IReadOnlyDictionary<string, ulong>? Status, string Output);

    /// <summary>
    /// Runs turnserver (a copy, with or without the image's file capability) with the generated config plus a loopback
    /// overlay on ports below 1024, as uid/gid nobody with the capability state <paramref name="caps"/>.
    /// </summary>
    private static Run RunTurnServer(ContainerCapabilities caps, bool fileCapability)
    {
        var (setpriv, setcap, turnserver) = RequireTools();
        Assert.False(ServerProcess.TcpOpen("127.0.0.1", LowPort), $"127.0.0.1:{LowPort} is already in use");
        var plan = DefaultPlan();
        var pod = plan.Coturn!.DaemonSet.Spec.Template.Spec;
        var (uid, gid) = (pod.SecurityContext.RunAsUser!.Value, pod.SecurityContext.RunAsGroup!.Value);
        var root = Directory.CreateTempSubdirectory("coturn-caps-").FullName;
        try
        {
            System.IO.File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
            var binary = Path.Combine(root, "turnserver");
            System.IO.File.Copy(turnserver, binary);
            System.IO.File.SetUnixFileMode(binary, (UnixFileMode)0b111_101_101);
            if (fileCapability)
            {
                var set = CoturnTools.Run(setcap, ["cap_net_bind_service=+ep", binary], TimeSpan.FromSeconds(10));
                Assert.True(set.Exit == 0, "setcap failed: " + set.Output);
            }
            var run = Directory.CreateDirectory(Path.Combine(root, "run")).FullName;
            System.IO.File.SetUnixFileMode(run, (UnixFileMode)0b111_111_111);
            var (cert, key) = (Path.Combine(root, "tls.crt"), Path.Combine(root, "tls.key"));
            CoturnTools.WriteSelfSigned(LoopbackCoturn.TurnHost, cert, key);
            System.IO.File.SetUnixFileMode(key, (UnixFileMode)0b110_100_100);
            // The generated config as the init script finishes it (a secret line), on loopback with privileged ports.
            var template = plan.Coturn.Config.Data[CoturnPaths.TemplateConf] + $"static-auth-secret={Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}\n";
            var (config, _) = CoturnTestConfig.Compose(template,
            [
                "listening-ip=127.0.0.1", "relay-ip=127.0.0.1",
                $"listening-port={LowPort}", $"tls-listening-port={LowTlsPort}", "min-port=18960", "max-port=18969",
                $"cert={cert}", $"pkey={key}", $"pidfile={run}/turnserver.pid", $"userdb={run}/turndb",
            ]);
            var confPath = Path.Combine(root, "turnserver.conf");
            System.IO.File.WriteAllText(confPath, config);

            var groups = (pod.SecurityContext.FsGroup is { } fs ? new[] { fs } : []).ToList();
            using var server = ServerProcess.Start("turnserver", setpriv, caps.SetprivArgs(setpriv, uid, gid, groups, binary, ["-c", confPath]), root);
            var listening = ServerProcess.WaitUntil(() => ServerProcess.TcpOpen("127.0.0.1", LowPort) || server.HasExited, TimeSpan.FromSeconds(15))
                && !server.HasExited && ServerProcess.TcpOpen("127.0.0.1", LowPort);
            // setpriv execs twice: the PID is turnserver's own by now
            var status = server.HasExited ? null : ContainerCapabilities.ProcStatus(server.Pid);
            if (!listening && !server.HasExited)
            {
                // give a failing bind time to reach the log
                ServerProcess.WaitUntil(() => server.Output.Contains("Cannot bind", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
            }
            return new Run(listening, server.ExitCode, status, server.Output);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [SkippableFact]
    public void Without_escalation_nobody_binds_below_1024_with_the_images_file_capability()
    {
        // GIVEN the plan's turnserver security context (allowPrivilegeEscalation: false, NET_BIND_SERVICE added)
        var caps = ContainerCapabilities.For(TurnServerContainer(DefaultPlan()).SecurityContext);
        Assert.True(caps.NoNewPrivs);

        // WHEN the binary with the image's file capability starts as nobody under no_new_privs
        var run = RunTurnServer(caps, fileCapability: true);

        // THEN it listens on port 478, holding exactly NET_BIND_SERVICE, with no_new_privs set
        Assert.True(run.Listening, "turnserver did not listen below 1024:\n" + run.Output);
        var nbs = ContainerCapabilities.Mask([Nbs]);
        Assert.Equal((1UL, nbs, nbs, nbs, 0UL, 0UL), (run.Status!["NoNewPrivs"], run.Status["CapPrm"], run.Status["CapEff"], run.Status["CapBnd"],
            run.Status["CapInh"], run.Status["CapAmb"]));
    }

    [SkippableFact]
    public void Without_the_file_capability_the_added_capability_is_lost_at_exec_and_the_bind_is_refused()
    {
        var caps = ContainerCapabilities.For(TurnServerContainer(DefaultPlan()).SecurityContext);

        var run = RunTurnServer(caps, fileCapability: false);

        // Non-root, no ambient set: the permitted set is empty after exec, and bind(2) on 478 gets EACCES
        Assert.False(run.Listening);
        Assert.Contains("Permission denied", run.Output);
        if (run.Status is { } status)
        {
            Assert.Equal(0UL, status["CapPrm"]);
        }
    }

    [SkippableFact]
    public void With_no_capability_added_the_exec_of_the_file_capability_binary_fails()
    {
        // GIVEN drop ALL and nothing added: NET_BIND_SERVICE is not even in the bounding set
        var caps = ContainerCapabilities.For(new k8s.Models.V1SecurityContext
        {
            AllowPrivilegeEscalation = false,
            Capabilities = new k8s.Models.V1Capabilities { Drop = ["ALL"] },
        });

        var run = RunTurnServer(caps, fileCapability: true);

        // THEN the kernel refuses the exec (the file's effective bit demands a capability the process cannot get)
        Assert.False(run.Listening);
        Assert.Contains("Operation not permitted", run.Output);
        Assert.Equal(126, run.Exit);
    }
}
