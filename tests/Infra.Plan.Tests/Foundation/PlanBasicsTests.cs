using System.Net;
using k8s.Models;
using Infra.Plan.Components;
using Infra.Plan.Net;
using Infra.Plan.Spec;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Foundation;

public class PlanBasicsTests
{
    [Fact]
    public void Namespaces_carry_the_pod_security_level_their_pods_need()
    {
        var plan = Stacks.Plan("dev");

        var namespaces = plan.Namespaces.Contract.Objects.Cast<V1Namespace>().ToDictionary(n => n.Metadata.Name);

        Assert.Equal("restricted", namespaces["matrix-rtc"].Metadata.Labels["pod-security.kubernetes.io/enforce"]);
        Assert.Equal("privileged", namespaces["matrix-rtc-media"].Metadata.Labels["pod-security.kubernetes.io/enforce"]);
    }

    [Fact]
    public void Namespaces_follow_the_spec()
    {
        var plan = Planner.Build(Parse(With(("namespace", S("calls")), ("mediaNamespace", S("calls-media")))).OrThrow());
        var names = plan.Namespaces.Contract.Objects.Select(o => ((V1Namespace)o).Metadata.Name);
        Assert.Equal(["calls", "calls-media"], names);
    }

    [Fact]
    public void Same_namespace_for_both_is_rejected()
    {
        var error = Assert.Single(Parse(With(("mediaNamespace", S("matrix-rtc")))).Errors);
        Assert.Equal("matrix-rtc:mediaNamespace", error.Key);
    }

    [Fact]
    public void Topology_points_livekit_at_the_managed_sentinels_and_secret_keys()
    {
        var topology = Topology.For(Stacks.Spec("prod"));

        Assert.Equal("wss://rtc.example.org", topology.SfuWssUrl);
        Assert.Equal(3, topology.Redis.SentinelAddresses.Count);
        Assert.All(topology.Redis.SentinelAddresses, a => Assert.EndsWith(".matrix-rtc.svc.cluster.local:26379", a));
        Assert.Equal("matrix-rtc-media", topology.Redis.Password.Namespace);
        Assert.Equal("https://rtc.example.org", topology.Authorizer.LivekitServiceUrl);
        Assert.StartsWith("http://lk-jwt-service.matrix-rtc.svc", topology.Authorizer.WebhookUrl);
        Assert.Contains("turns:turn.example.org:5349?transport=tcp", topology.Turn.Uris);
        Assert.Contains("turn:turn.example.org:3478?transport=udp", topology.Turn.Uris);
    }

    [Fact]
    public void Topology_uses_an_existing_sentinel_cluster_when_asked()
    {
        var spec = Parse(With(
            ("redisMode", S("existing")),
            ("existingSentinelMasterName", S("phase1")),
            ("existingSentinelAddresses", L("sentinel-a.redis:26379", "sentinel-b.redis:26379")),
            ("existingRedisPasswordSecret", S("phase1-redis/password")))).OrThrow();

        var redis = Topology.For(spec).Redis;

        Assert.Equal("phase1", redis.MasterName);
        Assert.Equal(["sentinel-a.redis:26379", "sentinel-b.redis:26379"], redis.SentinelAddresses);
        Assert.Equal("phase1-redis", redis.Password.Name);
        Assert.Equal("password", redis.Password.Key);
        Assert.Null(redis.SentinelPassword);
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0", "10.255.255.255")]
    [InlineData("169.254.0.0/16", "169.254.0.0", "169.254.255.255")]
    [InlineData("fc00::/7", "fc00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")]
    [InlineData("192.0.2.0/24", "192.0.2.0", "192.0.2.255")]
    public void Cidrs_become_inclusive_ranges_in_coturn_form(string cidr, string first, string last)
    {
        var range = Cidr.Parse(cidr).Range;
        Assert.Equal($"{first}-{last}", range.ToCoturnString());
        Assert.Equal(range, IpRange.ParseCoturn(range.ToCoturnString()));
    }

    [Theory]
    [InlineData("10.0.0.1/8")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0")]
    [InlineData("banana/8")]
    public void Malformed_cidrs_are_refused(string text) => Assert.False(Cidr.TryParse(text, out _));

    [Fact]
    public void Coturn_form_parses_like_coturn_and_rejects_cidr()
    {
        Assert.Null(IpRange.ParseCoturn("10.0.0.0/8"));
        Assert.Null(IpRange.ParseCoturn("10.0.0.9-10.0.0.1"));
        Assert.True(IpRange.ParseCoturn("169.254.169.254")!.Contains(IPAddress.Parse("169.254.169.254")));
    }

    [Fact]
    public void Image_references_keep_tag_and_digest()
    {
        Assert.True(ImageRef.TryParse("registry.example.org:5000/a/b:v1@sha256:" + new string('a', 64), out var image));
        Assert.Equal("registry.example.org:5000/a/b", image.Repository);
        Assert.Equal("v1", image.Tag);
        Assert.True(image.IsPinnedByDigest);
        Assert.False(ImageRef.TryParse("valkey/valkey", out _));
    }

    [Fact]
    public void Malformed_stack_yaml_is_a_clear_error_not_a_crash()
    {
        var path = Path.GetTempFileName();
        try
        {
            System.IO.File.WriteAllText(path, "config:\n  matrix-rtc:tier: [unclosed\n");
            var e = Assert.Throws<ConfigException>(() => StackFile.ReadConfig(path));
            Assert.Contains("is not valid YAML at line", e.Errors.Single().Message);
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }
}
