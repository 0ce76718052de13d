using System.Reflection;
using Infra.Plan.Tests.Chart;
using Infra.PostRender;

namespace Infra.Plan.Tests.Support;

/// <summary>
/// The post-renderer as a consumer gets it: the <c>matrix-rtc-postrender</c> .NET tool, packed from this build of
/// infra/Infra.PostRender (<c>dotnet pack --no-build</c>: the very assemblies the in-process tests run, and no build that
/// could race another test's) and installed with <c>dotnet tool install --tool-path</c> from that package folder only
/// (<c>--source</c> replaces every feed: nothing is fetched). Once per test process, into a temp directory removed at
/// exit. Tests run it by command name from PATH (<see cref="Env"/>), as Helm does.
/// </summary>
public static class PostRenderTool
{
    private static readonly Lazy<string> Installed = new(Install);

    /// <summary>The tool-path directory holding the <c>matrix-rtc-postrender</c> command.</summary>
    public static string Directory => Installed.Value;

    /// <summary>The installed command's full path (for running it without Helm).</summary>
    public static string Path => System.IO.Path.Combine(Directory, PostRendererIdentity.Command);

    /// <summary>PATH with the tool directory first: Helm's getFullPath looks a slash-free name up there.</summary>
    public static Dictionary<string, string> Env() => new()
    {
        ["PATH"] = $"{Directory}:{Environment.GetEnvironmentVariable("PATH")}",
    };

    private static string Install()
    {
        var root = System.IO.Directory.CreateTempSubdirectory("matrix-rtc-postrender-tool-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { System.IO.Directory.Delete(root, recursive: true); } catch (IOException) { }
        };
        var packages = System.IO.Path.Combine(root, "packages");
        var tools = System.IO.Path.Combine(root, "tools");
        // The configuration this test assembly (and the Infra.PostRender it references) was built in.
        var configuration = typeof(LivekitPostRenderer).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var env = new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" };
        var pack = ToolRun.Run("dotnet",
            ["pack", System.IO.Path.Combine(Stacks.RepoRoot, "infra", "Infra.PostRender", "Infra.PostRender.csproj"), "--no-build", "-c", configuration, "-o", packages, "--nologo", "-v", "q"],
            env: env, timeout: TimeSpan.FromMinutes(5), workingDirectory: root);
        if (pack.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet pack of the post-renderer failed: {pack.Stdout}{pack.Stderr}");
        }
        var install = ToolRun.Run("dotnet",
            ["tool", "install", PostRendererIdentity.Command, "--version", PostRendererIdentity.Version, "--tool-path", tools, "--source", packages],
            env: env, timeout: TimeSpan.FromMinutes(2), workingDirectory: root);
        if (install.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet tool install of the post-renderer failed: {install.Stdout}{install.Stderr}");
        }
        return tools;
    }
}
