using Infra.Plan.Tests.Support;
using Infra.PostRender;
using Infra.PostRender.Contract;
using Infra.Servers;

namespace Infra.Plan.Tests.Chart;

/// <summary>
/// The post-renderer as a consumer runs it: the packed and installed <c>matrix-rtc-postrender</c> tool (the chart tests
/// run it through Helm by command name; these run it directly).
/// </summary>
public sealed class PostRenderToolTests
{
    [Fact]
    public void The_installed_tool_is_this_build_and_writes_what_the_in_process_post_renderer_writes()
    {
        // GIVEN the installed tool, chart-shaped manifests, and the real chart's output where helm and the chart are here
        var version = ToolRun.Run(PostRenderTool.Path, ["--version"]);
        var chartOnly = PostRendererTests.Wiring with { ChartOnlyConfigKeys = ["turn.secretName"] };
        var inputs = new List<string>
        {
            PostRendererTests.ConfigMap + PostRendererTests.Deployment(PostRendererTests.Annotated),
            PostRendererTests.TurnConfigMap + PostRendererTests.Deployment($"{SecretWiring.Annotation}: '{chartOnly.ToJson()}'"),
        };
        if (Tools.Helm is not null && Tools.LivekitChart is not null)
        {
            inputs.Add(ChartRender.RenderWithoutPostRenderer("prod").Output);
        }

        // THEN it names the identity the plan records, and writes the in-process post-renderer's bytes
        Assert.Equal(0, version.ExitCode);
        Assert.Equal(PostRendererIdentity.RecordedValue + "\n", version.Stdout);
        foreach (var input in inputs)
        {
            var run = ToolRun.Run(PostRenderTool.Path, [], stdin: input);
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.True(LivekitPostRenderer.Apply(input, PostRendererIdentity.Version) == run.Stdout, "the tool wrote other bytes than the in-process post-renderer");
            Assert.Equal("", run.Stderr);
        }
    }

    [Fact]
    public void The_installed_tool_refuses_manifests_that_ask_for_another_version_and_says_how_to_install_it()
    {
        // GIVEN manifests whose plan asks for another version of the post-renderer
        var wiring = PostRendererTests.Wiring with { PostRenderer = "9.9.9" };
        var input = PostRendererTests.ConfigMap + PostRendererTests.Deployment($"{SecretWiring.Annotation}: '{wiring.ToJson()}'");

        // WHEN the installed tool runs on them
        var run = ToolRun.Run(PostRenderTool.Path, [], stdin: input);

        // THEN it writes nothing, exits 1, and names both versions and the command that installs the asked one
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Equal($"matrix-rtc post-renderer: the release's manifests ask for matrix-rtc-postrender 9.9.9 (annotation {SecretWiring.Annotation}), " +
            $"this is {PostRendererIdentity.Version}; install that version: dotnet tool update --global matrix-rtc-postrender --version 9.9.9 --allow-downgrade\n", run.Stderr);
    }

    [Fact]
    public void The_installed_tool_refuses_manifests_without_the_wiring_as_the_in_process_one_does()
    {
        var refused = ToolRun.Run(PostRenderTool.Path, [], stdin: PostRendererTests.ConfigMap);

        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("", refused.Stdout);
        Assert.StartsWith("matrix-rtc post-renderer: no Deployment carries the pod annotation", refused.Stderr);
    }
}
