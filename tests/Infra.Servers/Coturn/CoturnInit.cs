using k8s.Models;
using Infra.Plan.Components.Coturn;

namespace Infra.Servers.Coturn;

/// <summary>
/// Runs the generated init script with /bin/sh in a directory laid out like the pod's volumes, with the init
/// container's environment as the plan wrote it: literal values as they are, the downward-API fields
/// (<c>status.hostIP</c>, <c>spec.nodeName</c>) from the node the test stands for, and the API address, token and
/// CA of a <see cref="FakeKubeApi"/> where the kubelet and the projected volume would put them.
/// </summary>
public static class CoturnInit
{
    public sealed record Result(int Exit, string Output, string? Config, string RunDir);

    /// <summary>The node the pod runs on: its name (spec.nodeName) and address (status.hostIP).</summary>
    public sealed record Node(string Name, string HostIp);

    /// <summary>The API the discovery step reaches: where it listens, the token the projected volume holds, the cluster CA.</summary>
    public sealed record Api(string Host, int Port, string Token, string CaPem);

    /// <summary>The env of the DaemonSet's init container (the one that runs init.sh).</summary>
    public static IReadOnlyList<V1EnvVar> InitEnv(V1DaemonSet daemonSet) =>
        daemonSet.Spec.Template.Spec.InitContainers.Single(c => c.Command.Any(a => a.EndsWith(CoturnPaths.InitScript, StringComparison.Ordinal))).Env.ToArray();

    public static Result Run(string root, IReadOnlyDictionary<string, string> configMap, string? secret, string? previous,
        IReadOnlyList<V1EnvVar> initEnv, Node node, Api? api)
    {
        var template = Path.Combine(root, "template");
        var secrets = Path.Combine(root, "secret");
        var run = Path.Combine(root, "run");
        var kubeApi = Path.Combine(root, "kube-api");
        foreach (var d in new[] { template, secrets, run, kubeApi })
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
        var environment = new Dictionary<string, string?>
        {
            ["TEMPLATE_DIR"] = template,
            ["SECRET_DIR"] = secrets,
            ["RUN_DIR"] = run,
            ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
            ["KUBERNETES_SERVICE_HOST"] = null,
            ["KUBERNETES_SERVICE_PORT"] = null,
        };
        foreach (var env in initEnv)
        {
            environment[env.Name] = env.ValueFrom?.FieldRef?.FieldPath switch
            {
                null when env.ValueFrom is null => env.Value,
                "status.hostIP" => node.HostIp,
                "spec.nodeName" => node.Name,
                var other => throw new InvalidOperationException($"init env {env.Name}: the harness does not know {other ?? "this source"}"),
            };
        }
        if (api is not null)
        {
            // Where the kubelet and the projected volume put them in the pod; the script takes the paths from env.
            File.WriteAllText(Path.Combine(kubeApi, "token"), api.Token);
            File.WriteAllText(Path.Combine(kubeApi, "ca.crt"), api.CaPem);
            environment["KUBERNETES_SERVICE_HOST"] = api.Host;
            environment["KUBERNETES_SERVICE_PORT"] = api.Port.ToString();
            environment["KUBE_TOKEN_FILE"] = Path.Combine(kubeApi, "token");
            environment["KUBE_CA_FILE"] = Path.Combine(kubeApi, "ca.crt");
        }
        var (exit, output) = CoturnTools.Run("/bin/sh", [Path.Combine(template, CoturnPaths.InitScript)], TimeSpan.FromSeconds(30),
            environment: environment);
        var conf = Path.Combine(run, "turnserver.conf");
        return new Result(exit, output, File.Exists(conf) ? File.ReadAllText(conf) : null, run);
    }

    /// <summary>The lines the script appended to the template (no comments), in order.</summary>
    public static IReadOnlyList<string> Added(string template, string config) =>
        config[template.Length..].Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
}
