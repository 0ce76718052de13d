using System.Security.Cryptography;
using System.Text;
using Infra.Plan.Tests.Support;

namespace Infra.Plan.Tests.Chart;

/// <summary>
/// Which egress chart the chart tests may run on. https://helm.livekit.io never served egress 1.9.0 (livekit-helm #146,
/// open: the index served 1.8.4 on 2025-12-23), so the stacks pin 1.8.4; the copy in ../shared/charts is 1.9.0. In
/// livekit/livekit-helm, 1.9.0 (b6c28d7, "Update egress to 1.9.0 (#118)") changed only egress/Chart.yaml (version and
/// appVersion) against 1.8.4 (2f430c9, "egress v1.8.4"): `git diff --stat 2f430c9 b6c28d7 -- egress/` lists that one
/// file, and every other file of egress/ has the same git blob id at both commits (below). The image is set by the plan
/// (egressImage), so appVersion changes nothing rendered. A copy whose files have these blob ids renders what the pinned
/// chart renders; anything else is reported and the chart tests fail.
/// </summary>
public static class EgressChartIdentity
{
    /// <summary>git blob ids of egress/ at livekit-helm 2f430c9 (chart 1.8.4) and b6c28d7 (1.9.0), Chart.yaml aside.</summary>
    public static readonly IReadOnlyDictionary<string, string> Blobs = new Dictionary<string, string>
    {
        ["values.yaml"] = "1343c35aed1914a82f968ede63c203332e1e3444",
        ["templates/NOTES.txt"] = "cfbe9397fb2b859ec8744a5e5809ca6b8f7dc750",
        ["templates/_helpers.tpl"] = "e1dbcfeac0e53fbe08aecce7028bef19c6d07b18",
        ["templates/configmap.yaml"] = "409929d74429b4c86ebdfe261694906a798f9ed8",
        ["templates/deployment.yaml"] = "4a8808a9a14b936d3001d703d5afa41ea981fb03",
        ["templates/hpa.yaml"] = "ed1651c1ae2f1fbcfd853832b876c270fa130fa2",
        ["templates/serviceaccount.yaml"] = "9d4852e89aed8ac74803e22ef08abeefeaf3df2d",
    };

    /// <summary>The chart versions those blobs are (same templates and values, different Chart.yaml).</summary>
    public static readonly IReadOnlySet<string> Versions = new HashSet<string> { "1.8.4", "1.9.0" };

    /// <summary>git's blob id of a file: SHA-1 of "blob &lt;length&gt;\0" and the bytes.</summary>
    public static string GitBlobId(byte[] content) =>
        Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {content.Length}\0"), .. content]));

    /// <summary>Why the chart at <paramref name="chartDir"/> may not stand in for <paramref name="pinnedVersion"/>; empty when it may.</summary>
    public static IReadOnlyList<string> Differences(string chartDir, string pinnedVersion)
    {
        var problems = new List<string>();
        var chartYaml = File.ReadAllText(Path.Combine(chartDir, "Chart.yaml"));
        var copyVersion = chartYaml.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("version:", StringComparison.Ordinal))?["version:".Length..].Trim();
        if (!Versions.Contains(pinnedVersion))
        {
            problems.Add($"the stacks pin egress chart {pinnedVersion}, for which no template identity is recorded here");
        }
        if (copyVersion is null || !Versions.Contains(copyVersion))
        {
            problems.Add($"the chart copy is version {copyVersion ?? "(none)"}, not one of {string.Join(", ", Versions)}");
        }
        var templates = Directory.GetFiles(Path.Combine(chartDir, "templates")).Select(f => "templates/" + Path.GetFileName(f));
        foreach (var file in templates.Append("values.yaml").Order(StringComparer.Ordinal))
        {
            var actual = GitBlobId(File.ReadAllBytes(Path.Combine(chartDir, file)));
            if (!Blobs.TryGetValue(file, out var expected))
            {
                problems.Add($"{file} is not a file of the pinned chart");
            }
            else if (actual != expected)
            {
                problems.Add($"{file} has blob {actual}, the pinned chart's is {expected}");
            }
        }
        problems.AddRange(Blobs.Keys.Where(k => !File.Exists(Path.Combine(chartDir, k))).Select(k => $"{k} is missing"));
        return problems;
    }
}

public class EgressChartIdentityTests
{
    [Fact]
    public void Git_blob_ids_are_computed_as_git_does()
    {
        // `printf 'hello\n' | git hash-object --stdin`
        Assert.Equal("ce013625030ba8dba906f756967f9e9ca394464a", EgressChartIdentity.GitBlobId(Encoding.ASCII.GetBytes("hello\n")));
    }

    [SkippableFact]
    public void The_chart_copy_has_the_pinned_charts_templates_and_values()
    {
        // GIVEN the chart copy the chart tests render and the version the stacks pin
        var chart = ChartRender.EgressChart();
        var pinned = Stacks.Plan("prod").Egress!.Release.Version;

        // THEN they differ at most in Chart.yaml
        Assert.Equal("1.8.4", pinned);
        Assert.Empty(EgressChartIdentity.Differences(chart, pinned));
    }

    [Fact]
    public void A_changed_template_is_reported()
    {
        // GIVEN a copy of the chart layout whose deployment.yaml differs by one byte
        var dir = Directory.CreateTempSubdirectory("egress-identity-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "templates"));
            File.WriteAllText(Path.Combine(dir, "Chart.yaml"), "apiVersion: v2\nname: egress\nversion: 1.9.0\n");
            File.WriteAllText(Path.Combine(dir, "values.yaml"), "x: 1\n");
            File.WriteAllText(Path.Combine(dir, "templates", "deployment.yaml"), "kind: Deployment\n");

            var problems = EgressChartIdentity.Differences(dir, "1.8.4");

            Assert.Contains(problems, p => p.StartsWith("templates/deployment.yaml has blob ", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.StartsWith("values.yaml has blob ", StringComparison.Ordinal));
            Assert.Contains("templates/hpa.yaml is missing", problems);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
