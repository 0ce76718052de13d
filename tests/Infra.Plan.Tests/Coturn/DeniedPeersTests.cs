using System.Net;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Net;
using Infra.Plan.Spec;
using Infra.Plan.Turn;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Coturn;

public class DeniedPeersTests
{
    /// <summary>REFERENCE.md's list, written independently of <see cref="DeniedPeers.Special"/>.</summary>
    public static readonly string[] ReferenceRanges =
    [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
        "224.0.0.0/4", "240.0.0.0/4", "::1/128", "fc00::/7", "fe80::/10", "fec0::/10", "64:ff9b::/96", "::ffff:0:0/96",
        "2001:db8::/32", "2002::/16",
    ];

    /// <summary>Releases whose range matching differs (coturn src/client/ns_turn_ioaddr.c): Debian's test build, the last
    /// byte-box release without IPv4 canonicalization, the first with it, the pinned one (span comparison).</summary>
    private static readonly string[] ReleaseList = ["4.6.1", "4.7.0", "4.13.1", "4.17.2"];

    public static readonly TheoryData<string> Releases = new(ReleaseList);

    private static CoturnVersion Release(string version) => new(Version.Parse(version));

    private static string Conf(EnvironmentSpec spec) => CoturnPlan.Build(CoturnInput.From(Derived.From(spec))).TurnServerConfText;

    private static string Conf(string stack, string version) =>
        Conf(Stacks.Spec(stack, ("matrix-rtc:coturnImage", S($"coturn/coturn:{version}"))));

    [Fact]
    public void Every_rule_is_in_coturn_form_and_none_is_CIDR()
    {
        // GIVEN the generated config of the prod stack WHEN its denied-peer-ip rules are read as coturn reads them
        var conf = Conf(Stacks.Spec("prod"));
        var (accepted, rejected) = DeniedPeers.ParseConfig(conf);

        // THEN coturn accepts every one, and no rule line holds a '/'
        Assert.Empty(rejected);
        Assert.True(accepted.Count >= ReferenceRanges.Length);
        Assert.DoesNotContain(conf.Split('\n'), l => l.StartsWith("denied-peer-ip", StringComparison.Ordinal) && l.Contains('/'));
    }

    [Fact]
    public void Rules_cover_every_reference_range_the_metadata_address_and_the_spec_cidrs()
    {
        // GIVEN a spec with extra pod, service and node CIDRs outside the private ranges
        var spec = Parse(With(
            ("podCidrs", L("10.244.0.0/16", "fd10:244::/56")),
            ("serviceCidrs", L("10.96.0.0/12")),
            ("nodeCidrs", L("100.70.0.0/24", "203.0.114.0/24")))).OrThrow();

        // WHEN the generated config is parsed the way coturn parses it
        var (ranges, _) = DeniedPeers.ParseConfig(Conf(spec));

        // THEN every reference range and every spec CIDR is fully covered, and so is the metadata endpoint
        foreach (var text in ReferenceRanges.Concat(["10.244.0.0/16", "fd10:244::/56", "10.96.0.0/12", "100.70.0.0/24", "203.0.114.0/24"]))
        {
            Assert.True(DeniedPeers.Covers(ranges, Cidr.Parse(text)), $"{text} is not fully denied");
        }
        Assert.True(DeniedPeers.Covers(ranges, IPAddress.Parse("169.254.169.254")));
        Assert.True(DeniedPeers.Covers(ranges, IPAddress.Parse("::ffff:10.0.0.1")));
        // and a public address stays reachable, so the relay still works
        Assert.False(DeniedPeers.Covers(ranges, IPAddress.Parse("8.8.8.8")));
        Assert.False(DeniedPeers.Covers(ranges, IPAddress.Parse("2a00:1450::1")));
    }

    /// <summary>Public addresses an SFU or a client could have.</summary>
    public static readonly string[] PublicPeers = ["8.8.8.8", "1.1.1.1", "95.216.1.10", "203.0.114.7", "2a00:1450:4001::1", "2606:4700::1111"];

    public static TheoryData<string, string> StacksAndReleases()
    {
        var data = new TheoryData<string, string>();
        foreach (var stack in new[] { "dev", "prod" })
        {
            foreach (var release in ReleaseList)
            {
                data.Add(stack, release);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(StacksAndReleases))]
    public void No_rule_denies_a_public_peer_the_way_coturn_matches_ranges(string stack, string release)
    {
        // GIVEN the stack's rules for a coturn release WHEN each public address is matched as that release matches
        // (ioa_addr_in_range)
        var (ranges, _) = DeniedPeers.ParseConfig(Conf(stack, release));

        // THEN none is denied: the relay can reach an SFU and peers on the internet
        foreach (var peer in PublicPeers.Select(IPAddress.Parse))
        {
            var denying = ranges.Where(r => DeniedPeers.CoturnMatches(r, peer, Release(release))).ToArray();
            Assert.True(denying.Length == 0, $"{peer} is denied by {string.Join(", ", denying)}");
        }
    }

    [Theory]
    [MemberData(nameof(Releases))]
    public void Every_reference_range_is_still_denied_the_way_coturn_matches_ranges(string release)
    {
        var (ranges, _) = DeniedPeers.ParseConfig(Conf("prod", release));

        foreach (var range in ReferenceRanges.Select(c => Cidr.Parse(c).Range))
        {
            foreach (var address in new[] { range.First, range.Last })
            {
                Assert.True(ranges.Any(r => DeniedPeers.CoturnMatches(r, address, Release(release))), $"{address} ({range}) is not denied");
            }
        }
    }

    /// <summary>A private or metadata IPv4 target re-encoded as IPv6 (coturn #1945): IPv4-compatible, IPv4-mapped, 6to4, NAT64.</summary>
    public static readonly string[] ReEncodedPrivatePeers =
    [
        "::10.0.0.1", "::169.254.169.254", "::192.168.1.0", "::172.16.0.0", "::127.0.0.2", "::ffff:10.0.0.1",
        "2002:a00:1::", "2002:a9fe:a9fe::1", "64:ff9b::10.0.0.1", "64:ff9b::169.254.169.254",
    ];

    [Theory]
    [MemberData(nameof(Releases))]
    public void A_private_IPv4_target_re_encoded_as_IPv6_is_denied_on_every_release(string release)
    {
        // GIVEN the prod rules generated for this release WHEN a re-encoded private target is matched as the release matches
        var (ranges, _) = DeniedPeers.ParseConfig(Conf("prod", release));

        // THEN some rule denies it: on releases before 4.13.1, which compare ::a.b.c.d as IPv6, only the generated
        // IPv4-compatible rules do (without them ::10.0.0.1 passes every IPv4 rule)
        foreach (var peer in ReEncodedPrivatePeers.Select(IPAddress.Parse))
        {
            Assert.True(ranges.Any(r => DeniedPeers.CoturnMatches(r, peer, Release(release))), $"{peer} is relayed by coturn {release}");
        }
    }

    [Theory]
    [InlineData("4.6.1", true)]
    [InlineData("4.13.0", true)]
    [InlineData("4.13.1", false)]
    [InlineData("4.17.2", false)]
    public void IPv4_compatible_rules_are_written_only_for_releases_that_compare_such_peers_as_IPv6(string release, bool written)
    {
        var conf = Conf("prod", release);

        Assert.Equal(written ? 4 : 0, conf.Split('\n').Count(l => l.StartsWith("# ::/96 except ::", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("::", "8.8.8.8", "4.17.2", true)]                      // an all-zero range holds everything: why ::/128 is not a rule
    [InlineData("::", "2001:db8::1", "4.6.1", true)]
    [InlineData("::-::ffff:ffff", "8.8.8.8", "4.6.1", true)]         // starting at :: it holds every IPv4 address
    [InlineData("0.0.0.0-0.255.255.255", "8.8.8.8", "4.17.2", false)]
    [InlineData("0.0.0.0-0.255.255.255", "0.1.2.3", "4.6.1", true)]
    [InlineData("0.0.0.0-0.255.255.255", "2001:db8::1", "4.17.2", false)]
    [InlineData("10.0.0.0-10.255.255.255", "2001:db8::1", "4.17.2", false)]
    [InlineData("fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "10.0.0.1", "4.17.2", false)]
    [InlineData("::1", "8.8.8.8", "4.6.1", false)]
    // Before 4.16.0 IPv6 bounds compare byte by byte: a range that is not a CIDR holds a box, not the span
    [InlineData("::1-::ffff:ffff", "::1.0.0.0", "4.6.1", false)]
    [InlineData("::1-::ffff:ffff", "::1.0.0.0", "4.16.0", true)]
    [InlineData("2001:db8::ff-2001:db8::1:0", "2001:db8::100", "4.15.0", false)]
    [InlineData("2001:db8::ff-2001:db8::1:0", "2001:db8::100", "4.17.2", true)]
    // From 4.13.1 an IPv4-in-IPv6 peer is compared with an IPv4 range as the IPv4 address it embeds
    [InlineData("10.0.0.0-10.255.255.255", "::ffff:10.0.0.1", "4.7.0", false)]
    [InlineData("10.0.0.0-10.255.255.255", "::ffff:10.0.0.1", "4.13.1", true)]
    [InlineData("10.0.0.0-10.255.255.255", "::10.0.0.1", "4.13.1", true)]
    [InlineData("10.0.0.0-10.255.255.255", "2002:a00:1::", "4.17.2", true)]
    [InlineData("10.0.0.0-10.255.255.255", "64:ff9b::a00:1", "4.17.2", true)]
    [InlineData("0.0.0.0-0.255.255.255", "::1", "4.17.2", false)]       // ::1 is loopback, not 0.0.0.1
    public void Range_matching_follows_coturns_source(string range, string peer, string release, bool matches)
    {
        Assert.Equal(matches, DeniedPeers.CoturnMatches(IpRange.ParseCoturn(range)!, IPAddress.Parse(peer), Release(release)));
    }

    [Fact]
    public void A_cluster_range_starting_at_the_IPv6_zero_address_is_refused()
    {
        var error = Assert.Single(Parse(With(("podCidrs", L("10.244.0.0/16", "::/96")))).Errors);

        Assert.Equal("matrix-rtc:podCidrs", error.Key);
        Assert.Contains("\"::/96\"", error.Message);
        Assert.Contains("would relay to no peer", error.Message);
    }

    [Fact]
    public void Coverage_check_notices_a_gap()
    {
        // GIVEN two ranges that leave 10.0.1.0 out
        var ranges = new[] { IpRange.ParseCoturn("10.0.0.0-10.0.0.255")!, IpRange.ParseCoturn("10.0.1.1-10.255.255.255")! };

        Assert.False(DeniedPeers.Covers(ranges, Cidr.Parse("10.0.0.0/8")));
        Assert.True(DeniedPeers.Covers(ranges, Cidr.Parse("10.0.0.0/24")));
    }

    [Fact]
    public void Parsing_rejects_what_coturn_rejects()
    {
        var (accepted, rejected) = DeniedPeers.ParseConfig("denied-peer-ip=10.0.0.0/8\ndenied-peer-ip=10.0.0.9-10.0.0.1\n# denied-peer-ip=1.2.3.4/8\ndenied-peer-ip=192.0.2.7\n");

        Assert.Equal(["10.0.0.0/8", "10.0.0.9-10.0.0.1"], rejected);
        Assert.Equal(IpRange.ParseCoturn("192.0.2.7"), Assert.Single(accepted));
    }
}
