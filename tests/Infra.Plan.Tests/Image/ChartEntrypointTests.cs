using System.Text.Json.Nodes;
using Infra.Plan.Tests.Chart;

namespace Infra.Plan.Tests.Image;

/// <summary>The real chart's SFU container against the image: no command, only arguments the server accepts.</summary>
public class ChartEntrypointTests
{
    [SkippableTheory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void The_charts_container_starts_the_images_entrypoint_with_flags_the_server_knows(string stack)
    {
        // GIVEN the chart as rendered by helm, without and with our post-renderer
        var raw = ChartRender.RenderWithoutPostRenderer(stack).Container;
        var rendered = ChartRender.Render(stack).Container;

        // THEN neither sets a command (the image's ENTRYPOINT runs) and every arg is a livekit-server flag
        Assert.Empty(ChartArgsRules.Check(raw));
        Assert.Empty(ChartArgsRules.Check(rendered));
        Assert.Equal(["--disable-strict-config"], (raw["args"] as JsonArray)!.Select(a => a!.GetValue<string>()));
        Assert.DoesNotContain("--disable-strict-config", (rendered["args"] as JsonArray ?? []).Select(a => a!.GetValue<string>()));
        // ... which reach the server only because the image's ENTRYPOINT is the server in exec form and has no CMD
        Assert.Empty(DockerfileRules.Entrypoint(MediaRelayImage.LoadDockerfile()));
    }

    [Fact]
    public void A_command_or_an_unknown_flag_fails()
    {
        var withCommand = JsonNode.Parse("""{"command": ["/bin/sh", "-c"], "args": ["--disable-strict-config"]}""")!;
        Assert.Equal(["the chart sets command [\"/bin/sh\",\"-c\"]: it would replace the image's ENTRYPOINT"], ChartArgsRules.Check(withCommand));

        var unknown = JsonNode.Parse("""{"args": ["--config-file=/x", "start", "--bind=0.0.0.0"]}""")!;
        Assert.Equal(
            ["the chart passes --config-file=/x, which livekit-server v1.13.5 does not define as a flag",
             "the chart passes start, which livekit-server v1.13.5 does not define as a flag"],
            ChartArgsRules.Check(unknown));
        Assert.Empty(ChartArgsRules.Check(JsonNode.Parse("{}")!));
    }
}
