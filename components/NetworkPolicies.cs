using System.Collections.Immutable;
using Infra.Plan.Components.Network;
using Infra.Plan.Kubernetes;
using Pulumi;
using ConfigGroup = Pulumi.Kubernetes.Yaml.V2.ConfigGroup;
using ConfigGroupArgs = Pulumi.Kubernetes.Types.Inputs.Yaml.V2.ConfigGroupArgs;

namespace Infra.Components;

public sealed class NetworkPoliciesArgs
{
    /// <summary>The policies and their connectivity report, decided in infra/.</summary>
    public required NetworkPlan Plan { get; init; }
}

/// <summary>
/// Registers the plan's NetworkPolicies (default-deny plus the needed flows in the two owned namespaces).
/// Outputs the connectivity report so a preview shows which flows are open.
/// </summary>
public sealed class NetworkPolicies : ComponentResource
{
    [Output("policyNames")]
    public Output<ImmutableArray<string>> PolicyNames { get; private set; }

    [Output("connectivityReport")]
    public Output<string> ConnectivityReport { get; private set; }

    public NetworkPolicies(string name, NetworkPoliciesArgs args, ComponentResourceOptions? options = null)
        : base("matrix-rtc:index:NetworkPolicies", name, options)
    {
        var plan = args.Plan;
        _ = new ConfigGroup($"{name}-policies", new ConfigGroupArgs
        {
            Yaml = ManifestWriter.Write(plan.Policies),
        }, new ComponentResourceOptions
        {
            Parent = this,
            Providers = ChildOptions.Providers(options),
            // Children do not inherit the component's DependsOn: the policies' namespaces must exist first.
            DependsOn = options?.DependsOn ?? new InputList<Resource>(),
        });

        PolicyNames = Output.Create(plan.Policies.Select(p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}").ToImmutableArray());
        ConnectivityReport = Output.Create(plan.Report);
        RegisterOutputs(new Dictionary<string, object?>
        {
            ["policyNames"] = PolicyNames,
            ["connectivityReport"] = ConnectivityReport,
        });
    }
}
