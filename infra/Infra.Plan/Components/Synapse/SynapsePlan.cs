using k8s;
using k8s.Models;
using Infra.Plan.Kubernetes;
using Infra.Plan.Secrets;
using Infra.Plan.Spec;

namespace Infra.Plan.Components.Synapse;

/// <summary>
/// A Secret this project must create from another Secret's value. The plan names both ends; only the
/// Pulumi shell ever sees the value (Secrets cannot be read across namespaces, so Synapse needs its own copy).
/// </summary>
public sealed record SecretCopy(SecretRef Target, SecretRef Source);

/// <summary>
/// What Synapse gets: the <c>matrixrtc.yaml</c> fragment in a ConfigMap to mount into its config
/// directory, the TURN shared secret in a separate Secret (the fragment only points at the file through
/// <c>turn_shared_secret_path</c>), and the <c>.well-known/matrix/client</c> document.
/// </summary>
public sealed record SynapsePlan(
    string FragmentYaml,
    string WellKnownClientJson,
    V1ConfigMap Fragment,
    V1ConfigMap WellKnown,
    V1Secret TurnSecretShell,
    SecretCopy TurnSecret,
    string KeysMarkdown)
{
    public const string Component = "synapse";
    public const string FragmentConfigMap = "matrix-rtc-synapse";
    public const string WellKnownConfigMap = "matrix-rtc-well-known";
    public const string WellKnownKey = "client";

    /// <summary>Annotation on the Secret shell naming where its value comes from.</summary>
    public const string ValueFromAnnotation = "matrix-rtc/value-from";

    public ComponentPlan ToComponent() => new(Component, [Fragment, WellKnown, TurnSecretShell]);

    public IEnumerable<PlanFile> Files() =>
    [
        new($"synapse/{SynapseFragment.FileName}", FragmentYaml),
        new("synapse/keys.md", KeysMarkdown),
        new("well-known/client.json", WellKnownClientJson),
    ];

    public static SynapsePlan Build(EnvironmentSpec spec, Topology topology)
    {
        var ns = spec.Synapse.Namespace;
        var fragment = SynapseFragment.Render(spec, topology);
        var wellKnown = WellKnownClient.Build(spec.Synapse.ExistingWellKnownJson, topology.Authorizer.LivekitServiceUrl);
        var copy = new SecretCopy(
            new SecretRef(ns, SecretNames.SynapseTurn, SynapseFragment.TurnSecretFileName),
            topology.Turn.SharedSecret);

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
        // The shell has metadata only: the plan never holds the value. Pulumi creates it with the value of
        // the annotated source; a GitOps user creates it by hand (synapse/keys.md says how).
        var shellMeta = Meta.Object(SecretNames.SynapseTurn, ns, Component);
        shellMeta.Annotations = new Dictionary<string, string>
        {
            [ValueFromAnnotation] = $"{copy.Source.Namespace}/{copy.Source.Name}#{copy.Source.Key}",
        };
        var shell = new V1Secret { ApiVersion = "v1", Kind = "Secret", Type = "Opaque", Metadata = shellMeta };

        return new SynapsePlan(fragment, wellKnown, fragmentMap, wellKnownMap, shell, copy, KeysDoc(spec, copy));
    }

    private static string KeysDoc(EnvironmentSpec spec, SecretCopy copy)
    {
        var lines = new List<string>
        {
            "# Synapse keys written by matrix-rtc",
            "",
            $"Mount ConfigMap `{FragmentConfigMap}` (namespace `{spec.Synapse.Namespace}`) into a config directory Synapse reads " +
            $"after homeserver.yaml, and Secret `{copy.Target.Name}` at `{spec.Synapse.TurnSecretMountDir}` " +
            $"(file `{copy.Target.Key}`, mode 0400). Pulumi fills that Secret from `{copy.Source.Namespace}/{copy.Source.Name}` key " +
            $"`{copy.Source.Key}`; without Pulumi, copy it yourself. Remove `turn_shared_secret` from homeserver.yaml: " +
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
