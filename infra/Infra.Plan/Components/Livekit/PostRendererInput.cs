namespace Infra.Plan.Components.Livekit;

/// <summary>
/// How the LiveKit and Egress releases name their Helm post-renderer, and how a change of it reaches a release.
/// <para><b>The command</b> is the <c>matrix-rtc-postrender</c> .NET tool's name, the same input on every machine
/// (pulumi-kubernetes diffs a Release by its inputs only). Helm resolves it in PATH: pulumi-kubernetes v4.32.0
/// <c>provider/pkg/provider/helm_release.go</c> passes the input unchanged to helm v3.20.2 <c>pkg/postrender/exec.go</c>
/// <c>NewExec</c>, whose <c>getFullPath</c> runs <c>exec.LookPath</c>, which searches PATH for a name without a slash
/// (the same code in helm v3.21.4, tag commit 813176c5, 2026-08-13). So any machine where the tool is installed
/// (<c>dotnet tool install --global matrix-rtc-postrender</c>, with <c>~/.dotnet/tools</c> on PATH) runs it; no
/// checkout of this repository is needed.</para>
/// <para><b>A change</b> of the post-renderer under the same name changes no input, so it would never be rolled out:
/// the values carry its identity (<see cref="PostRendererIdentity.RecordedValue"/>: name, version and a hash of
/// exactly what determines its output) under a key of their own (<see cref="ValuesKey"/>, outside every template the
/// chart renders). A change of them changes the Release's values, so Helm upgrades the release and runs the
/// post-renderer again; the pods roll only if its output differs (a pod annotation would roll them, and drain their
/// calls for hours). A change of plan code the post-renderer does not compile changes nothing here.</para>
/// </summary>
public static class PostRendererInput
{
    /// <summary>The Release's <c>postrender</c> input: a command name, looked up in PATH.</summary>
    public const string Command = PostRendererIdentity.Command;

    /// <summary>Top-level values key of our own (the chart has no schema and renders no such key) and its entry for the identity.</summary>
    public const string ValuesKey = "matrixRtc";
    public const string IdentityEntry = "postRenderer";

    /// <summary>The recorded value: <c>matrix-rtc-postrender &lt;version&gt; sha256:&lt;hex&gt;</c> (public, no secret).</summary>
    public static string RecordedValue => PostRendererIdentity.RecordedValue;
}
