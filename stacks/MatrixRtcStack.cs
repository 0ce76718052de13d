using System.Collections.Immutable;
using Infra.Components;
using Infra.Plan;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Policy;
using Infra.Plan.Rendering;
using Infra.Plan.Spec;
using Pulumi;

namespace Infra.Stacks;

/// <summary>
/// One environment: config → the plan (the same parse, derive, check and policies render runs) → one
/// <see cref="PlanComponent"/> per planned component, in the plan's order, each waiting for the components the plan
/// says it comes after. A config mistake or a policy violation stops the program before any resource is registered,
/// with one line per mistake and no stack trace (a <see cref="RunException"/>).
/// </summary>
public sealed class MatrixRtcStack : Stack
{
    public MatrixRtcStack()
    {
        var plan = Load(Deployment.Instance.StackName, PulumiConfigSource.Read());
        foreach (var warning in plan.Sizing.Warnings)
        {
            Log.Warn(warning);
        }

        var providerArgs = new Pulumi.Kubernetes.ProviderArgs();
        if (plan.Spec.Site.KubeContext.Length > 0)
        {
            providerArgs.Context = plan.Spec.Site.KubeContext; // else the kubeconfig's current context (KUBECONFIG honoured)
        }
        // Parent = this, said explicitly: the SDK parents resources to the stack either way (same URNs), but only
        // records explicit children, and the stack tests walk that tree.
        var provider = new Pulumi.Kubernetes.Provider("kubernetes", providerArgs, new CustomResourceOptions { Parent = this });

        var values = new GeneratedValues();
        var created = new Dictionary<string, PlanComponent>(StringComparer.Ordinal);
        foreach (var component in plan.Components)
        {
            created[component.Name] = new PlanComponent(new PlanComponentArgs
            {
                Plan = component,
                Values = values,
                Provider = provider,
                After = component.After.Select(name => (Resource)created[name]).ToList(),
            }, new ComponentResourceOptions { Parent = this });
        }

        SfuUrl = Output.Create(plan.Topology.SfuWssUrl);
        AuthorizerUrl = Output.Create(plan.Topology.Authorizer.LivekitServiceUrl);
        TurnUris = Output.Create(plan.Topology.Turn.Uris.ToImmutableArray());
        SynapseConfigYaml = Output.Create(StackExports.SynapseFragment(plan));
        WellKnownClient = Output.Create(StackExports.WellKnownClient(plan));
        Tier = Output.Create(plan.Sizing.Preset.Name);
        CapacitySummary = Output.Create(StackExports.CapacitySummary(plan));
        CapacityWarnings = Output.Create(plan.Sizing.Warnings.ToImmutableArray());
        // Secret outputs for operators' tools (lk, smoke tests); the key id is public but exported with its secret.
        TurnSharedSecret = Output.CreateSecret(values.Randoms[CoturnPlan.SharedSecretId]);
        LivekitApiKey = Output.CreateSecret(values.Randoms[LivekitPlan.ApiKeyId]);
        LivekitApiSecret = Output.CreateSecret(values.Randoms[LivekitPlan.ApiSecretId]);
    }

    /// <summary>Config → spec → plan → policies, exactly as render does; every failure becomes one clean message.</summary>
    public static EnvironmentPlan Load(string stack, IReadOnlyList<KeyValuePair<string, ConfigValue>> config)
    {
        try
        {
            return Planner.Load(stack, config);
        }
        catch (ConfigException e)
        {
            throw new RunException(e.Message);
        }
        catch (PolicyException e)
        {
            throw new RunException(e.Message);
        }
    }

    /// <summary>wss URL clients (through the authorizer) connect to.</summary>
    [Output("sfuUrl")]
    public Output<string> SfuUrl { get; private set; }

    /// <summary>The authorizer's public URL: Synapse's matrix_rtc livekit_service_url and the .well-known rtc_foci.</summary>
    [Output("authorizerUrl")]
    public Output<string> AuthorizerUrl { get; private set; }

    [Output("turnUris")]
    public Output<ImmutableArray<string>> TurnUris { get; private set; }

    /// <summary>The homeserver config fragment to mount into Synapse (no secret: the TURN secret is a file path).</summary>
    [Output("synapseConfig")]
    public Output<string> SynapseConfigYaml { get; private set; }

    /// <summary>The /.well-known/matrix/client JSON with the rtc_foci entry.</summary>
    [Output("wellKnownClient")]
    public Output<string> WellKnownClient { get; private set; }

    [Output("tier")]
    public Output<string> Tier { get; private set; }

    [Output("capacitySummary")]
    public Output<string> CapacitySummary { get; private set; }

    [Output("capacityWarnings")]
    public Output<ImmutableArray<string>> CapacityWarnings { get; private set; }

    [Output("turnSharedSecret")]
    public Output<string> TurnSharedSecret { get; private set; }

    [Output("livekitApiKey")]
    public Output<string> LivekitApiKey { get; private set; }

    [Output("livekitApiSecret")]
    public Output<string> LivekitApiSecret { get; private set; }
}
