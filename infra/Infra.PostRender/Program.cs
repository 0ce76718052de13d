using Infra.PostRender;

// Helm post-renderer contract: all manifests on stdin, the result on stdout, non-zero exit on failure.
try
{
    var input = await Console.In.ReadToEndAsync();
    Console.Out.Write(LivekitPostRenderer.Apply(input));
    return 0;
}
catch (PostRenderException e)
{
    // Only names and paths ever appear here: the manifests hold no secret.
    Console.Error.WriteLine($"matrix-rtc post-renderer: {e.Message}");
    return 1;
}
