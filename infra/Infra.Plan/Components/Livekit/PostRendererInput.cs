using System.Reflection;

namespace Infra.Plan.Components.Livekit;

/// <summary>
/// How the LiveKit release names its Helm post-renderer, and how a change of the post-renderer reaches the release.
/// <para><b>The path</b> is relative, so every checkout gives the Release the same <c>postrender</c> input (an
/// absolute path differed per checkout, and pulumi-kubernetes diffs a Release by its inputs only). It resolves
/// against the working directory of the Kubernetes provider: pulumi-kubernetes v4.32.0
/// <c>provider/pkg/provider/helm_release.go</c> passes the input unchanged to helm v3.20.2
/// <c>pkg/postrender/exec.go</c> <c>NewExec</c>, whose <c>getFullPath</c> runs <c>exec.LookPath</c> (a name with a
/// slash is tried as a path, not looked up in PATH) and <c>filepath.Abs</c>, i.e. relative to the provider's working
/// directory; pulumi/pulumi v3.258.0 starts resource-provider plugins in <c>ctx.Pwd</c>
/// (<c>sdk/go/common/resource/plugin/provider_plugin.go</c> <c>NewProvider</c> → <c>plugin.go</c> <c>execPlugin</c>:
/// <c>cmd.Dir = pwd</c>), which <c>pkg/engine/deployment.go</c> <c>ProjectInfoContext</c> sets from
/// <c>pkg/engine/project.go</c> <c>getPwdMain</c>: the directory of Pulumi.yaml (this project sets no <c>main:</c>).</para>
/// <para><b>The behaviour</b> of the post-renderer is its sources (Infra.PostRender, postrender.sh, and the plan code it
/// compiles, with the package versions). A changed binary under the same path changes no input, so it would never be
/// rolled out: the build hashes those sources (Infra.Plan.csproj, target <c>ComputePostRendererSourceHash</c>) into this
/// assembly, and the values carry the hash under a key of their own (<see cref="ValuesKey"/>, outside every template the
/// chart renders). Any change of them changes the Release's values, so Helm upgrades the release and runs the new
/// post-renderer; the SFU pods roll only if its output differs (a pod annotation would roll them, and drain their calls
/// for hours, on every change of the plan code).</para>
/// </summary>
public static class PostRendererInput
{
    /// <summary>postrender.sh, relative to the project directory (where Pulumi.yaml is).</summary>
    public const string RelativePath = "infra/Infra.PostRender/postrender.sh";

    /// <summary>Top-level values key of our own (the chart has no schema and renders no such key) and its entry for the hash.</summary>
    public const string ValuesKey = "matrixRtc";
    public const string SourcesEntry = "postRendererSources";

    /// <summary>The assembly metadata key the build writes the hash under.</summary>
    public const string SourceHashMetadataKey = "PostRendererSourceHash";

    /// <summary>The recorded value: <c>sha256:&lt;hex&gt;</c>, written like a digest (it is one, and public).</summary>
    public static string RecordedValue => $"sha256:{SourceHash}";

    /// <summary>sha256 hex of the post-renderer's sources when this assembly was built.</summary>
    public static string SourceHash { get; } =
        typeof(PostRendererInput).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == SourceHashMetadataKey)?.Value is { Length: 64 } hash
            ? hash
            : throw new InvalidOperationException($"{typeof(PostRendererInput).Assembly.GetName().Name} was built without its {SourceHashMetadataKey} metadata (Infra.Plan.csproj)");
}
