namespace Infra.Plan.Spec;

/// <summary>All keys of the <c>matrix-rtc:</c> namespace, section by section, in documentation order (registered in <see cref="EnvironmentSpec.Sections"/>).</summary>
public static class ConfigSchema
{
    public static IReadOnlyList<(string Section, IReadOnlyList<ConfigKey> Keys)> Sections => EnvironmentSpec.Sections;

    public static IReadOnlyList<ConfigKey> AllKeys { get; } = EnvironmentSpec.Sections.SelectMany(s => s.Keys).ToArray();

    public static ConfigKey? Find(string name) => AllKeys.FirstOrDefault(k => k.Name == name);
}
