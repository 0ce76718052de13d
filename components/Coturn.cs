using Infra.Plan.Components;
using Pulumi;

namespace Infra.Components;

/// <summary>
/// coturn as a DaemonSet on the media nodes' host network: shared-secret TURN over UDP, TCP and TLS. Its Args, outputs and an example: docs/components/Coturn.md; what it decides:
/// <see cref="ComponentCatalog.Coturn"/> and its plan builder.
/// </summary>
public sealed class Coturn : PlannedComponent
{
    public Coturn(string name, CoturnArgs args, ComponentResourceOptions? options = null)
        : base(ComponentCatalog.Coturn, name, args.ConfigValues(), args.ProvidedValues(), options) => Bind();

    internal Coturn(string name, EnvironmentPart part)
        : base(ComponentCatalog.Coturn.Token, name, ComponentCatalog.Coturn.Outputs, part) => Bind();

    [Output("turnUris")]
    public Output<string[]> TurnUris { get; private set; } = null!;

    [Output("turnHost")]
    public Output<string> TurnHost { get; private set; } = null!;

    [Output("sharedSecretName")]
    public Output<string> SharedSecretName { get; private set; } = null!;

    [Output("sharedSecret")]
    public Output<string> SharedSecret { get; private set; } = null!;

    private void Bind()
    {
        TurnUris = ArrayOutput("turnUris");
        TurnHost = StringOutput("turnHost");
        SharedSecretName = StringOutput("sharedSecretName");
        SharedSecret = SecretOutput("sharedSecret");
    }
}
