namespace Infra.Plan.Spec;

/// <summary>One user mistake in stack config: which key, what was given, what is allowed.</summary>
public sealed record ConfigError(string Key, string Message)
{
    public override string ToString() => $"{Key}: {Message}";

    public static ConfigError Invalid(ConfigKey key, ConfigValue? value, string allowed) =>
        new(key.FullName, $"{value?.Display ?? "(not set)"} is not allowed; {allowed}");

    public static ConfigError Invalid(ConfigKey key, string shownValue, string allowed) =>
        new(key.FullName, $"{shownValue} is not allowed; {allowed}");
}

/// <summary>
/// Thrown when a spec is invalid. Front ends catch it and print <see cref="Errors"/> one per line with no
/// stack trace; the message never contains a secret value.
/// </summary>
public sealed class ConfigException(IReadOnlyList<ConfigError> errors)
    : Exception(Format(errors))
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;

    public static string Format(IReadOnlyList<ConfigError> errors) =>
        $"{errors.Count} config error(s):" + Environment.NewLine +
        string.Join(Environment.NewLine, errors.Select(e => "  " + e));
}
