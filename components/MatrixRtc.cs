using System.Collections.Immutable;
using Infra.Plan;
using Infra.Plan.Components;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Contract;
using Infra.Plan.Policy;
using Infra.Plan.Rendering;
using Infra.Plan.Spec;
using Pulumi;

namespace Infra.Components;

/// <summary>
/// The whole calling backend of a Matrix homeserver, sized by tier: its Args are the stack config by section
/// (docs/components/MatrixRtc.md). It plans the environment once, exactly as <c>render</c> does (parse, derive, the rules
/// that span components, the policies), then makes each part a child in the plan's order, each after the parts the
/// plan says it comes after: <see cref="RedisSentinel"/>, <see cref="Coturn"/>, <see cref="LiveKit"/>,
/// <see cref="Authorizer"/>, <see cref="Egress"/>, <see cref="SynapseConfig"/>, <see cref="NetworkPolicies"/>, and the
/// namespaces, TLS and monitoring parts. The children share one set of generated values, so each workload's rotation hash covers
/// every Secret it reads, whichever part wrote it.
/// </summary>
public sealed class MatrixRtc : ComponentResource
{
    public const string Token = "matrix-rtc:index:MatrixRtc";

    public MatrixRtc(string name, MatrixRtcArgs args, ComponentResourceOptions? options = null)
        : base(Token, name, options)
    {
        var givenProvider = PlannedComponent.KubernetesProvider(options);
        var created = ArgsValues.Known(args.ConfigValues()).Apply(values =>
        {
            var config = values.Select(v => new KeyValuePair<string, ConfigValue>($"{ConfigKey.Project}:{v.Key}", v.Value)).ToList();
            EnvironmentPlan plan;
            try
            {
                plan = Planner.Load(Deployment.Instance.StackName, config);
            }
            catch (Exception e) when (e is ConfigException or PolicyException)
            {
                // One error on this component, nothing registered, every output unknown (nothing else fails on the way out).
                Log.Error(ComponentPlanner.InSections(e.Message), this);
                return Output.Create(OutputValues.Unknown(ComponentDocs.UmbrellaOutputs));
            }
            foreach (var warning in plan.Sizing.Warnings)
            {
                Log.Warn(warning, this);
            }
            return Output.Create(Build(name, plan, givenProvider));
        });

        SfuUrl = created.Apply(c => c.Strings["sfuUrl"]);
        AuthorizerUrl = created.Apply(c => c.Strings["authorizerUrl"]);
        TurnUris = created.Apply(c => c.Arrays["turnUris"]);
        SynapseConfig = created.Apply(c => c.Strings["synapseConfig"]);
        WellKnownClient = created.Apply(c => c.Strings["wellKnownClient"]);
        Tier = created.Apply(c => c.Strings["tier"]);
        CapacitySummary = created.Apply(c => c.Strings["capacitySummary"]);
        CapacityWarnings = created.Apply(c => c.Arrays["capacityWarnings"]);
        // Secret outputs for operators' tools (lk, smoke tests); the key id is public but exported with its secret.
        TurnSharedSecret = Output.CreateSecret(created.Apply(c => c.Strings["turnSharedSecret"]));
        LivekitApiKey = Output.CreateSecret(created.Apply(c => c.Strings["livekitApiKey"]));
        LivekitApiSecret = Output.CreateSecret(created.Apply(c => c.Strings["livekitApiSecret"]));
        RegisterOutputs(OutputValues.Map(created, ComponentDocs.UmbrellaOutputs));
    }

    /// <summary>The children in the plan's order, and the environment's outputs.</summary>
    private OutputValues Build(string name, EnvironmentPlan plan, ProviderResource? givenProvider)
    {
        var provider = givenProvider ?? KubernetesProvider(name, plan.Spec.Site.KubeContext);
        var values = new GeneratedValues();
        var typed = plan.Deployed.ToDictionary(p => p.Contract.Name);
        var created = new Dictionary<string, Resource>(StringComparer.Ordinal);
        foreach (var component in plan.Components)
        {
            var childName = $"{name}-{component.Name}";
            var definition = ComponentCatalog.All.FirstOrDefault(c => c.Token == component.PulumiType);
            var part = new EnvironmentPart(component,
                definition?.OutputValues(plan.Derived, typed[component.Name]) ?? new Dictionary<string, object>(),
                values, provider, component.After.Select(a => created[a]).ToList(), new ComponentResourceOptions { Parent = this });
            created[component.Name] = definition?.TypeName switch
            {
                "RedisSentinel" => new RedisSentinel(childName, part),
                "Coturn" => new Coturn(childName, part),
                "LiveKit" => new LiveKit(childName, part),
                "Authorizer" => new Authorizer(childName, part),
                "Egress" => new Egress(childName, part),
                "SynapseConfig" => new SynapseConfig(childName, part),
                "NetworkPolicies" => new NetworkPolicies(childName, part),
                _ => new MatrixRtcPart(childName, part),
            };
        }
        return new OutputValues(
            new Dictionary<string, Output<string>>
            {
                ["sfuUrl"] = Output.Create(plan.Topology.SfuWssUrl),
                ["authorizerUrl"] = Output.Create(plan.Topology.Authorizer.LivekitServiceUrl),
                ["synapseConfig"] = Output.Create(StackExports.SynapseFragment(plan)),
                ["wellKnownClient"] = Output.Create(StackExports.WellKnownClient(plan)),
                ["tier"] = Output.Create(plan.Sizing.Preset.Name),
                ["capacitySummary"] = Output.Create(StackExports.CapacitySummary(plan)),
                // No coturn without host networking (sfuMediaExposure), so no TURN secret: empty, like turnUris.
                ["turnSharedSecret"] = values.Randoms.GetValueOrDefault(CoturnPlan.SharedSecretId) ?? Output.Create(""),
                ["livekitApiKey"] = values.Randoms[LivekitPlan.ApiKeyId],
                ["livekitApiSecret"] = values.Randoms[LivekitPlan.ApiSecretId],
            },
            new Dictionary<string, Output<string[]>>
            {
                ["turnUris"] = Output.Create(plan.Topology.Turn.Uris.ToArray()),
                ["capacityWarnings"] = Output.Create(plan.Sizing.Warnings.ToArray()),
            });
    }

    /// <summary>The Kubernetes provider of the environment: the configured kube context, else the kubeconfig's current one.</summary>
    private Pulumi.Kubernetes.Provider KubernetesProvider(string name, string kubeContext)
    {
        var providerArgs = new Pulumi.Kubernetes.ProviderArgs();
        if (kubeContext.Length > 0)
        {
            providerArgs.Context = kubeContext; // KUBECONFIG honoured either way
        }
        return new Pulumi.Kubernetes.Provider($"{name}-kubernetes", providerArgs, new CustomResourceOptions { Parent = this });
    }

    /// <summary>wss URL clients (through the authorizer) connect to.</summary>
    [Output("sfuUrl")]
    public Output<string> SfuUrl { get; private set; }

    /// <summary>The authorizer's public URL: Synapse's matrix_rtc livekit_service_url and the .well-known rtc_foci.</summary>
    [Output("authorizerUrl")]
    public Output<string> AuthorizerUrl { get; private set; }

    [Output("turnUris")]
    public Output<string[]> TurnUris { get; private set; }

    /// <summary>The homeserver config fragment to mount into Synapse (no secret: the TURN secret is a file path).</summary>
    [Output("synapseConfig")]
    public Output<string> SynapseConfig { get; private set; }

    /// <summary>The /.well-known/matrix/client JSON with the rtc_foci entry.</summary>
    [Output("wellKnownClient")]
    public Output<string> WellKnownClient { get; private set; }

    [Output("tier")]
    public Output<string> Tier { get; private set; }

    [Output("capacitySummary")]
    public Output<string> CapacitySummary { get; private set; }

    [Output("capacityWarnings")]
    public Output<string[]> CapacityWarnings { get; private set; }

    [Output("turnSharedSecret")]
    public Output<string> TurnSharedSecret { get; private set; }

    [Output("livekitApiKey")]
    public Output<string> LivekitApiKey { get; private set; }

    [Output("livekitApiSecret")]
    public Output<string> LivekitApiSecret { get; private set; }
}
