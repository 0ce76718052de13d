using Infra.Plan.Components;
using Pulumi;

namespace Infra.Components;

/// <summary>
/// Default-deny and exactly the flows the calling backend needs, on the CNI the Args name. Its Args, outputs and an
/// example: docs/components/NetworkPolicies.md; what it decides: <see cref="ComponentCatalog.NetworkPolicies"/> and
/// the network plan builder.
/// </summary>
public sealed class NetworkPolicies : PlannedComponent
{
    public NetworkPolicies(string name, NetworkPoliciesArgs args, ComponentResourceOptions? options = null)
        : base(ComponentCatalog.NetworkPolicies, name, args.ConfigValues(), args.ProvidedValues(), options) => Bind();

    internal NetworkPolicies(string name, EnvironmentPart part)
        : base(ComponentCatalog.NetworkPolicies.Token, name, ComponentCatalog.NetworkPolicies.Outputs, part) => Bind();

    [Output("policyNames")]
    public Output<string[]> PolicyNames { get; private set; } = null!;

    private void Bind()
    {
        PolicyNames = ArrayOutput("policyNames");
    }
}
