using YamlDotNet.RepresentationModel;

namespace Infra.Plan.Spec;

/// <summary>
/// Reads a Pulumi project the way the CLI lays it out: <c>Pulumi.yaml</c> and <c>Pulumi.&lt;stack&gt;.yaml</c>
/// side by side. <c>secure:</c> values are kept encrypted (reported as set, never decrypted).
/// </summary>
public static class StackFile
{
    public const string ProjectFileName = "Pulumi.yaml";

    /// <summary>Walks up from <paramref name="start"/> to the directory holding Pulumi.yaml; null if there is none.</summary>
    public static string? FindProjectDirectory(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, ProjectFileName)))
            {
                return dir.FullName;
            }
        }
        return null;
    }

    public static string StackFilePath(string projectDir, string stack) => Path.Combine(projectDir, $"Pulumi.{stack}.yaml");

    /// <summary>The <c>config:</c> entries of a stack file. Throws <see cref="ConfigException"/> on malformed YAML.</summary>
    public static IReadOnlyList<KeyValuePair<string, ConfigValue>> ReadConfig(string path)
    {
        var yaml = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            yaml.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ConfigException([new ConfigError(Path.GetFileName(path), $"is not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}")]);
        }
        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            return [];
        }
        if (!root.Children.TryGetValue(new YamlScalarNode("config"), out var configNode) || configNode is YamlScalarNode { Value: null or "" })
        {
            return [];
        }
        if (configNode is not YamlMappingNode config)
        {
            throw new ConfigException([new ConfigError(Path.GetFileName(path), "its `config:` must be a map of key: value")]);
        }
        return config.Children
            .Select(e => new KeyValuePair<string, ConfigValue>(((YamlScalarNode)e.Key).Value ?? "", Convert(e.Value)))
            .ToArray();
    }

    public static ConfigValue Convert(YamlNode node) => node switch
    {
        YamlScalarNode s => new ConfigValue.Scalar(s.Value ?? ""),
        YamlSequenceNode q => new ConfigValue.Sequence(q.Children.Select(Convert).ToArray()),
        YamlMappingNode m when m.Children.Count == 1 && m.Children.ContainsKey(new YamlScalarNode("secure")) =>
            new ConfigValue.Secret(null),
        YamlMappingNode m => new ConfigValue.Mapping(m.Children
            .Select(e => new KeyValuePair<string, ConfigValue>(((YamlScalarNode)e.Key).Value ?? "", Convert(e.Value))).ToArray()),
        _ => new ConfigValue.Scalar(""),
    };
}
