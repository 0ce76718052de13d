using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Infra.Plan.Components.Synapse;

/// <summary>
/// Checks the operator's current values of the sections the fragment owns (config key
/// <c>synapseExistingConfig</c>). Problems name keys only, never values: someone may paste more of
/// homeserver.yaml than intended, secrets included.
/// </summary>
public static class ExistingSynapseConfig
{
    public static IReadOnlyList<string> Check(string yaml)
    {
        YamlMappingNode root;
        try
        {
            root = SynapseYaml.ParseMapping(yaml);
        }
        catch (YamlException e)
        {
            return [$"YAML with one top-level mapping (it does not parse at line {e.Start.Line}, column {e.Start.Column})"];
        }

        var problems = new List<string>();
        foreach (var (keyNode, value) in root.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "(non-scalar key)";
            if (key is SynapseKeys.TurnSharedSecret or "turn_password" or "turn_username")
            {
                problems.Add($"no {key}: a secret does not belong in stack config, and Synapse refuses turn_shared_secret together with " +
                             $"the fragment's {SynapseKeys.TurnSharedSecretPath}; remove it from homeserver.yaml too");
            }
            else if (!SynapseKeys.OwnedSections.Contains(key))
            {
                problems.Add($"only the sections the fragment owns ({string.Join(", ", SynapseKeys.OwnedSections)}); " +
                             $"\"{key}\" is not one of them: leave it in homeserver.yaml, which the shallow merge keeps");
            }
            else
            {
                problems.AddRange(CheckShape(key, value));
            }
        }
        return problems;
    }

    private static IEnumerable<string> CheckShape(string key, YamlNode value)
    {
        switch (key)
        {
            case SynapseKeys.ExperimentalFeatures when value is not YamlMappingNode:
                yield return $"{key} as a mapping of feature: value";
                break;
            case SynapseKeys.RcMessage or SynapseKeys.RcDelayedEventMgmt:
                if (value is not YamlMappingNode rc)
                {
                    yield return $"{key} as a mapping with per_second and burst_count";
                    break;
                }
                foreach (var field in new[] { "per_second", "burst_count" })
                {
                    var node = SynapseYaml.Get(rc, field);
                    if (node is not null && !SynapseYaml.TryNumber(node, out _))
                    {
                        yield return $"{key}.{field} as a plain number";
                    }
                }
                break;
            case SynapseKeys.MatrixRtc:
                if (value is not YamlMappingNode rtc)
                {
                    yield return $"{key} as a mapping with transports";
                    break;
                }
                if (SynapseYaml.Get(rtc, "transports") is { } transports &&
                    (transports is not YamlSequenceNode seq || seq.Children.Any(t => t is not YamlMappingNode)))
                {
                    yield return $"{key}.transports as a list of mappings (type, livekit_service_url)";
                }
                break;
            case SynapseKeys.MaxEventDelayDuration when value is not YamlScalarNode:
                yield return $"{key} as a duration such as 24h";
                break;
        }
    }
}
