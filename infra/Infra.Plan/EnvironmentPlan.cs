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
using Infra.Plan.Sizing;
using Infra.Plan.Spec;

namespace Infra.Plan;

/// <summary>
/// Everything one environment deploys, as data: each component's typed plan (null where the stack does not deploy
/// it) and the environment's reports. Render writes it, the policies check it, the Pulumi layer registers
/// <see cref="Components"/> in that order. Secrets appear only as references to values the Pulumi layer generates.
/// </summary>
public sealed record EnvironmentPlan(
    Derived Derived,
    NamespacesPlan Namespaces,
    NetworkPlan Network,
    TlsPlan? Tls,
    RedisPlan? Redis,
    CoturnPlan? Coturn,
    LivekitPlan Livekit,
    AuthorizerPlan Authorizer,
    SynapsePlan Synapse,
    ObservabilityPlan? Observability,
    IReadOnlyList<PlanFile> Reports,
    EgressPlan? Egress)
{
    public EnvironmentSpec Spec => Derived.Spec;

    public SizingPlan Sizing => Derived.Sizing;

    public Topology Topology => Derived.Topology;

    /// <summary>
    /// The deployed components' contracts in creation order; each one's <see cref="ComponentPlan.After"/> lists only
    /// components that are deployed (a component that is not, such as Redis in existing mode, imposes no order).
    /// </summary>
    public IReadOnlyList<ComponentPlan> Components
    {
        get
        {
            var plans = Deployed.Select(p => p.Contract).ToList();
            var deployed = plans.Select(p => p.Name).ToHashSet();
            return plans.Select(p => p with { After = p.After.Where(deployed.Contains).ToList() }).ToList();
        }
    }

    /// <summary>The typed plans of the deployed components, in creation order.</summary>
    public IReadOnlyList<IComponentPlan> Deployed =>
        new IComponentPlan?[] { Namespaces, Network, Tls, Redis, Coturn, Livekit, Authorizer, Egress, Synapse, Observability }.OfType<IComponentPlan>().ToList();

    /// <summary>Every Kubernetes object the components register.</summary>
    public IEnumerable<k8s.IKubernetesObject> Objects => Components.SelectMany(c => c.Objects);

    /// <summary>Every file render writes besides the manifests: the components' files and the reports.</summary>
    public IEnumerable<PlanFile> Files => Components.SelectMany(c => c.Files).Concat(Reports);
}
