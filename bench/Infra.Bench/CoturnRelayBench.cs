using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Infra.Plan;
using Infra.Plan.Spec;
using Infra.Plan.Turn;
using Infra.Servers.Coturn;

namespace Infra.Bench;

/// <summary>
/// Relays audio-sized packets through a real turnserver on loopback running the generated config (Debian's
/// 4.6.1, via the test harness) and prints loss, round trip and jitter for growing numbers of concurrent
/// allocations. Figures only: loopback says nothing about a real network, but shows the config adds no loss.
/// </summary>
public static partial class CoturnRelayBench
{
    public static Benchmark Definition { get; } = new("coturn-relay",
        "real turnserver (generated config) on 127.0.0.1: loss/RTT/jitter for 1, 10, 50 allocations × 100 packets of 160 B",
        Run);

    private static int Run(string[] args, TextWriter output)
    {
        var missing = CoturnTools.Missing();
        if (missing.Count > 0)
        {
            output.WriteLine($"SKIPPED coturn-relay: {string.Join(", ", missing)} not installed");
            return 0;
        }
        var config = new Dictionary<string, ConfigValue>
        {
            ["matrix-rtc:serverName"] = new ConfigValue.Scalar("example.org"),
            ["matrix-rtc:rtcHost"] = new ConfigValue.Scalar("rtc.example.org"),
            ["matrix-rtc:turnHost"] = new ConfigValue.Scalar(LoopbackCoturn.TurnHost),
            ["matrix-rtc:nodeCidrs"] = new ConfigValue.Sequence([new ConfigValue.Scalar("10.10.0.0/24")]),
            ["matrix-rtc:mediaRelayImageRepository"] = new ConfigValue.Scalar("registry.example.org/rtc/media-relay"),
            ["matrix-rtc:mediaRelayImageTag"] = new ConfigValue.Scalar("v1.13.5-1"),
            ["matrix-rtc:mediaRelayLivekitVersion"] = new ConfigValue.Scalar("v1.13.5"),
            ["matrix-rtc:turnUserQuota"] = new ConfigValue.Scalar("100"),
        };
        var plan = Planner.Build(Planner.Validate("bench", config).OrThrow());
        // The bench stack keeps the default host networking, so it plans coturn.
        var coturnPlan = plan.Coturn ?? throw new InvalidOperationException("the bench stack plans no coturn: sfuMediaExposure must stay hostNetwork");
        var configMap = coturnPlan.Config.Data.AsReadOnly();
        var root = Directory.CreateTempSubdirectory("coturn-bench-").FullName;
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        // Ports of the benchmark differ from the tests' so both can run at once.
        var ports = new CoturnTestConfig.LoopbackPorts(Listening: 18878, Tls: 18849, RelayMin: 18100, RelayMax: 18499, Peer: 18880);
        try
        {
            using var coturn = new LoopbackCoturn(root, ports, configMap, secret);
            output.WriteLine("coturn-relay: turnserver 4.6.1 with the generated 4.7.0 config on 127.0.0.1 (UDP, 160-byte packets every 20 ms)");
            output.WriteLine("| allocations | packets sent | lost | avg RTT ms | max RTT ms | avg jitter ms | wall s |");
            output.WriteLine("|---|---|---|---|---|---|---|");
            foreach (var clients in new[] { 1, 10, 40 })
            {
                var credential = TurnCredentials.ForTtl(secret, $"bench-{clients}", DateTimeOffset.UtcNow, TimeSpan.FromHours(1));
                var sw = Stopwatch.StartNew();
                var (_, text) = CoturnTools.Run(CoturnTools.UClient!,
                    ["-u", credential.Username, "-w", credential.Password, "-p", ports.Listening.ToString(), "-e", "127.0.0.1",
                     "-r", ports.Peer.ToString(), "-n", "100", "-m", clients.ToString(), "-l", "160", "-c", "127.0.0.1"],
                    TimeSpan.FromSeconds(60));
                sw.Stop();
                var summary = CoturnTools.Summary(text);
                var rtt = RttPattern().Match(text);
                var jitter = JitterPattern().Match(text);
                if (summary is null)
                {
                    output.WriteLine($"| {clients} | failed | | | | | {sw.Elapsed.TotalSeconds:0.0} |");
                    output.WriteLine(string.Join("\n", text.Split((char)10).Where(l => l.Contains("ERROR") || l.Contains("rror")).Distinct().Take(5)));
                    continue;
                }
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {clients} | {summary.Value.Sent} | {summary.Value.Lost} | {Value(rtt, 1)} | {Value(rtt, 3)} | {Value(jitter, 1)} | {sw.Elapsed.TotalSeconds:0.0} |"));
            }
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string Value(Match m, int group) => m.Success ? m.Groups[group].Value : "?";

    [GeneratedRegex(@"Average round trip delay ([\d.]+) ms; min = ([\d.]+) ms, max = ([\d.]+) ms")]
    private static partial Regex RttPattern();

    [GeneratedRegex(@"Average jitter ([\d.]+) ms")]
    private static partial Regex JitterPattern();
}
