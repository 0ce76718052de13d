namespace Infra.Servers.Coturn;

/// <summary>
/// Turns the generated turnserver.conf into one Debian's coturn 4.6.1 can run on loopback: it removes exactly
/// the options 4.6.1 does not have (a named list, never "whatever fails") and the options the test overlay
/// replaces, adds the named lines that give 4.6.1 the pinned release's defaults, then appends the overlay.
/// What 4.6.1 cannot show of the pinned release (4.17.x): its own defaults (CLI, RFC 5780, SOFTWARE, DTLS off:
/// emulated here by <see cref="PinnedDefaultsFor461"/>), the canonicalization of IPv4-in-IPv6 peers and the built-in
/// link-local/ULA denial (coturn #1945, #1947: modelled in DeniedPeers.CoturnMatches, not run), the abort on a malformed
/// peer range (#1872: 4.6.1 logs "Wrong address format" and drops the rule, so the tests assert that line is absent),
/// the span comparison of IPv6 bounds (4.16.0; 4.6.1 compares byte by byte), the STUN-over-TCP length fixes (#1844,
/// #1964) and stateless nonces (4.17.0 default).
/// </summary>
public static class CoturnTestConfig
{
    /// <summary>
    /// Options of the generated config (for the pinned 4.17.x image) that Debian's 4.6.1 build rejects with
    /// "Bad configuration format": it is built without Prometheus support (REFERENCE.md).
    /// </summary>
    public static readonly IReadOnlyList<string> IncompatibleWith461 = ["prometheus", "prometheus-port"];

    /// <summary>
    /// What the pinned release does by default and 4.6.1 only when told (coturn ChangeLog: 4.7.0 #1688 RFC 5780 off,
    /// #1598 SOFTWARE off, TLS 1.0/1.1 off; 4.10.0 #1830 CLI off; 4.17.0 #2026 DTLS off). The generated config for
    /// 4.17.x leaves these out (they are defaults or deprecated there), so 4.6.1 gets them here, each only when the
    /// generated config does not already carry it. Without <c>no-cli</c> 4.6.1 refuses allow-loopback-peers with an
    /// empty CLI password. Not here: the TLS 1.2 floor (<c>no-tlsv1</c>, <c>no-tlsv1_1</c>): Debian's 4.6.1
    /// turnutils_uclient opens each TLS connection with one of four contexts, TLSv1 and TLSv1_1 among them
    /// (src/apps/uclient/mainuclient.c at 4.6.1), so with the floor the TLS allocation test times out (seen here);
    /// the floor of the pinned release is therefore not exercised by these tests.
    /// </summary>
    public static readonly IReadOnlyList<string> PinnedDefaultsFor461 =
        ["no-cli", "no-rfc5780", "no-software-attribute", "no-dtls"];

    /// <summary>Ports for loopback tests: all inside 18000-18999 so concurrent test suites on this machine never collide.</summary>
    public sealed record LoopbackPorts(int Listening, int Tls, int RelayMin, int RelayMax, int Peer)
    {
        public IEnumerable<int> All => [Listening, Tls, RelayMin, RelayMax, Peer];
    }

    /// <summary>What the test changes, as turnserver.conf lines: listen and relay on 127.0.0.1, shifted ports, local files.</summary>
    public static IReadOnlyList<string> Overlay(LoopbackPorts ports, string certFile, string keyFile, string runDir)
    {
        if (ports.All.Any(p => p is < 18000 or > 18999))
        {
            throw new ArgumentOutOfRangeException(nameof(ports), "test ports must stay inside 18000-18999");
        }
        return
        [
            "listening-ip=127.0.0.1",
            "relay-ip=127.0.0.1",
            $"listening-port={ports.Listening}",
            $"tls-listening-port={ports.Tls}",
            $"min-port={ports.RelayMin}",
            $"max-port={ports.RelayMax}",
            $"cert={certFile}",
            $"pkey={keyFile}",
            $"pidfile={Path.Combine(runDir, "turnserver.pid")}",
            $"userdb={Path.Combine(runDir, "turndb")}",
            // Loopback peers are refused by default; the test peer runs on 127.0.0.1 only. The generated
            // 127.0.0.0/8 rule still denies the rest of loopback, and 127.0.0.2 is denied explicitly too.
            "allow-loopback-peers",
            "allowed-peer-ip=127.0.0.1",
            "denied-peer-ip=127.0.0.2",
            // Logs each response code (401, 403) with the user name: the tests read them.
            "verbose",
        ];
    }

    /// <summary>
    /// What the network-namespace test changes: only the file paths (the pod's volumes are not here) and <c>verbose</c>.
    /// Addresses, ports, relay range and every other rule stay as the plan and the init script wrote them.
    /// </summary>
    public static IReadOnlyList<string> NamespaceOverlay(string certFile, string keyFile, string runDir) =>
    [
        $"cert={certFile}",
        $"pkey={keyFile}",
        $"pidfile={Path.Combine(runDir, "turnserver.pid")}",
        $"userdb={Path.Combine(runDir, "turndb")}",
        "verbose",
    ];

    /// <summary>
    /// <see cref="Compose(string, IReadOnlyList{string})"/> that also drops exactly the lines in <paramref name="dropExactly"/>:
    /// each must occur in the generated config exactly once, or this throws (a rule that changed is never dropped by accident).
    /// </summary>
    public static (string Config, IReadOnlyList<string> Removed) Compose(string generated, IReadOnlyList<string> overlay, IReadOnlyList<string> dropExactly)
    {
        var lines = generated.Split('\n');
        foreach (var drop in dropExactly)
        {
            var count = lines.Count(l => l.Trim() == drop);
            if (count != 1)
            {
                throw new InvalidOperationException($"'{drop}' occurs {count} times in the generated config, not once");
            }
        }
        var kept = string.Join('\n', lines.Where(l => !dropExactly.Contains(l.Trim())));
        var (config, removed) = Compose(kept, overlay);
        return (config, dropExactly.Concat(removed).ToArray());
    }

    /// <summary>The option name of a config line; null for comments and blank lines.</summary>
    public static string? OptionOf(string line)
    {
        var t = line.Trim();
        if (t.Length == 0 || t.StartsWith('#'))
        {
            return null;
        }
        var eq = t.IndexOf('=');
        return eq < 0 ? t : t[..eq].Trim();
    }

    /// <summary>Options that may occur once: the overlay's value replaces the generated one.</summary>
    private static readonly HashSet<string> MultiValued = ["denied-peer-ip", "allowed-peer-ip", "static-auth-secret"];

    public static (string Config, IReadOnlyList<string> Removed) Compose(string generated, IReadOnlyList<string> overlay)
    {
        var replaced = overlay.Select(OptionOf).OfType<string>().Where(o => !MultiValued.Contains(o)).ToHashSet();
        var kept = new List<string>();
        var removed = new List<string>();
        foreach (var line in generated.Split('\n'))
        {
            var option = OptionOf(line);
            if (option is not null && (IncompatibleWith461.Contains(option) || replaced.Contains(option)))
            {
                removed.Add(line.Trim());
                continue;
            }
            kept.Add(line);
        }
        var present = kept.Select(OptionOf).OfType<string>().ToHashSet();
        var defaults = PinnedDefaultsFor461.Where(o => !present.Contains(o)).ToArray();
        var config = string.Join('\n', kept).TrimEnd('\n')
            + (defaults.Length == 0 ? "" : "\n\n# the pinned release's defaults, which Debian's 4.6.1 needs spelled out\n" + string.Join('\n', defaults))
            + "\n\n# test overlay\n" + string.Join('\n', overlay) + "\n";
        return (config, removed);
    }
}
