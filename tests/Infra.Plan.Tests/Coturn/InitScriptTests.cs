using Infra.Plan.Components.Coturn;
using Infra.Servers.Coturn;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Coturn;

/// <summary>Runs the generated init script with /bin/sh in a temp directory, as the init container does.</summary>
public sealed class InitScriptTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("coturn-init-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (int Exit, string Output, string? Conf) Run(IReadOnlyDictionary<string, string> configMap, string? secret, string? previous, string hostIp)
    {
        var result = CoturnInit.Run(_dir, configMap, secret, previous, hostIp);
        return (result.Exit, result.Output, result.Config);
    }

    private static IReadOnlyDictionary<string, string> ConfigMapOf(params (string Key, Infra.Plan.Spec.ConfigValue Value)[] changes) =>
        Planner.Build(Parse(With(changes)).OrThrow()).Coturn.Config.Data.AsReadOnly();

    [SkippableFact]
    public void Adds_both_secrets_and_the_nodes_NAT_pair_to_the_template()
    {
        Skip.If(!System.IO.File.Exists("/bin/sh"), "SKIPPED: no /bin/sh");
        // GIVEN a NAT map for two nodes, a current and a previous secret, and the pod on node 10.10.0.5
        var cm = ConfigMapOf(("turnExternalIps", L("10.10.0.5=203.0.113.10", "10.10.0.6=203.0.113.11")));

        var (exit, output, conf) = Run(cm, "current-s3cret\n", "old-s3cret", "10.10.0.5");

        // THEN the final config is the template plus exactly these lines, and the log names no secret
        Assert.True(exit == 0, output);
        Assert.StartsWith(cm[CoturnPaths.TemplateConf], conf);
        var added = conf![cm[CoturnPaths.TemplateConf].Length..].Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        Assert.Equal(
            ["listening-ip=10.10.0.5", "relay-ip=10.10.0.5", "external-ip=203.0.113.10/10.10.0.5",
             "static-auth-secret=current-s3cret", "static-auth-secret=old-s3cret"],
            added);
        Assert.DoesNotContain("s3cret", output);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, System.IO.File.GetUnixFileMode(Path.Combine(_dir, "run", "turnserver.conf")));
        }
    }

    [SkippableFact]
    public void A_node_without_NAT_gets_no_external_ip_and_a_missing_secret_stops_the_pod()
    {
        Skip.If(!System.IO.File.Exists("/bin/sh"), "SKIPPED: no /bin/sh");
        var cm = ConfigMapOf(("turnExternalIps", L("10.10.0.5=203.0.113.10")));

        var (exit, _, conf) = Run(cm, "only-current", null, "10.10.0.9");
        Assert.Equal(0, exit);
        Assert.DoesNotContain(conf!.Split('\n'), l => l.StartsWith("external-ip", StringComparison.Ordinal));
        Assert.Single(conf!.Split('\n'), l => l.StartsWith("static-auth-secret=", StringComparison.Ordinal));

        var (failed, output, _) = Run(cm, null, null, "10.10.0.9");
        Assert.NotEqual(0, failed);
        Assert.Contains("no TURN shared secret", output);
    }
}
