using Infra.Plan.Components;
using Pulumi;

namespace Infra.Components;

/// <summary>
/// The LiveKit SFU: the livekit-server Helm release with this project's media-relay image, sharing rooms through Redis Sentinel. Its Args, outputs and an example: docs/components/LiveKit.md; what it decides:
/// <see cref="ComponentCatalog.LiveKit"/> and its plan builder.
/// </summary>
public sealed class LiveKit : PlannedComponent
{
    public LiveKit(string name, LiveKitArgs args, ComponentResourceOptions? options = null)
        : base(ComponentCatalog.LiveKit, name, args.ConfigValues(), args.ProvidedValues(), options) => Bind();

    internal LiveKit(string name, EnvironmentPart part)
        : base(ComponentCatalog.LiveKit.Token, name, ComponentCatalog.LiveKit.Outputs, part) => Bind();

    [Output("sfuUrl")]
    public Output<string> SfuUrl { get; private set; } = null!;

    [Output("serviceUrl")]
    public Output<string> ServiceUrl { get; private set; } = null!;

    [Output("apiKey")]
    public Output<string> ApiKey { get; private set; } = null!;

    [Output("apiSecret")]
    public Output<string> ApiSecret { get; private set; } = null!;

    private void Bind()
    {
        SfuUrl = StringOutput("sfuUrl");
        ServiceUrl = StringOutput("serviceUrl");
        ApiKey = SecretOutput("apiKey");
        ApiSecret = SecretOutput("apiSecret");
    }
}
