using Infra.Components;
using Infra.Plan;
using Infra.Plan.Policy;
using Infra.Plan.Spec;
using Pulumi;

namespace Infra.Stacks;

/// <summary>
/// One environment: the stack's config, validated as render validates it (a mistake stops the program before any
/// resource is registered, one line per mistake naming the config key, no stack trace), becomes
/// <see cref="MatrixRtcArgs"/>, and one <see cref="MatrixRtc"/> deploys it. The stack exports its outputs.
/// </summary>
public sealed class MatrixRtcStack : Stack
{
    public MatrixRtcStack()
    {
        var config = PulumiConfigSource.Read();
        Load(Deployment.Instance.StackName, config);
        var ours = config.Where(kv => kv.Key.StartsWith($"{ConfigKey.Project}:", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[(ConfigKey.Project.Length + 1)..], kv => kv.Value);
        var rtc = new MatrixRtc(ConfigKey.Project, MatrixRtcArgs.FromConfig(ours), new ComponentResourceOptions { Parent = this });

        SfuUrl = rtc.SfuUrl;
        AuthorizerUrl = rtc.AuthorizerUrl;
        TurnUris = rtc.TurnUris;
        SynapseConfigYaml = rtc.SynapseConfig;
        WellKnownClient = rtc.WellKnownClient;
        Tier = rtc.Tier;
        CapacitySummary = rtc.CapacitySummary;
        CapacityWarnings = rtc.CapacityWarnings;
        TurnSharedSecret = rtc.TurnSharedSecret;
        LivekitApiKey = rtc.LivekitApiKey;
        LivekitApiSecret = rtc.LivekitApiSecret;
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
    public Output<string[]> TurnUris { get; private set; }

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
    public Output<string[]> CapacityWarnings { get; private set; }

    [Output("turnSharedSecret")]
    public Output<string> TurnSharedSecret { get; private set; }

    [Output("livekitApiKey")]
    public Output<string> LivekitApiKey { get; private set; }

    [Output("livekitApiSecret")]
    public Output<string> LivekitApiSecret { get; private set; }
}
