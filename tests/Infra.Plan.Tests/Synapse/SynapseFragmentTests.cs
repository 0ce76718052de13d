using Infra.Plan.Components;
using Infra.Plan.Components.Synapse;
using Infra.Plan.Spec;
using Infra.Plan.Tests.Support;
using YamlDotNet.RepresentationModel;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Synapse;

public class SynapseFragmentTests
{
    /// <summary>A homeserver.yaml as an operator has it: other features, other rate limits, a TURN setup of its own.</summary>
    internal const string SampleHomeserver = """
        server_name: example.org
        public_baseurl: https://matrix.example.org/
        experimental_features:
          msc3026_enabled: true
          msc2815_enabled: true
          msc4143_enabled: false
        rc_message:
          per_second: 2
          burst_count: 10
        rc_login:
          address:
            per_second: 0.15
            burst_count: 5
        rc_joins:
          local:
            per_second: 0.1
            burst_count: 10
        matrix_rtc:
          transports:
            - type: livekit
              livekit_service_url: https://old-rtc.example.org
        """;

    /// <summary>What the operator puts in matrix-rtc:synapseExistingConfig: their values of the owned sections.</summary>
    internal const string OperatorsOwnedSections = """
        experimental_features:
          msc3026_enabled: true
          msc2815_enabled: true
          msc4143_enabled: false
        rc_message:
          per_second: 2
          burst_count: 10
        matrix_rtc:
          transports:
            - type: livekit
              livekit_service_url: https://old-rtc.example.org
        """;

    private static EnvironmentSpec SpecWith(string existing) => Parse(With(("synapseExistingConfig", S(existing)))).OrThrow();

    private static YamlMappingNode Fragment(EnvironmentSpec spec) =>
        SynapseYaml.ParseMapping(SynapseFragment.Render(SynapseInput.From(Derived.From(spec))));

    private static string At(YamlMappingNode root, string path)
    {
        YamlNode node = root;
        foreach (var part in path.Split('.'))
        {
            node = ((YamlMappingNode)node).Children[new YamlScalarNode(part)];
        }
        return ((YamlScalarNode)node).Value!;
    }

    private static bool Has(YamlMappingNode root, string path)
    {
        YamlNode node = root;
        foreach (var part in path.Split('.'))
        {
            if (node is not YamlMappingNode m || !m.Children.TryGetValue(new YamlScalarNode(part), out node!))
            {
                return false;
            }
        }
        return true;
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Every_key_written_is_a_known_synapse_key(string stack)
    {
        // GIVEN the stack's fragment (no operator values: only what we write)
        var paths = SynapseYaml.KeyPaths(Fragment(Stacks.Spec(stack))).ToList();

        // THEN each path is in the known list (with its source file), and there is no livekit: block
        Assert.NotEmpty(paths);
        Assert.All(paths, p => Assert.True(SynapseKeys.IsKnown(p), $"{p} is not a known Synapse key"));
        Assert.DoesNotContain(paths, p => p.StartsWith("livekit", StringComparison.Ordinal));
        Assert.All(SynapseKeys.Known, k => Assert.StartsWith("synapse/config/", k.Source));
    }

    [Fact]
    public void Fragment_writes_exactly_the_owned_top_level_sections()
    {
        var root = Fragment(Stacks.Spec("dev"));

        Assert.Equal(SynapseKeys.OwnedSections, root.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
    }

    [Fact]
    public void Fragment_advertises_the_authorizer_and_turn_as_matrixrtc_needs()
    {
        var spec = Stacks.Spec("dev");
        var root = Fragment(spec);

        Assert.Equal("true", At(root, "experimental_features.msc3266_enabled"));
        Assert.Equal("true", At(root, "experimental_features.msc4143_enabled"));
        Assert.Equal("true", At(root, "experimental_features.msc4222_enabled"));
        Assert.Equal("24h", At(root, "max_event_delay_duration"));
        var transport = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)root.Children[new YamlScalarNode("matrix_rtc")]).Children[new YamlScalarNode("transports")]).Children[0];
        Assert.Equal("livekit", At(transport, "type"));
        Assert.Equal("https://rtc.dev.example.org", At(transport, "livekit_service_url"));
        var uris = ((YamlSequenceNode)root.Children[new YamlScalarNode("turn_uris")]).Children.Select(n => ((YamlScalarNode)n).Value);
        Assert.Equal(Topology.For(spec).Turn.Uris, uris);
        Assert.Equal("/secrets/matrix-rtc/turn_shared_secret", At(root, "turn_shared_secret_path"));
        Assert.Equal("24h", At(root, "turn_user_lifetime"));
        Assert.Equal("false", At(root, "turn_allow_guests"));
    }

    [Fact]
    public void Operator_sections_are_merged_features_kept_limits_never_stricter_than_element_call_needs()
    {
        // GIVEN the operator's current owned sections
        var root = Fragment(SpecWith(OperatorsOwnedSections));

        // THEN their other features stay, ours are forced on
        Assert.Equal("true", At(root, "experimental_features.msc3026_enabled"));
        Assert.Equal("true", At(root, "experimental_features.msc2815_enabled"));
        Assert.Equal("true", At(root, "experimental_features.msc4143_enabled"));
        // a looser per_second stays; a stricter burst is raised to Element Call's 30
        Assert.Equal("2", At(root, "rc_message.per_second"));
        Assert.Equal("30", At(root, "rc_message.burst_count"));
        // our transport first, theirs kept after it
        var transports = ((YamlSequenceNode)((YamlMappingNode)root.Children[new YamlScalarNode("matrix_rtc")]).Children[new YamlScalarNode("transports")]).Children;
        Assert.Equal(["https://rtc.example.org", "https://old-rtc.example.org"],
            transports.Select(t => At((YamlMappingNode)t, "livekit_service_url")));
    }

    [Fact]
    public void Shallow_merge_into_homeserver_yaml_keeps_other_features_and_rate_limits()
    {
        // GIVEN a homeserver.yaml and the fragment built with the operator's owned sections
        var homeserver = SynapseYaml.ParseMapping(SampleHomeserver);
        var merged = SynapseYaml.ShallowMerge(homeserver, Fragment(SpecWith(OperatorsOwnedSections)));

        // THEN Synapse's effective config keeps the operator's other features and every other rate limit
        Assert.Equal("true", At(merged, "experimental_features.msc3026_enabled"));
        Assert.Equal("true", At(merged, "experimental_features.msc2815_enabled"));
        Assert.Equal("true", At(merged, "experimental_features.msc4143_enabled"));
        Assert.Equal("0.15", At(merged, "rc_login.address.per_second"));
        Assert.Equal("0.1", At(merged, "rc_joins.local.per_second"));
        Assert.Equal("2", At(merged, "rc_message.per_second"));
        Assert.Equal("example.org", At(merged, "server_name"));
    }

    [Fact]
    public void Without_the_operators_values_the_shallow_merge_would_drop_their_features()
    {
        // The reason the fragment carries merged sections: a bare fragment replaces experimental_features whole.
        var merged = SynapseYaml.ShallowMerge(SynapseYaml.ParseMapping(SampleHomeserver), Fragment(Stacks.Spec("dev")));

        Assert.False(Has(merged, "experimental_features.msc3026_enabled"));
        Assert.True(Has(merged, "rc_login.address.per_second"));
    }

    [Fact]
    public void Fragment_is_deterministic()
    {
        var spec = SpecWith(OperatorsOwnedSections);
        Assert.Equal(SynapseFragment.Render(SynapseInput.From(Derived.From(spec))), SynapseFragment.Render(SynapseInput.From(Derived.From(spec))));
    }
}
