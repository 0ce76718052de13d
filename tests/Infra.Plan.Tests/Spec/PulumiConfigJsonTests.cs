using System.Text.Json;
using Infra.Plan.Spec;
using Infra.Plan.Tests.Support;

namespace Infra.Plan.Tests.Spec;

/// <summary>
/// The bridge from the Pulumi language host's environment to the shared parser, fed the JSON shapes
/// pulumi-dotnet 3.112.1 receives (Deployment_Config.cs): strings, arrays as JSON text, legacy "project:config:key"
/// keys, and the secret key list.
/// </summary>
public sealed class PulumiConfigJsonTests
{
    [Fact]
    public void The_language_hosts_json_parses_to_the_same_spec_as_the_stack_file()
    {
        // GIVEN dev's stack file, encoded as the language host encodes it (arrays as JSON text in a string)
        var json = JsonSerializer.Serialize(Stacks.File("dev").ToDictionary(e => e.Key, e => e.Value switch
        {
            ConfigValue.Scalar s => s.Text,
            ConfigValue.Sequence q => JsonSerializer.Serialize(q.Items.Select(i => ((ConfigValue.Scalar)i).Text)),
            _ => throw new InvalidOperationException(),
        }));

        // WHEN decoded and parsed
        var spec = SpecParser.Parse("dev", PulumiConfigJson.Decode(json, "[]")).OrThrow();

        // THEN it equals the spec render builds from the YAML file
        var expected = Stacks.Spec("dev");
        Assert.Equal(expected.Site, spec.Site);
        Assert.Equal(expected.Nodes.NodeCidrs.Select(c => c.ToString()), spec.Nodes.NodeCidrs.Select(c => c.ToString()));
        Assert.Equal(expected.Load, spec.Load);
        Assert.Equal(expected.Tls, spec.Tls);
    }

    [Fact]
    public void Secret_keys_become_secrets_legacy_keys_are_cleaned_and_non_string_values_are_kept_as_text()
    {
        // GIVEN legacy-form keys, a non-string JSON value, and one secret key
        var entries = PulumiConfigJson.Decode(
            """{"matrix-rtc:config:tier":"medium","matrix-rtc:monitoring":true,"matrix-rtc:turnSharedSecretPrevious":"old-secret","kubernetes:context":"x"}""",
            """["matrix-rtc:turnSharedSecretPrevious"]""").ToDictionary(e => e.Key, e => e.Value);

        // THEN keys are folded to project:key, the secret is a Secret (never shown), the boolean is its JSON text
        Assert.Equal(new ConfigValue.Scalar("medium"), entries["matrix-rtc:tier"]);
        Assert.Equal(new ConfigValue.Scalar("true"), entries["matrix-rtc:monitoring"]);
        var secret = Assert.IsType<ConfigValue.Secret>(entries["matrix-rtc:turnSharedSecretPrevious"]);
        Assert.Equal("old-secret", secret.Plaintext);
        Assert.DoesNotContain("old-secret", secret.ToString());
        Assert.True(entries.ContainsKey("kubernetes:context"));
        Assert.True(SpecParser.Parse("t", entries).Errors.All(e => e.Key != "matrix-rtc:turnSharedSecretPrevious"));
    }

    [Fact]
    public void No_config_at_all_is_reported_as_missing_required_keys()
    {
        var result = SpecParser.Parse("dev", PulumiConfigJson.Decode(null, null));
        Assert.Contains(result.Errors, e => e.Key == "matrix-rtc:serverName" && e.Message.StartsWith("is required", StringComparison.Ordinal));
    }
}
