using System.Reflection;
using Infra.Components;
using Pulumi.Experimental.Provider;

namespace Infra.Provider;

/// <summary>
/// What the package serves: an explicit list of component types (so the umbrella's internal part class is never
/// analysed) under the package name matrix-rtc and the package's real version (ComponentProviderHost.Serve would fix
/// 0.0.0). pulumi-dotnet's ComponentAnalyzer derives the schema from the Args and [Output]s of these classes.
/// </summary>
public static class PackageProvider
{
    public const string Package = "matrix-rtc";

    public static readonly Type[] Components =
        [typeof(RedisSentinel), typeof(Coturn), typeof(LiveKit), typeof(Authorizer), typeof(Egress), typeof(SynapseConfig), typeof(NetworkPolicies), typeof(MatrixRtc)];

    /// <summary>The package version: the assembly's, which the build sets from MatrixRtcVersion (Directory.Build.props).</summary>
    public static string Version { get; } =
        typeof(PackageProvider).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static ComponentProvider Create() =>
        new(typeof(MatrixRtc).Assembly, new Metadata(Package, Package, Version), Components);

    public static Task ServeAsync(string[] args) =>
        Pulumi.Experimental.Provider.Provider.Serve(args, Version, _ => Create(), CancellationToken.None);
}
