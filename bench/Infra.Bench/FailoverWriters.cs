using Infra.Plan.Components.Redis;
using Infra.Servers.Redis;
using StackExchange.Redis;

namespace Infra.Bench;

/// <summary>
/// The two writers of the failover benchmark, each on its own thread until <see cref="Stop"/>:
/// <list type="bullet">
/// <item>the client: StackExchange.Redis with <c>ServiceName</c> and the sentinels as end points, so it resolves the
/// master through them and follows a failover (it subscribes to +switch-master and re-asks the sentinels every
/// second while its connection is down), writing plain SETs, one a millisecond, as LiveKit writes (never WAIT);</item>
/// <item>the WAIT writer: SET then <c>WAIT 1 1000</c> on a direct connection to the master the sentinels name
/// (reconnecting after an error), one a millisecond too; a write counts as acknowledged only when one replica confirmed it.</item>
/// </list>
/// Each acknowledgement is stamped with the time it arrived. Timeouts are a second, close to LiveKit's go-redis
/// client (read timeout 3 s, dial timeout 5 s) without hiding a short outage behind one long wait.
/// </summary>
internal sealed class FailoverWriters(SentinelCluster cluster) : IDisposable
{
    private const int TimeoutMs = 1000;
    private readonly List<(string Key, DateTime At)> _clientAcked = [];
    private readonly List<(DateTime At, string Error)> _clientErrors = [];
    private readonly List<string> _waitAcked = [];
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly List<Thread> _threads = [];
    private volatile bool _stop;

    public void Start()
    {
        var connected = new ManualResetEventSlim();
        Exception? failed = null;
        _threads.Add(new Thread(() => ClientLoop(connected, e => failed = e)) { IsBackground = true, Name = "sentinel-client" });
        _threads.Add(new Thread(WaitLoop) { IsBackground = true, Name = "wait-writer" });
        _threads.ForEach(t => t.Start());
        if (!connected.Wait(TimeSpan.FromSeconds(15)) || failed is not null)
        {
            Stop();
            throw new InvalidOperationException("the Sentinel-aware client did not connect: " + failed?.Message);
        }
    }

    public void Stop()
    {
        _stop = true;
        foreach (var t in _threads)
        {
            t.Join(TimeSpan.FromSeconds(10));
        }
    }

    public void Dispose() => Stop();

    /// <summary>When the first client write acknowledged after <paramref name="after"/> arrived (null: none yet).</summary>
    public DateTime? FirstClientAckAfter(DateTime after)
    {
        lock (_clientAcked)
        {
            return _clientAcked.Where(w => w.At > after).Select(w => (DateTime?)w.At).FirstOrDefault();
        }
    }

    /// <summary>The last error the client saw before <paramref name="before"/> (why its writes were failing).</summary>
    public string? LastClientErrorBefore(DateTime before)
    {
        lock (_clientAcked)
        {
            return _clientErrors.LastOrDefault(e => e.At < before).Error;
        }
    }

    /// <summary>The longest time the client went without an acknowledged write, counting from <paramref name="since"/>.</summary>
    public TimeSpan LongestClientGap(DateTime since)
    {
        lock (_clientAcked)
        {
            var times = _clientAcked.Select(w => w.At).Where(t => t >= since).ToArray();
            return times.Zip(times.Skip(1), (a, b) => b - a).DefaultIfEmpty(TimeSpan.Zero).Max();
        }
    }

    /// <summary>Reads every acknowledged write back from <paramref name="master"/>: (client acked, client lost, WAIT-acked, WAIT-acked lost).</summary>
    public (int ClientAcked, int ClientLost, int WaitAcked, int WaitLost) Verify(SentinelCluster c, string master)
    {
        string[] client, waited;
        lock (_clientAcked)
        {
            client = _clientAcked.Select(w => w.Key).ToArray();
        }
        lock (_waitAcked)
        {
            waited = [.. _waitAcked];
        }
        using var reader = c.ConnectData(master, 5000);
        int Lost(IEnumerable<string> keys) => keys.Count(k => reader.Call("GET", k).AsText != k);
        return (client.Length, Lost(client), waited.Length, Lost(waited));
    }

    private void ClientLoop(ManualResetEventSlim connected, Action<Exception> fail)
    {
        var options = new ConfigurationOptions
        {
            ServiceName = RedisLayout.MasterName,
            Password = cluster.RedisPassword,
            SentinelPassword = cluster.SentinelPassword,
            AbortOnConnectFail = false,
            ConnectTimeout = TimeoutMs,
            SyncTimeout = TimeoutMs,
            AsyncTimeout = TimeoutMs,
            ClientName = "bench-client",
        };
        foreach (var host in cluster.Hosts)
        {
            options.EndPoints.Add(host, cluster.Addresses.SentinelPort);
        }
        ConnectionMultiplexer mux;
        try
        {
            mux = ConnectionMultiplexer.Connect(options);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            fail(e);
            connected.Set();
            return;
        }
        using (mux)
        {
            var db = mux.GetDatabase();
            connected.Set();
            for (var n = 0; !_stop && n < 1_000_000; n++)
            {
                var key = $"client:{_run}:{n}";
                try
                {
                    if (db.StringSet(key, key))
                    {
                        lock (_clientAcked)
                        {
                            _clientAcked.Add((key, DateTime.UtcNow));
                        }
                    }
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    // not acknowledged: the master is gone, frozen, or refuses writes (NOREPLICAS, READONLY)
                    lock (_clientAcked)
                    {
                        _clientErrors.Add((DateTime.UtcNow, $"{e.GetType().Name}: {e.Message.Split('\n')[0]}"));
                    }
                }
                Thread.Sleep(1);
            }
        }
    }

    private void WaitLoop()
    {
        RespClient? conn = null;
        try
        {
            for (var n = 0; !_stop && n < 1_000_000; n++)
            {
                var key = $"waited:{_run}:{n}";
                try
                {
                    conn ??= cluster.SentinelMasters().FirstOrDefault(h => h is not null) is { } master
                        ? cluster.ConnectData(master, TimeoutMs + 500)
                        : throw new IOException("no sentinel names a master");
                    if (conn.Call("SET", key, key).AsText == "OK" && conn.Call("WAIT", "1", TimeoutMs.ToString()) is Resp.Integer { Value: >= 1 })
                    {
                        lock (_waitAcked)
                        {
                            _waitAcked.Add(key);
                        }
                    }
                    else
                    {
                        // refused (NOREPLICAS, READONLY) or not replicated in time: ask the sentinels again
                        conn.Dispose();
                        conn = null;
                    }
                }
                catch (IOException)
                {
                    conn?.Dispose();
                    conn = null;
                    Thread.Sleep(50);
                }
                Thread.Sleep(1);
            }
        }
        finally
        {
            conn?.Dispose();
        }
    }
}
