using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Secrets;

/// <summary>Where the value of one Secret key comes from; the Pulumi shell maps each to a Pulumi.Random output or to config.</summary>
public enum SecretSource
{
    /// <summary>LiveKit API key id (RandomString, not secret on its own but kept secret in outputs).</summary>
    LivekitApiKey,
    /// <summary>LiveKit API secret (RandomPassword).</summary>
    LivekitApiSecret,
    /// <summary>LiveKit's key_file: one line <c>&lt;key&gt;: &lt;secret&gt;</c>.</summary>
    LivekitKeysYaml,
    /// <summary>TURN REST shared secret (RandomPassword).</summary>
    TurnShared,
    /// <summary>The TURN secret being rotated out (config <c>turnSharedSecretPrevious</c>).</summary>
    TurnSharedPrevious,
    RedisPassword,
    SentinelPassword,
}

public sealed record GeneratedSecretKey(string Key, SecretSource Source);

/// <summary>One Kubernetes Secret the stack creates from generated values, shared by the components that read it.</summary>
public sealed record GeneratedSecret(string Namespace, string Name, IReadOnlyList<GeneratedSecretKey> Keys);

/// <summary>
/// The Secrets shared between components (LiveKit + authorizer, LiveKit + coturn, LiveKit + Redis), created once
/// by the stack so no two components fight over one object. Names and keys are those in <see cref="SecretNames"/>
/// and <see cref="Components.Topology"/>; a Secret is placed in each namespace that mounts it (a pod can only read
/// Secrets of its own namespace).
/// </summary>
public static class GeneratedSecrets
{
    /// <summary>Length of every generated password: 48 alphanumerics ≈ 285 bits, safe in YAML, URLs and config lines.</summary>
    public const int PasswordLength = 48;

    /// <summary>Random part of the LiveKit API key id (after the conventional "API" prefix).</summary>
    public const int ApiKeyIdLength = 12;

    public const string ApiKeyPrefix = "API";

    public static IReadOnlyList<GeneratedSecret> For(EnvironmentSpec spec)
    {
        var ns = spec.Site.Namespace;
        var media = spec.Site.MediaNamespace;
        GeneratedSecretKey[] api =
        [
            new("api-key", SecretSource.LivekitApiKey),
            new("api-secret", SecretSource.LivekitApiSecret),
            new("keys.yaml", SecretSource.LivekitKeysYaml),
        ];
        var turn = new List<GeneratedSecretKey> { new("secret", SecretSource.TurnShared) };
        if (spec.Turn.PreviousSecret.IsSet)
        {
            turn.Add(new("previous", SecretSource.TurnSharedPrevious));
        }
        var secrets = new List<GeneratedSecret>
        {
            new(ns, SecretNames.LivekitApi, api),
            new(media, SecretNames.LivekitApi, api),
            new(media, SecretNames.TurnShared, turn),
        };
        if (spec.Redis.Mode == RedisMode.Managed)
        {
            GeneratedSecretKey[] redis = [new("redis-password", SecretSource.RedisPassword), new("sentinel-password", SecretSource.SentinelPassword)];
            secrets.Add(new(ns, SecretNames.RedisAuth, redis));
            secrets.Add(new(media, SecretNames.RedisAuth, redis));
        }
        return secrets;
    }
}
