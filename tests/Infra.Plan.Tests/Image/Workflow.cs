using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Infra.Plan.Tests.Image;

/// <summary>One step of a job, with its position, as written in the workflow file.</summary>
public sealed record WorkflowStep(int Index, YamlMappingNode Node)
{
    public string? Id => Workflow.Scalar(Node, "id");

    public string? Name => Workflow.Scalar(Node, "name");

    public string? Uses => Workflow.Scalar(Node, "uses");

    /// <summary>The action without its ref: <c>docker/build-push-action</c>.</summary>
    public string? Action => Uses?.Split('@')[0];

    public string? If => Workflow.Condition(Workflow.Scalar(Node, "if"));

    public string? Run => Workflow.Scalar(Node, "run");

    public string? With(string key) => Workflow.Scalar(Workflow.Map(Node, "with"), key);

    public IReadOnlyDictionary<string, string> Env => Workflow.Pairs(Workflow.Map(Node, "env"));

    public string Describe => Name ?? Uses ?? $"step {Index}";
}

/// <summary>One job: its key, permissions, outputs, needs, condition and steps.</summary>
public sealed record WorkflowJob(string Key, YamlMappingNode Node)
{
    public IReadOnlyDictionary<string, string> Permissions => Workflow.Pairs(Workflow.Map(Node, "permissions"));

    public IReadOnlyDictionary<string, string> Outputs => Workflow.Pairs(Workflow.Map(Node, "outputs"));

    public IReadOnlyList<string> Needs => Workflow.Strings(Node, "needs");

    public string? If => Workflow.Condition(Workflow.Scalar(Node, "if"));

    public IReadOnlyList<WorkflowStep> Steps => (Node.Children.TryGetValue("steps", out var s) ? (YamlSequenceNode)s : new YamlSequenceNode())
        .Children.Select((n, i) => new WorkflowStep(i, (YamlMappingNode)n)).ToList();
}

/// <summary>A GitHub Actions workflow file parsed with YamlDotNet (no schema: the keys GitHub documents).</summary>
public sealed partial record Workflow(string Text, YamlMappingNode Root)
{
    public static Workflow Parse(string text)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(text));
        return new Workflow(text, (YamlMappingNode)yaml.Documents[0].RootNode);
    }

    public static Workflow Load(string path) => Parse(File.ReadAllText(path));

    /// <summary>The <c>on:</c> triggers (a YAML 1.1 reader could turn the key into a boolean; YamlDotNet keeps it).</summary>
    public YamlMappingNode On => Map(Root, "on") ?? new YamlMappingNode();

    public IReadOnlyDictionary<string, string> Permissions => Pairs(Map(Root, "permissions"));

    public IReadOnlyList<WorkflowJob> Jobs => (Map(Root, "jobs") ?? new YamlMappingNode()).Children
        .Select(kv => new WorkflowJob(((YamlScalarNode)kv.Key).Value!, (YamlMappingNode)kv.Value)).ToList();

    public static YamlMappingNode? Map(YamlMappingNode? node, string key) =>
        node is not null && node.Children.TryGetValue(key, out var child) ? child as YamlMappingNode : null;

    public static string? Scalar(YamlMappingNode? node, string key) =>
        node is not null && node.Children.TryGetValue(key, out var child) && child is YamlScalarNode s ? s.Value : null;

    /// <summary>A key that holds one string or a list of strings.</summary>
    public static IReadOnlyList<string> Strings(YamlMappingNode? node, string key) =>
        node is null || !node.Children.TryGetValue(key, out var child) ? []
        : child is YamlSequenceNode seq ? seq.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "").ToList()
        : child is YamlScalarNode s ? [s.Value ?? ""] : [];

    public static IReadOnlyDictionary<string, string> Pairs(YamlMappingNode? node) => node is null
        ? new Dictionary<string, string>()
        : node.Children.Where(kv => kv.Value is YamlScalarNode)
            .ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value ?? "");

    /// <summary>An <c>if:</c> without the optional <c>${{ }}</c> around it (GitHub evaluates both the same).</summary>
    public static string? Condition(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var t = text.Trim();
        return t.StartsWith("${{", StringComparison.Ordinal) && t.EndsWith("}}", StringComparison.Ordinal) ? t[3..^2].Trim() : t;
    }

    /// <summary>
    /// Whether a ref name matches a GitHub filter pattern (docs.github.com "Filter pattern cheat sheet"): <c>*</c>
    /// matches any characters but <c>/</c>, <c>**</c> any characters. The other special characters are refused here.
    /// </summary>
    public static bool FilterMatches(string pattern, string name)
    {
        if (pattern.IndexOfAny(['?', '+', '[', ']', '!']) >= 0)
        {
            throw new NotSupportedException($"filter pattern {pattern}: only * and ** are supported here");
        }
        var regex = "^" + string.Concat(GlobToken().Matches(pattern).Select(m => m.Value switch
        {
            "**" => ".*",
            "*" => "[^/]*",
            var literal => Regex.Escape(literal),
        })) + "$";
        return Regex.IsMatch(name, regex);
    }

    [GeneratedRegex(@"\*\*|\*|[^*]+")]
    private static partial Regex GlobToken();
}
