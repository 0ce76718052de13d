using System.Text.Json.Nodes;
using Infra.Plan.Components.Synapse;

namespace Infra.Plan.Tests.Synapse;

public class WellKnownClientTests
{
    [Fact]
    public void Rtc_foci_is_added_and_the_rest_of_the_document_kept()
    {
        // GIVEN an existing document with m.homeserver, an extra key, our URL and another focus
        const string existing = """
            {"m.homeserver": {"base_url": "https://matrix.example.org"},
             "io.element.e2ee": {"default": true},
             "org.matrix.msc4143.rtc_foci": [
               {"type": "livekit", "livekit_service_url": "https://rtc.example.org/"},
               {"type": "livekit", "livekit_service_url": "https://backup-rtc.example.org"}]}
            """;

        var doc = JsonNode.Parse(WellKnownClient.Build(existing, "https://rtc.example.org"))!.AsObject();

        Assert.Equal("https://matrix.example.org", doc["m.homeserver"]!["base_url"]!.GetValue<string>());
        Assert.True(doc["io.element.e2ee"]!["default"]!.GetValue<bool>());
        var urls = doc[WellKnownClient.RtcFoci]!.AsArray().Select(f => f!["livekit_service_url"]!.GetValue<string>());
        Assert.Equal(["https://rtc.example.org", "https://backup-rtc.example.org"], urls);
    }

    [Fact]
    public void Empty_existing_gives_only_rtc_foci()
    {
        var doc = JsonNode.Parse(WellKnownClient.Build("", "https://rtc.example.org"))!.AsObject();

        var focus = Assert.Single(doc)!;
        Assert.Equal(WellKnownClient.RtcFoci, focus.Key);
        Assert.Equal("livekit", focus.Value![0]!["type"]!.GetValue<string>());
    }
}
