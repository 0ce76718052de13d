using Infra.Plan.Contract;
using Infra.Plan.Spec;

namespace Infra.Plan.Components;

/// <summary>The plan of one component used alone: what it registers, its output values and its sizing warnings.</summary>
/// <param name="Outputs">By output name: a string, a string array, or a <see cref="SecretSource"/> for a secret output.</param>
public sealed record StandalonePlan(
    ComponentDefinition Definition,
    ComponentPlan Contract,
    IReadOnlyDictionary<string, object> Outputs,
    IReadOnlyList<string> Warnings);

/// <summary>A mistake in a component's Args: one line per mistake, naming the Args input, never a secret value.</summary>
public sealed class ComponentArgsException(string message) : Exception(message);

/// <summary>
/// Plans one component from its Args, for a program that makes it alone: the Args are stack config keys under the same
/// names (<see cref="ComponentCatalog"/>), so the same parser gives the same defaults and rules, and every error names
/// the Args input instead of the config key. The keys required whatever the component (<see cref="StandIns"/>) get
/// stand-ins where the component does not take them; none of its objects uses them (the tests prove it).
/// </summary>
public static class ComponentPlanner
{
    /// <summary>
    /// Valid values for the keys the parser or its rules require whatever the component (the site's names, the node
    /// ranges, the media-relay image, the Gateway): given to a component that does not take the key. Reserved names
    /// (RFC 2606 <c>.invalid</c>) and TEST-NET-1, so a leak into a plan is easy to find.
    /// </summary>
    public static IReadOnlyDictionary<string, ConfigValue> StandIns { get; } = new Dictionary<string, ConfigValue>
    {
        [Spec.Sections.SiteSection.ServerName.Name] = new ConfigValue.Scalar("servername.unused.invalid"),
        [Spec.Sections.SiteSection.RtcHost.Name] = new ConfigValue.Scalar("rtchost.unused.invalid"),
        [Spec.Sections.SiteSection.TurnHost.Name] = new ConfigValue.Scalar("turnhost.unused.invalid"),
        [Spec.Sections.NodesSection.NodeCidrs.Name] = new ConfigValue.Sequence([new ConfigValue.Scalar("192.0.2.0/24")]),
        [Spec.Sections.ImagesSection.MediaRelayRepository.Name] = new ConfigValue.Scalar("media-relay.unused.invalid/media-relay"),
        [Spec.Sections.ImagesSection.MediaRelayTag.Name] = new ConfigValue.Scalar("unused"),
        [Spec.Sections.ImagesSection.LivekitVersion.Name] = new ConfigValue.Scalar("v1.13.5"),
        [Spec.Sections.RoutingSection.GatewayName.Name] = new ConfigValue.Scalar("unused"),
        [Spec.Sections.RoutingSection.GatewayNamespace.Name] = new ConfigValue.Scalar("unused"),
        [Spec.Sections.RoutingSection.GatewaySectionName.Name] = new ConfigValue.Scalar("unused"),
    };

    public static StandalonePlan Plan(ComponentDefinition definition, string name, IReadOnlyDictionary<string, ConfigValue> args)
    {
        var prefix = $"{definition.TypeName} \"{name}\"";
        var inputs = definition.Inputs.Select(k => k.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = args.Keys.Where(k => !inputs.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new ComponentArgsException(string.Join(Environment.NewLine, unknown.Select(k =>
                $"{prefix}: {k} is not an input of {definition.TypeName}; its inputs are documented in docs/components/{definition.TypeName}.md")));
        }

        var config = new List<KeyValuePair<string, ConfigValue>>();
        config.AddRange(StandIns.Where(s => !inputs.Contains(s.Key))
            .Select(s => new KeyValuePair<string, ConfigValue>($"{ConfigKey.Project}:{s.Key}", s.Value)));
        config.AddRange(definition.FixedKeys.Select(f => new KeyValuePair<string, ConfigValue>($"{ConfigKey.Project}:{f.Key}", new ConfigValue.Scalar(f.Value))));
        config.AddRange(args.Select(a => new KeyValuePair<string, ConfigValue>($"{ConfigKey.Project}:{a.Key}", a.Value)));

        // Rules that span components (the media node count for the tier, production's digest and certificate rules)
        // belong to the environment: a component alone answers only for the keys its Args take.
        var validated = Planner.Validate(name, config);
        var errors = validated.Errors.Where(e => inputs.Contains(Unprefixed(e.Key))).ToList();
        if (errors.Count > 0)
        {
            throw new ComponentArgsException($"{errors.Count} error(s) in the args of {prefix}:" + Environment.NewLine +
                string.Join(Environment.NewLine, errors.Select(e => "  " + Unprefixed(e.ToString()))));
        }
        var d = Derived.From(validated.Spec); // with an error elsewhere, the spec holds that key's default
        var plan = definition.Build(d) ?? throw new InvalidOperationException($"{prefix}: the plan deploys nothing");
        return new StandalonePlan(definition, plan.Contract with { After = [] }, definition.OutputValues(d, plan),
            definition.CapacityWarnings ? d.Sizing.Warnings : []);
    }

    /// <summary>The generated values a plan reads but does not generate: what its caller must provide (<see cref="ProvidedInput"/>).</summary>
    public static IReadOnlyList<string> Needed(StandalonePlan plan)
    {
        var generated = plan.Contract.Generated.Select(g => g.Id).ToHashSet(StringComparer.Ordinal);
        return plan.Contract.Secrets.SelectMany(s => s.Entries).SelectMany(e => e.Source.GeneratedIds())
            .Concat(plan.Outputs.Values.OfType<SecretSource>().SelectMany(s => s.GeneratedIds()))
            .Where(id => !generated.Contains(id)).Distinct().OrderBy(id => id, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// A message about config keys in the words of <c>MatrixRtcArgs</c>, whose inputs are the keys by section:
    /// <c>matrix-rtc:redisDataNodes</c> becomes <c>redis.redisDataNodes</c>.
    /// </summary>
    public static string InSections(string message)
    {
        foreach (var (section, _, keys) in Rendering.ComponentDocs.Sections)
        {
            foreach (var key in keys.OrderByDescending(k => k.Name.Length))
            {
                message = System.Text.RegularExpressions.Regex.Replace(message, $@"{ConfigKey.Project}:{key.Name}\b", $"{section}.{key.Name}");
            }
        }
        return message;
    }

    /// <summary>A message about config keys, in the words of Args: <c>matrix-rtc:redisDataNodes</c> becomes <c>redisDataNodes</c>.</summary>
    private static string Unprefixed(string message) => message.Replace($"{ConfigKey.Project}:", "", StringComparison.Ordinal);
}
