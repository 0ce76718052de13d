using Infra.Plan.Components.Network;
using Infra.Plan.Components.Synapse;
using Infra.Plan.Tests.Support;

namespace Infra.Plan.Tests.Network;

/// <summary>
/// The NetworkPolicies and Synapse objects checked against the Kubernetes schemas (npm kubernetes-models:
/// types, enums, required fields), with a broken policy as the control that the check can fail.
/// </summary>
public class KubernetesModelsTests
{
    [SkippableTheory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Policies_and_synapse_objects_match_the_kubernetes_schemas(string stack)
    {
        var spec = Support.Stacks.Spec(stack);
        var plan = Planner.Build(spec);
        var objects = plan.Network.Contract.Objects
            .Concat(plan.Synapse.Contract.Objects)
            .Append(plan.Synapse.TurnSecret!.Shell());

        var reports = KubernetesSchemas.Validate(objects);

        Assert.All(reports, r => Assert.True(r.Valid, r.ToString()));
    }

    [SkippableFact]
    public void A_policy_with_a_bad_protocol_is_caught()
    {
        var policy = Planner.Build(Support.Stacks.Spec("dev")).Network.Policies.Last();
        policy.Spec.Ingress[0].Ports[0].Protocol = "ICMP";

        var report = Assert.Single(KubernetesSchemas.Validate([policy]));

        Assert.Equal("invalid", report.Status);
        Assert.Contains("protocol", report.Error);
    }
}
