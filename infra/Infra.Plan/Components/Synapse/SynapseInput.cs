using Infra.Plan.Contract;
using Infra.Plan.Secrets;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Synapse;

/// <summary>
/// Everything <see cref="SynapsePlan.Build"/> decides from, as plain values: the Synapse section of the spec and the
/// facts it needs from the authorizer and TURN. Nothing here is the whole environment, so the Synapse config can be
/// planned alone (issue 18); <see cref="From"/> is the one place that reads the environment for it.
/// </summary>
/// <param name="Synapse">The Synapse section of the spec: its namespace, the operator's existing config and well-known
/// document to merge with, guest TURN access, and where the TURN Secret is mounted.</param>
/// <param name="LivekitServiceUrl">The authorizer's public URL, advertised as the livekit transport (matrix_rtc) and in
/// the well-known rtc_foci.</param>
/// <param name="TurnUris">The TURN URIs Synapse hands to clients (turn_uris), in order: coturn's, an outside server's, or none.</param>
/// <param name="TurnSharedSecret">The Secret key holding the TURN shared secret that Synapse's own Secret copies.</param>
/// <param name="TurnSecret">Where that secret comes from: coturn's generated value, or the outside server's secure config value.</param>
/// <param name="TurnCredentialTtlSeconds">Lifetime of the TURN credentials Synapse hands out (turn_user_lifetime).</param>
public sealed record SynapseInput(
    SynapseSpec Synapse,
    string LivekitServiceUrl,
    IReadOnlyList<string> TurnUris,
    SecretRef TurnSharedSecret,
    int TurnCredentialTtlSeconds,
    SecretSource TurnSecret)
{
    public static SynapseInput From(Derived d) => d.Spec.Synapse.ExternalTurnUris.Count > 0
        // No coturn (no host networking): an outside TURN server the operator names, with its secret from secure config.
        ? new(d.Spec.Synapse, d.Topology.Authorizer.LivekitServiceUrl, d.Spec.Synapse.ExternalTurnUris, d.Topology.Turn.SharedSecret,
            d.Spec.Turn.CredentialTtlSeconds, new SecretSource.Config(SynapseSection.ExternalTurnSecret, d.Spec.Synapse.ExternalTurnSecret))
        : new(d.Spec.Synapse, d.Topology.Authorizer.LivekitServiceUrl, d.Topology.Turn.Uris, d.Topology.Turn.SharedSecret,
            d.Spec.Turn.CredentialTtlSeconds, new SecretSource.Random(Coturn.CoturnPlan.SharedSecretId));
}
