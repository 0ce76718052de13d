using k8s.Models;
using Infra.Plan.Contract;
using Infra.Plan.Kubernetes;
using Infra.Plan.Secrets;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Synapse;

/// <summary>
/// What Synapse gets: the <c>matrixrtc.yaml</c> fragment in a ConfigMap to mount into its config directory, the TURN
/// shared secret in a Secret of its own (the fragment only points at the file through <c>turn_shared_secret_path</c>;
/// a Secret cannot be mounted across namespaces, so Synapse needs its own copy), and the
/// <c>.well-known/matrix/client</c> document.
/// </summary>
/// <param name="TurnSecret">Synapse's copy of the TURN shared secret, in Synapse's namespace; null where there is no coturn
/// (no host networking: LiveKit's own TURN serves Element Call only, and Synapse hands out no TURN for legacy 1:1 calls).</param>
public sealed record SynapsePlan(
    string FragmentYaml,
    string WellKnownClientJson,
    V1ConfigMap Fragment,
    V1ConfigMap WellKnown,
    SecretPlan? TurnSecret,
    string KeysMarkdown) : IComponentPlan
{
    public const string Component = "synapse";
    public const string FragmentConfigMap = "matrix-rtc-synapse";
    public const string WellKnownConfigMap = "matrix-rtc-well-known";
    public const string WellKnownKey = "client";

    /// <summary>Annotation on Synapse's Secret naming the Secret and key its value is copied from.</summary>
    public const string ValueFromAnnotation = "matrix-rtc/value-from";

    public ComponentPlan Contract => new(Component, "matrix-rtc:index:SynapseConfig")
    {
        Objects = [Fragment, WellKnown],
        Secrets = TurnSecret is null ? [] : [TurnSecret],
        Files =
        [
            new($"synapse/{SynapseFragment.FileName}", FragmentYaml),
            new("synapse/keys.md", KeysMarkdown),
            new("well-known/client.json", WellKnownClientJson),
        ],
    };

    public static SynapsePlan Build(SynapseInput input)
    {
        var ns = input.Synapse.Namespace;
        var fragment = SynapseFragment.Render(input);
        var wellKnown = WellKnownClient.Build(input.Synapse.ExistingWellKnownJson, input.LivekitServiceUrl);
        var source = input.TurnSharedSecret;

        var fragmentMap = new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = Meta.Object(FragmentConfigMap, ns, Component),
            Data = new Dictionary<string, string> { [SynapseFragment.FileName] = fragment },
        };
        var wellKnownMap = new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = Meta.Object(WellKnownConfigMap, ns, Component),
            Data = new Dictionary<string, string> { [WellKnownKey] = wellKnown },
        };
        // The same generated value as coturn's Secret (or an outside TURN server's secret from secure config). Render writes
        // a data-less shell: a GitOps user creates it by hand from the annotated source (synapse/keys.md says how).
        var from = input.TurnSecret is SecretSource.Config c
            ? (Annotation: $"config {c.Key.FullName}", Doc: $"the secure config value `{c.Key.FullName}`")
            : (Annotation: $"{source.Namespace}/{source.Name}#{source.Key}", Doc: $"`{source.Namespace}/{source.Name}` key `{source.Key}`");
        var turnSecret = input.TurnUris.Count == 0 ? null : new SecretPlan(ns, SecretNames.SynapseTurn, SecretPlan.Opaque, Component,
            [new(SynapseFragment.TurnSecretFileName, input.TurnSecret)],
            [new SecretConsumer("Synapse", ns, "(mounted by the operator; Synapse reads it at start)")],
            new Dictionary<string, string> { [ValueFromAnnotation] = from.Annotation });

        return new SynapsePlan(fragment, wellKnown, fragmentMap, wellKnownMap, turnSecret, KeysDoc(input.Synapse, turnSecret, from.Doc));
    }

    private static string KeysDoc(SynapseSpec synapse, SecretPlan? target, string source)
    {
        var lines = new List<string>
        {
            "# Synapse keys written by matrix-rtc",
            "",
            target is null
                ? $"Mount ConfigMap `{FragmentConfigMap}` (namespace `{synapse.Namespace}`) into a config directory Synapse reads " +
                  "after homeserver.yaml. This deployment runs no coturn (no host networking): `turn_uris` is empty, so Synapse hands " +
                  "out no TURN server for legacy 1:1 calls (Element Call gets LiveKit's own TURN from the SFU). Remove `turn_shared_secret` " +
                  "and `turn_shared_secret_path` from homeserver.yaml."
                : $"Mount ConfigMap `{FragmentConfigMap}` (namespace `{synapse.Namespace}`) into a config directory Synapse reads " +
                  $"after homeserver.yaml, and Secret `{target.Name}` at `{synapse.TurnSecretMountDir}` " +
                  $"(file `{target.Entries[0].Key}`, mode 0400). Pulumi fills that Secret from {source}; without Pulumi, copy it " +
                  "yourself. Remove `turn_shared_secret` from homeserver.yaml: " +
                  "Synapse refuses it together with `turn_shared_secret_path`.",
            "",
            "Synapse merges config files shallowly: the fragment replaces these top-level keys of homeserver.yaml " +
            "whole, so it carries your values of them (`matrix-rtc:synapseExistingConfig`): " +
            string.Join(", ", SynapseKeys.OwnedSections.Select(s => $"`{s}`")) + ".",
            "",
            "There is no `livekit:` block: Synapse never holds LiveKit keys; it only advertises the authorizer.",
            "",
            "| key | read by (element-hq/synapse) | why |",
            "|---|---|---|",
        };
        lines.AddRange(SynapseKeys.Known.Select(k => $"| `{k.Path}` | `{k.Source}` | {k.Why} |"));
        return string.Join("\n", lines) + "\n";
    }
}
