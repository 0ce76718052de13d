using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Infra.Plan.Components;
using Infra.Plan.Components.Authorizer;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Components.Egress;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Components.Observability;
using Infra.Plan.Components.Redis;
using Infra.Plan.Tests.Chart;

namespace Infra.Plan.Tests.ContainerStart;

/// <summary>
/// Every path each program we deploy is told to read or write, taken from what it is really given (its env, args,
/// config file, script), each with the upstream place that reads it. A container without a program here fails the test:
/// a new container must say what it touches.
/// </summary>
public static partial class Programs
{
    public delegate IEnumerable<FileUse> Program(WorkloadContainer c, Catalog catalog);

    /// <summary>(workload, container) → its program.</summary>
    public static readonly IReadOnlyDictionary<(string Workload, string Container), Program> ByContainer = new Dictionary<(string, string), Program>
    {
        [(LivekitPlan.FullName, LivekitPlan.Container)] = LivekitServer,
        [(EgressPlan.FullName, EgressPlan.Container)] = Egress,
        [(Names.Coturn, "config")] = CoturnInit,
        [(Names.Coturn, "turnserver")] = TurnServer,
        [(Names.Coturn, "cert-reloader")] = CoturnReloader,
        [(Names.Redis, RedisStatefulSet.DataContainer)] = RedisData,
        [(Names.Redis, RedisStatefulSet.SentinelContainer)] = RedisSentinel,
        [(Names.Redis, RedisExporter.ContainerName)] = (_, _) => [], // reads REDIS_ADDR / REDIS_PASSWORD from env only
        [(AuthorizerPlan.Name, AuthorizerPlan.Name)] = Authorizer,
    };

    /// <summary>
    /// The program of <paramref name="container"/> in <paramref name="workload"/>; an SFU release of any name (one per
    /// load-balancer address: <c>livekit-0-livekit-server</c>, ...) runs LiveKit like the default release.
    /// </summary>
    public static Program? Find(string workload, string container) =>
        ByContainer.GetValueOrDefault((workload, container))
        ?? (container == LivekitPlan.Container && workload.StartsWith(Names.LivekitRelease + "-", StringComparison.Ordinal)
            && workload.EndsWith("-" + Names.LivekitChart, StringComparison.Ordinal) ? LivekitServer : null);

    /// <summary>
    /// Files a shell reads before anything else: <c>sh script args</c> opens the script (POSIX sh: "the first operand
    /// ... shall be the pathname of a file containing commands"), in the command, an exec probe or an exec hook.
    /// </summary>
    public static IEnumerable<FileUse> ShellScripts(WorkloadContainer c) =>
        c.CommandLines()
            .Where(line => line.Count >= 2 && Path.GetFileName(line[0]) is "sh" or "bash" or "dash" && !line[1].StartsWith('-'))
            .Select(line => new FileUse(line[1], Access.Read, $"the script `{string.Join(' ', line)}` runs"));

    /// <summary>
    /// LiveKit server: <c>--config</c> / <c>LIVEKIT_CONFIG</c> (livekit <c>cmd/server/main.go</c> getConfigString), then
    /// <c>key_file</c> stat'ed and opened as given (<c>pkg/config/config.go</c> <c>ValidateKeys</c>: <c>os.Stat(conf.KeyFile)</c>,
    /// <c>os.Open</c>, and it refuses a file whose mode gives "others" any bit), each TURN server's <c>secret_file</c>
    /// (<c>pkg/config</c> TURNServer, read with os.ReadFile), Redis's <c>tls.ca_cert_file</c> (livekit/protocol
    /// <c>redis.GetRedisClient</c>), and <c>LIVEKIT_TURN_CERT</c>/<c>_KEY</c> or <c>--turn-cert</c>/<c>--turn-key</c>.
    /// </summary>
    public static IEnumerable<FileUse> LivekitServer(WorkloadContainer c, Catalog catalog)
    {
        var args = c.Strings("args");
        var configFile = Flag(args, "--config");
        if (configFile is not null)
        {
            yield return new FileUse(configFile, Access.Read, "--config");
        }
        var config = Yaml(c.Env("LIVEKIT_CONFIG", catalog)) ?? throw new InvalidOperationException($"{c.Id}: no LIVEKIT_CONFIG the model can read");
        if ((Flag(args, "--key-file") ?? (string?)config["key_file"]) is { } keyFile)
        {
            yield return new FileUse(keyFile, Access.Read, "key_file (ValidateKeys: os.Stat, os.Open)");
        }
        foreach (var turn in config.At("rtc.turn_servers")?.AsArray() ?? [])
        {
            if ((string?)turn!["secret_file"] is { } secretFile)
            {
                yield return new FileUse(secretFile, Access.Read, $"rtc.turn_servers[{(string?)turn["host"]}].secret_file");
            }
        }
        if ((string?)config.At("redis.tls.ca_cert_file") is { } ca)
        {
            yield return new FileUse(ca, Access.Read, "redis.tls.ca_cert_file");
        }
        foreach (var (env, flag) in new[] { ("LIVEKIT_TURN_CERT", "--turn-cert"), ("LIVEKIT_TURN_KEY", "--turn-key") })
        {
            if ((Flag(args, flag) ?? c.Env(env, catalog)) is { } file)
            {
                yield return new FileUse(file, Access.Read, env);
            }
        }
    }

    /// <summary>The SFU's key_file must give "others" nothing (ValidateKeys, <c>ErrKeyFileIncorrectPermission</c>).</summary>
    public const int KeyFileOthersMask = 0b000_000_111;

    /// <summary>
    /// LiveKit Egress: its config from <c>EGRESS_CONFIG_BODY</c>, else the file <c>EGRESS_CONFIG_FILE</c> (livekit/egress
    /// <c>cmd/server/main.go</c> runService); Redis's <c>tls.ca_cert_file</c>; and its scratch root <c>/home/egress/tmp</c>
    /// (<c>pkg/config/base.go</c> <c>TmpDir</c>): the service listens on its IPC socket in <c>TmpDir/&lt;node id&gt;</c>
    /// (<c>pkg/handler/handler.go</c>), and each job's handler creates <c>TmpDir/&lt;egress id&gt;</c> with
    /// <c>os.MkdirAll</c> and sets it as <c>TMPDIR</c> for itself and Chrome (<c>cmd/server/main.go</c> runHandler,
    /// <c>pkg/config/pipeline.go</c> <c>TmpDir: path.Join(TmpDir, req.EgressId)</c>); files are written there before upload
    /// (<c>pkg/config/output_file.go</c> <c>LocalFilepath</c>).
    /// </summary>
    public static IEnumerable<FileUse> Egress(WorkloadContainer c, Catalog catalog)
    {
        var body = c.Env(EgressPlan.ConfigEnv, catalog);
        if (body is null && c.Env("EGRESS_CONFIG_FILE", catalog) is { } file)
        {
            yield return new FileUse(file, Access.Read, "EGRESS_CONFIG_FILE");
        }
        var config = Yaml(body) ?? throw new InvalidOperationException($"{c.Id}: no {EgressPlan.ConfigEnv} the model can read");
        if ((string?)config.At("redis.tls.ca_cert_file") is { } ca)
        {
            yield return new FileUse(ca, Access.Read, "redis.tls.ca_cert_file");
        }
        yield return new FileUse(EgressTmpDir, Access.CreateIn, "TmpDir: IPC sockets, each job's TMPDIR and local files (base.go, runHandler)");
    }

    /// <summary>livekit/egress <c>pkg/config/base.go</c>: <c>const TmpDir = "/home/egress/tmp"</c>.</summary>
    public const string EgressTmpDir = "/home/egress/tmp";

    /// <summary>The coturn init script (CoturnScripts.Init), its paths as the script resolves them from env and defaults.</summary>
    public static IEnumerable<FileUse> CoturnInit(WorkloadContainer c, Catalog catalog)
    {
        var vars = ScriptVariables(c, ScriptOf(c, catalog, CoturnPaths.InitScript));
        yield return new FileUse($"{vars["template_dir"]}/{CoturnPaths.TemplateConf}", Access.Read, "init.sh copies the template");
        yield return new FileUse($"{vars["template_dir"]}/{CoturnPaths.ExternalIps}", Access.Read, "init.sh reads the NAT map");
        yield return new FileUse(vars["secret_dir"], Access.List, "init.sh reads each shared-secret key");
        yield return new FileUse(vars["run_dir"], Access.CreateIn, "init.sh writes turnserver.conf (and node.json)");
        if (vars["discovery"] == CoturnDaemonSet.DiscoveryNodeApi)
        {
            yield return new FileUse(vars["token_file"], Access.Read, "init.sh sends the service-account token");
            yield return new FileUse(vars["ca_file"], Access.Read, "openssl s_client -CAfile");
        }
        foreach (var use in ShellScripts(c))
        {
            yield return use;
        }
    }

    /// <summary>
    /// turnserver: <c>-c</c> (coturn <c>src/apps/relay/mainrelay.c</c>), the config the init container wrote from the
    /// template, whose <c>cert</c>, <c>pkey</c> (read), <c>pidfile</c>, <c>userdb</c> and a file <c>log-file</c> (written)
    /// are paths opened as given.
    /// </summary>
    public static IEnumerable<FileUse> TurnServer(WorkloadContainer c, Catalog catalog)
    {
        var argv = c.CommandLines().First();
        var config = argv.SkipWhile(a => a != "-c").Skip(1).FirstOrDefault() ?? throw new InvalidOperationException($"{c.Id}: no -c");
        yield return new FileUse(config, Access.Read, "turnserver -c (the init container's output)");
        var template = catalog.ConfigMap(c.Namespace, CoturnPlan.Component)?[CoturnPaths.TemplateConf]
            ?? throw new InvalidOperationException($"{c.Id}: no turnserver.conf template");
        foreach (var (option, value) in ConfOptions(template))
        {
            var use = option switch
            {
                "cert" or "pkey" => new FileUse(value, Access.Read, $"turnserver.conf {option}"),
                "pidfile" or "userdb" => new FileUse(value, Access.Write, $"turnserver.conf {option}"),
                "log-file" when value is not ("stdout" or "stderr" or "syslog") => new FileUse(value, Access.Write, "turnserver.conf log-file"),
                _ => null,
            };
            if (use is not null)
            {
                yield return use;
            }
        }
    }

    /// <summary>The reloader script: reads the certificate and the pid file turnserver wrote.</summary>
    public static IEnumerable<FileUse> CoturnReloader(WorkloadContainer c, Catalog catalog)
    {
        var vars = ScriptVariables(c, ScriptOf(c, catalog, CoturnPaths.ReloadScript));
        yield return new FileUse(vars["cert"], Access.Read, "reloader checksums the certificate");
        yield return new FileUse(vars["pidfile"], Access.Read, "reloader signals the pid in the pid file");
        foreach (var use in ShellScripts(c))
        {
            yield return use;
        }
    }

    /// <summary>
    /// The Redis data container: common.sh's paths, the template it fills, the config it writes and the server reads,
    /// and the server's own <c>dir</c> and <c>tls-*-file</c> options (valkey <c>src/config.c</c>: <c>dir</c> is chdir'ed
    /// into, TLS files are opened as given).
    /// </summary>
    public static IEnumerable<FileUse> RedisData(WorkloadContainer c, Catalog catalog) =>
        RedisProcess(c, catalog, "redis.conf", "CONF_DIR", "redis-start.sh writes redis.conf and execs the server on it");

    public static IEnumerable<FileUse> RedisSentinel(WorkloadContainer c, Catalog catalog) =>
        RedisProcess(c, catalog, "sentinel.conf", "SENTINEL_DIR", "sentinel-start.sh writes sentinel.conf, which Sentinel rewrites");

    private static IEnumerable<FileUse> RedisProcess(WorkloadContainer c, Catalog catalog, string conf, string outDirVar, string why)
    {
        var data = catalog.ConfigMap(c.Namespace, RedisLayout.ConfigMapName) ?? throw new InvalidOperationException($"{c.Id}: no {RedisLayout.ConfigMapName}");
        var vars = ScriptVariables(c, data[RedisScripts.Common]);
        yield return new FileUse($"{vars["TEMPLATE_DIR"]}/{RedisScripts.Common}", Access.Read, "sourced by every script");
        yield return new FileUse(vars["REDIS_PASSWORD_FILE"], Access.Read, "read_secret");
        yield return new FileUse(vars["SENTINEL_PASSWORD_FILE"], Access.Read, "read_secret");
        yield return new FileUse($"{vars["TEMPLATE_DIR"]}/{conf}", Access.Read, "the template the script fills");
        yield return new FileUse(vars[outDirVar], Access.CreateIn, why);
        if (c.Env("HOME", catalog) is { } home)
        {
            yield return new FileUse(home, Access.CreateIn, "HOME: the cli's history file");
        }
        // The filled template: @NAME@ becomes the script's variable of that name (common.sh fill()).
        var filled = Placeholder().Replace(data[conf], m => vars.GetValueOrDefault(m.Groups[1].Value, m.Value));
        foreach (var (option, value) in ConfOptions(filled, ' '))
        {
            var use = option switch
            {
                "dir" => new FileUse(value, Access.CreateIn, $"{conf} dir (chdir, RDB/AOF files)"),
                "tls-cert-file" or "tls-key-file" or "tls-ca-cert-file" => new FileUse(value, Access.Read, $"{conf} {option}"),
                _ => null,
            };
            if (use is not null)
            {
                yield return use;
            }
        }
        foreach (var use in ShellScripts(c))
        {
            yield return use;
        }
    }

    /// <summary>
    /// lk-jwt-service: <c>LIVEKIT_SECRET_FROM_FILE</c> / <c>LIVEKIT_KEY_FROM_FILE</c> (its <c>main.go</c>, os.ReadFile),
    /// and Go's roots: <c>SSL_CERT_FILE</c>, and every file of each <c>SSL_CERT_DIR</c> directory (crypto/x509
    /// <c>root_unix.go</c> <c>loadSystemRoots</c>, colon-separated).
    /// </summary>
    public static IEnumerable<FileUse> Authorizer(WorkloadContainer c, Catalog catalog)
    {
        foreach (var env in new[] { "LIVEKIT_SECRET_FROM_FILE", "LIVEKIT_KEY_FROM_FILE", "SSL_CERT_FILE" })
        {
            if (c.Env(env, catalog) is { } file)
            {
                yield return new FileUse(file, Access.Read, env);
            }
        }
        foreach (var dir in (c.Env("SSL_CERT_DIR", catalog) ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            yield return new FileUse(dir, Access.List, "SSL_CERT_DIR");
        }
    }

    /// <summary>The text of a script the container runs from a ConfigMap volume (found through its mounts).</summary>
    private static string ScriptOf(WorkloadContainer c, Catalog catalog, string file)
    {
        var mount = c.Mounts.FirstOrDefault(m => ShellScripts(c).Any(s => s.Path == $"{m.MountPath}/{file}"))
            ?? throw new InvalidOperationException($"{c.Id}: does not run {file} from a mounted volume");
        var volume = c.Pod["volumes"]!.AsArray().Single(v => (string)v!["name"]! == mount.Volume)!;
        var configMap = (string?)volume.At("configMap.name") ?? throw new InvalidOperationException($"{c.Id}: {file} is not from a ConfigMap");
        return catalog.ConfigMap(c.Namespace, configMap)?[file] ?? throw new InvalidOperationException($"{c.Id}: ConfigMap {configMap} has no {file}");
    }

    /// <summary>
    /// A script's <c>name="${ENV:-default}suffix"</c> assignments, as sh expands them in this container: the env value when
    /// the container sets it, else the default (POSIX sh "Parameter Expansion", <c>${parameter:-word}</c>).
    /// </summary>
    public static IReadOnlyDictionary<string, string> ScriptVariables(WorkloadContainer c, string script)
    {
        var vars = new Dictionary<string, string>();
        foreach (Match m in Assignment().Matches(script))
        {
            var env = m.Groups["env"].Value;
            var literal = c.Container["env"]?.AsArray().Select(e => e!.AsObject()).FirstOrDefault(e => (string)e["name"]! == env);
            var value = literal is not null ? (string?)literal["value"] ?? $"<{env} from a reference>" : m.Groups["default"].Value;
            vars[m.Groups["name"].Value] = value + m.Groups["suffix"].Value;
        }
        return vars;
    }

    /// <summary><c>option=value</c> (or <c>option value</c>) lines of a config file, comments skipped.</summary>
    public static IEnumerable<(string Option, string Value)> ConfOptions(string text, char separator = '=') =>
        text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(separator, 2)).Where(p => p.Length == 2).Select(p => (p[0].Trim(), p[1].Trim()));

    private static string? Flag(IReadOnlyList<string> args, string flag)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == flag && i + 1 < args.Count)
            {
                return args[i + 1];
            }
            if (args[i].StartsWith(flag + "=", StringComparison.Ordinal))
            {
                return args[i][(flag.Length + 1)..];
            }
        }
        return null;
    }

    private static JsonObject? Yaml(string? text) => text is null ? null : Manifests.Parse(text).SingleOrDefault();

    [GeneratedRegex("""^\s*(?<name>[A-Za-z_][A-Za-z0-9_]*)="\$\{(?<env>[A-Za-z_][A-Za-z0-9_]*):-(?<default>[^}]*)\}(?<suffix>[^"]*)"\s*$""", RegexOptions.Multiline)]
    private static partial Regex Assignment();

    [GeneratedRegex("@([A-Z_]+)@")]
    private static partial Regex Placeholder();
}
