namespace Infra.Plan.Spec;

/// <summary>
/// A raw stack config value before validation: a scalar, a list, a map, or a secret. Both front ends
/// (the Pulumi program and the render command) turn their input into these, so one parser serves both.
/// </summary>
public abstract record ConfigValue
{
    public sealed record Scalar(string Text) : ConfigValue;

    public sealed record Sequence(IReadOnlyList<ConfigValue> Items) : ConfigValue;

    public sealed record Mapping(IReadOnlyList<KeyValuePair<string, ConfigValue>> Entries) : ConfigValue;

    /// <summary>A <c>secure:</c> value. Render never decrypts it, so <see cref="Plaintext"/> is null there.</summary>
    public sealed record Secret(string? Plaintext) : ConfigValue
    {
        // Keep the plaintext out of logs, exceptions and record printing.
        public override string ToString() => "Secret(set)";
    }

    /// <summary>How a value may appear in an error message: secrets are never shown.</summary>
    public string Display => this switch
    {
        Scalar s => $"\"{s.Text}\"",
        Sequence q => "[" + string.Join(", ", q.Items.Select(i => i.Display)) + "]",
        Mapping m => "{" + string.Join(", ", m.Entries.Select(e => $"{e.Key}: {e.Value.Display}")) + "}",
        Secret => "(secret value)",
        _ => "?",
    };
}
