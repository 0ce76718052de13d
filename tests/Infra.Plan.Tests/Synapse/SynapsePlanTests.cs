using Infra.Plan.Spec;
using Infra.Plan.Contract;
using Infra.Plan.Components.Synapse;
using Infra.Plan.Secrets;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Tests.Synapse;

/// <summary>The Synapse builder from its own input record alone: no stack file, no environment.</summary>
public class SynapsePlanTests
{
    [Fact]
    public void Builds_from_a_literal_input_alone()
    {
        // GIVEN only what the Synapse config needs: its section, the authorizer's URL and the TURN facts
        var input = new SynapseInput(
            new SynapseSpec(
                Namespace: "chat",
                PodSelector: [new NodeLabel("app", "synapse")],
                InternalUrl: "",
                ExistingConfigYaml: "rc_message:\n  per_second: 5\n  burst_count: 10\n",
                ExistingWellKnownJson: """{"m.homeserver": {"base_url": "https://matrix.example.net"}}""",
                TurnAllowGuests: true,
                TurnSecretMountDir: "/run/turn",
                Port: 8008,
                ExternalTurnUris: [],
                ExternalTurnSecret: SecretInput.NotSet),
            LivekitServiceUrl: "https://rtc.example.net",
            TurnUris: ["turn:turn.example.net:3478?transport=udp"],
            TurnSharedSecret: new SecretRef("media", "turn-shared", "secret"),
            TurnCredentialTtlSeconds: 5400,
            TurnSecret: new SecretSource.Random("turn-x"));

        // WHEN it is planned
        var plan = SynapsePlan.Build(input);

        // THEN the objects carry the fixed names in Synapse's namespace
        Assert.Equal(("matrix-rtc-synapse", "chat"), (plan.Fragment.Metadata.Name, plan.Fragment.Metadata.NamespaceProperty));
        Assert.Equal(("matrix-rtc-well-known", "chat"), (plan.WellKnown.Metadata.Name, plan.WellKnown.Metadata.NamespaceProperty));
        Assert.Equal(("chat", "matrix-rtc-synapse-turn"), (plan.TurnSecret!.Namespace, plan.TurnSecret.Name));
        Assert.Equal("turn_shared_secret", Assert.Single(plan.TurnSecret.Entries).Key);
        Assert.Equal("media/turn-shared#secret", plan.TurnSecret.Shell().Metadata.Annotations[SynapsePlan.ValueFromAnnotation]);
        // the fragment advertises the authorizer, the TURN URIs, the mounted secret file and the lifetime in seconds
        Assert.Equal(plan.FragmentYaml, plan.Fragment.Data["matrixrtc.yaml"]);
        Assert.Contains("matrix_rtc:\n  transports:\n  - type: \"livekit\"\n    livekit_service_url: \"https://rtc.example.net\"\n", plan.FragmentYaml);
        Assert.Contains("turn_uris:\n- \"turn:turn.example.net:3478?transport=udp\"\nturn_shared_secret_path: \"/run/turn/turn_shared_secret\"\n", plan.FragmentYaml);
        Assert.Contains("turn_user_lifetime: \"5400s\"\nturn_allow_guests: true\n", plan.FragmentYaml);
        // the operator's looser per_second stays, the stricter burst_count is raised to Element Call's 30
        Assert.Contains("rc_message:\n  per_second: 5\n  burst_count: 30\n", plan.FragmentYaml);
        // and the well-known keeps the operator's homeserver next to the rtc_foci entry
        Assert.Contains("\"base_url\": \"https://matrix.example.net\"", plan.WellKnownClientJson);
        Assert.Contains("\"livekit_service_url\": \"https://rtc.example.net\"", plan.WellKnownClientJson);
        Assert.Contains("Secret `matrix-rtc-synapse-turn` at `/run/turn`", plan.KeysMarkdown);
    }
}
