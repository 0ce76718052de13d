using Infra.Plan.Components;
using Pulumi;

namespace Infra.Components;

/// <summary>
/// LiveKit Egress: recording and streaming of calls. Its Args, outputs and an example: docs/components/Egress.md; what it decides:
/// <see cref="ComponentCatalog.Egress"/> and its plan builder.
/// </summary>
public sealed class Egress : PlannedComponent
{
    public Egress(string name, EgressArgs args, ComponentResourceOptions? options = null)
        : base(ComponentCatalog.Egress, name, args.ConfigValues(), args.ProvidedValues(), options) => Bind();

    internal Egress(string name, EnvironmentPart part)
        : base(ComponentCatalog.Egress.Token, name, ComponentCatalog.Egress.Outputs, part) => Bind();

    private void Bind()
    {
        // No outputs: Egress is reached through LiveKit.
    }
}
