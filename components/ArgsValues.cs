using System.Globalization;
using Infra.Plan.Spec;
using Pulumi;

namespace Infra.Components;

/// <summary>
/// An Args input as the config value the plan reads (the generated <c>ConfigValues()</c> of every Args class): a
/// component's inputs and the stack's config keys go through the same parser. Null: not given, the default applies.
/// </summary>
internal static class ArgsValues
{
    public static Output<ConfigValue>? Scalar(Input<string>? value) => value?.ToOutput().Apply(s => (ConfigValue)new ConfigValue.Scalar(s));

    public static Output<ConfigValue>? Scalar(Input<int>? value) =>
        value?.ToOutput().Apply(i => (ConfigValue)new ConfigValue.Scalar(i.ToString(CultureInfo.InvariantCulture)));

    public static Output<ConfigValue>? Scalar(Input<bool>? value) => value?.ToOutput().Apply(b => (ConfigValue)new ConfigValue.Scalar(b ? "true" : "false"));

    public static Output<ConfigValue>? List(InputList<string>? value) =>
        value?.ToOutput().Apply(items => (ConfigValue)new ConfigValue.Sequence(items.Select(i => (ConfigValue)new ConfigValue.Scalar(i)).ToList()));

    /// <summary>A secret key's value (e.g. turnSharedSecretPrevious): never shown, kept secret wherever it goes.</summary>
    public static Output<ConfigValue>? Secret(Input<string>? value) =>
        value is null ? null : Output.CreateSecret(value.ToOutput()).Apply(s => (ConfigValue)new ConfigValue.Secret(s));

    /// <summary>The inputs that are given (not null), by config key, once every one of them is known.</summary>
    public static Output<IReadOnlyList<KeyValuePair<string, ConfigValue>>> Known(IEnumerable<(string Key, Output<ConfigValue>? Value)> inputs)
    {
        var given = inputs.Where(i => i.Value is not null).ToList();
        return Output.All(given.Select(g => (Input<ConfigValue>)g.Value!).ToArray()).Apply(values =>
            (IReadOnlyList<KeyValuePair<string, ConfigValue>>)given.Zip(values, (g, v) => new KeyValuePair<string, ConfigValue>(g.Key, v)).ToList());
    }

    // The other way, for the stack program: a validated config value as the Args input it sets, read by the same
    // ConfigReader the plan uses (a list may come from the CLI as a JSON string).

    public static Input<string> String(string key, ConfigValue value) => value switch
    {
        ConfigValue.Secret { Plaintext: { } plaintext } => Output.CreateSecret(plaintext),
        ConfigValue.Secret => throw new InvalidOperationException($"{key}: a secure config value was not decrypted; run the program through the Pulumi CLI"),
        _ => ConfigReader.Read(key, value, (r, k) => r.String(k)),
    };

    public static Input<int> Int(string key, ConfigValue value) => ConfigReader.Read(key, value, (r, k) => r.Int(k, int.MinValue, int.MaxValue));

    public static Input<bool> Bool(string key, ConfigValue value) => ConfigReader.Read(key, value, (r, k) => r.Bool(k));

    public static InputList<string> Strings(string key, ConfigValue value) => ConfigReader.Read(key, value, (r, k) => r.List(k)).ToList();
}
