using k8s.Models;
using Infra.Plan.Components.Network;
using Infra.Plan.Contract;
using Infra.Plan.Secrets;
using Infra.Plan.Tests.Support;

namespace Infra.Plan.Tests.Checks;

/// <summary>
/// The checks of our own output that used to run inside the product on every plan run here, on every stack
/// (<see cref="StackVariants"/>: the repository's stack files and the test stacks), so none is lost; each check's own
/// mutation test is in <see cref="OwnOutputChecksTests"/>.
/// </summary>
public sealed class EveryStackChecks
{
    public static TheoryData<string> Stacks => StackVariants.Names;

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Every_stack_keeps_the_contract_and_passes_every_check_of_our_own_output(string stack)
    {
        // GIVEN the plan of a stack WHEN every check of our own output runs THEN none is violated
        var violations = OwnOutputChecks.Check(StackVariants.Plan(stack));
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Every_stacks_policies_let_every_needed_flow_through_on_every_data_path_of_its_cni_profile(string stack)
    {
        // GIVEN the policies a stack deploys WHEN evaluated on each data path its profile is meant for THEN every need is met
        Assert.Empty(NetworkNeeds.Unmet(StackVariants.Plan(stack)));
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Every_stacks_needs_hold_under_every_cni_profile_on_every_data_path_it_is_meant_for(string stack)
    {
        // GIVEN the stack's policies as each CNI profile would emit them WHEN evaluated on each data path the profile is meant for
        var plan = StackVariants.Plan(stack);
        var profiles = ProfileChecks.For(NetworkInput.From(plan.Derived), plan.Network.Peers);

        // THEN every need is met there (a profile that refuses the stack, flannel with too many node subnets, is left out)
        var failing = profiles.Where(p => p.Refused is null)
            .SelectMany(p => Dataplanes.For(p.Profile).Where(d => !p.WorksOn(d)).Select(d => $"{p.Name} on {d.Name}"));
        Assert.Empty(failing);
    }

    [Fact]
    public void A_redis_policy_that_admits_nobody_is_caught()
    {
        // GIVEN the dev plan with the Redis NetworkPolicy's ingress rules removed (default deny for Redis)
        var plan = Support.Stacks.Plan("dev");
        var policies = plan.Network.Policies.Select(p => p.Metadata.Name != NetworkPolicyBuilder.Redis ? p : new V1NetworkPolicy
        {
            ApiVersion = p.ApiVersion, Kind = p.Kind, Metadata = p.Metadata,
            Spec = new V1NetworkPolicySpec { PodSelector = p.Spec.PodSelector, PolicyTypes = p.Spec.PolicyTypes, Egress = p.Spec.Egress, Ingress = [] },
        }).ToList();

        // WHEN the needs are checked THEN the SFU's flows to Redis and Sentinel are named as denied
        var unmet = NetworkNeeds.Unmet(NetworkInput.From(plan.Derived), plan.Network.Peers, new PolicySet(policies, plan.Network.CiliumPolicies));
        Assert.Contains(unmet, u => u.StartsWith("sfu → redis (", StringComparison.Ordinal));
        Assert.Contains(unmet, u => u.StartsWith("sfu → sentinel (", StringComparison.Ordinal));
    }

    [Fact]
    public void The_contract_check_names_a_secret_reading_a_value_no_component_generates()
    {
        // GIVEN the dev plan with the authorizer's Secret reading a value nobody generates
        var plan = Support.Stacks.Plan("dev");
        var broken = plan with
        {
            Authorizer = plan.Authorizer with
            {
                ApiSecret = plan.Authorizer.ApiSecret with { Entries = [new("api-secret", new SecretSource.Random("nobody-makes-this"))] },
            },
        };

        // WHEN the checks run THEN the contract check names the Secret and the value
        var v = Assert.Single(OwnOutputChecks.Check(broken));
        Assert.Equal(CheckRule.PlanContract, v.Rule);
        Assert.Equal("Secret matrix-rtc/livekit-api reads \"nobody-makes-this\", which no component generates", $"{v.Subject} {v.Message}");
    }

    [Fact]
    public void The_contract_check_names_a_value_generated_twice()
    {
        // GIVEN the dev plan whose coturn component also generates the LiveKit API secret
        var plan = Support.Stacks.Plan("dev");
        var livekitSecret = plan.Components.SelectMany(c => c.Generated).First(g => g.Id == Infra.Plan.Components.Livekit.LivekitPlan.ApiSecretId);
        var broken = plan with { Coturn = plan.Coturn! with { Generated = [.. plan.Coturn.Generated, livekitSecret] } };

        // WHEN the checks run THEN the id is named
        Assert.Contains(OwnOutputChecks.Check(broken), v => v.Rule == CheckRule.PlanContract && v.Subject == Infra.Plan.Components.Livekit.LivekitPlan.ApiSecretId);
    }
}
