using Infra.Plan;
using Infra.Plan.Components;
using Infra.Plan.Components.Authorizer;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Kubernetes;
using Infra.Plan.Secrets;
using Infra.Plan.Spec;
using Pulumi;
using Pulumi.Kubernetes.Helm.V3;
using Pulumi.Kubernetes.Types.Inputs.Core.V1;
using Pulumi.Kubernetes.Types.Inputs.Helm.V3;
using Pulumi.Kubernetes.Types.Inputs.Meta.V1;
using Pulumi.Kubernetes.Types.Inputs.Yaml.V2;
using Pulumi.Random;
using ConfigGroup = Pulumi.Kubernetes.Yaml.V2.ConfigGroup;
using Secret = Pulumi.Kubernetes.Core.V1.Secret;

namespace Infra.Components;

public sealed class LiveKitArgs
{
    /// <summary>The environment plan (Planner.Build): every value below comes from it.</summary>
    public required EnvironmentPlan Plan { get; init; }

    /// <summary>
    /// The Helm post-renderer executable (one path, no arguments: pulumi-kubernetes hands it to helm's
    /// postrender.NewExec). Default: <see cref="LiveKit.DefaultPostRenderer"/>.
    /// </summary>
    public string? PostRenderer { get; init; }

    /// <summary>Resources the release must wait for (namespaces, Redis, coturn's Secret).</summary>
    public InputList<Resource> DependsOn { get; init; } = new();
}

/// <summary>
/// The LiveKit SFU and the MatrixRTC authorizer. Creates only what needs Pulumi: the API key and secret
/// (Pulumi.Random) and the Secrets holding them; everything else (values, post-render wiring, PDB, Ingresses,
/// authorizer objects) is the plan's, registered as is.
/// </summary>
public sealed class LiveKit : ComponentResource
{
    /// <summary>The public wss URL clients connect to (also the authorizer's LIVEKIT_URL).</summary>
    [Output("wssUrl")]
    public Output<string> WssUrl { get; private set; }

    /// <summary>What Synapse's matrix_rtc transports and .well-known rtc_foci advertise.</summary>
    [Output("livekitServiceUrl")]
    public Output<string> LivekitServiceUrl { get; private set; }

    /// <summary>The API key id (secret output: the stack exports the credentials for operators' tools).</summary>
    [Output("apiKey")]
    public Output<string> ApiKey { get; private set; }

    /// <summary>The API secret (secret output).</summary>
    [Output("apiSecret")]
    public Output<string> ApiKeySecret { get; private set; }

    public LiveKit(string name, LiveKitArgs args, ComponentResourceOptions? options = null)
        : base("matrix-rtc:index:LiveKit", name, options)
    {
        var plan = args.Plan;
        var spec = plan.Spec;
        var livekit = LivekitPlan.Build(spec, plan.Topology, plan.Sizing);
        var child = new CustomResourceOptions { Parent = this };
        // Kubernetes objects wait for what the component waits for (the namespaces): children do not inherit DependsOn.
        var kubeChild = ChildOptions.Of(this, options);

        // API key id: not a secret (it is the "iss" of every token), but unique per stack. Secret: 48 alphanumerics
        // (LiveKit wants at least 32), no specials so keys.yaml needs no quoting.
        var keyId = new RandomString($"{name}-api-key", new RandomStringArgs
        {
            Length = 16,
            Special = false,
            Upper = true,
            Lower = true,
            Numeric = true,
        }, child).Result.Apply(s => "API" + s);
        var apiSecret = new RandomPassword($"{name}-api-secret", new RandomPasswordArgs
        {
            Length = 48,
            Special = false,
        }, child).Result;

        // Media namespace: keys.yaml for LiveKit's key_file, api-key for the webhook (LIVEKIT_WEBHOOK_API_KEY).
        var mediaKeys = ApiSecret($"{name}-api-media", spec.Site.MediaNamespace, new InputMap<string>
        {
            { ApiKeys.KeyId, keyId },
            { ApiKeys.KeyFile, Output.Tuple(keyId, apiSecret).Apply(t => ApiKeys.KeyFileContent(t.Item1, t.Item2)) },
        }, kubeChild);
        // Authorizer namespace: key id (env LIVEKIT_KEY) and secret (file LIVEKIT_SECRET_FROM_FILE).
        var authorizerKeys = ApiSecret($"{name}-api-authorizer", spec.Site.Namespace, new InputMap<string>
        {
            { ApiKeys.KeyId, keyId },
            { ApiKeys.Secret, apiSecret },
        }, kubeChild);

        var releaseDependsOn = new InputList<Resource> { mediaKeys }.Concat(args.DependsOn);
        var release = new Release($"{name}-sfu", new ReleaseArgs
        {
            Name = Names.LivekitRelease,
            Chart = Names.LivekitChart,
            Version = spec.Images.LivekitChartVersion,
            RepositoryOpts = new RepositoryOptsArgs { Repo = Names.LivekitChartRepo },
            Namespace = spec.Site.MediaNamespace,
            // Exactly the reviewed helm/livekit-values.yaml of `render`: no secret, so Helm history and Pulumi state hold none.
            ValueYamlFiles = { new StringAsset(livekit.ValuesYaml) },
            Postrender = args.PostRenderer ?? DefaultPostRenderer(),
            SkipAwait = livekit.Wait.SkipAwait,
            Timeout = livekit.Wait.TimeoutSeconds,
            // Atomic would roll back mid-drain and cut calls; keep a short history instead.
            Atomic = false,
            MaxHistory = 10,
        }, new CustomResourceOptions { Parent = this, DependsOn = releaseDependsOn });

        // PDB and the SFU's Ingress (media namespace), authorizer Deployment, Service and Ingress (matrix-rtc namespace).
        _ = new ConfigGroup($"{name}-extras", new ConfigGroupArgs
        {
            Yaml = ManifestWriter.Write(plan.Component(LivekitPlan.Component).Objects),
        }, new ComponentResourceOptions { Parent = this, DependsOn = { release }, Providers = ChildOptions.Providers(options) });
        _ = new ConfigGroup($"{name}-authorizer", new ConfigGroupArgs
        {
            Yaml = ManifestWriter.Write(plan.Component(AuthorizerPlan.Component).Objects),
        }, new ComponentResourceOptions { Parent = this, DependsOn = { authorizerKeys }, Providers = ChildOptions.Providers(options) });

        ApiKey = Output.CreateSecret(keyId);
        ApiKeySecret = Output.CreateSecret(apiSecret);
        WssUrl = Output.Create(plan.Topology.SfuWssUrl);
        LivekitServiceUrl = Output.Create(plan.Topology.Authorizer.LivekitServiceUrl);
        RegisterOutputs(new Dictionary<string, object?>
        {
            ["wssUrl"] = WssUrl,
            ["livekitServiceUrl"] = LivekitServiceUrl,
        });
    }

    /// <summary>
    /// postrender.sh as a path relative to the project directory: the same input on every checkout, resolved by helm
    /// against the Kubernetes provider's working directory, which the engine sets to the project directory (sources in
    /// <see cref="PostRendererInput"/>). A changed post-renderer reaches the release through the source hash in the values.
    /// </summary>
    public static string DefaultPostRenderer() => PostRendererInput.RelativePath;

    private static Secret ApiSecret(string name, string ns, InputMap<string> data, CustomResourceOptions options) =>
        new(name, new SecretArgs
        {
            Metadata = new ObjectMetaArgs
            {
                Name = SecretNames.LivekitApi,
                Namespace = ns,
                Labels = Meta.Labels(LivekitPlan.Component),
            },
            Type = "Opaque",
            StringData = data,
        }, options);
}
