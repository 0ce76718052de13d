using System.Text.Json.Nodes;
using Infra.Plan.Tests.Chart;
using Infra.Plan.Tests.Support;
using Infra.Servers;

namespace Infra.Plan.Tests.Pins;

/// <summary>One dependency as Renovate extracted it.</summary>
public sealed record RenovateDep(string Manager, string PackageFile, string? DepName, string? CurrentValue, string? CurrentDigest,
    string? Datasource, IReadOnlyList<string> RegistryUrls, string? SkipReason)
{
    public bool Finds(Pin pin) =>
        (PackageFile == pin.File || (pin.File.EndsWith('/') && PackageFile.StartsWith(pin.File, StringComparison.Ordinal)))
        && DepName == pin.Name && CurrentValue == pin.Value && CurrentDigest == pin.Digest && Datasource == pin.Datasource
        && (pin.RegistryUrl is null || RegistryUrls.Any(u => u.TrimEnd('/') == pin.RegistryUrl.TrimEnd('/')));

    public override string ToString() =>
        $"{Manager} {PackageFile}: {DepName} {CurrentValue}{(CurrentDigest is null ? "" : "@" + CurrentDigest)} ({Datasource} {string.Join(" ", RegistryUrls)}){(SkipReason is null ? "" : " skip " + SkipReason)}";
}

/// <summary>
/// Renovate run once over the repository, as its hosted service would read it but offline and extraction only:
/// <c>--platform=local</c> (the working tree; the file list is <c>git ls-files</c>, so a new file must be at least
/// staged), <c>--dry-run=extract</c> (no lookup, no branch), <c>--onboarding=false</c>, and
/// <c>--require-config=required</c> so the repository's renovate.json5 is read and must exist: <c>ignored</c> would
/// skip it (renovate lib/workers/repository/init/merge.ts reads the repository config only when requireConfig is not
/// "ignored"). The config extends built-in presets only. Where unshare can, the run has no network at all.
/// Renovate and the node 24 it needs come from scripts/test.sh (MATRIX_RTC_RENOVATE, MATRIX_RTC_RENOVATE_NODE).
/// </summary>
public sealed class RenovateRun : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("matrix-rtc-renovate-").FullName;

    public string? Missing { get; }

    public IReadOnlyList<RenovateDep> Deps { get; } = [];

    /// <summary>HTTP requests Renovate reports having made (its "HTTP statistics" debug line).</summary>
    public int? HttpRequests { get; }

    public bool NetworkIsolated { get; }

    public string Problems { get; } = "";

    public RenovateRun()
    {
        var script = Environment.GetEnvironmentVariable("MATRIX_RTC_RENOVATE");
        var node = Environment.GetEnvironmentVariable("MATRIX_RTC_RENOVATE_NODE");
        if (script is null || node is null || !File.Exists(script) || !File.Exists(node))
        {
            Missing = "Renovate and its node (MATRIX_RTC_RENOVATE, MATRIX_RTC_RENOVATE_NODE) not found; scripts/test.sh installs them";
            return;
        }
        var report = Path.Combine(_dir, "report.json");
        string[] renovate = [node, script, "--platform=local", "--dry-run=extract", "--onboarding=false", "--require-config=required",
            "--report-type=file", $"--report-path={report}"];
        var unshare = Tools.Find("unshare");
        NetworkIsolated = unshare is not null && ToolRun.Run(unshare, ["--net", "true"]).ExitCode == 0;
        var env = new Dictionary<string, string>
        {
            ["RENOVATE_BASE_DIR"] = Path.Combine(_dir, "base"),
            ["LOG_LEVEL"] = "debug",
            ["LOG_FORMAT"] = "json",
        };
        var result = NetworkIsolated
            ? ToolRun.Run(unshare!, ["--net", "--", .. renovate], env: env, timeout: TimeSpan.FromSeconds(240), workingDirectory: Stacks.RepoRoot, dropEnv: Foreign)
            : ToolRun.Run(renovate[0], renovate[1..], env: env, timeout: TimeSpan.FromSeconds(240), workingDirectory: Stacks.RepoRoot, dropEnv: Foreign);
        Assert.True(result.ExitCode == 0 && File.Exists(report), $"renovate exited {result.ExitCode}\n{Tail(result.Stdout)}\n{result.Stderr}");
        var repo = JsonNode.Parse(File.ReadAllText(report))!["repositories"]!["local"]!;
        Problems = repo["problems"]?.ToJsonString() ?? "";
        Deps = repo["packageFiles"]!.AsObject()
            .SelectMany(m => m.Value!.AsArray().SelectMany(f => f!["deps"]!.AsArray().Select(d => new RenovateDep(m.Key,
                (string)f["packageFile"]!, (string?)d!["depName"], (string?)d["currentValue"], (string?)d["currentDigest"],
                (string?)d["datasource"], d["registryUrls"]?.AsArray().Select(u => (string)u!).ToList() ?? [], (string?)d["skipReason"]))))
            .ToList();
        HttpRequests = result.Stdout.Split('\n')
            .Where(l => l.StartsWith('{') && l.Contains("\"HTTP statistics\"", StringComparison.Ordinal))
            .Select(l => (int?)JsonNode.Parse(l)!["requests"])
            .LastOrDefault();
    }

    /// <summary>Skips the test when Renovate is not installed (fails instead where scripts/test.sh installed the tools).</summary>
    public void Require()
    {
        if (Missing is not null)
        {
            Assert.False(Tools.Required, Missing);
            Skip.If(true, "SKIPPED Renovate test: " + Missing);
        }
    }

    /// <summary>Settings of the caller's own Renovate or GitHub access stay out of the run.</summary>
    private static bool Foreign(string name) =>
        name.StartsWith("RENOVATE_", StringComparison.Ordinal) || name.EndsWith("_TOKEN", StringComparison.Ordinal);

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
