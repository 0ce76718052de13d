using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;
using Infra.Plan.Tests.Support;
using Infra.PulumiCli;

namespace Infra.Plan.Tests.Spec;

/// <summary>
/// The Pulumi CLI's config gate (re-stated in <see cref="CliConfigGate"/> from pulumi/pulumi v3.258.0
/// sdk/go/common/workspace/project.go <c>Project.Validate</c>, <c>ValidateConfigValue</c> and pkg/workspace/config.go
/// <c>mergeConfig</c>, <c>validateStackConfigValues</c>): first the repository's files pass it, then each rule refuses
/// what the CLI refuses, with the CLI's message.
/// </summary>
public sealed class CliConfigGateTests
{
    private static PulumiProject RepoProject => PulumiProject.Read(Path.Combine(Stacks.RepoRoot, StackFile.ProjectFileName));

    public static TheoryData<string> StackNames()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Stacks.RepoRoot, "Pulumi.*.yaml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path)["Pulumi.".Length..^".yaml".Length]);
        }
        return data;
    }

    [Fact]
    public void The_repositorys_Pulumi_yaml_is_a_valid_project()
    {
        var project = RepoProject;
        Assert.Equal("matrix-rtc", project.Name);
        Assert.Null(CliConfigGate.ValidateProject(project));
        // Every key it declares is typed (so the CLI checks stack values) and is one of ours.
        Assert.All(project.Config, e => Assert.True(e.Value.IsExplicitlyTyped && ConfigSchema.Find(e.Key["matrix-rtc:".Length..]) is not null, e.Key));
    }

    [Theory]
    [MemberData(nameof(StackNames))]
    public void Every_stack_file_of_the_repository_passes_the_CLI_and_our_parser_reads_what_the_CLI_hands_over(string stack)
    {
        // GIVEN Pulumi.yaml and the stack file as the CLI reads them
        var stackFile = CliStackConfig.Read(StackFile.StackFilePath(Stacks.RepoRoot, stack));

        // WHEN the CLI's gate runs
        var gate = CliConfigGate.Apply(stack, RepoProject, stackFile);

        // THEN no refusal, and the merged config, encoded as the language host does, parses to render's spec
        Assert.True(gate.Accepted, gate.Refusal);
        var env = LanguageHostConfig.Encode(gate.Merged!);
        var spec = SpecParser.Parse(stack, PulumiConfigJson.Decode(env.ConfigJson, env.SecretKeysJson)).OrThrow();
        var rendered = Stacks.Spec(stack);
        Assert.Equal(rendered.Site, spec.Site);
        Assert.Equal(rendered.Load, spec.Load);
        Assert.Equal(rendered.Tls, spec.Tls);
        Assert.Equal(rendered.Images.MediaRelay, spec.Images.MediaRelay);
        Assert.Equal(rendered.Nodes.NodeCidrs.Select(c => c.ToString()), spec.Nodes.NodeCidrs.Select(c => c.ToString()));
    }

    [Fact]
    public void A_new_stack_with_only_the_required_keys_passes_the_CLI_and_gets_every_default()
    {
        // GIVEN a stack file that sets exactly the keys our schema marks required, and those the default routing needs
        var minimal = Stacks.Minimal();
        var needed = ConfigSchema.AllKeys.Where(k => k.Required).Concat(RoutingSection.RequiredFor(RoutingMode.Gateway));
        Assert.Equal(needed.Select(k => k.FullName).Order(), minimal.Keys.Order());
        var stackFile = minimal.Select(e => new KeyValuePair<string, CliConfigValue>(e.Key, e.Value switch
        {
            ConfigValue.Scalar s => CliConfigValue.Plain(s.Text),
            ConfigValue.Sequence q => CliConfigValue.List(q.Items.Select(i => ((ConfigValue.Scalar)i).Text).ToArray()),
            _ => throw new InvalidOperationException(),
        }));

        // WHEN the CLI's gate runs
        var gate = CliConfigGate.Apply("fresh", RepoProject, stackFile);

        // THEN it is accepted, every declared key reaches the program (defaults merged), and our parser agrees
        Assert.True(gate.Accepted, gate.Refusal);
        Assert.Equal(ConfigSchema.AllKeys.Where(k => k.InProjectConfig).Select(k => k.FullName).Order(), gate.Merged!.Keys.Order());
        var env = LanguageHostConfig.Encode(gate.Merged);
        Assert.True(SpecParser.Parse("fresh", PulumiConfigJson.Decode(env.ConfigJson, env.SecretKeysJson)).Ok);
    }

    public static TheoryData<string, string> KeysBesideTheirDefaults => new()
    {
        // turnTlsOn443 refused turnTlsPort whenever it was set: the CLI sets it to its default 5349, so through `pulumi up`
        // every stack with turnTlsOn443 failed (render, reading the stack file alone, did not).
        { "turnTlsOn443", "true" },
        // Off the host network coturn's keys (turnPort, turnRelayPorts, ...) arrive at their defaults in the same way.
        { "sfuMediaExposure", "nodePort" },
    };

    [Theory]
    [MemberData(nameof(KeysBesideTheirDefaults))]
    public void A_key_that_makes_others_unused_passes_when_the_CLI_hands_those_over_at_their_defaults(string key, string value)
    {
        // GIVEN the minimal stack plus one key that makes other declared keys meaningless
        var stackFile = Stacks.Minimal().Select(e => new KeyValuePair<string, CliConfigValue>(e.Key, e.Value switch
        {
            ConfigValue.Scalar s => CliConfigValue.Plain(s.Text),
            ConfigValue.Sequence q => CliConfigValue.List(q.Items.Select(i => ((ConfigValue.Scalar)i).Text).ToArray()),
            _ => throw new InvalidOperationException(),
        })).Append(new($"matrix-rtc:{key}", CliConfigValue.Plain(value)));

        // WHEN the CLI's gate merges Pulumi.yaml's defaults in
        var gate = CliConfigGate.Apply("fresh", RepoProject, stackFile);

        // THEN our parser accepts what the program receives
        Assert.True(gate.Accepted, gate.Refusal);
        var env = LanguageHostConfig.Encode(gate.Merged!);
        var parsed = SpecParser.Parse("fresh", PulumiConfigJson.Decode(env.ConfigJson, env.SecretKeysJson));
        Assert.True(parsed.Ok, string.Join("\n", parsed.Errors));
    }

    [Fact]
    public void Optional_secret_keys_are_documented_but_never_typed_in_Pulumi_yaml()
    {
        var optionalSecrets = ConfigSchema.AllKeys.Where(k => k.Secret && !k.Required).ToList();
        Assert.Contains(optionalSecrets, k => k.Name == "turnSharedSecretPrevious");
        foreach (var key in optionalSecrets)
        {
            Assert.False(RepoProject.Config.ContainsKey(key.FullName), key.FullName);
            Assert.Contains($"| `{key.Name}` |", Infra.Plan.Rendering.ConfigDocs.ReadmeTable());
        }
    }

    [Fact]
    public void Declaring_the_optional_secret_key_the_old_way_is_refused_as_the_CLI_refused_it()
    {
        // GIVEN the former declaration: typed, secret, no default (and the variant with a plain default)
        var withoutDefault = Project("""
              matrix-rtc:turnSharedSecretPrevious:
                type: string
                secret: true
            """);
        var withDefault = Project("""
              matrix-rtc:turnSharedSecretPrevious:
                type: string
                secret: true
                default: ""
            """);

        // THEN a stack without the key is missing it, and a default is a plain value of a secret key
        Assert.Equal("Stack 'dev' is missing configuration value 'matrix-rtc:turnSharedSecretPrevious'",
            CliConfigGate.Apply("dev", withoutDefault, []).Refusal);
        Assert.Equal("Stack 'dev' with configuration key 'matrix-rtc:turnSharedSecretPrevious' must be encrypted as it's secret",
            CliConfigGate.Apply("dev", withDefault, []).Refusal);
        // AND set with --secret it passes
        Assert.True(CliConfigGate.Apply("dev", withoutDefault, [Entry("turnSharedSecretPrevious", CliConfigValue.Encrypted("old"))]).Accepted);
    }

    [Fact]
    public void Missing_required_values_are_refused_in_one_message()
    {
        var project = Project("""
              matrix-rtc:b:
                type: string
              matrix-rtc:a:
                type: string
              matrix-rtc:c:
                type: string
              matrix-rtc:d:
                type: string
                default: x
            """);

        Assert.Equal("Stack 'dev' is missing configuration value 'matrix-rtc:b'",
            CliConfigGate.Apply("dev", project, [Entry("a", CliConfigValue.Plain("1")), Entry("c", CliConfigValue.Plain("1"))]).Refusal);
        Assert.Equal("Stack 'dev' is missing configuration values 'matrix-rtc:a', 'matrix-rtc:b' and 'matrix-rtc:c'",
            CliConfigGate.Apply("dev", project, []).Refusal);
    }

    [Fact]
    public void A_secret_key_with_a_plain_stack_value_is_refused()
    {
        var project = Project("""
              matrix-rtc:token:
                type: string
                secret: true
            """);

        Assert.Equal("Stack 'prod' with configuration key 'matrix-rtc:token' must be encrypted as it's secret",
            CliConfigGate.Apply("prod", project, [Entry("token", CliConfigValue.Plain("hunter2"))]).Refusal);
    }

    [Theory]
    [InlineData("integer", "abc", "integer")]
    [InlineData("integer", "1.5", "integer")]
    [InlineData("boolean", "yes", "boolean")]
    [InlineData("boolean", "True", "boolean")]
    public void A_scalar_of_the_wrong_type_is_refused(string type, string text, string typeName)
    {
        var project = Project($"""
              matrix-rtc:k:
                type: {type}
            """);

        Assert.Equal($"Stack 'dev' with configuration key 'matrix-rtc:k' must be of type '{typeName}'",
            CliConfigGate.Apply("dev", project, [Entry("k", CliConfigValue.Plain(text))]).Refusal);
    }

    [Theory]
    [InlineData("integer", "42")]
    [InlineData("integer", "-7")]
    [InlineData("boolean", "false")]
    [InlineData("string", "42")]
    public void A_scalar_of_the_right_type_passes(string type, string text) =>
        Assert.True(CliConfigGate.Apply("dev", Project($"""
              matrix-rtc:k:
                type: {type}
            """), [Entry("k", CliConfigValue.Plain(text))]).Accepted);

    [Fact]
    public void Arrays_are_checked_as_arrays_and_item_by_item()
    {
        var project = Project("""
              matrix-rtc:names:
                type: array
                items:
                  type: string
              matrix-rtc:counts:
                type: array
                items:
                  type: integer
            """);
        CliGateResult Run(CliConfigValue names, CliConfigValue counts) =>
            CliConfigGate.Apply("dev", project, [Entry("names", names), Entry("counts", counts)]);

        Assert.True(Run(CliConfigValue.List("a"), new CliConfigValue("[1,2]", false, true)).Accepted);
        // A scalar where a list is declared, and a list of the wrong items
        Assert.Equal("Stack 'dev' with configuration key 'matrix-rtc:names' must be of type 'array<string>'",
            Run(CliConfigValue.Plain("a"), new CliConfigValue("[1]", false, true)).Refusal);
        Assert.Equal("Stack 'dev' with configuration key 'matrix-rtc:counts' must be of type 'array<integer>'",
            Run(CliConfigValue.List("a"), CliConfigValue.List("one")).Refusal);
    }

    [Fact]
    public void Stack_files_are_read_with_go_yaml_typing()
    {
        // GIVEN a stack file with plain, quoted, list and secure values
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """
                config:
                  matrix-rtc:count: 3
                  matrix-rtc:quoted: "3"
                  matrix-rtc:flag: true
                  matrix-rtc:word: yes
                  matrix-rtc:hex: 0x10
                  matrix-rtc:list:
                    - 10.0.0.0/8
                    - 2
                  matrix-rtc:config:legacy: x
                  matrix-rtc:token:
                    secure: AAABAciphertext
                """);
            var values = CliStackConfig.Read(path).ToDictionary(e => e.Key, e => e.Value);

            // THEN scalars carry the text the CLI computes (YAML 1.2: "yes" is a string), lists are JSON objects
            Assert.Equal(CliConfigValue.Plain("3"), values["matrix-rtc:count"]);
            Assert.Equal(CliConfigValue.Plain("3"), values["matrix-rtc:quoted"]);
            Assert.Equal(CliConfigValue.Plain("true"), values["matrix-rtc:flag"]);
            Assert.Equal(CliConfigValue.Plain("yes"), values["matrix-rtc:word"]);
            Assert.Equal(CliConfigValue.Plain("16"), values["matrix-rtc:hex"]);
            Assert.Equal(new CliConfigValue("[\"10.0.0.0/8\",2]", false, true), values["matrix-rtc:list"]);
            Assert.Equal(CliConfigValue.Plain("x"), values["matrix-rtc:legacy"]);
            Assert.Equal(CliConfigValue.Encrypted(null), values["matrix-rtc:token"]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Project_Validate_refuses_what_the_CLI_refuses()
    {
        Assert.Equal("The configuration key 'matrix-rtc:a' declares an array but does not specify the underlying type via the 'items' attribute",
            CliConfigGate.ValidateProject(Project("""
                  matrix-rtc:a:
                    type: array
                """)));
        Assert.Equal("The default value specified for configuration key 'matrix-rtc:n' is not of the expected type 'integer'",
            CliConfigGate.ValidateProject(Project("""
                  matrix-rtc:n:
                    type: integer
                    default: many
                """)));
        Assert.Equal("The default value specified for configuration key 'matrix-rtc:l' is not of the expected type 'array<string>'",
            CliConfigGate.ValidateProject(Project("""
                  matrix-rtc:l:
                    type: array
                    items:
                      type: string
                    default: [1]
                """)));
        Assert.Equal("project config 'matrix-rtc:x' cannot have both a 'default' and 'value' attribute",
            CliConfigGate.ValidateProject(Project("""
                  matrix-rtc:x:
                    default: a
                    value: b
                """)));
        Assert.Equal("Configuration key 'kubernetes:context' is not namespaced by the project and should not define a type",
            CliConfigGate.ValidateProject(Project("""
                  kubernetes:context:
                    type: string
                """)));
        // Shorthand: a bare value of another namespace is a value, of ours a default (both fine).
        var shorthand = Project("""
              kubernetes:context: kind-dev
              matrix-rtc:tier: small
            """);
        Assert.Null(CliConfigGate.ValidateProject(shorthand));
        var merged = CliConfigGate.Apply("dev", shorthand, []).Merged!;
        Assert.Equal("kind-dev", merged["kubernetes:context"].Text);
        Assert.Equal("small", merged["matrix-rtc:tier"].Text);
    }

    [Fact]
    public void The_language_host_encoding_is_Go_json_of_the_merged_config()
    {
        // GIVEN defaults of every kind merged into a stack with a secret and HTML-ish characters
        var project = Project("""
              matrix-rtc:flag:
                type: boolean
                default: false
              matrix-rtc:count:
                type: integer
                default: 70
              matrix-rtc:labels:
                type: array
                items:
                  type: string
                default: ["a=b"]
            """);
        var gate = CliConfigGate.Apply("dev", project, [
            Entry("url", CliConfigValue.Plain("http://x/?a=1&b=<2>")),
            Entry("secret", CliConfigValue.Encrypted("s3cr\"et")),
        ]);

        // WHEN encoded
        var env = LanguageHostConfig.Encode(gate.Merged!);

        // THEN sorted keys, values as text (lists as JSON text), Go's HTML-safe escaping, secret names listed
        Assert.Equal("""{"matrix-rtc:count":"70","matrix-rtc:flag":"false","matrix-rtc:labels":"[\"a=b\"]","matrix-rtc:secret":"s3cr\"et","matrix-rtc:url":"http://x/?a=1\u0026b=\u003c2\u003e"}""",
            env.ConfigJson);
        Assert.Equal("""["matrix-rtc:secret"]""", env.SecretKeysJson);
        // AND the program's decoder reads it back: the secret as a secret, the list as a list
        var decoded = PulumiConfigJson.Decode(env.ConfigJson, env.SecretKeysJson).ToDictionary(e => e.Key, e => e.Value);
        Assert.Equal("s3cr\"et", Assert.IsType<ConfigValue.Secret>(decoded["matrix-rtc:secret"]).Plaintext);
        Assert.Equal(new ConfigValue.Scalar("http://x/?a=1&b=<2>"), decoded["matrix-rtc:url"]);
    }

    /// <summary>
    /// Mistakes a user makes in a stack file that the CLI refuses before the program starts (pulumi preview), with the
    /// repository's Pulumi.yaml: a required key left out, and for every typed key a value of the wrong type.
    /// </summary>
    public static TheoryData<string, string?> CliRefusals()
    {
        var data = new TheoryData<string, string?> { { "matrix-rtc:serverName", null } };
        foreach (var (key, type) in RepoProject.Config.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            foreach (var bad in type.Type switch { "integer" => ["abc", "1.5"], "boolean" => ["yes"], "array" => ["x"], _ => Array.Empty<string>() })
            {
                data.Add(key, bad);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CliRefusals))]
    public void Render_refuses_every_stack_file_the_CLI_refuses_naming_the_key(string key, string? value)
    {
        // GIVEN the dev stack file with the key left out (value null) or set to a value of the wrong type
        var lines = System.IO.File.ReadAllLines(StackFile.StackFilePath(Stacks.RepoRoot, "dev"));
        var kept = SkipEntry(lines, key).ToList();
        var dir = Directory.CreateTempSubdirectory("matrix-rtc-gate-").FullName;
        try
        {
            File.Copy(Path.Combine(Stacks.RepoRoot, StackFile.ProjectFileName), Path.Combine(dir, StackFile.ProjectFileName));
            File.WriteAllLines(Path.Combine(dir, "Pulumi.bad.yaml"), value is null ? kept : [.. kept, $"  {key}: \"{value}\""]);

            // WHEN the CLI's gate runs on it, and render
            var gate = CliConfigGate.Apply("bad", RepoProject, CliStackConfig.Read(Path.Combine(dir, "Pulumi.bad.yaml")));
            var stderr = new StringWriter();
            var code = Infra.Render.Cli.Run(["--stack", "bad", "--out", Path.Combine(dir, "out")], dir, new StringWriter(), stderr);

            // THEN the CLI refuses it, and so does render: exit 2, an error line naming the key, nothing written
            Assert.False(gate.Accepted, $"the CLI accepts {key}: {value}");
            Assert.Equal(2, code);
            Assert.Contains($"error: {key}: ", stderr.ToString());
            Assert.False(Directory.Exists(Path.Combine(dir, "out")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The stack file's lines without <paramref name="key"/>'s entry (its line and any more-indented lines under it).</summary>
    private static IEnumerable<string> SkipEntry(IEnumerable<string> lines, string key)
    {
        var skipping = false;
        foreach (var line in lines)
        {
            if (line.TrimStart().StartsWith(key + ":", StringComparison.Ordinal))
            {
                skipping = true;
                continue;
            }
            if (skipping && line.StartsWith("    ", StringComparison.Ordinal))
            {
                continue;
            }
            skipping = false;
            yield return line;
        }
    }

    private static PulumiProject Project(string configEntries) =>
        PulumiProject.Parse("name: matrix-rtc\nruntime: dotnet\nconfig:\n" + configEntries);

    private static KeyValuePair<string, CliConfigValue> Entry(string key, CliConfigValue value) => new($"matrix-rtc:{key}", value);
}
