using System.Text.RegularExpressions;

namespace Infra.Servers.Coturn;

/// <summary>
/// A cloud network in four network namespaces the test creates, for coturn behind 1:1 NAT:
/// <code>
///   internet (198.51.100.20 client, 198.51.100.53 public STUN)
///       | mrtc-inet -- mrtc-r-inet 198.51.100.1
///   router: bridge mrtc-br 10.20.0.1/24, ip_forward, nftables 1:1 NAT (203.0.113.10 = 10.20.0.5, 203.0.113.11 = 10.20.0.6)
///       | mrtc-r-a -- mrtc-a              | mrtc-r-b -- mrtc-b
///   node-a 10.20.0.5 (coturn, an SFU)    node-b 10.20.0.6 (the SFU)
/// </code>
/// "Public" addresses are documentation ranges (TEST-NET-2/3), private ones 10.20.0.0/24, and no namespace has a link to
/// the machine's own network: nothing can route out. Every namespace and link has a fixed name starting with
/// <see cref="Prefix"/>; <see cref="CleanUp"/> removes them by name (and stops processes still inside them, left by a
/// crashed earlier run), at start and on Dispose. Each command is checked: a failing one throws with its output.
/// </summary>
public sealed partial class NatLab : IDisposable
{
    public const string Prefix = "mrtc-nat-";
    public const string Internet = Prefix + "inet";
    public const string Router = Prefix + "router";
    public const string NodeA = Prefix + "node-a";
    public const string NodeB = Prefix + "node-b";
    public static readonly IReadOnlyList<string> Namespaces = [Internet, Router, NodeA, NodeB];

    public const string Client = "198.51.100.20";
    public const string RouterInternet = "198.51.100.1";
    public const string PublicStun = "198.51.100.53";
    public const string Gateway = "10.20.0.1";
    public const string NodeAPrivate = "10.20.0.5";
    public const string NodeBPrivate = "10.20.0.6";
    public const string NodeAPublic = "203.0.113.10";
    public const string NodeBPublic = "203.0.113.11";
    public const string NodeCidr = "10.20.0.0/24";

    /// <summary>Every link the lab creates, by namespace (veth ends and the bridge); all names start with "mrtc-".</summary>
    public static readonly IReadOnlyList<(string Namespace, string Link)> Links =
    [
        (Router, "mrtc-r-inet"), (Router, "mrtc-r-a"), (Router, "mrtc-r-b"), (Router, "mrtc-br"),
        (Internet, "mrtc-inet"), (NodeA, "mrtc-a"), (NodeB, "mrtc-b"),
    ];

    private const string NatTable = "mrtc_nat";
    private readonly List<ServerProcess> _processes = [];

    public static string? Ip => Tools.Find("ip");
    public static string? Nft => Tools.Find("nft");

    /// <summary>Why the lab cannot run here (a missing tool, or no right to create namespaces), or null.</summary>
    public static string? Unavailable()
    {
        if (Ip is null || Nft is null)
        {
            return $"{string.Join(", ", new[] { ("ip", Ip), ("nft", Nft) }.Where(t => t.Item2 is null).Select(t => t.Item1))} not installed (apt-get install iproute2 nftables)";
        }
        const string probe = Prefix + "probe";
        var (exit, output) = CoturnTools.Run(Ip, ["netns", "add", probe], TimeSpan.FromSeconds(10));
        if (exit != 0)
        {
            return $"cannot create network namespaces (needs CAP_NET_ADMIN): {output.Trim()}";
        }
        CoturnTools.Run(Ip, ["netns", "del", probe], TimeSpan.FromSeconds(10));
        return null;
    }

    public NatLab()
    {
        CleanUp();
        try
        {
            Build();
        }
        catch
        {
            CleanUp();
            throw;
        }
    }

    private void Build()
    {
        foreach (var ns in Namespaces)
        {
            IpCmd("netns", "add", ns);
            IpCmd("-n", ns, "link", "set", "lo", "up");
        }
        // The router: the nodes' subnet on a bridge, the internet on a veth.
        IpCmd("-n", Router, "link", "add", "mrtc-br", "type", "bridge");
        IpCmd("-n", Router, "addr", "add", $"{Gateway}/24", "dev", "mrtc-br");
        IpCmd("-n", Router, "link", "set", "mrtc-br", "up");
        IpCmd("-n", Router, "link", "add", "mrtc-r-inet", "type", "veth", "peer", "name", "mrtc-inet", "netns", Internet);
        IpCmd("-n", Router, "addr", "add", $"{RouterInternet}/24", "dev", "mrtc-r-inet");
        IpCmd("-n", Router, "link", "set", "mrtc-r-inet", "up");
        // The internet: a client and a public STUN server; it reaches the public 203.0.113.0/24 through the router only.
        IpCmd("-n", Internet, "addr", "add", $"{Client}/24", "dev", "mrtc-inet");
        IpCmd("-n", Internet, "addr", "add", $"{PublicStun}/24", "dev", "mrtc-inet");
        IpCmd("-n", Internet, "link", "set", "mrtc-inet", "up");
        IpCmd("-n", Internet, "route", "add", "203.0.113.0/24", "via", RouterInternet);
        foreach (var (ns, link, address) in new[] { (NodeA, "a", NodeAPrivate), (NodeB, "b", NodeBPrivate) })
        {
            IpCmd("-n", Router, "link", "add", $"mrtc-r-{link}", "type", "veth", "peer", "name", $"mrtc-{link}", "netns", ns);
            IpCmd("-n", Router, "link", "set", $"mrtc-r-{link}", "master", "mrtc-br");
            IpCmd("-n", Router, "link", "set", $"mrtc-r-{link}", "up");
            IpCmd("-n", ns, "addr", "add", $"{address}/24", "dev", $"mrtc-{link}");
            IpCmd("-n", ns, "link", "set", $"mrtc-{link}", "up");
            IpCmd("-n", ns, "route", "add", "default", "via", Gateway);
        }
        // Forwarding on, and no ICMP redirects: a hairpinned packet leaves on the interface it came in on.
        Exec(Router, "/bin/sh", "-c",
            "echo 1 > /proc/sys/net/ipv4/ip_forward && echo 0 > /proc/sys/net/ipv4/conf/all/send_redirects && echo 0 > /proc/sys/net/ipv4/conf/mrtc-br/send_redirects");
        SetHairpinNat(true);
    }

    /// <summary>
    /// The router's 1:1 NAT. With hairpin (what clouds do for their public addresses) the rules apply to every packet:
    /// a node sending to a public address of the same NAT gets both the destination and the source translated. Without
    /// it they apply only to traffic crossing the internet side, as on routers without "NAT loopback".
    /// </summary>
    public void SetHairpinNat(bool hairpin)
    {
        var inOnly = hairpin ? "" : "iifname \"mrtc-r-inet\" ";
        var outOnly = hairpin ? "" : "oifname \"mrtc-r-inet\" ";
        var rules = $$"""
            table ip {{NatTable}}
            delete table ip {{NatTable}}
            table ip {{NatTable}} {
              chain prerouting {
                type nat hook prerouting priority dstnat; policy accept;
                {{inOnly}}ip daddr {{NodeAPublic}} dnat to {{NodeAPrivate}}
                {{inOnly}}ip daddr {{NodeBPublic}} dnat to {{NodeBPrivate}}
              }
              chain postrouting {
                type nat hook postrouting priority srcnat; policy accept;
                {{outOnly}}ip saddr {{NodeAPrivate}} snat to {{NodeAPublic}}
                {{outOnly}}ip saddr {{NodeBPrivate}} snat to {{NodeBPublic}}
              }
            }
            """;
        Feed(Router, rules, Nft!, "-f", "-");
    }

    /// <summary>Loads an nftables ruleset into <paramref name="ns"/> (e.g. the node rule the plan asks operators to install).</summary>
    public static void ApplyNftables(string ns, string rules) => Feed(ns, rules, Nft!, "-f", "-");

    /// <summary>Counts UDP packets arriving in <paramref name="ns"/> on each of <paramref name="ports"/>, per source (nftables counters).</summary>
    public void CountUdpArrivals(string ns, int[] ports, params string[] sources)
    {
        var counters = string.Join("\n", ports.SelectMany(p => sources.Select(s => $"    ip saddr {s} udp dport {p} counter")));
        Feed(ns, $$"""
            table ip mrtc_probe
            delete table ip mrtc_probe
            table ip mrtc_probe {
              chain input {
                type filter hook input priority 0; policy accept;
            {{counters}}
              }
            }
            """, Nft!, "-f", "-");
    }

    /// <summary>The packet count of the counter for <paramref name="source"/> set by <see cref="CountUdpArrivals"/>.</summary>
    public long Arrivals(string ns, string source, int port)
    {
        var listing = Feed(ns, null, Nft!, "list", "table", "ip", "mrtc_probe");
        var m = Regex.Match(listing, $@"ip saddr {Regex.Escape(source)} udp dport {port} counter packets (\d+)");
        return m.Success ? long.Parse(m.Groups[1].Value) : throw new InvalidOperationException("no counter for " + source + ":\n" + listing);
    }

    /// <summary>The router's connection-tracking table: each flow with its original and translated addresses.</summary>
    public string Conntrack() => Feed(Router, null, "/bin/cat", "/proc/net/nf_conntrack");

    /// <summary>Starts a long-running process inside <paramref name="ns"/> (ip netns exec replaces itself with it: the PID is the process's).</summary>
    public ServerProcess Start(string name, string ns, string file, IEnumerable<string> args, string workingDirectory)
    {
        var p = ServerProcess.Start(name, Ip!, new[] { "netns", "exec", ns, file }.Concat(args), workingDirectory);
        _processes.Add(p);
        return p;
    }

    /// <summary>Runs a tool inside <paramref name="ns"/> to completion (killed by PID after <paramref name="timeout"/>).</summary>
    public static (int Exit, string Output) Run(string ns, TimeSpan timeout, string file, params string[] args) =>
        CoturnTools.Run(Ip!, new[] { "netns", "exec", ns, file }.Concat(args), timeout);

    /// <summary>Runs <paramref name="file"/> in <paramref name="ns"/> with <paramref name="stdin"/> as input; a non-zero exit throws.</summary>
    private static string Feed(string ns, string? stdin, string file, params string[] args)
    {
        var (exit, output) = CoturnTools.Run(Ip!, new[] { "netns", "exec", ns, file }.Concat(args), TimeSpan.FromSeconds(20), stdin);
        if (exit != 0)
        {
            throw new InvalidOperationException($"in {ns}: {file} {string.Join(' ', args)} failed ({exit}): {output}");
        }
        return output;
    }

    private static void Exec(string ns, string file, params string[] args) => Feed(ns, null, file, args);

    private static void IpCmd(params string[] args)
    {
        var (exit, output) = CoturnTools.Run(Ip!, args, TimeSpan.FromSeconds(20));
        if (exit != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', args)} failed ({exit}): {output}");
        }
    }

    /// <summary>
    /// Removes the lab by name: processes still inside its namespaces (by the PIDs <c>ip netns pids</c> lists), then each
    /// link, then each namespace; links of these names in the machine's own namespace too (the lab never creates them
    /// there, but a crash between two steps of an older version could have). Missing pieces are fine; nothing else is touched.
    /// </summary>
    public static void CleanUp()
    {
        if (Ip is null)
        {
            return;
        }
        var existing = CoturnTools.Run(Ip, ["netns", "list"], TimeSpan.FromSeconds(10)).Output;
        foreach (var ns in Namespaces.Where(ns => Regex.IsMatch(existing, $@"^{Regex.Escape(ns)}(\s|$)", RegexOptions.Multiline)))
        {
            var (_, pids) = CoturnTools.Run(Ip, ["netns", "pids", ns], TimeSpan.FromSeconds(10));
            foreach (var pid in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => int.TryParse(p, out var n) ? n : 0).Where(n => n > 1))
            {
                Posix.Kill(pid, Posix.SIGKILL);
            }
            foreach (var (_, link) in Links.Where(l => l.Namespace == ns))
            {
                CoturnTools.Run(Ip, ["-n", ns, "link", "del", link], TimeSpan.FromSeconds(10));
            }
            CoturnTools.Run(Ip, ["netns", "del", ns], TimeSpan.FromSeconds(10));
        }
        foreach (var (_, link) in Links)
        {
            if (CoturnTools.Run(Ip, ["link", "show", link], TimeSpan.FromSeconds(10)).Exit == 0)
            {
                CoturnTools.Run(Ip, ["link", "del", link], TimeSpan.FromSeconds(10));
            }
        }
    }

    /// <summary>Namespaces of the lab that exist right now (for the test's own check that cleanup worked).</summary>
    public static IReadOnlyList<string> Remaining()
    {
        var existing = Ip is null ? "" : CoturnTools.Run(Ip, ["netns", "list"], TimeSpan.FromSeconds(10)).Output;
        return Namespaces.Where(ns => Regex.IsMatch(existing, $@"^{Regex.Escape(ns)}(\s|$)", RegexOptions.Multiline)).ToArray();
    }

    public void Dispose()
    {
        foreach (var p in Enumerable.Reverse(_processes))
        {
            p.Dispose();
        }
        _processes.Clear();
        CleanUp();
    }
}
