using Infra.Plan;
using Infra.Plan.Kubernetes;
using Infra.Plan.Secrets;
using Infra.Plan.Spec.Sections;
using Pulumi;
using Pulumi.Kubernetes.Types.Inputs.Core.V1;
using Pulumi.Kubernetes.Types.Inputs.Meta.V1;
using Pulumi.Random;
using KubeSecret = Pulumi.Kubernetes.Core.V1.Secret;

namespace Infra.Components;

public sealed class SharedSecretsArgs
{
    public required EnvironmentPlan Plan { get; init; }
}

/// <summary>
/// Generates every shared secret once (Pulumi.Random: 48 alphanumerics; the LiveKit key id "API" + 12) and writes
/// the Kubernetes Secrets listed by <see cref="GeneratedSecrets"/>. The values also come out as secret outputs for
/// the components that must build something from them. Rotating one: <c>pulumi up --replace</c> its URN (README).
/// </summary>
public sealed class SharedSecrets : ComponentResource
{
    public const string Type = "matrix-rtc:index:SharedSecrets";

    public Output<string> LivekitApiKey { get; }
    public Output<string> LivekitApiSecret { get; }
    public Output<string> TurnSharedSecret { get; }

    /// <summary>The TURN secret being rotated out (config turnSharedSecretPrevious); null when not rotating.</summary>
    public Output<string>? TurnSharedSecretPrevious { get; }

    /// <summary>Null when Redis is an existing cluster (the operator's Secret is used).</summary>
    public Output<string>? RedisPassword { get; }

    public Output<string>? SentinelPassword { get; }

    /// <summary>The Kubernetes Secrets, by "namespace/name".</summary>
    public IReadOnlyDictionary<string, KubeSecret> Secrets { get; }

    public SharedSecrets(string name, SharedSecretsArgs args, ComponentResourceOptions? opts = null) : base(Type, name, opts)
    {
        var spec = args.Plan.Spec;

        var keyId = new RandomString($"{name}-livekit-api-key", new RandomStringArgs
        {
            Length = GeneratedSecrets.ApiKeyIdLength, Special = false, Upper = true, Lower = true, Numeric = true,
        }, Child());
        LivekitApiKey = Output.CreateSecret(keyId.Result.Apply(r => GeneratedSecrets.ApiKeyPrefix + r));
        LivekitApiSecret = Output.CreateSecret(Password($"{name}-livekit-api-secret", Child()));
        TurnSharedSecret = Output.CreateSecret(Password($"{name}-turn-shared-secret", Child()));
        if (spec.Turn.PreviousSecret is { IsSet: true, Plaintext: { } previous })
        {
            TurnSharedSecretPrevious = Output.CreateSecret(previous);
        }
        if (spec.Redis.Mode == RedisMode.Managed)
        {
            RedisPassword = Output.CreateSecret(Password($"{name}-redis-password", Child()));
            SentinelPassword = Output.CreateSecret(Password($"{name}-sentinel-password", Child()));
        }
        var keysYaml = Output.Tuple(LivekitApiKey, LivekitApiSecret).Apply(t => $"{t.Item1}: {t.Item2}\n");

        var secrets = new Dictionary<string, KubeSecret>();
        foreach (var secret in GeneratedSecrets.For(spec))
        {
            var data = new InputMap<string>();
            foreach (var key in secret.Keys)
            {
                data[key.Key] = key.Source switch
                {
                    SecretSource.LivekitApiKey => LivekitApiKey,
                    SecretSource.LivekitApiSecret => LivekitApiSecret,
                    SecretSource.LivekitKeysYaml => keysYaml,
                    SecretSource.TurnShared => TurnSharedSecret,
                    SecretSource.TurnSharedPrevious => TurnSharedSecretPrevious!,
                    SecretSource.RedisPassword => RedisPassword!,
                    SecretSource.SentinelPassword => SentinelPassword!,
                    _ => throw new InvalidOperationException($"no value for {key.Source}"),
                };
            }
            secrets[$"{secret.Namespace}/{secret.Name}"] = new KubeSecret($"{secret.Namespace}-{secret.Name}", new SecretArgs
            {
                Metadata = new ObjectMetaArgs
                {
                    Name = secret.Name,
                    Namespace = secret.Namespace,
                    Labels = Meta.Labels("secrets"),
                },
                Type = "Opaque",
                StringData = data,
            }, new CustomResourceOptions
            {
                Parent = this,
                DependsOn = opts?.DependsOn ?? new InputList<Resource>(),
                // The provider marks data/stringData secret already; say so here too, so a provider change cannot leak them.
                AdditionalSecretOutputs = { "data", "stringData" },
            });
        }
        Secrets = secrets;
        RegisterOutputs();
    }

    private CustomResourceOptions Child() => new() { Parent = this };

    private static Output<string> Password(string name, CustomResourceOptions opts) =>
        new RandomPassword(name, new RandomPasswordArgs
        {
            Length = GeneratedSecrets.PasswordLength,
            // Alphanumerics only: the values go into YAML (keys.yaml), redis.conf lines and URLs unescaped.
            Special = false,
            MinUpper = 1,
            MinLower = 1,
            MinNumeric = 1,
        }, opts).Result;
}
