using Infra.Plan.Spec;
using YamlDotNet.RepresentationModel;

namespace Infra.PulumiCli;

/// <summary><c>items:</c> of an array config type (pulumi/pulumi sdk/go/common/workspace/project.go <c>ProjectConfigItemsType</c>).</summary>
public sealed record ProjectConfigItemsType(string Type, ProjectConfigItemsType? Items);

/// <summary>
/// One entry of Pulumi.yaml's <c>config:</c> (project.go <c>ProjectConfigType</c>). <see cref="Default"/> and
/// <see cref="Value"/> are the values go-yaml decoded (<see cref="GoYaml"/>); null when absent.
/// </summary>
public sealed record ProjectConfigType(
    string? Type,
    ProjectConfigItemsType? Items,
    string Description,
    object? Default,
    object? Value,
    bool Secret)
{
    /// <summary>project.go <c>IsExplicitlyTyped</c>: only typed keys are checked against stack values.</summary>
    public bool IsExplicitlyTyped => Type is not null;
}

/// <summary>
/// Pulumi.yaml as the CLI reads it (sdk/go/common/workspace/loaders.go, then project.go
/// <c>RewriteShorthandConfigValues</c>): the project name and its config declarations. Only what the config gate
/// (<see cref="CliConfigGate"/>) needs.
/// </summary>
public sealed record PulumiProject(string Name, IReadOnlyDictionary<string, ProjectConfigType> Config)
{
    public static PulumiProject Read(string path) => Parse(File.ReadAllText(path), Path.GetFileName(path));

    public static PulumiProject Parse(string yaml, string fileName = StackFile.ProjectFileName)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ConfigException([new ConfigError(fileName, $"is not valid YAML at line {e.Start.Line}: {e.Message}")]);
        }
        var root = stream.Documents.Count > 0 ? GoYaml.Value(stream.Documents[0].RootNode) as GoYaml.Map : null;
        var name = root?["name"] as string ?? "";
        var config = new Dictionary<string, ProjectConfigType>(StringComparer.Ordinal);
        if (root?["config"] is GoYaml.Map declared)
        {
            foreach (var (key, entry) in declared)
            {
                config[key] = entry switch
                {
                    // Shorthand (project.go RewriteShorthandConfigValues, isPrimitiveValue: string, int, bool; isArray): a
                    // default for a key of the project's namespace, a value for any other namespace.
                    string or bool or long or List<object?> when IsNamespacedByProject(name, key) =>
                        new ProjectConfigType(null, null, "", entry, null, false),
                    string or bool or long or List<object?> =>
                        new ProjectConfigType(null, null, "", null, entry, false),
                    GoYaml.Map m => new ProjectConfigType(
                        m["type"] as string, Items(m["items"]), m["description"] as string ?? "",
                        m["default"], m["value"], m["secret"] is true),
                    _ => new ProjectConfigType(null, null, "", null, null, false),
                };
            }
        }
        return new PulumiProject(name, config);
    }

    /// <summary>project.go <c>configKeyIsNamespacedByProject</c>.</summary>
    public static bool IsNamespacedByProject(string projectName, string key) =>
        !key.Contains(':') || key.StartsWith(projectName + ":", StringComparison.Ordinal);

    private static ProjectConfigItemsType? Items(object? node) =>
        node is GoYaml.Map m && m["type"] is string type ? new ProjectConfigItemsType(type, Items(m["items"])) : null;
}
