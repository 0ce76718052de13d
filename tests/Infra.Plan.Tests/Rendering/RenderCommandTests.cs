using Infra.Plan.Rendering;
using Infra.Plan.Tests.Support;
using Infra.Render;

namespace Infra.Plan.Tests.Rendering;

public sealed class RenderCommandTests : IDisposable
{
    private readonly string _tmp = Directory.CreateTempSubdirectory("render-test-").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    private (int Code, string Out, string Err) Run(string cwd, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = Cli.Run(args, cwd, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Renders_each_stack_from_a_subfolder_of_the_repository(string stack)
    {
        // GIVEN a working directory deep inside the repository
        var cwd = Path.Combine(Stacks.RepoRoot, "infra", "Infra.Plan");

        // WHEN rendering
        var (code, _, err) = Run(cwd, "--stack", stack, "--out", _tmp);

        // THEN it succeeds and writes the layout
        Assert.True(code == 0, err);
        Assert.True(File.Exists(Path.Combine(_tmp, "manifests", "namespaces.yaml")));
        Assert.True(File.Exists(Path.Combine(_tmp, "report", "capacity.md")));
        Assert.True(File.Exists(Path.Combine(_tmp, "report", "config.md")));
    }

    [Fact]
    public void Output_is_byte_for_byte_deterministic()
    {
        var a = Path.Combine(_tmp, "a");
        var b = Path.Combine(_tmp, "b");
        Assert.Equal(0, Run(Stacks.RepoRoot, "--stack", "prod", "--out", a).Code);
        Assert.Equal(0, Run(Stacks.RepoRoot, "--stack", "prod", "--out", b).Code);

        var filesA = Directory.GetFiles(a, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(a, f)).Order().ToArray();
        var filesB = Directory.GetFiles(b, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(b, f)).Order().ToArray();
        Assert.Equal(filesA, filesB);
        foreach (var file in filesA)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(a, file)), File.ReadAllBytes(Path.Combine(b, file)));
        }
    }

    [Fact]
    public void A_stack_file_with_several_mistakes_gets_one_line_each_and_exit_2()
    {
        // GIVEN a project with a broken stack file
        File.WriteAllText(Path.Combine(_tmp, "Pulumi.yaml"), "name: matrix-rtc\nruntime: dotnet\n");
        File.WriteAllText(Path.Combine(_tmp, "Pulumi.broken.yaml"), """
            config:
              matrix-rtc:serverName: example.org
              matrix-rtc:rtcHost: rtc.example.org
              matrix-rtc:turnHost: turn.example.org
              matrix-rtc:nodeCidrs: [10.0.0.0/33]
              matrix-rtc:mediaRelayImageRepository: registry.example.org/media-relay
              matrix-rtc:mediaRelayImageTag: v1
              matrix-rtc:mediaRelayLivekitVersion: v1.8.0
              matrix-rtc:gatewayName: public
              matrix-rtc:gatewayNamespace: gateway
              matrix-rtc:gatewaySectionName: https
              matrix-rtc:tier: gigantic
              matrix-rtc:redisQuorum: 9
              matrix-rtc:turnSharedSecretPrevious:
                secure: AAABAKq2c2VjcmV0
              matrix-rtc:mediaNodeCuont: 2
            """);
        var outDir = Path.Combine(_tmp, "out");

        // WHEN rendering
        var (code, stdout, stderr) = Run(_tmp, "--stack", "broken", "--out", outDir);

        // THEN exit 2, one error line per mistake, no stack trace, nothing written
        Assert.Equal(2, code);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("error: ")).ToArray();
        Assert.Equal(5, lines.Length);
        Assert.Contains(lines, l => l.Contains("matrix-rtc:nodeCidrs") && l.Contains("10.0.0.0/33"));
        Assert.Contains(lines, l => l.Contains("matrix-rtc:tier") && l.Contains("gigantic"));
        Assert.Contains(lines, l => l.Contains("matrix-rtc:redisQuorum") && l.Contains("\"9\""));
        Assert.Contains(lines, l => l.Contains("matrix-rtc:mediaNodeCuont") && l.Contains("did you mean matrix-rtc:mediaNodeCount"));
        Assert.Contains(lines, l => l.Contains("matrix-rtc:mediaRelayLivekitVersion") && l.Contains("v1.13.0 or newer"));
        Assert.DoesNotContain("   at ", stderr);
        Assert.False(Directory.Exists(outDir));
        Assert.Equal("", stdout);
    }

    [Fact]
    public void Secure_values_are_reported_as_set_and_never_decrypted()
    {
        var cipher = "AAABAMYsecretciphertext";
        File.WriteAllText(Path.Combine(_tmp, "Pulumi.yaml"), "name: matrix-rtc\nruntime: dotnet\n");
        var dev = File.ReadAllText(StackFilePath("dev"));
        File.WriteAllText(Path.Combine(_tmp, "Pulumi.rot.yaml"), dev + $"  matrix-rtc:turnSharedSecretPrevious:\n    secure: {cipher}\n");
        var outDir = Path.Combine(_tmp, "out");

        var (code, _, err) = Run(_tmp, "--stack", "rot", "--out", outDir);

        Assert.True(code == 0, err);
        var report = File.ReadAllText(Path.Combine(outDir, "report", "config.md"));
        Assert.Contains("| `matrix-rtc:turnSharedSecretPrevious` | (secret: set) | stack |", report);
        foreach (var file in Directory.GetFiles(outDir, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(cipher, File.ReadAllText(file));
        }
    }

    [Fact]
    public void Unknown_stack_names_the_stacks_that_exist()
    {
        var (code, _, err) = Run(Stacks.RepoRoot, "--stack", "staging");
        Assert.Equal(2, code);
        Assert.Contains("dev, loadbalancer, nodeport, prod", err);
    }

    [Fact]
    public void Outside_a_project_it_says_so()
    {
        var (code, _, err) = Run(Path.GetTempPath(), "--stack", "dev");
        Assert.Equal(2, code);
        Assert.Contains("no Pulumi.yaml", err);
    }

    [Fact]
    public void Pulumi_yaml_config_and_readme_table_match_the_schema()
    {
        var pulumi = File.ReadAllText(Path.Combine(Stacks.RepoRoot, "Pulumi.yaml"));
        var readme = File.ReadAllText(Path.Combine(Stacks.RepoRoot, "README.md"));

        Assert.Contains(ConfigDocs.PulumiConfigSection().TrimEnd('\n'), pulumi);
        Assert.Contains(ConfigDocs.ReadmeTable().TrimEnd('\n'), readme);
        Assert.Contains(ConfigDocs.TierTable().TrimEnd('\n'), readme);
    }

    [Fact]
    public void Pulumi_yaml_declares_every_key_with_type_and_description()
    {
        var yaml = new YamlDotNet.RepresentationModel.YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(Stacks.RepoRoot, "Pulumi.yaml"))));
        var root = (YamlDotNet.RepresentationModel.YamlMappingNode)yaml.Documents[0].RootNode;
        Assert.Equal("matrix-rtc", root["name"].ToString());
        Assert.Equal("dotnet", root["runtime"].ToString());
        var config = (YamlDotNet.RepresentationModel.YamlMappingNode)root["config"];
        var declared = config.Children.Keys.Select(k => k.ToString()).ToHashSet();
        // Every key that can be typed there (optional secret keys cannot: ConfigKey.InProjectConfig).
        Assert.Equal(Infra.Plan.Spec.ConfigSchema.AllKeys.Where(k => k.InProjectConfig).Select(k => k.FullName).ToHashSet(), declared);
        foreach (var entry in config.Children.Values.Cast<YamlDotNet.RepresentationModel.YamlMappingNode>())
        {
            Assert.True(entry.Children.ContainsKey("type") && entry.Children.ContainsKey("description"));
        }
    }

    private static string StackFilePath(string stack) => Path.Combine(Stacks.RepoRoot, $"Pulumi.{stack}.yaml");
}
