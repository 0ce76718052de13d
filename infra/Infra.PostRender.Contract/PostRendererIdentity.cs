using System.Reflection;

namespace Infra.PostRender.Contract;

/// <summary>
/// Which post-renderer a release needs: the <c>matrix-rtc-postrender</c> .NET tool (infra/Infra.PostRender), at the
/// version this repository builds, with a hash of exactly what determines its output. The plan records
/// <see cref="RecordedValue"/> in the release's values (so the release upgrades, and Helm re-runs the post-renderer,
/// when and only when one of them changes) and writes <see cref="Version"/> into the wiring annotation (so the tool
/// refuses to run as another version).
/// </summary>
public static class PostRendererIdentity
{
    /// <summary>The tool's command name (ToolCommandName), which is also its package id.</summary>
    public const string Command = "matrix-rtc-postrender";

    /// <summary>The version this build belongs to (MatrixRtcVersion in Directory.Build.props; the tool package's version).</summary>
    public static string Version { get; } = Metadata("MatrixRtcVersion", v => v.Length > 0);

    /// <summary>
    /// sha256 hex of the post-renderer's sources when this assembly was built: Infra.PostRender and this project, the
    /// repository's build settings, and the versions of the packages they reference (target ComputePostRendererSourceHash).
    /// </summary>
    public static string SourceHash { get; } = Metadata("PostRendererSourceHash", v => v.Length == 64);

    /// <summary>What the release's values record: command, version and source hash (public, no secret).</summary>
    public static string RecordedValue => $"{Command} {Version} sha256:{SourceHash}";

    /// <summary>How a user gets exactly this version (from nuget.org, or add <c>--add-source</c> with a local pack).</summary>
    public static string InstallCommand(string version) =>
        $"dotnet tool update --global {Command} --version {version} --allow-downgrade";

    private static string Metadata(string key, Func<string, bool> valid) =>
        typeof(PostRendererIdentity).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == key)?.Value is { } value && valid(value)
            ? value
            : throw new InvalidOperationException($"{typeof(PostRendererIdentity).Assembly.GetName().Name} was built without its {key} metadata (Infra.PostRender.Contract.csproj)");
}
