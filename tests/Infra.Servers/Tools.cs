namespace Infra.Servers;

/// <summary>
/// Where the external test tools are. The test script installs them and sets MATRIX_RTC_REQUIRE_TOOLS=1,
/// so a missing tool is a failure there; a bare `dotnet test` without them reports the test as skipped.
/// </summary>
public static class Tools
{
    public static bool Required => Environment.GetEnvironmentVariable("MATRIX_RTC_REQUIRE_TOOLS") == "1";

    public static string? Find(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").Append("/usr/bin"))
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }
        return null;
    }

    public static string? Helm => Existing(Environment.GetEnvironmentVariable("MATRIX_RTC_HELM")) ?? Find("helm");

    public static string? NodeModules => Environment.GetEnvironmentVariable("MATRIX_RTC_NODE_MODULES") is { } p && Directory.Exists(p) ? p : null;

    public static string? LivekitChart => Environment.GetEnvironmentVariable("MATRIX_RTC_CHART_DIR") is { } p && Directory.Exists(p)
        ? p
        : FindUp("shared/charts/livekit-server-1.9.0");

    /// <summary>The egress chart copy (../shared/charts/egress-1.9.0, or MATRIX_RTC_EGRESS_CHART_DIR).</summary>
    public static string? EgressChart => Environment.GetEnvironmentVariable("MATRIX_RTC_EGRESS_CHART_DIR") is { } p && Directory.Exists(p)
        ? p
        : FindUp("shared/charts/egress-1.9.0");

    private static string? Existing(string? path) => path is not null && File.Exists(path) ? path : null;

    private static string? FindUp(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
