using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s.Models;
using Infra.Plan;
using Infra.Plan.Components.Redis;

namespace Infra.Servers.Redis;

/// <summary>Where one test cluster lives: three loopback addresses and two ports (17000-17999).</summary>
public sealed record ClusterAddresses(IReadOnlyList<string> Hosts, int RedisPort, int SentinelPort)
{
    public static ClusterAddresses Tests { get; } = new(["127.0.0.11", "127.0.0.12", "127.0.0.13"], 17379, 17380);

    /// <summary>The TLS test's ports.</summary>
    public static ClusterAddresses TlsTests { get; } = new(["127.0.0.11", "127.0.0.12", "127.0.0.13"], 17381, 17382);

    /// <summary>The stall and partition test's ports.</summary>
    public static ClusterAddresses StallTests { get; } = new(["127.0.0.11", "127.0.0.12", "127.0.0.13"], 17383, 17384);

    /// <summary>The benchmark's own ports, so a benchmark and the tests can run at the same time.</summary>
    public static ClusterAddresses Bench { get; } = new(["127.0.0.11", "127.0.0.12", "127.0.0.13"], 17479, 17480);
}

/// <summary>
/// Runs the plan's own start scripts and config templates (the ConfigMap's files, unmodified) as three data
/// nodes and three sentinels on 127.0.0.x, with Debian's redis-server/redis-sentinel. The scripts read
/// loopback addresses, ports, paths and password files from their environment; nothing else is changed.
/// Every process is stopped by PID on Dispose.
/// </summary>
public sealed class SentinelCluster : IDisposable
{
    private readonly string _dir;
    private readonly ServerProcess?[] _data;
    private readonly ServerProcess?[] _sentinels;
    private readonly List<string> _finished = [];

    /// <param name="tlsDir">With a TLS plan: a directory with ca.crt, tls.crt, tls.key for 127.0.0.x (the pods' redis-tls Secret).</param>
    public SentinelCluster(IReadOnlyDictionary<string, string> configMapFiles, ClusterAddresses addresses, string redisServer, string redisSentinel, string redisCli,
        string? tlsDir = null)
    {
        Addresses = addresses;
        TlsDir = tlsDir;
        TrustedCa = tlsDir is null ? null : X509CertificateLoader.LoadCertificateFromFile(Path.Combine(tlsDir, "ca.crt"));
        _dir = Path.Combine(Path.GetTempPath(), $"matrix-rtc-redis-{Environment.ProcessId}-{addresses.RedisPort}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(TemplateDir);
        foreach (var (name, content) in configMapFiles)
        {
            File.WriteAllText(Path.Combine(TemplateDir, name), content);
        }
        RedisPassword = NewPassword();
        SentinelPassword = NewPassword();
        File.WriteAllText(RedisPasswordFile, RedisPassword + "\n");
        File.WriteAllText(SentinelPasswordFile, SentinelPassword + "\n");
        ServerBin = SourceAddressWrapper("redis-server", redisServer);
        SentinelBin = SourceAddressWrapper("redis-sentinel", redisSentinel);
        CliBin = redisCli;
        _data = new ServerProcess?[addresses.Hosts.Count];
        _sentinels = new ServerProcess?[addresses.Hosts.Count];
    }

    /// <summary>
    /// A pod's connections to the other pods leave from the pod's own address. On loopback the kernel would pick
    /// 127.0.0.1 for all of them, so a wrapper (the same PID: it execs) adds <c>bind-source-addr</c> = the node's
    /// BIND_ADDRESS: replication and sentinel links then leave from 127.0.0.1x and a partition can be cut by address.
    /// The plan's files are untouched; in a pod the option is not needed (one interface).
    /// </summary>
    private string SourceAddressWrapper(string name, string binary)
    {
        var path = Path.Combine(_dir, "bin", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, $"#!/bin/sh\nexec '{binary}' \"$@\" --bind-source-addr \"$BIND_ADDRESS\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }

    /// <summary>The ConfigMap files of a plan's redis-sentinel component.</summary>
    public static IReadOnlyDictionary<string, string> FilesOf(EnvironmentPlan plan) =>
        (plan.Redis ?? throw new ArgumentException("the plan deploys no Redis", nameof(plan))).Config.Data.ToDictionary();

    public ClusterAddresses Addresses { get; }

    public string? TlsDir { get; }

    /// <summary>The CA clients trust when the cluster runs TLS (null: plain TCP).</summary>
    public X509Certificate2? TrustedCa { get; }

    public IReadOnlyList<string> Hosts => Addresses.Hosts;

    public string RedisPassword { get; }

    public string SentinelPassword { get; }

    private string ServerBin { get; }

    private string SentinelBin { get; }

    private string CliBin { get; }

    private string TemplateDir => Path.Combine(_dir, "configmap");

    private string RedisPasswordFile => Path.Combine(_dir, "redis-password");

    private string SentinelPasswordFile => Path.Combine(_dir, "sentinel-password");

    public ServerProcess? Data(int i) => _data[i];

    /// <summary>Environment of node <paramref name="i"/>'s scripts: what a pod gets from its layout, on loopback.</summary>
    public Dictionary<string, string> ScriptEnvironment(int i)
    {
        var nodeDir = Path.Combine(_dir, $"node{i}");
        return new Dictionary<string, string>
        {
            ["SELF_HOST"] = Hosts[i],
            ["PEER_HOSTS"] = string.Join(" ", Hosts),
            ["BIND_ADDRESS"] = Hosts[i],
            ["REDIS_PORT"] = Addresses.RedisPort.ToString(),
            ["SENTINEL_PORT"] = Addresses.SentinelPort.ToString(),
            ["TEMPLATE_DIR"] = TemplateDir,
            ["CONF_DIR"] = Path.Combine(nodeDir, "run"),
            ["DATA_DIR"] = Path.Combine(nodeDir, "data"),
            ["SENTINEL_DIR"] = Path.Combine(nodeDir, "sentinel"),
            ["REDIS_PASSWORD_FILE"] = RedisPasswordFile,
            ["SENTINEL_PASSWORD_FILE"] = SentinelPasswordFile,
            ["SERVER_BIN"] = ServerBin,
            ["SENTINEL_BIN"] = SentinelBin,
            ["CLI_BIN"] = CliBin,
            ["PROBE_HOST"] = Hosts[i],
            ["HOME"] = nodeDir,
            ["TLS_DIR"] = TlsDir ?? Path.Combine(_dir, "no-tls"),
        };
    }

    private string Script(string name) => Path.Combine(TemplateDir, name);

    /// <summary>Starts data node <paramref name="i"/> through redis-start.sh (which execs the server: same PID).</summary>
    public ServerProcess StartData(int i)
    {
        Retire(_data[i]);
        var env = ScriptEnvironment(i);
        Directory.CreateDirectory(env["DATA_DIR"]);
        return _data[i] = ServerProcess.Start($"redis-{i}", "/bin/sh", [Script(RedisScripts.RedisStart)], _dir, env);
    }

    public ServerProcess StartSentinel(int i)
    {
        Retire(_sentinels[i]);
        return _sentinels[i] = ServerProcess.Start($"sentinel-{i}", "/bin/sh", [Script(RedisScripts.SentinelStart)], _dir, ScriptEnvironment(i));
    }

    /// <summary>Runs one of the plan's scripts to completion (bounded), e.g. prestop.sh; returns its exit code and output.</summary>
    public (int ExitCode, string Output) RunScript(int i, string script, TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dir,
        };
        psi.ArgumentList.Add(Script(script));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (k, v) in ScriptEnvironment(i))
        {
            psi.Environment[k] = v;
        }
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"{script} did not start");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit((int)timeout.TotalMilliseconds))
        {
            Posix.Kill(p.Id, Posix.SIGKILL);
            p.WaitForExit(5000);
            return (-1, $"(killed after {timeout.TotalSeconds:0} s)");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>SIGKILL (no shutdown, no goodbye to replicas or sentinels) and wait for the process to go.</summary>
    public void KillData(int i)
    {
        if (_data[i] is { } p)
        {
            p.Signal(Posix.SIGKILL);
            p.WaitForExit(TimeSpan.FromSeconds(5));
        }
    }

    public void FreezeData(int i) => _data[i]?.Signal(Posix.SIGSTOP);

    public void ThawData(int i) => _data[i]?.Signal(Posix.SIGCONT);

    /// <summary>
    /// Cuts node <paramref name="i"/> (its data node and its sentinel, like a partitioned pod) off from the other
    /// nodes: packets dropped both ways until the returned partition is disposed. Clients on 127.0.0.1 still reach it.
    /// </summary>
    public LoopbackPartition Isolate(int i) =>
        LoopbackPartition.Cut(LoopbackPartition.TableFor(Addresses.RedisPort), Hosts[i], Hosts.Where((_, k) => k != i).ToArray(),
            [Addresses.RedisPort, Addresses.SentinelPort]);

    /// <summary>The events every sentinel logged (<c>+sdown</c>, <c>+odown</c>, <c>+try-failover</c>, <c>+switch-master</c>...), oldest first.</summary>
    public IReadOnlyList<SentinelEvent> SentinelEvents() =>
        _sentinels.Select((p, i) => (p, i)).Where(x => x.p is not null)
            .SelectMany(x => SentinelEvent.Parse(x.i, x.p!.Output))
            .OrderBy(e => e.At)
            .ToArray();

    public int IndexOf(string host) => Hosts.ToList().IndexOf(host);

    /// <summary>A client connection to a data node (TLS when the cluster runs TLS).</summary>
    public RespClient ConnectData(string host, int timeoutMs = 1000) =>
        RespClient.Connect(host, Addresses.RedisPort, RedisPassword, timeoutMs, TrustedCa);

    public Resp? CallData(int i, params string[] command) => RespClient.TryCall(Hosts[i], Addresses.RedisPort, RedisPassword, TrustedCa, command);

    public Resp? CallSentinel(int i, params string[] command) => RespClient.TryCall(Hosts[i], Addresses.SentinelPort, SentinelPassword, TrustedCa, command);

    /// <summary>The "role:" line of INFO replication, or null when the node does not answer.</summary>
    public string? Role(int i)
    {
        var info = CallData(i, "INFO", "replication")?.AsText;
        return info?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("role:", StringComparison.Ordinal))?[5..];
    }

    public string? InfoField(int i, string section, string field)
    {
        var info = CallData(i, "INFO", section)?.AsText;
        return info?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal))?[(field.Length + 1)..];
    }

    /// <summary>Each sentinel's answer to get-master-addr-by-name (null where a sentinel does not answer).</summary>
    public IReadOnlyList<string?> SentinelMasters() =>
        Enumerable.Range(0, Hosts.Count)
            .Select(i => CallSentinel(i, "SENTINEL", "get-master-addr-by-name", RedisLayout.MasterName) is Resp.Array { Items: [Resp.Bulk { Text: { } h }, _] } ? h : null)
            .ToArray();

    /// <summary>The master every sentinel names, or null while they disagree or one does not answer.</summary>
    public string? AgreedMaster()
    {
        var answers = SentinelMasters();
        return answers.All(a => a is not null) && answers.Distinct().Count() == 1 ? answers[0] : null;
    }

    /// <summary>Starts all data nodes, then all sentinels, and waits (bounded) until the cluster has formed.</summary>
    public void Start(TimeSpan timeout)
    {
        for (var i = 0; i < Hosts.Count; i++)
        {
            StartData(i);
        }
        for (var i = 0; i < Hosts.Count; i++)
        {
            StartSentinel(i);
        }
        if (!ServerProcess.WaitUntil(IsFormed, timeout, TimeSpan.FromMilliseconds(200)))
        {
            throw new InvalidOperationException("the cluster did not form within " + timeout + "\n" + Logs());
        }
    }

    /// <summary>One master with every other node an online replica, every sentinel naming it and knowing the others.</summary>
    public bool IsFormed()
    {
        var master = AgreedMaster();
        if (master is null)
        {
            return false;
        }
        var m = IndexOf(master);
        if (m < 0 || Role(m) != "master" || InfoField(m, "replication", "connected_slaves") != (Hosts.Count - 1).ToString())
        {
            return false;
        }
        // every replica follows that master and has finished its sync
        if (!Enumerable.Range(0, Hosts.Count).Where(i => i != m).All(i =>
                CallData(i, "INFO", "replication")?.AsText is { } info
                && info.Contains($"master_host:{master}\r\n", StringComparison.Ordinal)
                && info.Contains("master_link_status:up\r\n", StringComparison.Ordinal)
                && info.Contains("master_sync_in_progress:0\r\n", StringComparison.Ordinal)))
        {
            return false;
        }
        return Enumerable.Range(0, Hosts.Count).All(i =>
            CallSentinel(i, "SENTINEL", "master", RedisLayout.MasterName) is Resp.Array { Items: { } items }
            && Field(items, "num-other-sentinels") == (Hosts.Count - 1).ToString()
            && Field(items, "num-slaves") == (Hosts.Count - 1).ToString());
    }

    private static string? Field(IReadOnlyList<Resp> flat, string name)
    {
        for (var k = 0; k + 1 < flat.Count; k += 2)
        {
            if (flat[k].AsText == name)
            {
                return flat[k + 1].AsText;
            }
        }
        return null;
    }

    /// <summary>Waits until all sentinels agree on a master satisfying <paramref name="accept"/>; returns it and the time it took.</summary>
    public (string? Master, TimeSpan Elapsed) WaitForAgreedMaster(Func<string, bool> accept, TimeSpan timeout, TimeSpan? interval = null)
    {
        var sw = Stopwatch.StartNew();
        string? found = null;
        ServerProcess.WaitUntil(() => (found = AgreedMaster()) is { } m && accept(m), timeout, interval ?? TimeSpan.FromMilliseconds(100));
        return (found is not null && accept(found) ? found : null, sw.Elapsed);
    }

    /// <summary>Every server's output, for failure messages (passwords never appear in it).</summary>
    public string Logs() =>
        string.Join("\n", _finished.Concat(_data.Concat(_sentinels).Where(p => p is not null).Select(p => Describe(p!))));

    private static string Describe(ServerProcess p) => $"--- {p.Name} (pid {p.Pid}) ---\n{Tail(p.Output, 40)}";

    private static string Tail(string text, int lines) => string.Join("\n", text.Split('\n').TakeLast(lines));

    /// <summary>Stops a replaced process, keeping its log for failure messages.</summary>
    private void Retire(ServerProcess? old)
    {
        if (old is not null)
        {
            var description = Describe(old);
            old.Dispose();
            _finished.Add(description + "\n(replaced)");
        }
    }

    private static string NewPassword() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    public void Dispose()
    {
        LoopbackPartition.Remove(LoopbackPartition.TableFor(Addresses.RedisPort));
        foreach (var p in _data.Concat(_sentinels).Where(p => p is not null))
        {
            p!.Dispose();
        }
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // a server may still be flushing; the directory is in the temp folder
        }
    }
}
