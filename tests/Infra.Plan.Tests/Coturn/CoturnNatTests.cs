using System.Security.Cryptography;
using System.Text.RegularExpressions;
using k8s.Models;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Spec.Sections;
using Infra.Plan.Tests.Livekit;
using Infra.Plan.Turn;
using Infra.Servers;
using Infra.Servers.Coturn;
using static Infra.Plan.Tests.Support.Stacks;
using File = System.IO.File;

namespace Infra.Plan.Tests.Coturn;

/// <summary>
/// coturn on a cloud node behind 1:1 NAT, with real processes in network namespaces this test creates
/// (<see cref="NatLab"/>): Debian's turnserver 4.6.1 runs the generated config, built by the generated init script whose
/// discovery step reads the node's ExternalIP from a fake Kubernetes API; a TURN client on the "internet" relays to
/// turnutils_peer standing for the SFU (UDP 7882) on another node and on coturn's own node; the SFU's start-up STUN
/// queries run from its node. One test, so a machine without CAP_NET_ADMIN prints one SKIPPED line.
/// </summary>
public sealed partial class CoturnNatTests
{
    private const int SfuPort = 7882;

    /// <summary>A UDP port that is neither the SFU's nor in coturn's relay range.</summary>
    private const int OtherPort = 7886;

    private const string AnySource = "0.0.0.0/0";

    /// <summary>
    /// The one rule of the generated config this test drops. The lab's "public" addresses are TEST-NET-3 (RFC 5737),
    /// which the config denies as peers because no real host has them; a real SFU's public address is outside every
    /// denied range. Everything else stays, the node CIDR (10.20.0.0/24) and 10.0.0.0/8 rules included.
    /// </summary>
    private const string TestNet3Deny = "denied-peer-ip=203.0.113.0-203.0.113.255";

    [SkippableFact]
    public void Behind_1to1_NAT_coturn_relays_on_its_public_address_to_the_SFU_and_the_SFU_starts_without_it()
    {
        var missing = CoturnTools.Missing().Concat(Tools.Find("turnutils_stunclient") is null ? ["turnutils_stunclient"] : []).ToArray();
        if (missing.Length > 0 || NatLab.Ip is null || NatLab.Nft is null)
        {
            var reason = $"SKIPPED coturn NAT test: {string.Join(", ", missing.Concat(NatLab.Ip is null ? ["ip"] : []).Concat(NatLab.Nft is null ? ["nft"] : []))} not installed (apt-get install coturn openssl iproute2 nftables)";
            Assert.False(Tools.Required, reason + " but MATRIX_RTC_REQUIRE_TOOLS=1");
            Skip.If(true, reason);
        }
        // No tool can give this process the right to create namespaces: then skip, even under the test script.
        var unavailable = NatLab.Unavailable();
        Skip.If(unavailable is not null, $"SKIPPED coturn NAT test: {unavailable}");

        var root = Directory.CreateTempSubdirectory("coturn-nat-").FullName;
        try
        {
            RunScenario(root);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
        // The lab removed itself, by name.
        Assert.Empty(NatLab.Remaining());
    }

    private static void RunScenario(string root)
    {
        using var lab = new NatLab();
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

        // GIVEN the plan for a stack whose media nodes sit in 10.20.0.0/24 behind 1:1 NAT, with discovery on (the
        // default) and the lab's public STUN server as the SFU's fallback (standing for stun.l.google.com)
        var plan = Planner.Build(Parse(With(("nodeCidrs", L(NatLab.NodeCidr)), ("sfuStunServers", L($"{NatLab.PublicStun}:3478")))).OrThrow());
        var configMap = plan.Coturn!.Config.Data.AsReadOnly();
        var template = configMap[CoturnPaths.TemplateConf];

        // WHEN the init container's script runs for node-a, with the API reporting the node's ExternalIP
        using var api = new FakeKubeApi(FakeKubeApi.Nodes(token, new Dictionary<string, string>
        {
            ["node-a"] = FakeKubeApi.NodeJson("node-a", ("InternalIP", NatLab.NodeAPrivate), ("ExternalIP", NatLab.NodeAPublic), ("Hostname", "node-a")),
        }));
        var init = CoturnInit.Run(Path.Combine(root, "init"), configMap, secret, null, CoturnInit.InitEnv(plan.Coturn.DaemonSet),
            new CoturnInit.Node("node-a", NatLab.NodeAPrivate), new CoturnInit.Api(FakeKubeApi.Address.ToString(), api.Port, token, api.CaPem));

        // THEN it binds coturn to the private address and advertises the public one
        Assert.True(init.Exit == 0, "init: " + init.Output);
        var added = CoturnInit.Added(template, init.Config!);
        Assert.Equal([$"listening-ip={NatLab.NodeAPrivate}", $"relay-ip={NatLab.NodeAPrivate}", $"external-ip={NatLab.NodeAPublic}/{NatLab.NodeAPrivate}"],
            added.Where(l => !l.StartsWith("static-auth-secret=", StringComparison.Ordinal)));
        Assert.Equal("GET /api/v1/nodes/node-a HTTP/1.0", Assert.Single(api.Requests).RequestLine);

        // AND turnserver runs that config in node-a, changed only in file paths, the 4.6.1 options and the TEST-NET-3 rule,
        // as nobody (uid 65534) like the pod, so the node rule (CoturnNodeFirewall) can match its traffic by uid
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        var run = Directory.CreateDirectory(Path.Combine(root, "run")).FullName;
        File.SetUnixFileMode(run, (UnixFileMode)0b111_111_111);
        var cert = Path.Combine(root, "tls.crt");
        var key = Path.Combine(root, "tls.key");
        CoturnTools.WriteSelfSigned(LoopbackCoturn.TurnHost, cert, key);
        var (config, removed) = CoturnTestConfig.Compose(init.Config!,
            [.. CoturnTestConfig.NamespaceOverlay(cert, key, run), "proc-user=nobody", "proc-group=nogroup"], [TestNet3Deny]);
        Assert.Equal(new[] { "denied-peer-ip", "prometheus", "prometheus-port", "cert", "pkey", "pidfile", "userdb" }.Order(),
            removed.Select(CoturnTestConfig.OptionOf).OfType<string>().Order());
        Assert.Contains("denied-peer-ip=10.20.0.0-10.20.0.255", config.Split('\n'));
        Assert.Contains("denied-peer-ip=10.0.0.0-10.255.255.255", config.Split('\n'));
        var confPath = Path.Combine(root, "turnserver.conf");
        File.WriteAllText(confPath, config);
        var coturn = lab.Start("turnserver", NatLab.NodeA, CoturnTools.TurnServer!, ["-c", confPath], root);
        Assert.True(ServerProcess.WaitUntil(() => coturn.Output.Contains($"UDP listener opened on: {NatLab.NodeAPrivate}:3478") || coturn.HasExited,
            TimeSpan.FromSeconds(15)) && !coturn.HasExited, "turnserver did not start:\n" + coturn.Output);
        Assert.DoesNotContain("Bad configuration format", coturn.Output);
        Assert.DoesNotContain("Wrong address format", coturn.Output);

        // The SFU on node-b and one on coturn's own node (turnutils_peer echoes), and a public STUN server on the internet
        var sfuB = lab.Start("sfu-b", NatLab.NodeB, CoturnTools.Peer!, ["-L", NatLab.NodeBPrivate, "-p", SfuPort.ToString()], root);
        var sfuA = lab.Start("sfu-a", NatLab.NodeA, CoturnTools.Peer!, ["-L", NatLab.NodeAPrivate, "-p", SfuPort.ToString()], root);
        var sfuBOther = lab.Start("sfu-b-other-port", NatLab.NodeB, CoturnTools.Peer!, ["-L", NatLab.NodeBPrivate, "-p", OtherPort.ToString()], root);
        // Some other UDP service on coturn's node (a CNI's VXLAN port, say), answering like the SFU does
        var nodeService = lab.Start("node-a-service", NatLab.NodeA, CoturnTools.Peer!, ["-L", NatLab.NodeAPrivate, "-p", OtherPort.ToString()], root);
        var stun = lab.Start("public-stun", NatLab.Internet, CoturnTools.TurnServer!,
            ["-n", "--stun-only", "-L", NatLab.PublicStun, "-p", "3478", "--no-cli", "--no-tls", "--no-dtls", "-v", "--log-file", "stdout", "--simple-log",
             "--pidfile", Path.Combine(root, "stun.pid"), "--userdb", Path.Combine(root, "stun.db")], root);
        Assert.True(ServerProcess.WaitUntil(() => stun.Output.Contains($"UDP listener opened on: {NatLab.PublicStun}:3478") || stun.HasExited,
            TimeSpan.FromSeconds(15)) && !stun.HasExited, "public STUN did not start:\n" + stun.Output);
        Thread.Sleep(300);
        Assert.False(sfuA.HasExited || sfuB.HasExited || sfuBOther.HasExited || nodeService.HasExited,
            sfuA.Output + sfuB.Output + sfuBOther.Output + nodeService.Output);
        // What each SFU receives on its media port, by source: coturn's public address, or any node address
        foreach (var node in new[] { NatLab.NodeA, NatLab.NodeB })
        {
            lab.CountUdpArrivals(node, [SfuPort, OtherPort], NatLab.NodeAPublic, NatLab.NodeCidr, AnySource);
        }
        var credential = TurnCredentials.ForTtl(secret, "@alice:example.org", DateTimeOffset.UtcNow, TimeSpan.FromHours(1));

        // 1. A client on the internet allocates and relays to the SFU on node-b at the SFU's public address
        var crossNode = Relay(credential, NatLab.NodeBPublic, SfuPort);
        // THEN the relayed address (XOR-RELAYED-ADDRESS) is coturn's public address, and every packet came back
        var relayed = RelayAddresses(crossNode);
        Assert.True(relayed.Count > 0, "no relay address:\n" + crossNode);
        Assert.All(relayed, a => Assert.Equal(NatLab.NodeAPublic, a));
        AssertNoLoss("SFU on another node", crossNode + Denials(coturn));
        // AND the SFU saw them come from coturn's public relay address (the relay candidate the client signals), never
        // from a node address: the router translated both ends (hairpin NAT)
        Assert.True(lab.Arrivals(NatLab.NodeB, NatLab.NodeAPublic, SfuPort) >= 20, lab.Conntrack());
        Assert.Equal(0, lab.Arrivals(NatLab.NodeB, NatLab.NodeCidr, SfuPort));

        // 2. The SFU on coturn's own node, at its public address: coturn turns its own public address into the private one
        //    (map_addr_from_public_to_private) and sends inside the node; the SFU sees the relay's private address
        AssertNoLoss("SFU on coturn's node", Relay(credential, NatLab.NodeAPublic, SfuPort) + Denials(coturn));
        Assert.True(lab.Arrivals(NatLab.NodeA, NatLab.NodeCidr, SfuPort) >= 20, lab.Conntrack());
        Assert.Equal(0, lab.Arrivals(NatLab.NodeA, NatLab.NodeAPublic, SfuPort));

        // 3. Another node's private address is refused: the node CIDRs are denied peers
        var toPrivate = Relay(credential, NatLab.NodeBPrivate, SfuPort);
        Assert.Contains("error 403 (Forbidden IP)", toPrivate);
        Assert.True(ServerProcess.WaitUntil(() => coturn.Output.Contains($"A peer IP {NatLab.NodeBPrivate} denied in the range"), TimeSpan.FromSeconds(5)),
            coturn.Output);

        // 4. coturn's own private address is an allowed peer on every port (it whitelists the private part of external-ip,
        //    which step 2 needs), so another UDP service on its node is reachable through the relay ...
        Assert.Contains($"Whitelisting external-ip private part: {NatLab.NodeAPrivate}", coturn.Output);
        AssertNoLoss("coturn's own node, another port, before the node rule", Relay(credential, NatLab.NodeAPrivate, OtherPort));
        var reachedService = lab.Arrivals(NatLab.NodeA, AnySource, OtherPort);
        Assert.True(reachedService >= 20, $"{reachedService} packets reached the node's other service");
        // ... until the node rule the plan asks for is installed: then only the SFU's port (and the relay range) remain
        NatLab.ApplyNftables(NatLab.NodeA, CoturnNodeFirewall.Nftables(plan.Spec.Ports));
        RelayBriefly(credential, NatLab.NodeAPrivate, OtherPort);
        Assert.Equal(reachedService, lab.Arrivals(NatLab.NodeA, AnySource, OtherPort));
        AssertNoLoss("SFU on coturn's node, with the node rule", Relay(credential, NatLab.NodeAPublic, SfuPort));
        AssertNoLoss("SFU on another node, with the node rule", Relay(credential, NatLab.NodeBPublic, SfuPort));

        // 5. Without hairpin NAT on the router (a fresh peer port, so no earlier translation is reused) nothing arrives
        lab.SetHairpinNat(false);
        try
        {
            RelayBriefly(credential, NatLab.NodeBPublic, OtherPort);
            Assert.Equal(0, lab.Arrivals(NatLab.NodeB, AnySource, OtherPort));
        }
        finally
        {
            lab.SetHairpinNat(true);
        }

        // 6. The SFU's start (LiveKit's STUN rule, LivekitStartModel) with real binding requests from node-b
        var rtc = LivekitPlan.ServerConfig(LivekitInput.From(plan.Derived)).Rtc;
        Assert.Equal([$"{plan.Spec.Site.TurnHost}:3478", $"{NatLab.PublicStun}:3478"], rtc.StunServers);
        string? Ask(string server) => StunFromNodeB(server.Replace(plan.Spec.Site.TurnHost, NatLab.NodeAPublic)); // the TURN name resolves to node-a
        var defaults = (string[])SfuSection.StunServers.Default!;

        // with coturn up, its own answer (through hairpin NAT) is the SFU's public address
        var healthy = LivekitStartModel.Start(rtc.UseExternalIp, rtc.StunServers, null, Ask, defaults);
        Assert.Equal((true, NatLab.NodeBPublic), (healthy.Starts, healthy.NodeIp));
        Assert.Single(healthy.Asked);

        // with coturn down (frozen), the fallback answers with the same address; the list before sfuStunServers exits
        coturn.Signal(Posix.SIGSTOP);
        try
        {
            var withFallback = LivekitStartModel.Start(rtc.UseExternalIp, rtc.StunServers, null, Ask, defaults);
            Assert.Equal((true, NatLab.NodeBPublic), (withFallback.Starts, withFallback.NodeIp));
            Assert.Equal(rtc.StunServers, withFallback.Asked);

            var ownCoturnOnly = LivekitStartModel.Start(rtc.UseExternalIp, [rtc.StunServers[0]], null, Ask, defaults);
            Assert.False(ownCoturnOnly.Starts);
            Assert.Equal(LivekitStartModel.Rounds, ownCoturnOnly.Asked.Count);
        }
        finally
        {
            coturn.Signal(Posix.SIGCONT);
        }
        Assert.False(coturn.HasExited, coturn.Output);
    }

    /// <summary>
    /// turnutils_uclient in the internet namespace: one allocation on coturn's public address (-c: no second, "RTCP"
    /// allocation to port+1; the SFU muxes everything on one port), 20 messages of 120 bytes relayed to the peer and back.
    /// </summary>
    private static string Relay(TurnCredential credential, string peer, int port)
    {
        var (_, output) = NatLab.Run(NatLab.Internet, TimeSpan.FromSeconds(40), CoturnTools.UClient!,
            "-v", "-c", "-u", credential.Username, "-w", credential.Password, "-p", "3478", "-e", peer, "-r", port.ToString(),
            "-n", "20", "-m", "1", "-l", "120", NatLab.NodeAPublic);
        return output;
    }

    /// <summary>coturn's log lines about refused peers, for failure messages.</summary>
    private static string Denials(ServerProcess coturn) =>
        "\n" + string.Join("\n", coturn.Output.Split('\n').Where(l => l.Contains("denied", StringComparison.Ordinal) || l.Contains("403", StringComparison.Ordinal)));

    /// <summary>
    /// The same client, stopped (by PID) after 4 s: enough to allocate and send all 20 messages. For checks that nothing
    /// arrives, read at the destination's counters: turnutils_uclient itself waits about 15 s for answers that never come.
    /// </summary>
    private static void RelayBriefly(TurnCredential credential, string peer, int port) =>
        NatLab.Run(NatLab.Internet, TimeSpan.FromSeconds(4), CoturnTools.UClient!,
            "-c", "-u", credential.Username, "-w", credential.Password, "-p", "3478", "-e", peer, "-r", port.ToString(),
            "-n", "20", "-m", "1", "-l", "120", NatLab.NodeAPublic);

    private static void AssertNoLoss(string what, string output)
    {
        var summary = CoturnTools.Summary(output);
        Assert.True(summary is { Lost: 0, Sent: > 0 } s && s.Sent == s.Received, $"{what}: {summary}\n{output}");
    }

    private static IReadOnlyList<string> RelayAddresses(string output) =>
        RelayAddress().Matches(output).Select(m => m.Groups[1].Value).ToArray();

    /// <summary>A STUN binding request from the SFU's node; the reflexive address, or null without an answer in 2 s (LiveKit waits 5 s).</summary>
    private static string? StunFromNodeB(string server)
    {
        var colon = server.LastIndexOf(':');
        var (_, output) = NatLab.Run(NatLab.NodeB, TimeSpan.FromSeconds(2), Tools.Find("turnutils_stunclient")!,
            "-p", server[(colon + 1)..], server[..colon]);
        var m = ReflexiveAddress().Match(output);
        return m.Success ? m.Groups[1].Value : null;
    }

    [GeneratedRegex(@"Received relay addr: ([0-9.]+):\d+")]
    private static partial Regex RelayAddress();

    [GeneratedRegex(@"UDP reflexive addr: ([0-9.]+):\d+")]
    private static partial Regex ReflexiveAddress();
}
