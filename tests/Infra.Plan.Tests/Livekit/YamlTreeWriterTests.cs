using Infra.Plan.Components.Livekit;
using YamlDotNet.RepresentationModel;

namespace Infra.Plan.Tests.Livekit;

public class YamlTreeWriterTests
{
    [Fact]
    public void Strings_stay_strings_and_null_means_delete()
    {
        // GIVEN values that YAML would otherwise read as numbers, booleans or octal
        var map = new YamlMap
        {
            ["mode"] = "0600",
            ["on"] = "on",
            ["port"] = 7882,
            ["flag"] = false,
            ["gone"] = null,
            ["text"] = "a \"quoted\" line\nand another",
            ["empty"] = new YamlMap(),
            ["list"] = new List<object?> { new YamlMap { ["a"] = 1, ["b"] = new List<object?> { "x" } }, 2 },
        };

        // WHEN written and read back
        var yaml = YamlTreeWriter.Write(map);
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        YamlScalarNode At(string key) => (YamlScalarNode)root.Children[new YamlScalarNode(key)];

        // THEN quoted strings keep their text, numbers and booleans are plain, null is explicit
        Assert.Equal(("0600", YamlDotNet.Core.ScalarStyle.DoubleQuoted), (At("mode").Value, At("mode").Style));
        Assert.Contains("\"on\": \"on\"", yaml);
        Assert.Equal(("7882", YamlDotNet.Core.ScalarStyle.Plain), (At("port").Value, At("port").Style));
        Assert.Equal("false", At("flag").Value);
        Assert.Equal("null", At("gone").Value);
        Assert.Equal("a \"quoted\" line\nand another", At("text").Value);
        Assert.Empty(((YamlMappingNode)root.Children[new YamlScalarNode("empty")]).Children);
        var list = (YamlSequenceNode)root.Children[new YamlScalarNode("list")];
        Assert.Equal("x", ((YamlScalarNode)((YamlSequenceNode)((YamlMappingNode)list[0]).Children[new YamlScalarNode("b")])[0]).Value);
        Assert.Equal("2", ((YamlScalarNode)list[1]).Value);
    }
}
