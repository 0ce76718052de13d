namespace Infra.Plan.Spec;

/// <summary>The config value types Pulumi's project config schema knows.</summary>
public enum ConfigType
{
    String,
    Integer,
    Boolean,
    StringArray,
}

/// <summary>
/// One key of the <c>matrix-rtc:</c> config namespace. The list of all keys (<see cref="ConfigSchema"/>)
/// is the single source for the parser, the <c>config:</c> section of Pulumi.yaml and the README table.
/// </summary>
/// <param name="Name">Key without the project prefix, e.g. <c>tier</c>.</param>
/// <param name="Default">string, int, bool or string[]; null when the key is required or has no default.</param>
/// <param name="Required">True when a stack must set the key.</param>
/// <param name="Secret">True when the value must be given as <c>secure:</c> (e.g. a rotation secret).</param>
public sealed record ConfigKey(
    string Name,
    ConfigType Type,
    string Description,
    object? Default = null,
    bool Required = false,
    bool Secret = false)
{
    public const string Project = "matrix-rtc";

    public string FullName => $"{Project}:{Name}";

    /// <summary>
    /// Whether the key can be declared in Pulumi.yaml's typed <c>config:</c>. An optional secret key cannot: the CLI
    /// refuses a stack that lacks a typed key without default ("missing configuration value"), and a default is a
    /// plain value, which a <c>secret: true</c> key refuses ("must be encrypted"; pulumi/pulumi pkg/workspace/config.go
    /// mergeConfig, validateStackConfigValue). Such keys stay out of Pulumi.yaml, are documented in the README and
    /// validated by our own parser (<see cref="ConfigReader.Secret"/>).
    /// </summary>
    public bool InProjectConfig => !Secret || (Required && Default is null);

    public override string ToString() => FullName;
}
