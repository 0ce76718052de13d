using Infra.Plan.Spec;

namespace Infra.Stacks;

/// <summary>
/// Hands the stack's config to the shared <see cref="SpecParser"/>, so <c>pulumi up</c> and <c>render</c> accept and
/// reject exactly the same config. The decoding (JSON shapes, legacy keys, secret keys) is
/// <see cref="PulumiConfigJson"/>, tested with the plan.
/// <para>Why not <c>new Config()</c>: it can only look keys up, never list them; listing is what lets a misspelt key
/// of ours be reported instead of silently ignored. (The SDK's own map is internal, so inline Automation API
/// programs, which pass config in-process, are not supported: run the program through the CLI.)</para>
/// </summary>
public static class PulumiConfigSource
{
    public const string ConfigEnv = PulumiConfigJson.ConfigEnv;
    public const string SecretKeysEnv = PulumiConfigJson.SecretKeysEnv;

    public static IReadOnlyList<KeyValuePair<string, ConfigValue>> Read() =>
        PulumiConfigJson.Decode(Environment.GetEnvironmentVariable(ConfigEnv), Environment.GetEnvironmentVariable(SecretKeysEnv));
}
