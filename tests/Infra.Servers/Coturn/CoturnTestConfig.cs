namespace Infra.Servers.Coturn;

/// <summary>
/// Turns the generated turnserver.conf into one Debian's coturn 4.6.1 can run on loopback: it removes exactly
/// the options 4.6.1 does not have (a named list, never "whatever fails") and the options the test overlay
/// replaces, then appends the overlay.
/// </summary>
public static class CoturnTestConfig
{
    /// <summary>
    /// Options of the generated config (for the pinned 4.7.0 image) that Debian's 4.6.1 build rejects with
    /// "Bad configuration format": it is built without Prometheus support (REFERENCE.md).
    /// </summary>
    public static readonly IReadOnlyList<string> IncompatibleWith461 = ["prometheus", "prometheus-port"];

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
        var config = string.Join('\n', kept).TrimEnd('\n') + "\n\n# test overlay\n" + string.Join('\n', overlay) + "\n";
        return (config, removed);
    }
}
