using Infra.Plan.Checks;
using Infra.Plan.Components;
using Infra.Plan.Components.Authorizer;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Components.Egress;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Components.Network;
using Infra.Plan.Components.Observability;
using Infra.Plan.Components.Redis;
using Infra.Plan.Components.Synapse;
using Infra.Plan.Components.Tls;
using Infra.Plan.Contract;
using Infra.Plan.Policy;
using Infra.Plan.Spec;

namespace Infra.Plan;

/// <summary>
/// The front door both front ends (render, the Pulumi program) use: <b>parse</b> single keys
/// (<see cref="SpecParser"/>), <b>derive</b> sizes, ports, quotas and wiring once (<see cref="Derived"/>),
/// <b>check</b> the cross-key rules (<see cref="ConfigRules"/>), then <b>plan</b> every component and check the
/// finished plan (<see cref="PolicyChecks"/>). Deterministic: the same config gives the same plan.
/// </summary>
public static class Planner
{
    /// <summary>Parse, derive and check: every config mistake at once (the spec holds defaults where keys were bad).</summary>
    public static SpecResult Validate(string stack, IEnumerable<KeyValuePair<string, ConfigValue>> config)
    {
        var parsed = SpecParser.Parse(stack, config);
        // The rules run even when single keys failed (those fell back to defaults), so one run reports every mistake.
        var errors = parsed.Errors.Concat(ConfigRules.Check(Derived.From(parsed.Spec))).ToList();
        return parsed with { Errors = errors };
    }

    /// <summary>
    /// Validates, plans and enforces the policies: the plan, or a <see cref="ConfigException"/> /
    /// <see cref="PolicyException"/> listing every mistake (one line each, no value that may be secret).
    /// </summary>
    public static EnvironmentPlan Load(string stack, IEnumerable<KeyValuePair<string, ConfigValue>> config) =>
        PolicyChecks.Enforce(Build(Validate(stack, config).OrThrow()));

    /// <summary>The plan of a validated spec.</summary>
    public static EnvironmentPlan Build(EnvironmentSpec spec)
    {
        var d = Derived.From(spec);
        var redis = RedisPlan.Build(RedisInput.From(d));
        var coturn = CoturnPlan.Build(CoturnInput.From(d));
        var livekit = LivekitPlan.Build(LivekitInput.From(d));
        var authorizer = AuthorizerPlan.Build(AuthorizerInput.From(d));
        var egress = EgressPlan.Build(EgressInput.From(d));
        var net = NetworkInput.From(d);
        var network = NetworkPlan.Build(net, NetworkPeers.From(net, redis?.Redis, redis?.Sentinel, authorizer.Peer, livekit.Sfu, coturn.Peer, egress?.Pods));
        var plan = new EnvironmentPlan(d,
            NamespacesPlan.Build(NamespacesInput.From(d)),
            network,
            TlsPlan.Build(TlsInput.From(d)),
            redis,
            coturn,
            livekit,
            authorizer,
            SynapsePlan.Build(SynapseInput.From(d)),
            ObservabilityPlan.Build(ObservabilityInput.From(d, livekit.Sfu, coturn.Peer, redis?.Redis, egress?.Pods)),
            [
                new PlanFile("report/capacity.md", d.Sizing.ToMarkdown(spec.Stack)),
                new PlanFile("report/ports.md", d.Ports.ToMarkdown(spec.Stack, spec.Nodes)),
            ],
            egress);
        CheckContract(plan);
        return plan;
    }

    /// <summary>
    /// What the contract promises the Pulumi layer, checked on every plan (a failure is a bug in a plan, not a user
    /// mistake): generated ids unique, every referenced value generated, no two components writing the same Secret,
    /// certificates signed only by CAs. (Ordering names are the plans' Component constants, so they cannot be misspelt.)
    /// </summary>
    internal static void CheckContract(EnvironmentPlan plan)
    {
        var components = plan.Components;
        var generated = components.SelectMany(c => c.Generated).ToList();
        if (generated.GroupBy(g => g.Id).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new InvalidOperationException($"two components generate \"{twice.Key}\"");
        }
        var ids = generated.ToDictionary(g => g.Id);
        foreach (var cert in generated.OfType<CertificateValue>().Where(c => c.Issuer is not null))
        {
            if (!ids.TryGetValue(cert.Issuer!, out var issuer) || issuer is not CertificateValue { IsCa: true })
            {
                throw new InvalidOperationException($"certificate {cert.Id} is signed by {cert.Issuer}, which is not a generated CA");
            }
        }
        var secrets = components.SelectMany(c => c.Secrets).ToList();
        if (secrets.GroupBy(s => (s.Namespace, s.Name)).FirstOrDefault(g => g.Count() > 1) is { } shared)
        {
            throw new InvalidOperationException($"two Secret plans write {shared.Key.Namespace}/{shared.Key.Name}");
        }
        foreach (var (secret, id) in secrets.SelectMany(s => s.Entries.SelectMany(e => e.Source.GeneratedIds()).Select(id => (s, id))))
        {
            if (!ids.ContainsKey(id))
            {
                throw new InvalidOperationException($"Secret {secret.Namespace}/{secret.Name} reads \"{id}\", which no component generates");
            }
        }
    }
}
