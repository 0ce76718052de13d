using Infra.Plan.Spec;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Livekit;

/// <summary>Spec rules of the SFU section and the media-relay image (SfuSection, ImagesSection, SpecValidation).</summary>
public class SfuSpecTests
{
    [Fact]
    public void A_grace_period_under_a_minute_is_refused_with_the_key_and_the_range()
    {
        var error = Assert.Single(Parse(With(("sfuDrainSeconds", S("59")))).Errors);

        Assert.Equal("matrix-rtc:sfuDrainSeconds", error.Key);
        Assert.Contains("59", error.Message);
        Assert.Contains("from 60 to 86400", error.Message);
        Assert.Contains("terminationGracePeriodSeconds", error.Message);
    }

    [Fact]
    public void A_drain_above_a_day_is_refused()
    {
        var error = Assert.Single(Parse(With(("sfuDrainSeconds", S("86401")))).Errors);
        Assert.Equal("matrix-rtc:sfuDrainSeconds", error.Key);
        Assert.Contains("86400", error.Message);
    }

    [Fact]
    public void A_minute_of_drain_is_the_minimum_allowed()
    {
        Assert.True(Parse(With(("sfuDrainSeconds", S("60")))).Ok);
    }

    [Theory]
    [InlineData("v1.12.9", false)]
    [InlineData("v1.13.0", true)]
    [InlineData("1.13.5", true)]
    [InlineData("v2.0.0", true)]
    public void Livekit_v1_13_0_is_the_oldest_server_the_turn_secret_file_works_with(string version, bool ok)
    {
        var result = Parse(With(("mediaRelayLivekitVersion", S(version))));

        Assert.Equal(ok, result.Ok);
        if (!ok)
        {
            var error = Assert.Single(result.Errors);
            Assert.Equal("matrix-rtc:mediaRelayLivekitVersion", error.Key);
            Assert.Contains(version.TrimStart('v'), error.Message);
            Assert.Contains("v1.13.0 or newer", error.Message);
        }
    }

    [Fact]
    public void A_production_media_relay_image_without_digest_is_refused()
    {
        // GIVEN the prod stack file without the media-relay digest
        var config = File("prod").Where(e => e.Key != "matrix-rtc:mediaRelayImageDigest").ToList();

        var error = Assert.Single(Planner.Validate("prod", config).Errors);

        Assert.Equal("matrix-rtc:mediaRelayImageDigest", error.Key);
        Assert.Contains("production is true", error.Message);
    }

    [Fact]
    public void More_sfu_replicas_than_media_nodes_are_refused()
    {
        var error = Assert.Single(Parse(With(("sfuReplicas", S("2")))).Errors);

        Assert.Equal("matrix-rtc:sfuReplicas", error.Key);
        Assert.Contains("at most 1", error.Message);
        Assert.Contains("matrix-rtc:mediaNodeCount", error.Message);
    }
}
