using Infra.Plan;
using Infra.Plan.Spec;

namespace Infra.Plan.Tests.Support;

/// <summary>Config for tests: the repository's real stack files, or a minimal valid config with overrides.</summary>
public static class Stacks
{
    public static string RepoRoot { get; } = StackFile.FindProjectDirectory(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException("Pulumi.yaml not found above the test binaries");

    public static IReadOnlyList<KeyValuePair<string, ConfigValue>> File(string stack) =>
        StackFile.ReadConfig(StackFile.StackFilePath(RepoRoot, stack));

    public static EnvironmentSpec Spec(string stack) => Planner.Validate(stack, File(stack)).OrThrow();

    public static EnvironmentPlan Plan(string stack) => Planner.Build(Spec(stack));

    /// <summary>A repository stack with some keys changed (e.g. the dev stack on another CNI profile).</summary>
    public static EnvironmentSpec Spec(string stack, params (string Key, ConfigValue Value)[] changes)
    {
        var config = File(stack).ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (key, value) in changes)
        {
            config[key.Contains(':') ? key : $"matrix-rtc:{key}"] = value;
        }
        return Planner.Validate(stack, config).OrThrow();
    }

    /// <summary>The smallest valid config: only the required keys.</summary>
    public static Dictionary<string, ConfigValue> Minimal() => new()
    {
        ["matrix-rtc:serverName"] = S("example.org"),
        ["matrix-rtc:rtcHost"] = S("rtc.example.org"),
        ["matrix-rtc:turnHost"] = S("turn.example.org"),
        ["matrix-rtc:nodeCidrs"] = L("10.10.0.0/24"),
        ["matrix-rtc:mediaRelayImageRepository"] = S("registry.example.org/rtc/media-relay"),
        ["matrix-rtc:mediaRelayImageTag"] = S("v1.13.5-1"),
        ["matrix-rtc:mediaRelayLivekitVersion"] = S("v1.13.5"),
        // routing gateway (the default) names the Gateway listener the HTTPRoutes attach to
        ["matrix-rtc:gatewayName"] = S("public"),
        ["matrix-rtc:gatewayNamespace"] = S("gateway"),
        ["matrix-rtc:gatewaySectionName"] = S("https"),
    };

    /// <summary>The gateway keys of <see cref="Minimal"/>, which routing ingress refuses.</summary>
    public static readonly string[] GatewayKeys = ["matrix-rtc:gatewayName", "matrix-rtc:gatewayNamespace", "matrix-rtc:gatewaySectionName"];

    /// <summary>A repository stack moved to routing ingress (its gateway keys out), plus <paramref name="changes"/>.</summary>
    public static EnvironmentSpec SpecOnIngress(string stack, params (string Key, ConfigValue Value)[] changes)
    {
        var config = File(stack).ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var key in GatewayKeys)
        {
            config.Remove(key);
        }
        foreach (var (key, value) in changes.Prepend(("routing", S("ingress"))))
        {
            config[key.Contains(':') ? key : $"matrix-rtc:{key}"] = value;
        }
        return Planner.Validate(stack, config).OrThrow();
    }

    /// <summary><see cref="With"/> on routing ingress: the minimal config without the gateway keys, plus the changes.</summary>
    public static Dictionary<string, ConfigValue> WithIngress(params (string Key, ConfigValue Value)[] changes)
    {
        var config = Minimal();
        foreach (var key in GatewayKeys)
        {
            config.Remove(key);
        }
        foreach (var (key, value) in changes.Prepend(("routing", S("ingress"))))
        {
            config[key.Contains(':') ? key : $"matrix-rtc:{key}"] = value;
        }
        return config;
    }

    public static Dictionary<string, ConfigValue> With(params (string Key, ConfigValue Value)[] changes)
    {
        var config = Minimal();
        foreach (var (key, value) in changes)
        {
            config[key.Contains(':') ? key : $"matrix-rtc:{key}"] = value;
        }
        return config;
    }

    /// <summary>Parse, derive and check, as render and the Pulumi program do: every config error of <paramref name="config"/>.</summary>
    public static SpecResult Parse(Dictionary<string, ConfigValue> config, string stack = "test") => Planner.Validate(stack, config);

    public static ConfigValue S(string text) => new ConfigValue.Scalar(text);

    public static ConfigValue L(params string[] items) => new ConfigValue.Sequence(items.Select(S).ToArray());
}
