using System.Collections.Immutable;
using Infra.Components;
using Infra.Plan;
using Infra.Plan.Components.Network;
using Infra.Plan.Components.Synapse;
using Infra.Plan.Policy;
using Infra.Plan.Rendering;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;
using Pulumi;

namespace Infra.Stacks;

/// <summary>
/// One environment: config → <see cref="EnvironmentSpec"/> (the same parser render uses) → plan → policy checks →
/// components, in dependency order. A config mistake or a policy violation stops the program before any resource
/// is registered, with one line per mistake and no stack trace (a <see cref="RunException"/>).
/// </summary>
public sealed class MatrixRtcStack : Stack
{
    public MatrixRtcStack()
    {
        var plan = Load(Deployment.Instance.StackName, PulumiConfigSource.Read());
        var spec = plan.Spec;
        foreach (var warning in plan.Sizing.Warnings)
        {
            Log.Warn(warning);
        }

        // Every Kubernetes resource goes through this provider (children inherit it via Providers).
        var providerArgs = new Pulumi.Kubernetes.ProviderArgs();
        if (spec.Site.KubeContext.Length > 0)
        {
            providerArgs.Context = spec.Site.KubeContext; // else the kubeconfig's current context (KUBECONFIG honoured)
        }
        // Parent = this, said explicitly: the SDK parents resources to the stack either way (same URNs), but only
        // records explicit children, and the stack tests walk that tree.
        var provider = new Pulumi.Kubernetes.Provider("kubernetes", providerArgs, new CustomResourceOptions { Parent = this });
        ComponentResourceOptions After(params Resource?[] dependencies)
        {
            var opts = new ComponentResourceOptions { Parent = this, Providers = { provider } };
            foreach (var d in dependencies.OfType<Resource>())
            {
                opts.DependsOn.Add(d);
            }
            return opts;
        }

        // 1. Namespaces first (Pod Security labels), then the default-deny policies before any pod exists.
        var namespaces = new Namespaces("namespaces", new NamespacesArgs { Plan = plan }, After());
        var networkPolicies = new NetworkPolicies("network-policies", new NetworkPoliciesArgs { Plan = NetworkPlan.Build(spec) }, After(namespaces));

        // 2. The dev RTC host's certificate from the internal CA (self-signed mode only).
        var tls = new Tls("tls", new TlsArgs { Plan = plan }, After(namespaces));

        // 3. Redis before the SFU (LiveKit needs its store); coturn makes the TURN secret LiveKit and Synapse use.
        RedisSentinel? redis = spec.Redis.Mode == RedisMode.Managed
            ? new RedisSentinel("redis", new RedisSentinelArgs { Plan = plan, DependsOn = [namespaces, networkPolicies] }, After(namespaces, networkPolicies))
            : null;
        var coturn = new Coturn("coturn", new CoturnArgs { Plan = plan, Provider = provider }, After(namespaces, networkPolicies));
        var livekitDependsOn = new InputList<Resource> { namespaces, networkPolicies, tls, coturn };
        if (redis is not null)
        {
            livekitDependsOn.Add(redis);
        }
        var livekit = new LiveKit("livekit", new LiveKitArgs { Plan = plan, DependsOn = livekitDependsOn }, After(namespaces));

        // 4. What Synapse mounts (in Synapse's namespace, which this project does not own).
        _ = new SynapseConfig("synapse", new SynapseConfigArgs
        {
            Plan = SynapsePlan.Build(spec, plan.Topology),
            TurnSharedSecret = coturn.SharedSecret,
        }, After());

        // 5. Monitoring last: its ServiceMonitors select what the components above created.
        if (spec.Cluster.Monitoring)
        {
            _ = new Monitoring("monitoring", new MonitoringArgs { Plan = plan }, After(namespaces, livekit, coturn, redis));
        }

        SfuUrl = Output.Create(plan.Topology.SfuWssUrl);
        AuthorizerUrl = Output.Create(plan.Topology.Authorizer.LivekitServiceUrl);
        TurnUris = Output.Create(plan.Topology.Turn.Uris.ToImmutableArray());
        SynapseConfigYaml = Output.Create(StackExports.SynapseFragment(plan));
        WellKnownClient = Output.Create(StackExports.WellKnownClient(plan));
        Tier = Output.Create(plan.Sizing.Preset.Name);
        CapacitySummary = Output.Create(StackExports.CapacitySummary(plan));
        CapacityWarnings = Output.Create(plan.Sizing.Warnings.ToImmutableArray());
        TurnSharedSecret = Output.CreateSecret(coturn.SharedSecret);
        LivekitApiKey = Output.CreateSecret(livekit.ApiKey);
        LivekitApiSecret = Output.CreateSecret(livekit.ApiKeySecret);
    }

    /// <summary>Config → spec → plan → policies; every failure becomes one clean message.</summary>
    public static EnvironmentPlan Load(string stack, IReadOnlyList<KeyValuePair<string, ConfigValue>> config)
    {
        var result = SpecParser.Parse(stack, config);
        if (!result.Ok)
        {
            throw new RunException(ConfigException.Format(result.Errors));
        }
        var plan = Planner.Build(result.Spec!);
        var violations = PolicyChecks.Check(plan);
        if (violations.Count > 0)
        {
            throw new RunException(PolicyException.Format(violations));
        }
        return plan;
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
