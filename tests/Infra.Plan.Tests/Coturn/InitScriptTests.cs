using System.Net;
using System.Security.Cryptography;
using k8s.Models;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Net;
using Infra.Servers.Coturn;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Coturn;

/// <summary>
/// Runs the generated init script with /bin/sh in a temp directory, as the init container does, with the init
/// container's env from the generated DaemonSet; the discovery step talks to a <see cref="FakeKubeApi"/> on 127.0.0.1.
/// </summary>
public sealed class InitScriptTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("coturn-init-").FullName;
    private readonly string _token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed record Pod(IReadOnlyDictionary<string, string> ConfigMap, IReadOnlyList<V1EnvVar> InitEnv);

    private sealed record Outcome(int Exit, string Output, string? Conf, IReadOnlyList<string> Added);

    private static Pod PodOf(params (string Key, Infra.Plan.Spec.ConfigValue Value)[] changes)
    {
        var coturn = Planner.Build(Parse(With(changes)).OrThrow()).Coturn!;
        return new Pod(coturn.Config.Data.AsReadOnly(), CoturnInit.InitEnv(coturn.DaemonSet));
    }

    private Outcome Run(Pod pod, string hostIp, FakeKubeApi? api, string? secret = "current-s3cret\n", string? previous = null,
        string node = "node-1", string? token = null, string? caPem = null)
    {
        var result = CoturnInit.Run(_dir, pod.ConfigMap, secret, previous, pod.InitEnv, new CoturnInit.Node(node, hostIp),
            api is null ? null : new CoturnInit.Api(FakeKubeApi.Address.ToString(), api.Port, token ?? _token, caPem ?? api.CaPem));
        var added = result.Config is null ? [] : CoturnInit.Added(pod.ConfigMap[CoturnPaths.TemplateConf], result.Config);
        return new Outcome(result.Exit, result.Output, result.Config, added);
    }

    private FakeKubeApi Api(params (string Name, (string Type, string Address)[] Addresses)[] nodes) =>
        new(FakeKubeApi.Nodes(_token, nodes.ToDictionary(n => n.Name, n => FakeKubeApi.NodeJson(n.Name, n.Addresses))));

    private static void RequireShell() => Skip.If(!System.IO.File.Exists("/bin/sh") || Infra.Servers.Tools.Find("openssl") is null,
        "SKIPPED: no /bin/sh or openssl");

    [SkippableFact]
    public void Discovery_reads_its_Nodes_ExternalIP_with_the_token_over_verified_TLS()
    {
        RequireShell();
        // GIVEN the default plan (discovery on) and an API whose Node node-1 is 10.10.0.5 inside, 203.0.113.20 outside
        using var api = Api(("node-1", [("InternalIP", "10.10.0.5"), ("ExternalIP", "203.0.113.20"), ("Hostname", "node-1")]));

        var outcome = Run(PodOf(), "10.10.0.5", api);

        // THEN the relays are advertised as the public address, and nothing but the final config is left behind
        Assert.True(outcome.Exit == 0, outcome.Output);
        Assert.Equal(["listening-ip=10.10.0.5", "relay-ip=10.10.0.5", "external-ip=203.0.113.20/10.10.0.5", "static-auth-secret=current-s3cret"],
            outcome.Added);
        Assert.Equal(["turnserver.conf"], Directory.GetFiles(Path.Combine(_dir, "run")).Select(Path.GetFileName));
        // AND it asked exactly once, for its own node, with the projected token, in HTTP/1.0 (never chunked)
        var request = Assert.Single(api.Requests);
        Assert.Equal("GET /api/v1/nodes/node-1 HTTP/1.0", request.RequestLine);
        Assert.Equal($"Bearer {_token}", request.Authorization);
        Assert.DoesNotContain(_token, outcome.Output);
        Assert.DoesNotContain("s3cret", outcome.Output);
        // the quoted ExternalIP inside the last-applied annotation was not taken for the node's
        Assert.DoesNotContain("192.0.2.250", outcome.Conf);
    }

    [SkippableFact]
    public void The_mapping_overrides_discovery_and_the_API_is_not_asked()
    {
        RequireShell();
        using var api = Api(("node-1", [("InternalIP", "10.10.0.5"), ("ExternalIP", "203.0.113.99")]));
        var pod = PodOf(("turnExternalIps", L("10.10.0.5=203.0.113.10", "10.10.0.6=203.0.113.11")));

        var outcome = Run(pod, "10.10.0.5", api, secret: "current-s3cret\n", previous: "old-s3cret");

        Assert.True(outcome.Exit == 0, outcome.Output);
        Assert.Equal(
            ["listening-ip=10.10.0.5", "relay-ip=10.10.0.5", "external-ip=203.0.113.10/10.10.0.5",
             "static-auth-secret=current-s3cret", "static-auth-secret=old-s3cret"],
            outcome.Added);
        Assert.Empty(api.Requests);
        Assert.DoesNotContain("s3cret", outcome.Output);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, System.IO.File.GetUnixFileMode(Path.Combine(_dir, "run", "turnserver.conf")));
    }

    [SkippableFact]
    public void A_dual_stack_node_gets_the_ExternalIP_of_its_host_addresss_family()
    {
        RequireShell();
        using var api = Api(("node-1", [("InternalIP", "10.10.0.5"), ("ExternalIP", "2001:db8:5::10"), ("ExternalIP", "203.0.113.30")]));

        var outcome = Run(PodOf(), "10.10.0.5", api);

        Assert.True(outcome.Exit == 0, outcome.Output);
        Assert.Contains("external-ip=203.0.113.30/10.10.0.5", outcome.Added);
    }

    [SkippableFact]
    public void A_public_host_address_without_ExternalIP_is_advertised_as_it_is()
    {
        RequireShell();
        using var api = Api(("node-1", [("InternalIP", "198.51.100.7"), ("Hostname", "node-1")]));

        var outcome = Run(PodOf(("nodeCidrs", L("198.51.100.0/24"))), "198.51.100.7", api);

        Assert.True(outcome.Exit == 0, outcome.Output);
        Assert.DoesNotContain(outcome.Added, l => l.StartsWith("external-ip", StringComparison.Ordinal));
        Assert.Contains("relay-ip=198.51.100.7", outcome.Added);
        Assert.Contains("advertised as 198.51.100.7 (the node's own address)", outcome.Output);
    }

    [SkippableFact]
    public void A_private_node_without_ExternalIP_stops_the_pod_and_says_which_key_to_set()
    {
        RequireShell();
        using var api = Api(("node-1", [("InternalIP", "10.10.0.5"), ("Hostname", "node-1")]));

        var outcome = Run(PodOf(), "10.10.0.5", api);

        Assert.NotEqual(0, outcome.Exit);
        Assert.Null(outcome.Conf);
        Assert.Contains("node node-1 has no ExternalIP and its address 10.10.0.5 is private", outcome.Output);
        Assert.Contains("matrix-rtc:turnExternalIps (10.10.0.5=<public address>)", outcome.Output);
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "run")));
    }

    [SkippableFact]
    public void A_private_ExternalIP_is_never_advertised()
    {
        RequireShell();
        using var api = Api(("node-1", [("InternalIP", "10.10.0.5"), ("ExternalIP", "172.20.1.5")]));

        var outcome = Run(PodOf(), "10.10.0.5", api);

        Assert.NotEqual(0, outcome.Exit);
        Assert.Null(outcome.Conf);
        Assert.Contains("the ExternalIP of node node-1 is 172.20.1.5, a private address", outcome.Output);
    }

    [SkippableTheory]
    [InlineData("wrong-token", null, "refused the service-account token (401)")]
    [InlineData(null, "node-2", "node node-2 not found (404)")]
    public void An_API_refusal_stops_the_pod_with_the_reason(string? token, string? node, string reason)
    {
        RequireShell();
        using var api = Api(("node-1", [("InternalIP", "10.10.0.5"), ("ExternalIP", "203.0.113.20")]));

        var outcome = Run(PodOf(), "10.10.0.5", api, token: token, node: node ?? "node-1");

        Assert.NotEqual(0, outcome.Exit);
        Assert.Null(outcome.Conf);
        Assert.Contains(reason, outcome.Output);
        Assert.DoesNotContain(_token, outcome.Output);
    }

    [SkippableFact]
    public void An_API_server_the_cluster_CA_did_not_sign_gets_no_token()
    {
        RequireShell();
        using var api = Api(("node-1", [("InternalIP", "10.10.0.5"), ("ExternalIP", "203.0.113.20")]));
        using var impostorCa = Api();

        // WHEN the script trusts another CA than the one that signed the server's certificate
        var outcome = Run(PodOf(), "10.10.0.5", api, caPem: impostorCa.CaPem);

        // THEN TLS verification fails before any request is sent
        Assert.NotEqual(0, outcome.Exit);
        Assert.Contains("could not read node node-1 from https://127.0.0.1:", outcome.Output);
        Assert.Contains("certificate verify failed", outcome.Output);
        Assert.Empty(api.Requests);
    }

    [SkippableFact]
    public void Without_discovery_a_private_unmapped_node_stops_the_pod_and_a_public_one_runs()
    {
        RequireShell();
        using var api = Api(("node-1", [("InternalIP", "10.10.0.5"), ("ExternalIP", "203.0.113.20")]));
        // (discovery off with private nodeCidrs needs a mapping to pass the plan's check; this node is not in it)
        var pod = PodOf(("turnExternalIpDiscovery", S("false")), ("turnExternalIps", L("10.10.0.6=203.0.113.11")));
        Assert.Contains(pod.InitEnv, e => e.Name == "EXTERNAL_IP_DISCOVERY" && e.Value == CoturnDaemonSet.DiscoveryOff);

        var unmapped = Run(pod, "10.10.0.5", api);
        var publicNode = Run(pod, "198.51.100.9", api);

        Assert.NotEqual(0, unmapped.Exit);
        Assert.Contains("node address 10.10.0.5 is private and matrix-rtc:turnExternalIps does not map it (matrix-rtc:turnExternalIpDiscovery is false)", unmapped.Output);
        Assert.True(publicNode.Exit == 0, publicNode.Output);
        Assert.DoesNotContain(publicNode.Added, l => l.StartsWith("external-ip", StringComparison.Ordinal));
        Assert.Empty(api.Requests);
    }

    [SkippableFact]
    public void A_missing_secret_stops_the_pod()
    {
        RequireShell();
        var pod = PodOf(("turnExternalIps", L("10.10.0.5=203.0.113.10")));

        var outcome = Run(pod, "10.10.0.5", api: null, secret: null);

        Assert.NotEqual(0, outcome.Exit);
        Assert.Contains("no TURN shared secret", outcome.Output);
    }

    /// <summary>The first and last address of every private range and their neighbours outside it.</summary>
    public static TheoryData<string> Boundaries()
    {
        var data = new TheoryData<string>();
        var seen = new HashSet<string>();
        foreach (var range in PrivateAddresses.Ranges.Select(c => c.Range))
        {
            var bits = range.Family == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
            var max = bits == 128 ? UInt128.MaxValue : (UInt128.One << bits) - 1;
            foreach (var value in new[] { range.FirstValue, range.LastValue }
                         .Concat(range.FirstValue > 0 ? [range.FirstValue - 1] : [])
                         .Concat(range.LastValue < max ? [range.LastValue + 1] : []))
            {
                var text = IpRange.FromNumber(value, range.Family).ToString();
                if (seen.Add(text))
                {
                    data.Add(text);
                }
            }
        }
        foreach (var extra in new[] { "198.51.100.7", "203.0.113.10", "2001:db8::1", "fec0::1", "fc::1" })
        {
            if (seen.Add(extra))
            {
                data.Add(extra);
            }
        }
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Boundaries))]
    public void The_script_calls_exactly_the_plans_private_ranges_private(string address)
    {
        RequireShell();
        // GIVEN discovery off and no mapping for this node: the script must refuse a private host address and keep a public one
        var pod = PodOf(("turnExternalIpDiscovery", S("false")), ("nodeCidrs", L("198.51.100.0/24")));

        var outcome = Run(pod, address, api: null);

        var isPrivate = PrivateAddresses.Contains(IPAddress.Parse(address));
        Assert.True(isPrivate == (outcome.Exit != 0), $"{address}: private={isPrivate}, exit {outcome.Exit}: {outcome.Output}");
        if (isPrivate)
        {
            Assert.Contains($"node address {address} is private", outcome.Output);
        }
    }
}
