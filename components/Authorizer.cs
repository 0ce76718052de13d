using Infra.Plan.Components;
using Pulumi;

namespace Infra.Components;

/// <summary>
/// The MatrixRTC authorizer (lk-jwt-service): a Matrix OpenID token for a short-lived LiveKit JWT. Its Args, outputs and an example: docs/components/Authorizer.md; what it decides:
/// <see cref="ComponentCatalog.Authorizer"/> and its plan builder.
/// </summary>
public sealed class Authorizer : PlannedComponent
{
    public Authorizer(string name, AuthorizerArgs args, ComponentResourceOptions? options = null)
        : base(ComponentCatalog.Authorizer, name, args.ConfigValues(), args.ProvidedValues(), options) => Bind();

    internal Authorizer(string name, EnvironmentPart part)
        : base(ComponentCatalog.Authorizer.Token, name, ComponentCatalog.Authorizer.Outputs, part) => Bind();

    [Output("livekitServiceUrl")]
    public Output<string> LivekitServiceUrl { get; private set; } = null!;

    [Output("serviceHost")]
    public Output<string> ServiceHost { get; private set; } = null!;

    private void Bind()
    {
        LivekitServiceUrl = StringOutput("livekitServiceUrl");
        ServiceHost = StringOutput("serviceHost");
    }
}
