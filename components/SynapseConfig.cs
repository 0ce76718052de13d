using Infra.Plan.Components.Synapse;
using Infra.Plan.Kubernetes;
using Pulumi;
using Pulumi.Kubernetes.Types.Inputs.Core.V1;
using Pulumi.Kubernetes.Types.Inputs.Meta.V1;
using ConfigGroup = Pulumi.Kubernetes.Yaml.V2.ConfigGroup;
using ConfigGroupArgs = Pulumi.Kubernetes.Types.Inputs.Yaml.V2.ConfigGroupArgs;
using KubeSecret = Pulumi.Kubernetes.Core.V1.Secret;

namespace Infra.Components;

public sealed class SynapseConfigArgs
{
    /// <summary>The plan: ConfigMaps, the Secret shell and both documents, all decided in infra/.</summary>
    public required SynapsePlan Plan { get; init; }

    /// <summary>
    /// The TURN shared secret's value (the one coturn and LiveKit use, i.e. <c>Plan.TurnSecret.Source</c>);
    /// Synapse needs its own copy because a Secret cannot be mounted across namespaces.
    /// </summary>
    public required Input<string> TurnSharedSecret { get; init; }
}

/// <summary>
/// Hands Synapse its MatrixRTC config: the fragment and .well-known ConfigMaps (plan objects, registered
/// as they are) and the Secret with the TURN shared secret file the fragment's turn_shared_secret_path
/// points at. Decides nothing: names, keys and content come from <see cref="SynapsePlan"/>.
/// </summary>
public sealed class SynapseConfig : ComponentResource
{
    /// <summary>The homeserver fragment (matrixrtc.yaml) as written into the ConfigMap.</summary>
    [Output("matrixRtcYaml")]
    public Output<string> MatrixRtcYaml { get; private set; }

    /// <summary>The /.well-known/matrix/client JSON with org.matrix.msc4143.rtc_foci.</summary>
    [Output("wellKnownClientJson")]
    public Output<string> WellKnownClientJson { get; private set; }

    public SynapseConfig(string name, SynapseConfigArgs args, ComponentResourceOptions? options = null)
        : base("matrix-rtc:index:SynapseConfig", name, options)
    {
        var plan = args.Plan;

        // Only the ConfigMaps go through ConfigGroup; the Secret shell carries no data and is created below.
        _ = new ConfigGroup($"{name}-configmaps", new ConfigGroupArgs
        {
            Yaml = ManifestWriter.Write([plan.Fragment, plan.WellKnown]),
        }, new ComponentResourceOptions { Parent = this, Providers = ChildOptions.Providers(options) });

        var shell = plan.TurnSecretShell.Metadata;
        _ = new KubeSecret($"{name}-turn", new SecretArgs
        {
            Metadata = new ObjectMetaArgs
            {
                Name = shell.Name,
                Namespace = shell.NamespaceProperty,
                Labels = new Dictionary<string, string>(shell.Labels),
                Annotations = new Dictionary<string, string>(shell.Annotations),
            },
            Type = plan.TurnSecretShell.Type,
            StringData = { { plan.TurnSecret.Target.Key, args.TurnSharedSecret } },
        }, new CustomResourceOptions { Parent = this, AdditionalSecretOutputs = { "stringData", "data" } });

        MatrixRtcYaml = Output.Create(plan.FragmentYaml);
        WellKnownClientJson = Output.Create(plan.WellKnownClientJson);
        RegisterOutputs(new Dictionary<string, object?>
        {
            ["matrixRtcYaml"] = MatrixRtcYaml,
            ["wellKnownClientJson"] = WellKnownClientJson,
        });
    }
}
