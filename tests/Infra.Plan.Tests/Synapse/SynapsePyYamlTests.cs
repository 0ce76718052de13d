using System.Diagnostics;
using System.Text.Json.Nodes;
using Infra.Plan.Components;
using Infra.Plan.Components.Synapse;
using Infra.Servers;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Synapse;

/// <summary>
/// The fragment read the way Synapse reads config: PyYAML's safe_load (YAML 1.1 typing, as Synapse uses)
/// and <c>specified_config.update(...)</c> per file in order (synapse/config/_base.py read_config_files).
/// </summary>
public class SynapsePyYamlTests
{
    private const string ReadConfigFiles = """
        import json, sys, yaml
        specified_config = {}
        for path in sys.argv[1:]:
            with open(path) as f:
                yaml_config = yaml.safe_load(f)
            if not isinstance(yaml_config, dict):
                sys.exit(path + ": not a mapping")
            specified_config.update(yaml_config)
        print(json.dumps(specified_config, sort_keys=True))
        """;

    private static JsonObject LoadLikeSynapse(params string[] documents)
    {
        // Debian's python3 (where the test script installs python3-yaml) first, then whatever PATH offers.
        var python = new[] { "/usr/bin/python3", Tools.Find("python3") }
            .FirstOrDefault(p => p is not null && System.IO.File.Exists(p) && Run(p!, ["-c", "import yaml"]).ExitCode == 0);
        var hasYaml = python is not null;
        if (!hasYaml)
        {
            if (Tools.Required)
            {
                Assert.Fail("python3 with PyYAML (Debian python3-yaml) is required to read the fragment the way Synapse does");
            }
            Skip.If(true, "SKIPPED: python3 with PyYAML not found; cannot read the fragment the way Synapse does");
        }
        var dir = Directory.CreateTempSubdirectory("synapse-yaml-");
        try
        {
            var files = documents.Select((text, i) =>
            {
                var path = Path.Combine(dir.FullName, $"{i:00}.yaml");
                System.IO.File.WriteAllText(path, text);
                return path;
            }).ToList();
            var script = Path.Combine(dir.FullName, "read_config_files.py");
            System.IO.File.WriteAllText(script, ReadConfigFiles);
            var (code, stdout, stderr) = Run(python!, [script, .. files]);
            Assert.True(code == 0, $"python exited {code}: {stderr}");
            return JsonNode.Parse(stdout)!.AsObject();
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(string file, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            throw new TimeoutException($"{file} did not finish in 30 s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    [SkippableFact]
    public void Synapse_style_loading_keeps_operator_features_and_rate_limits_with_correct_types()
    {
        // GIVEN homeserver.yaml, then the fragment built with the operator's owned sections, loaded in that order
        var spec = Parse(With(("synapseExistingConfig", S(SynapseFragmentTests.OperatorsOwnedSections)))).OrThrow();
        var fragment = SynapseFragment.Render(SynapseInput.From(Derived.From(spec)));

        var config = LoadLikeSynapse(SynapseFragmentTests.SampleHomeserver, fragment);

        // THEN the effective config has every feature as a real boolean, the operator's ones included
        var features = config["experimental_features"]!.AsObject();
        foreach (var feature in new[] { "msc3026_enabled", "msc2815_enabled", "msc3266_enabled", "msc4143_enabled", "msc4222_enabled" })
        {
            Assert.True(features[feature]!.GetValue<bool>(), feature);
        }
        // other rate limits untouched, ours numeric
        Assert.Equal(0.15, config["rc_login"]!["address"]!["per_second"]!.GetValue<double>());
        Assert.Equal(0.1, config["rc_joins"]!["local"]!["per_second"]!.GetValue<double>());
        Assert.Equal(2, config["rc_message"]!["per_second"]!.GetValue<double>());
        Assert.Equal(30, config["rc_message"]!["burst_count"]!.GetValue<double>());
        Assert.Equal(1, config["rc_delayed_event_mgmt"]!["per_second"]!.GetValue<double>());
        // scalars typed as Synapse expects them
        Assert.Equal("24h", config["max_event_delay_duration"]!.GetValue<string>());
        Assert.False(config["turn_allow_guests"]!.GetValue<bool>());
        Assert.Equal(3, config["turn_uris"]!.AsArray().Count);
        Assert.Null(config["turn_shared_secret"]);
        Assert.Equal("https://rtc.example.org", config["matrix_rtc"]!["transports"]![0]!["livekit_service_url"]!.GetValue<string>());
        Assert.Equal("example.org", config["server_name"]!.GetValue<string>());
    }

    [SkippableFact]
    public void Every_top_level_key_of_the_fragment_is_an_owned_section()
    {
        var config = LoadLikeSynapse(SynapseFragment.Render(SynapseInput.From(Derived.From(Infra.Plan.Tests.Support.Stacks.Spec("prod")))));

        Assert.Equal(SynapseKeys.OwnedSections.Order(), config.Select(kv => kv.Key).Order());
    }
}
