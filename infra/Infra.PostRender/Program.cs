using Infra.PostRender;
using Infra.PostRender.Contract;

// `matrix-rtc-postrender --version`: what is installed (Helm passes no arguments).
if (args is ["--version"])
{
    Console.Out.WriteLine(PostRendererIdentity.RecordedValue);
    return 0;
}
if (args.Length > 0)
{
    Console.Error.WriteLine($"matrix-rtc post-renderer: no arguments expected (Helm passes none; --version prints {PostRendererIdentity.Command}'s identity), got: {string.Join(' ', args)}");
    return 2;
}

// Helm post-renderer contract: all manifests on stdin, the result on stdout, non-zero exit on failure.
try
{
    var input = await Console.In.ReadToEndAsync();
    Console.Out.Write(LivekitPostRenderer.Apply(input, PostRendererIdentity.Version));
    return 0;
}
catch (PostRenderException e)
{
    // Only names and paths ever appear here: the manifests hold no secret.
    Console.Error.WriteLine($"matrix-rtc post-renderer: {e.Message}");
    return 1;
}
