using Infra.Plan.Components;
using Pulumi;

namespace Infra.Components;

/// <summary>
/// Redis (or Valkey) with Sentinel: data pods and their sentinels, failing over fast and never on a hiccup. Its Args, outputs and an example: docs/components/RedisSentinel.md; what it decides:
/// <see cref="ComponentCatalog.RedisSentinel"/> and its plan builder.
/// </summary>
public sealed class RedisSentinel : PlannedComponent
{
    public RedisSentinel(string name, RedisSentinelArgs args, ComponentResourceOptions? options = null)
        : base(ComponentCatalog.RedisSentinel, name, args.ConfigValues(), args.ProvidedValues(), options) => Bind();

    internal RedisSentinel(string name, EnvironmentPart part)
        : base(ComponentCatalog.RedisSentinel.Token, name, ComponentCatalog.RedisSentinel.Outputs, part) => Bind();

    [Output("masterName")]
    public Output<string> MasterName { get; private set; } = null!;

    [Output("sentinelAddresses")]
    public Output<string[]> SentinelAddresses { get; private set; } = null!;

    [Output("passwordSecret")]
    public Output<string> PasswordSecret { get; private set; } = null!;

    [Output("sentinelPasswordSecret")]
    public Output<string> SentinelPasswordSecret { get; private set; } = null!;

    [Output("caSecret")]
    public Output<string> CaSecret { get; private set; } = null!;

    [Output("caCertificate")]
    public Output<string> CaCertificate { get; private set; } = null!;

    [Output("password")]
    public Output<string> Password { get; private set; } = null!;

    [Output("sentinelPassword")]
    public Output<string> SentinelPassword { get; private set; } = null!;

    private void Bind()
    {
        MasterName = StringOutput("masterName");
        SentinelAddresses = ArrayOutput("sentinelAddresses");
        PasswordSecret = StringOutput("passwordSecret");
        SentinelPasswordSecret = StringOutput("sentinelPasswordSecret");
        CaSecret = StringOutput("caSecret");
        CaCertificate = StringOutput("caCertificate");
        Password = SecretOutput("password");
        SentinelPassword = SecretOutput("sentinelPassword");
    }
}
