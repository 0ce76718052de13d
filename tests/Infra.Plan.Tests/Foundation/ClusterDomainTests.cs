using System.Text.RegularExpressions;
using Infra.Plan.Components;
using Infra.Plan.Components.Redis;
using Infra.Plan.Rendering;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Foundation;

/// <summary>Every in-cluster DNS name is built with matrix-rtc:clusterDomain: clusters that renamed cluster.local resolve nothing else.</summary>
public class ClusterDomainTests
{
    private static EnvironmentPlan Renamed() => Planner.Build(Parse(With(
        ("clusterDomain", S("k8s.example")),
        ("redisTls", S("true")),
        ("synapseInternalUrl", S("http://synapse.matrix.svc.k8s.example:8008")))).OrThrow());

    [Fact]
    public void Sentinel_addresses_webhook_url_and_tls_names_use_the_cluster_domain()
    {
        var plan = Renamed();
        var topology = Topology.For(plan.Spec);
        var layout = RedisLayout.For(RedisInput.From(plan.Derived));

        Assert.All(topology.Redis.SentinelAddresses, a => Assert.Matches(@"^redis-\d\.redis-headless\.matrix-rtc\.svc\.k8s\.example:26379$", a));
        Assert.Equal("http://lk-jwt-service.matrix-rtc.svc.k8s.example:8080/sfu_webhook", topology.Authorizer.WebhookUrl);
        Assert.Equal("redis-1.redis-headless.matrix-rtc.svc.k8s.example", layout.PodHost(1));
        Assert.Equal(".redis-headless.matrix-rtc.svc.k8s.example", layout.HostSuffix);
        Assert.Equal(
            ["*.redis-headless.matrix-rtc.svc.k8s.example", "redis-headless.matrix-rtc.svc.k8s.example",
             "redis-sentinel.matrix-rtc.svc.k8s.example", "redis-sentinel.matrix-rtc.svc"],
            layout.TlsDnsNames);
    }

    [Fact]
    public void No_rendered_file_names_cluster_local_when_the_domain_is_renamed()
    {
        var files = RenderOutput.Files(Renamed());

        Assert.NotEmpty(files);
        Assert.All(files.Where(f => f.Path != "report/config.md"), f => Assert.DoesNotContain("cluster.local", f.Content));
        Assert.Contains(files, f => f.Content.Contains("svc.k8s.example"));
    }

    [Fact]
    public void Synapse_url_in_another_cluster_domain_is_refused_and_short_names_are_fine()
    {
        var error = Assert.Single(Parse(With(("clusterDomain", S("k8s.example")),
            ("synapseInternalUrl", S("http://synapse.matrix.svc.cluster.local:8008")))).Errors);

        Assert.Equal("matrix-rtc:synapseInternalUrl", error.Key);
        Assert.Contains("a Service name in the cluster domain matrix-rtc:clusterDomain (\"k8s.example\")", error.Message);
        Assert.Contains("names the domain \"cluster.local\"", error.Message);

        Assert.Empty(Parse(With(("clusterDomain", S("k8s.example")), ("synapseInternalUrl", S("http://synapse.matrix.svc:8008")))).Errors);
        Assert.Empty(Parse(With(("synapseInternalUrl", S("http://synapse.matrix.svc.cluster.local:8008")))).Errors);
    }

    [Theory]
    [InlineData("Cluster.Local")]
    [InlineData("cluster.local.")]
    [InlineData("-bad.local")]
    public void Bad_cluster_domain_is_named(string domain)
    {
        var error = Assert.Single(Parse(With(("clusterDomain", S(domain)))).Errors);

        Assert.Equal("matrix-rtc:clusterDomain", error.Key);
        Assert.Contains($"\"{domain}\" is not allowed; a DNS name", error.Message);
    }

    /// <summary>The literal may appear only as the key's default and in its description.</summary>
    [Fact]
    public void No_other_literal_cluster_local_remains_in_infra_code()
    {
        var infra = Path.Combine(RepoRoot, "infra");
        var sources = Directory.EnumerateFiles(infra, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(d => d is "obj" or "bin"))
            .ToList();
        Assert.NotEmpty(sources);

        var hits = new List<string>();
        foreach (var file in sources)
        {
            var text = System.IO.File.ReadAllText(file);
            var key = Regex.Match(text, @"public static readonly ConfigKey ClusterDomain = new\(.*?\);", RegexOptions.Singleline);
            foreach (Match m in Regex.Matches(text, @"cluster\.local"))
            {
                if (!(key.Success && m.Index >= key.Index && m.Index < key.Index + key.Length))
                {
                    hits.Add($"{Path.GetRelativePath(RepoRoot, file)} at {m.Index}");
                }
            }
        }
        Assert.Empty(hits);
    }
}
