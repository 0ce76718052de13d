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
/// operator's choices that only the finished plan shows (<see cref="PolicyChecks"/>). Deterministic: the same config
/// gives the same plan. What our own code promises about a plan (the contract, no secret in a ConfigMap, connectivity)
/// is checked by the tests on every stack (tests/Infra.Plan.Tests/Checks), not on every run.
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
        // coturn needs the host network; without it LiveKit's own TURN serves the calls (sfuMediaExposure).
        var coturn = spec.Sfu.Media.HostNetwork ? CoturnPlan.Build(CoturnInput.From(d)) : null;
        var livekit = LivekitPlan.Build(LivekitInput.From(d));
        var authorizer = AuthorizerPlan.Build(AuthorizerInput.From(d));
        var egress = EgressPlan.Build(EgressInput.From(d));
        var net = NetworkInput.From(d);
        var network = NetworkPlan.Build(net, NetworkPeers.From(net, redis?.Redis, redis?.Sentinel, authorizer.Peer, livekit.Sfu, coturn?.Peer, egress?.Pods));
        return new EnvironmentPlan(d,
            NamespacesPlan.Build(NamespacesInput.From(d)),
            network,
            TlsPlan.Build(TlsInput.From(d)),
            redis,
            coturn,
            livekit,
            authorizer,
            SynapsePlan.Build(SynapseInput.From(d)),
            ObservabilityPlan.Build(ObservabilityInput.From(d, livekit.Sfu, coturn?.Peer, redis?.Redis, egress?.Pods)),
            [
                new PlanFile("report/capacity.md", d.Sizing.ToMarkdown(spec.Stack)),
                new PlanFile("report/ports.md", d.Ports.ToMarkdown(spec.Stack, spec.Nodes)),
            ],
            egress);
    }
}
