using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Turn;
using Infra.Servers;
using Infra.Servers.Coturn;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Coturn;

/// <summary>
/// One real turnserver (Debian's 4.6.1) running the generated config, as the pod would build it (the
/// generated init script adds the secret and the node address 127.0.0.1), minus exactly the options 4.6.1
/// lacks, plus the loopback overlay. All traffic stays on 127.0.0.0/8; every process is stopped by PID.
/// </summary>
public sealed class CoturnServerFixture : IDisposable
{
    public const string TurnHost = LoopbackCoturn.TurnHost;
    public static readonly CoturnTestConfig.LoopbackPorts Ports = new(Listening: 18478, Tls: 18349, RelayMin: 18600, RelayMax: 18699, Peer: 18480);

    private readonly string _root = Directory.CreateTempSubdirectory("coturn-real-").FullName;
    private readonly LoopbackCoturn? _coturn;

    public string? SkipReason { get; }
    public string Secret { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
    public string GeneratedConfig => _coturn!.GeneratedConfig;
    public string FinalConfig => _coturn!.FinalConfig;
    public IReadOnlyList<string> Removed => _coturn!.Removed;
    public X509Certificate2 Certificate => _coturn!.Certificate;
    public ServerProcess Server => _coturn!.Server;

    public CoturnServerFixture()
    {
        var missing = CoturnTools.Missing();
        if (missing.Count > 0)
        {
            SkipReason = $"SKIPPED: {string.Join(", ", missing)} not installed (apt-get install coturn openssl)";
            return;
        }
        // GIVEN the plan's ConfigMap for the default coturn image (4.17.2), run the way the pod runs it
        var plan = Planner.Build(Parse(With()).OrThrow());
        var configMap = plan.Coturn!.Config.Data.AsReadOnly();
        _coturn = new LoopbackCoturn(_root, Ports, configMap, Secret, CoturnInit.InitEnv(plan.Coturn.DaemonSet));
    }

    public ServerProcess Start(string name, string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null) =>
        _coturn!.Start(name, file, args, env);

    public string NewDirectory(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;

    public void Dispose()
    {
        _coturn?.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}

public sealed class CoturnServerTests(CoturnServerFixture turn) : IClassFixture<CoturnServerFixture>
{
    private const string User = "@alice:example.org";
    private static readonly CoturnTestConfig.LoopbackPorts P = CoturnServerFixture.Ports;

    private void RequireServer()
    {
        if (turn.SkipReason is not null)
        {
            if (Tools.Required)
            {
                Assert.Fail(turn.SkipReason + " but MATRIX_RTC_REQUIRE_TOOLS=1");
            }
            Skip.If(true, turn.SkipReason);
        }
    }

    private int LogCount(string text) => turn.Server.Output.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));

    [SkippableFact]
    public void Only_the_named_461_options_and_the_overlay_replacements_were_removed()
    {
        RequireServer();
        var replaced = new[] { "listening-ip", "relay-ip", "listening-port", "tls-listening-port", "min-port", "max-port", "cert", "pkey", "pidfile", "userdb" };

        var removedOptions = turn.Removed.Select(CoturnTestConfig.OptionOf).OfType<string>().ToHashSet();

        Assert.Equal(CoturnTestConfig.IncompatibleWith461.Concat(replaced).ToHashSet(), removedOptions);
        Assert.Contains("static-auth-secret=" + turn.Secret, turn.FinalConfig.Split('\n'));
        // everything security-relevant of the generated config reached the server unchanged
        foreach (var option in new[] { "use-auth-secret", "fingerprint", "no-multicast-peers", "no-tcp-relay" })
        {
            Assert.Contains(option, turn.GeneratedConfig.Split('\n'));
            Assert.Contains(option, turn.FinalConfig.Split('\n'));
        }
        // and 4.6.1 was told the pinned release's defaults the generated config leaves to the release (no telnet CLI,
        // no NAT discovery, no SOFTWARE attribute, no DTLS, no TLS 1.0/1.1)
        foreach (var option in CoturnTestConfig.PinnedDefaultsFor461)
        {
            Assert.Contains(option, turn.FinalConfig.Split('\n'));
        }
    }

    [SkippableFact]
    public void Allocation_and_relay_with_credentials_from_our_code_lose_nothing()
    {
        RequireServer();
        // GIVEN a credential minted by our implementation from the shared secret the init script installed
        var credential = TurnCredentials.ForTtl(turn.Secret, User, DateTimeOffset.UtcNow, TimeSpan.FromHours(1));

        // WHEN turnutils_uclient allocates over UDP and relays 40 messages to the peer on 127.0.0.1
        var (_, output) = CoturnTools.Allocate(P.Listening, credential.Username, credential.Password, "127.0.0.1", P.Peer, messages: 40);

        // THEN every message came back through the relay
        var summary = CoturnTools.Summary(output);
        Assert.True(summary is not null, output);
        Assert.Equal(0, summary.Value.Lost);
        Assert.True(summary.Value.Sent > 0, output);
        Assert.Equal(summary.Value.Sent, summary.Value.Received);
        Assert.True(LogCount($"user <{credential.Username}>: incoming packet ALLOCATE processed, success") >= 1, turn.Server.Output);
    }

    [SkippableFact]
    public void Allocation_over_TLS_works_with_the_same_credentials()
    {
        RequireServer();
        var credential = TurnCredentials.ForTtl(turn.Secret, "tls-user", DateTimeOffset.UtcNow, TimeSpan.FromHours(1));

        var (_, output) = CoturnTools.Allocate(P.Tls, credential.Username, credential.Password, "127.0.0.1", P.Peer, messages: 20, tls: true);

        var summary = CoturnTools.Summary(output);
        Assert.True(summary is not null, output);
        Assert.Equal(0, summary.Value.Lost);
        Assert.Equal(summary.Value.Sent, summary.Value.Received);
    }

    [SkippableFact]
    public void A_wrong_secret_is_refused_with_401()
    {
        RequireServer();
        var credential = TurnCredentials.ForTtl("not-" + turn.Secret, "mallory-wrong-secret", DateTimeOffset.UtcNow, TimeSpan.FromHours(1));

        var (_, output) = CoturnTools.Allocate(P.Listening, credential.Username, credential.Password, "127.0.0.1", P.Peer, messages: 5);

        Assert.Null(CoturnTools.Summary(output));
        Assert.Contains("Cannot complete Allocation", output);
        Assert.True(ServerProcess.WaitUntil(() => LogCount($"user <{credential.Username}>: incoming packet message processed, error 401: Unauthorized") >= 1,
            TimeSpan.FromSeconds(5)), turn.Server.Output);
    }

    [SkippableFact]
    public void An_expired_timestamp_is_refused_with_401()
    {
        RequireServer();
        // GIVEN a correctly signed credential that expired a minute ago
        var credential = TurnCredentials.Create(turn.Secret, "mallory-expired", DateTimeOffset.UtcNow.AddMinutes(-1));

        var (_, output) = CoturnTools.Allocate(P.Listening, credential.Username, credential.Password, "127.0.0.1", P.Peer, messages: 5);

        Assert.Null(CoturnTools.Summary(output));
        Assert.True(ServerProcess.WaitUntil(() => LogCount($"user <{credential.Username}>: incoming packet message processed, error 401: Unauthorized") >= 1,
            TimeSpan.FromSeconds(5)), turn.Server.Output);
    }

    [SkippableTheory]
    [InlineData("127.0.0.2")] // the overlay's explicit rule
    [InlineData("127.0.0.3")] // only the generated 127.0.0.0-127.255.255.255 rule denies it (allow-loopback-peers is on)
    public void Relay_to_a_denied_peer_is_refused_with_403(string peer)
    {
        RequireServer();
        var credential = TurnCredentials.ForTtl(turn.Secret, "denied-" + peer, DateTimeOffset.UtcNow, TimeSpan.FromHours(1));

        var (_, output) = CoturnTools.Allocate(P.Listening, credential.Username, credential.Password, peer, P.Peer, messages: 5);

        Assert.Contains("error 403 (Forbidden IP)", output);
        Assert.True(LogCount($"A peer IP {peer} denied in the range") >= 1, turn.Server.Output);
    }

    [SkippableFact]
    public void Tls_port_presents_the_configured_certificate()
    {
        RequireServer();

        var presented = CoturnTools.PresentedCertificate(P.Tls, CoturnServerFixture.TurnHost);

        Assert.NotNull(presented);
        Assert.Equal(turn.Certificate.Thumbprint, presented.Thumbprint);
    }

    [SkippableFact]
    public void Coturn_accepts_every_line_and_every_denied_range_of_the_generated_config()
    {
        RequireServer();
        var log = turn.Server.Output;

        Assert.DoesNotContain("Bad configuration format", log);
        Assert.DoesNotContain("Wrong address format", log);
        // coturn logs "Black listing: <range>" for each denied-peer-ip it accepted: all of ours, and the overlay's one
        var rules = turn.FinalConfig.Split('\n').Where(l => l.StartsWith("denied-peer-ip=", StringComparison.Ordinal))
            .Select(l => l["denied-peer-ip=".Length..].Trim()).Order(StringComparer.Ordinal).ToArray();
        var accepted = log.Split('\n').Where(l => l.Contains("Black listing: ", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf("Black listing: ", StringComparison.Ordinal) + "Black listing: ".Length)..].Trim())
            .Distinct().Order(StringComparer.Ordinal).ToArray(); // coturn adds 0.0.0.0/8 on its own (CVE-2020-26262), so compare distinct

        Assert.True(rules.Length > 25);
        Assert.Equal(rules, accepted);
        Assert.Contains("Black listing: 169.254.0.0-169.254.255.255", log);
    }

    [SkippableFact]
    public void A_changed_certificate_is_served_after_the_reloader_sends_SIGUSR2()
    {
        RequireServer();
        // GIVEN a second turnserver with its own ports and certificate, and the generated reloader watching it
        var dir = turn.NewDirectory("reload");
        var tls = Directory.CreateDirectory(Path.Combine(dir, "tls")).FullName;
        var run = Directory.CreateDirectory(Path.Combine(dir, "run")).FullName;
        var cert = Path.Combine(tls, "tls.crt");
        var key = Path.Combine(tls, "tls.key");
        var first = CoturnTools.WriteSelfSigned("first." + CoturnServerFixture.TurnHost, cert, key);
        var ports = new CoturnTestConfig.LoopbackPorts(Listening: 18578, Tls: 18549, RelayMin: 18700, RelayMax: 18749, Peer: 18580);
        var (config, _) = CoturnTestConfig.Compose(turn.GeneratedConfig, CoturnTestConfig.Overlay(ports, cert, key, run));
        var confPath = Path.Combine(dir, "turnserver.conf");
        System.IO.File.WriteAllText(confPath, config);
        var server = turn.Start("turnserver-reload", CoturnTools.TurnServer!, ["-c", confPath]);
        Assert.True(ServerProcess.WaitUntil(() => ServerProcess.TcpOpen("127.0.0.1", ports.Tls), TimeSpan.FromSeconds(15)), server.Output);
        Assert.Equal(first.Thumbprint, CoturnTools.PresentedCertificate(ports.Tls, CoturnServerFixture.TurnHost)?.Thumbprint);
        var script = Path.Combine(dir, CoturnPaths.ReloadScript);
        System.IO.File.WriteAllText(script, CoturnScripts.ReloadOnCertChange());
        var reloader = turn.Start("reloader", "/bin/sh", [script], new Dictionary<string, string>
        {
            ["TLS_DIR"] = tls,
            ["PID_FILE"] = Path.Combine(run, "turnserver.pid"),
            ["RELOAD_INTERVAL_SECONDS"] = "1",
        });
        Assert.True(ServerProcess.WaitUntil(() => reloader.Output.Contains("watching"), TimeSpan.FromSeconds(5)), reloader.Output);

        // WHEN the certificate files are replaced (as the kubelet does when cert-manager renews the Secret)
        var second = CoturnTools.WriteSelfSigned("second." + CoturnServerFixture.TurnHost, cert, key);

        // THEN the reloader signals turnserver, which serves the new certificate without a restart
        Assert.True(ServerProcess.WaitUntil(() => reloader.Output.Contains("sent SIGUSR2"), TimeSpan.FromSeconds(10)), reloader.Output);
        Assert.True(ServerProcess.WaitUntil(
            () => CoturnTools.PresentedCertificate(ports.Tls, CoturnServerFixture.TurnHost)?.Thumbprint == second.Thumbprint,
            TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(500)), server.Output);
        Assert.False(server.HasExited);
    }
}

/// <summary>The config generated for an older pinned release (4.6.1, with no-tlsv1 options) runs on 4.6.1 too.</summary>
public sealed class CoturnOlderReleaseServerTests
{
    [SkippableFact]
    public void Config_generated_for_461_is_accepted_by_461_and_relays()
    {
        var missing = CoturnTools.Missing();
        if (missing.Count > 0)
        {
            var reason = $"SKIPPED: {string.Join(", ", missing)} not installed";
            Assert.False(Tools.Required, reason);
            Skip.If(true, reason);
        }
        // GIVEN the plan for coturn/coturn:4.6.1, whose config carries the no-tlsv1 options 4.7.0 removed
        var plan = Planner.Build(Parse(With(("coturnImage", S("coturn/coturn:4.6.1")))).OrThrow());
        var configMap = plan.Coturn!.Contract.Objects.OfType<k8s.Models.V1ConfigMap>().Single().Data.AsReadOnly();
        Assert.Contains("no-tlsv1\n", configMap[CoturnPaths.TemplateConf]);
        var root = Directory.CreateTempSubdirectory("coturn-461-").FullName;
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        try
        {
            // WHEN Debian's 4.6.1 runs it (same named removals, other loopback ports)
            using var coturn = new LoopbackCoturn(root, new CoturnTestConfig.LoopbackPorts(18378, 18249, 18500, 18549, 18380), configMap, secret);
            var credential = TurnCredentials.ForTtl(secret, "older-release", DateTimeOffset.UtcNow, TimeSpan.FromHours(1));
            var (_, output) = CoturnTools.Allocate(18378, credential.Username, credential.Password, "127.0.0.1", 18380, messages: 10);

            // THEN every line is accepted and the relay works
            Assert.DoesNotContain("Bad configuration format", coturn.Server.Output);
            Assert.DoesNotContain("Wrong address format", coturn.Server.Output);
            Assert.Equal(["prometheus", "prometheus-port"], coturn.Removed.Select(CoturnTestConfig.OptionOf).Where(CoturnTestConfig.IncompatibleWith461.Contains));
            var summary = CoturnTools.Summary(output);
            Assert.True(summary is not null, output);
            Assert.Equal(0, summary.Value.Lost);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
