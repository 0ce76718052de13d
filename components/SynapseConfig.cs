using Infra.Plan.Components;
using Pulumi;

namespace Infra.Components;

/// <summary>
/// The homeserver side: Synapse's MatrixRTC config fragment, the legacy .well-known and the TURN secret file. Its Args, outputs and an example: docs/components/SynapseConfig.md; what it decides:
/// <see cref="ComponentCatalog.SynapseConfig"/> and its plan builder.
/// </summary>
public sealed class SynapseConfig : PlannedComponent
{
    public SynapseConfig(string name, SynapseConfigArgs args, ComponentResourceOptions? options = null)
        : base(ComponentCatalog.SynapseConfig, name, args.ConfigValues(), args.ProvidedValues(), options) => Bind();

    internal SynapseConfig(string name, EnvironmentPart part)
        : base(ComponentCatalog.SynapseConfig.Token, name, ComponentCatalog.SynapseConfig.Outputs, part) => Bind();

    [Output("matrixRtcYaml")]
    public Output<string> MatrixRtcYaml { get; private set; } = null!;

    [Output("wellKnownClientJson")]
    public Output<string> WellKnownClientJson { get; private set; } = null!;

    private void Bind()
    {
        MatrixRtcYaml = StringOutput("matrixRtcYaml");
        WellKnownClientJson = StringOutput("wellKnownClientJson");
    }
}
