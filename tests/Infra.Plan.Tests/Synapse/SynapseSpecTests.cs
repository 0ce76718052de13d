using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Synapse;

/// <summary>Bad Synapse-related config: clear errors that name the key and never echo the pasted text.</summary>
public class SynapseSpecTests
{
    [Fact]
    public void Existing_config_that_does_not_parse_is_named_with_its_position()
    {
        var error = Assert.Single(Parse(With(("synapseExistingConfig", S("experimental_features: [unclosed")))).Errors);

        Assert.Equal("matrix-rtc:synapseExistingConfig", error.Key);
        Assert.Contains("does not parse at line", error.Message);
    }

    [Fact]
    public void A_turn_secret_in_existing_config_is_refused_without_showing_it()
    {
        var error = Assert.Single(Parse(With(("synapseExistingConfig", S("turn_shared_secret: hunter2-value")))).Errors);

        Assert.Equal("matrix-rtc:synapseExistingConfig", error.Key);
        Assert.Contains("no turn_shared_secret", error.Message);
        Assert.Contains("turn_shared_secret_path", error.Message);
        Assert.DoesNotContain("hunter2", error.ToString());
    }

    [Fact]
    public void Sections_the_fragment_does_not_own_are_refused_with_the_owned_list()
    {
        var errors = Parse(With(("synapseExistingConfig", S("database:\n  args:\n    password: pw-9931\nrc_login: {}\n")))).Errors;

        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.Message.Contains("\"database\" is not one of them"));
        Assert.Contains(errors, e => e.Message.Contains("\"rc_login\" is not one of them") && e.Message.Contains("experimental_features, max_event_delay_duration"));
        Assert.All(errors, e => Assert.DoesNotContain("pw-9931", e.ToString()));
    }

    [Theory]
    [InlineData("experimental_features: [a, b]", "experimental_features as a mapping")]
    [InlineData("rc_message:\n  per_second: fast", "rc_message.per_second as a plain number")]
    [InlineData("matrix_rtc:\n  transports: https://x", "matrix_rtc.transports as a list of mappings")]
    [InlineData("- a\n- b", "one top-level mapping")]
    public void Wrongly_shaped_sections_are_named(string yaml, string expected)
    {
        var error = Assert.Single(Parse(With(("synapseExistingConfig", S(yaml)))).Errors);
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("{\"m.homeserver\": ", "does not parse")]
    [InlineData("[1, 2]", "a JSON object")]
    [InlineData("{\"org.matrix.msc4143.rtc_foci\": {\"type\": \"livekit\"}}", "as a list of objects")]
    public void Bad_existing_well_known_is_named(string json, string expected)
    {
        var error = Assert.Single(Parse(With(("wellKnownClientExisting", S(json)))).Errors);

        Assert.Equal("matrix-rtc:wellKnownClientExisting", error.Key);
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("relative/dir")]
    [InlineData("/a/../etc")]
    public void Secret_mount_dir_must_be_a_plain_absolute_path(string dir)
    {
        var error = Assert.Single(Parse(With(("synapseTurnSecretMountDir", S(dir)))).Errors);
        Assert.Equal("matrix-rtc:synapseTurnSecretMountDir", error.Key);
        Assert.Contains("an absolute directory path", error.Message);
    }
}

public class SynapseUrlSpecTests
{
    [Fact]
    public void Internal_url_in_another_namespace_than_synapse_namespace_is_refused()
    {
        var error = Assert.Single(Infra.Plan.Tests.Support.Stacks.Parse(Infra.Plan.Tests.Support.Stacks.With(
            ("synapseInternalUrl", Infra.Plan.Tests.Support.Stacks.S("http://synapse.chat.svc.cluster.local:8008")))).Errors);

        Assert.Equal("matrix-rtc:synapseInternalUrl", error.Key);
        Assert.Contains("\"http://synapse.chat.svc.cluster.local:8008\" is not allowed", error.Message);
        Assert.Contains("names namespace \"chat\"", error.Message);
    }
}
