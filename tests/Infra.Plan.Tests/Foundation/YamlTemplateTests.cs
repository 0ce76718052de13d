using System.Globalization;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Contract;
using YamlDotNet.RepresentationModel;

namespace Infra.Plan.Tests.Foundation;

/// <summary>SecretSource.YamlTemplate: a whole config file with secret values in it, as a Secret's content.</summary>
public class YamlTemplateTests
{
    /// <summary>Values a password, a key or an operator's existing Secret may hold: each must read back exactly.</summary>
    public static TheoryData<string> AwkwardValues =>
    [
        "plain",
        "with \"double\" and 'single' quotes",
        "back\\slash and \\n not a newline",
        "key: value # not a comment",
        "{braces} [brackets] {0} {{",
        "line one\nline two\ttab",
        "  leading and trailing spaces  ",
        "$(NOT_EXPANDED) ${HOME} %s",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCY",
        "ünïcödé ✓ 🎥",
        "",
        "null",
        "true",
        "0600",
    ];

    private static SecretSource.YamlTemplate Document(out IReadOnlyList<SecretSource> holes)
    {
        SecretSource[] sources = [new SecretSource.Random("a"), new SecretSource.Random("b")];
        var map = new YamlMap
        {
            ["api_secret"] = "@@hole-0@@",
            ["empty"] = new YamlMap(),
            ["nested"] = new YamlMap { ["list"] = new List<object?> { "x", "@@hole-1@@" } },
        };
        holes = sources;
        return YamlTemplates.Split("test.yaml", YamlTreeWriter.Write(map), [("@@hole-0@@", sources[0]), ("@@hole-1@@", sources[1])]);
    }

    [Theory]
    [MemberData(nameof(AwkwardValues))]
    public void Every_value_reads_back_exactly_whatever_it_holds(string value)
    {
        // GIVEN a YAML document with two holes (and braces of its own) WHEN filled with the value twice
        var filled = Document(out _).Fill([value, value]);

        // THEN a YAML parser reads exactly that value in both places, and the rest of the document is intact
        var stream = new YamlStream();
        stream.Load(new StringReader(filled));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        Assert.Equal(value, ((YamlScalarNode)root["api_secret"]).Value);
        Assert.Equal(value, ((YamlScalarNode)((YamlSequenceNode)root["nested"]["list"]).Children[1]).Value);
        Assert.Empty(((YamlMappingNode)root["empty"]).Children);
        // and it is a quoted scalar: no YAML 1.1 reader turns "true" or "0600" into a bool or a number
        Assert.Contains($"api_secret: {YamlTemplates.Quote(value)}\n", filled);
    }

    [Fact]
    public void A_composite_format_template_cannot_hold_yaml_braces_which_is_why_this_source_exists()
    {
        // The same document as a SecretSource.Format template: its "{}" is no format item
        var yaml = YamlTreeWriter.Write(new YamlMap { ["empty"] = new YamlMap(), ["secret"] = "{0}" });
        Assert.Throws<FormatException>(() => string.Format(CultureInfo.InvariantCulture, yaml, "value"));
        Assert.Equal("empty: {}\nsecret: \"value\"\n",
            YamlTemplates.Split("t", yaml, [("{0}", new SecretSource.Random("x"))]).Fill(["value"]));
    }

    [Fact]
    public void A_marker_must_occur_exactly_once()
    {
        var twice = YamlTreeWriter.Write(new YamlMap { ["a"] = "@@m@@", ["b"] = "@@m@@" });
        var e = Assert.Throws<ArgumentException>(() => YamlTemplates.Split("t.yaml", twice, [("@@m@@", new SecretSource.Random("x"))]));
        Assert.Contains("t.yaml: marker @@m@@ must occur exactly once", e.Message);
        Assert.Throws<ArgumentException>(() => YamlTemplates.Split("t.yaml", "a: 1\n", [("@@m@@", new SecretSource.Random("x"))]));
    }

    [Fact]
    public void The_preview_describes_each_value_and_the_sources_are_reported_for_the_contract_check()
    {
        var template = Document(out var holes) with
        {
            Values = [new SecretSource.Random("api"), new SecretSource.Existing("ns", "phase1", "password")],
        };

        Assert.Contains("api_secret: \"<random `api`>\"", template.PreviewText());
        Assert.Contains("\"<key `password` of the existing Secret `ns/phase1`>\"", template.PreviewText());
        Assert.Equal(["api"], template.GeneratedIds());
        Assert.Equal([("ns", "phase1")], template.ExistingSecrets());
        Assert.Equal(2, holes.Count);
        Assert.Throws<ArgumentException>(() => template.Fill(["only one"]));
    }
}
