using Infra.Plan.Components.Coturn;

namespace Infra.Servers.Coturn;

/// <summary>Runs the generated init script with /bin/sh in a directory laid out like the pod's volumes.</summary>
public static class CoturnInit
{
    public sealed record Result(int Exit, string Output, string? Config, string RunDir);

    public static Result Run(string root, IReadOnlyDictionary<string, string> configMap, string? secret, string? previous, string hostIp)
    {
        var template = Path.Combine(root, "template");
        var secrets = Path.Combine(root, "secret");
        var run = Path.Combine(root, "run");
        foreach (var d in new[] { template, secrets, run })
        {
            Directory.CreateDirectory(d);
        }
        foreach (var (key, value) in configMap)
        {
            File.WriteAllText(Path.Combine(template, key), value);
        }
        foreach (var (name, value) in new[] { ("secret", secret), ("previous", previous) })
        {
            var path = Path.Combine(secrets, name);
            if (value is null)
            {
                File.Delete(path);
            }
            else
            {
                File.WriteAllText(path, value);
            }
        }
        var (exit, output) = CoturnTools.Run("/bin/sh", [Path.Combine(template, CoturnPaths.InitScript)], TimeSpan.FromSeconds(10),
            environment: new Dictionary<string, string>
            {
                ["TEMPLATE_DIR"] = template,
                ["SECRET_DIR"] = secrets,
                ["RUN_DIR"] = run,
                ["HOST_IP"] = hostIp,
            });
        var conf = Path.Combine(run, "turnserver.conf");
        return new Result(exit, output, File.Exists(conf) ? File.ReadAllText(conf) : null, run);
    }
}
