using System.Diagnostics;
using Infra.Plan.Components.Redis;
using Infra.Plan.Tests.Support;
using Infra.Servers;
using Infra.Servers.Redis;
using Xunit.Abstractions;

namespace Infra.Plan.Tests.Redis;

/// <summary>
/// Real redis-server and redis-sentinel (Debian 7.0.15) running the dev stack's generated config templates
/// and start scripts, unmodified, as 3 data nodes + 3 sentinels on 127.0.0.11-13 (ports 17379/17380).
/// One cluster goes through the failure scenarios in order; each phase states what it shows.
/// </summary>
public class RedisSentinelServerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan FailoverBound = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Forming takes seconds, but the start scripts' bounded sentinel queries (2 s each, a few rounds) add up when the
    /// machine is shared and loaded: generous, still bounded.
    /// </summary>
    private static readonly TimeSpan FormBound = TimeSpan.FromSeconds(90);

    [SkippableFact]
    public void Generated_cluster_fails_over_keeps_acknowledged_writes_and_never_runs_two_masters()
    {
        var (server, sentinel, cli) = RequireTools();
        var plan = Stacks.Plan("dev");
        var layout = RedisLayout.For(RedisInput.From(plan.Derived));
        using var cluster = new SentinelCluster(SentinelCluster.FilesOf(plan), ClusterAddresses.Tests, server, sentinel, cli);
        var total = Stopwatch.StartNew();
        try
        {
            Forms(cluster);
            RefusesWrongPasswords(cluster);
            IsolatedMasterRefusesWrites(cluster, layout);
            var master = KilledMasterIsReplacedWithoutLosingWaitedWrites(cluster);
            KilledNodeRestartsAsReplica(cluster, master);
            FrozenOldMasterRejoinsAsReplica(cluster);
            PreStopHandsOverMastership(cluster);
            FullRestartEndsWithExactlyOneMaster(cluster);
        }
        catch (Exception e) when (e is not SkipException)
        {
            throw new Xunit.Sdk.XunitException(e.Message + "\n\nserver logs:\n" + cluster.Logs());
        }
        output.WriteLine($"all phases: {total.Elapsed.TotalSeconds:0.0} s");
    }

    [SkippableFact]
    public void Generated_cluster_rides_out_a_frozen_or_briefly_partitioned_master_and_fails_over_from_a_long_partition()
    {
        var (server, sentinel, cli) = RequireTools();
        if (LoopbackPartition.Unavailable() is { } why)
        {
            Assert.False(Tools.Required, why);
            Skip.If(true, "SKIPPED: " + why);
        }
        var plan = Stacks.Plan("dev");
        var layout = RedisLayout.For(RedisInput.From(plan.Derived));
        using var cluster = new SentinelCluster(SentinelCluster.FilesOf(plan), ClusterAddresses.StallTests, server, sentinel, cli);
        try
        {
            cluster.Start(FormBound);
            // Sentinel reopens an overdue link only once it is 15 s old (sentinel.c sentinel_min_link_reconnect_period):
            // stall a cluster whose links are past that, as in one that has been running.
            Thread.Sleep(TimeSpan.FromSeconds(16));
            StallCausesNoFailover(cluster, layout, "SIGSTOP for 2 s", m =>
            {
                cluster.FreezeData(m);
                Thread.Sleep(TimeSpan.FromSeconds(2));
                cluster.ThawData(m);
            });
            StallCausesNoFailover(cluster, layout, "partitioned for 1.5 s", m =>
            {
                using (cluster.Isolate(m))
                {
                    Thread.Sleep(TimeSpan.FromSeconds(1.5));
                }
            });
            LongPartitionFailsOverAndTheOldMasterRejoins(cluster);
        }
        catch (Exception e) when (e is not SkipException)
        {
            throw new Xunit.Sdk.XunitException(e.Message + "\n\nserver logs:\n" + cluster.Logs());
        }
    }

    private void StallCausesNoFailover(SentinelCluster c, RedisLayout layout, string stall, Action<int> disrupt)
    {
        // GIVEN a master with a write one replica confirmed
        var old = c.AgreedMaster()!;
        var m = c.IndexOf(old);
        var key = $"before {stall}";
        using (var w = c.ConnectData(old))
        {
            Assert.Equal("OK", w.Call("SET", key, "kept").AsText);
            Assert.True(w.Call("WAIT", "1", "2000") is Resp.Integer { Value: >= 1 }, "no replica confirmed the write");
        }
        var since = DateTime.UtcNow;

        // WHEN it stalls for less than down-after, and then the sentinels have had time to act on it
        disrupt(m);
        Thread.Sleep(TimeSpan.FromMilliseconds(layout.DownAfterMilliseconds) + TimeSpan.FromSeconds(4));

        // THEN no sentinel started a failover: the same master, named by all, still takes writes and has the write
        var events = c.SentinelEvents().Where(e => e.At >= since).ToArray();
        var acted = events.Where(e => e.Type is "+odown" or "+try-failover" or "+switch-master").ToArray();
        Assert.True(acted.Length == 0, $"master {stall}: the sentinels acted: {string.Join("; ", acted.Select(e => $"sentinel {e.Sentinel} {e.Type} {e.Detail}"))}");
        Assert.Equal(old, c.AgreedMaster());
        Assert.Equal("master", c.Role(m));
        Assert.True(ServerProcess.WaitUntil(() => c.CallData(m, "SET", $"after {stall}", "1")?.AsText == "OK", TimeSpan.FromSeconds(10)),
            $"the master did not take writes again after being {stall}");
        Assert.Equal("kept", c.CallData(m, "GET", key)?.AsText);
        var sdown = events.Where(e => e.Type == "+sdown" && e.OnMaster).Select(e => e.Sentinel).Distinct().Count();
        output.WriteLine($"master {stall}: no failover (+sdown by {sdown} of 3 sentinels)");
    }

    private void LongPartitionFailsOverAndTheOldMasterRejoins(SentinelCluster c)
    {
        // GIVEN a master with a write one replica confirmed
        var old = c.AgreedMaster()!;
        var m = c.IndexOf(old);
        using var client = c.ConnectData(old, 3000);
        Assert.Equal("OK", client.Call("SET", "before-partition", "kept").AsText);
        Assert.True(client.Call("WAIT", "1", "2000") is Resp.Integer { Value: >= 1 }, "no replica confirmed the write");

        string? promoted = null;
        using (c.Isolate(m))
        {
            // WHEN its pod stays cut off from the others (a client on another address still reaches it)
            var isolatedWrite = client.Call("SET", "during-partition", "old master");
            var confirmed = client.Call("WAIT", "1", "500");

            // THEN the two sentinels outside elect a replica; the isolated master's write is never WAIT-confirmed
            Assert.True(ServerProcess.WaitUntil(() =>
                {
                    var named = c.SentinelMasters().Where((_, i) => i != m).Distinct().ToArray();
                    return named is [{ } h] && h != old && (promoted = h) is not null;
                }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200)),
                $"no failover while the master was cut off: {string.Join(", ", c.SentinelMasters())}");
            Assert.Equal("OK", isolatedWrite.AsText);
            Assert.Equal(new Resp.Integer(0), confirmed);
        }

        // AND once the partition heals every sentinel names the new master, the old one becomes its replica, the
        // WAIT-confirmed write is there and the un-confirmed one the isolated master took is gone (async replication)
        Assert.True(ServerProcess.WaitUntil(() => c.AgreedMaster() == promoted && c.Role(m) == "slave"
                && c.InfoField(m, "replication", "master_host") == promoted && c.InfoField(m, "replication", "master_link_status") == "up",
                TimeSpan.FromSeconds(40), TimeSpan.FromMilliseconds(250)),
            $"{old} did not rejoin as replica of {promoted}: role {c.Role(m)}, sentinels {string.Join(", ", c.SentinelMasters())}");
        var p = c.IndexOf(promoted!);
        Assert.Equal("kept", c.CallData(p, "GET", "before-partition")?.AsText);
        Assert.Equal(new Resp.Bulk(null), c.CallData(p, "GET", "during-partition"));
        Assert.Equal(new Resp.Bulk(null), c.CallData(m, "GET", "during-partition"));
        output.WriteLine($"long partition of {old}: {promoted} promoted; the old master rejoined as its replica and dropped its un-WAITed write");
    }

    [SkippableFact]
    public void Generated_tls_cluster_forms_refuses_plain_tcp_and_restarts_through_tls_sentinel_queries()
    {
        var (server, sentinel, cli) = RequireTools();
        var openssl = Tools.Find("openssl");
        if (openssl is null)
        {
            Assert.False(Tools.Required, "openssl must be installed (Debian package openssl)");
            Skip.If(true, "SKIPPED: openssl not installed");
        }
        // GIVEN the dev stack with redisTls, and certificates for 127.0.0.11-13 in place of the redis-tls Secret
        var config = Stacks.File("dev").ToDictionary(kv => kv.Key, kv => kv.Value);
        config["matrix-rtc:redisTls"] = Stacks.S("true");
        var plan = Planner.Build(Stacks.Parse(config, "dev").OrThrow());
        var tlsDir = Directory.CreateTempSubdirectory("matrix-rtc-redis-tls-").FullName;
        try
        {
            MakeCertificates(openssl!, tlsDir);
            using var c = new SentinelCluster(SentinelCluster.FilesOf(plan), ClusterAddresses.TlsTests, server, sentinel, cli, tlsDir);
            try
            {
                // WHEN the generated scripts start it
                c.Start(FormBound);

                // THEN it forms over TLS, and the plain-text protocol gets no answer on either port
                Assert.Equal(c.Hosts[0], c.AgreedMaster());
                Assert.Null(RespClient.TryCall(c.Hosts[0], c.Addresses.RedisPort, c.RedisPassword, "PING"));
                Assert.Null(RespClient.TryCall(c.Hosts[0], c.Addresses.SentinelPort, c.SentinelPassword, "PING"));

                // AND after a failover a restarted node asks the sentinels over TLS and rejoins as replica
                c.KillData(0);
                var (master, _) = c.WaitForAgreedMaster(h => h != c.Hosts[0], FailoverBound);
                Assert.NotNull(master);
                var restarted = c.StartData(0);
                Assert.True(ServerProcess.WaitUntil(() => c.Role(0) == "slave" && c.InfoField(0, "replication", "master_host") == master, TimeSpan.FromSeconds(20)),
                    $"the restarted node did not rejoin as replica of {master}: role {c.Role(0)}");
                Assert.Contains($"the sentinels name {master} as master", restarted.Output);
            }
            catch (Exception e) when (e is not SkipException)
            {
                throw new Xunit.Sdk.XunitException(e.Message + "\n\nserver logs:\n" + c.Logs());
            }
        }
        finally
        {
            Directory.Delete(tlsDir, recursive: true);
        }
    }

    private static void MakeCertificates(string openssl, string dir)
    {
        File.WriteAllText(Path.Combine(dir, "ext.cnf"),
            "subjectAltName=IP:127.0.0.11,IP:127.0.0.12,IP:127.0.0.13\nextendedKeyUsage=serverAuth,clientAuth\n");
        string[][] steps =
        [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=matrix-rtc test CA"],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "tls.key", "-out", "tls.csr", "-subj", "/CN=redis"],
            ["x509", "-req", "-in", "tls.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "tls.crt", "-days", "1", "-extfile", "ext.cnf"],
        ];
        foreach (var step in steps)
        {
            var psi = new ProcessStartInfo(openssl) { WorkingDirectory = dir, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in step)
            {
                psi.ArgumentList.Add(a);
            }
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            Assert.True(p.WaitForExit(30_000), "openssl did not finish");
            Assert.True(p.ExitCode == 0, $"openssl {step[0]} failed: {err.Result}");
        }
    }

    private static (string Server, string Sentinel, string Cli) RequireTools()
    {
        var server = Tools.Find("redis-server");
        var sentinel = Tools.Find("redis-sentinel");
        var cli = Tools.Find("redis-cli");
        if (server is null || sentinel is null || cli is null)
        {
            Assert.False(Tools.Required, "redis-server, redis-sentinel and redis-cli must be installed (Debian packages redis-server, redis-sentinel)");
            Skip.If(true, "SKIPPED: redis-server / redis-sentinel / redis-cli not installed (Debian packages redis-server, redis-sentinel)");
        }
        return (server!, sentinel!, cli!);
    }

    private void Forms(SentinelCluster c)
    {
        // GIVEN three data nodes and three sentinels started together by the generated scripts
        // WHEN they come up with nobody to ask
        c.Start(FormBound);

        // THEN the first node is master, the others its online replicas, and every sentinel names it
        Assert.Equal(c.Hosts[0], c.AgreedMaster());
        Assert.Equal(["master", "slave", "slave"], Enumerable.Range(0, 3).Select(c.Role));
        Assert.Equal("2", c.InfoField(0, "replication", "connected_slaves"));
        output.WriteLine("formed: master " + c.Hosts[0]);
    }

    private static void RefusesWrongPasswords(SentinelCluster c)
    {
        // GIVEN the running cluster WHEN a client brings a wrong password, or none
        var data = Assert.Throws<IOException>(() => RespClient.Connect(c.Hosts[0], c.Addresses.RedisPort, "wrong-password").Dispose());
        var sentinel = Assert.Throws<IOException>(() => RespClient.Connect(c.Hosts[1], c.Addresses.SentinelPort, c.RedisPassword).Dispose());
        var anonymous = RespClient.TryCall(c.Hosts[0], c.Addresses.RedisPort, null, "GET", "k");
        var anonymousSentinel = RespClient.TryCall(c.Hosts[1], c.Addresses.SentinelPort, null, "SENTINEL", "get-master-addr-by-name", RedisLayout.MasterName);

        // THEN data nodes and sentinels refuse it (the redis password does not open a sentinel either)
        Assert.Contains("WRONGPASS", data.Message);
        Assert.Contains("WRONGPASS", sentinel.Message);
        Assert.StartsWith("NOAUTH", Assert.IsType<Resp.Error>(anonymous).Text);
        Assert.StartsWith("NOAUTH", Assert.IsType<Resp.Error>(anonymousSentinel).Text);
        // AND the right passwords work
        Assert.Equal("OK", c.CallData(0, "SET", "auth-check", "1")?.AsText);
    }

    private void IsolatedMasterRefusesWrites(SentinelCluster c, RedisLayout layout)
    {
        // GIVEN a master whose writes are accepted
        var m = c.IndexOf(c.AgreedMaster()!);
        Assert.Equal("OK", c.CallData(m, "SET", "before-isolation", "1")?.AsText);
        var replicas = Enumerable.Range(0, 3).Where(i => i != m).ToArray();

        // WHEN both replicas freeze (the master is cut off from them; the sentinels still see the master)
        var sw = Stopwatch.StartNew();
        foreach (var r in replicas)
        {
            c.FreezeData(r);
        }
        string? refusal = null;
        var refused = ServerProcess.WaitUntil(
            () => c.CallData(m, "SET", "during-isolation", sw.ElapsedMilliseconds.ToString()) is Resp.Error e && (refusal = e.Text) is not null,
            TimeSpan.FromSeconds(RedisLayout.MinReplicasMaxLagSeconds + 2), TimeSpan.FromMilliseconds(100));
        var refusedAfter = sw.Elapsed;
        foreach (var r in replicas)
        {
            c.ThawData(r);
        }

        // THEN within min-replicas-max-lag + 2 s it refuses writes for lack of replicas
        Assert.True(refused, $"the isolated master still took writes after {refusedAfter.TotalSeconds:0.0} s");
        Assert.StartsWith("NOREPLICAS", refusal);
        output.WriteLine($"isolated master refused writes after {refusedAfter.TotalSeconds:0.0} s (bound {RedisLayout.MinReplicasMaxLagSeconds + 2} s)");

        // AND once the replicas are back, it takes writes again
        Assert.True(ServerProcess.WaitUntil(() => c.CallData(m, "SET", "after-isolation", "1")?.AsText == "OK", TimeSpan.FromSeconds(15)),
            "the master did not take writes again after the replicas came back");
    }

    private string KilledMasterIsReplacedWithoutLosingWaitedWrites(SentinelCluster c)
    {
        // GIVEN a client writing, each write confirmed by WAIT 1 (one replica has it)
        var old = c.AgreedMaster()!;
        var m = c.IndexOf(old);
        var acknowledged = new List<(string Key, string Value)>();
        using var writer = c.ConnectData(old);
        var sw = Stopwatch.StartNew();
        for (var n = 0; sw.Elapsed < TimeSpan.FromSeconds(1.5) && n < 100_000; n++)
        {
            var (key, value) = ($"acked:{n}", $"v{n}");
            if (writer.Call("SET", key, value).AsText == "OK" && writer.Call("WAIT", "1", "1000") is Resp.Integer { Value: >= 1 })
            {
                acknowledged.Add((key, value));
            }
        }

        // WHEN the master is SIGKILLed
        c.KillData(m);
        var (master, elapsed) = c.WaitForAgreedMaster(h => h != old, FailoverBound);

        // THEN all sentinels agree on a new master, which is a promoted replica
        Assert.True(master is not null, $"no new master agreed by all sentinels within {FailoverBound.TotalSeconds} s: {string.Join(", ", c.SentinelMasters())}");
        var n2 = c.IndexOf(master!);
        Assert.True(ServerProcess.WaitUntil(() => c.Role(n2) == "master", TimeSpan.FromSeconds(10)), $"{master} does not report role master");
        output.WriteLine($"SIGKILL of {old}: all sentinels name {master} after {elapsed.TotalSeconds:0.0} s; {acknowledged.Count} WAIT-acknowledged writes");

        // AND every acknowledged write is there
        Assert.NotEmpty(acknowledged);
        using var reader = c.ConnectData(master!);
        var lost = acknowledged.Where(w => reader.Call("GET", w.Key).AsText != w.Value).Select(w => w.Key).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} WAIT-acknowledged writes lost, e.g. {string.Join(", ", lost.Take(5))}");
        return old;
    }

    private static void KilledNodeRestartsAsReplica(SentinelCluster c, string killed)
    {
        // GIVEN the killed old master WHEN its pod restarts (the same start script)
        var k = c.IndexOf(killed);
        var current = c.AgreedMaster()!;
        c.StartData(k);

        // THEN it asks the sentinels and comes back as a replica of the new master; the cluster is whole again
        Assert.True(ServerProcess.WaitUntil(() => c.Role(k) == "slave" && c.InfoField(k, "replication", "master_host") == current, TimeSpan.FromSeconds(20)),
            $"{killed} did not rejoin as replica of {current}: role {c.Role(k)}");
        Assert.True(ServerProcess.WaitUntil(c.IsFormed, FailoverBound, TimeSpan.FromMilliseconds(250)), "the cluster did not heal after the restart");
    }

    private void FrozenOldMasterRejoinsAsReplica(SentinelCluster c)
    {
        // GIVEN a master that freezes (SIGSTOP: a long GC-like pause or a partitioned node) past the failover
        var old = c.AgreedMaster()!;
        var m = c.IndexOf(old);
        c.FreezeData(m);
        var (master, elapsed) = c.WaitForAgreedMaster(h => h != old, FailoverBound);
        Assert.True(master is not null, $"no failover away from the frozen master: {string.Join(", ", c.SentinelMasters())}");

        // WHEN it thaws, still believing it is the master
        c.ThawData(m);
        var writeAfterThaw = c.CallData(m, "SET", "split-brain", "1");

        // THEN it does not take that write (no replica follows it any more, or it is already a replica)
        var error = Assert.IsType<Resp.Error>(writeAfterThaw);
        Assert.True(error.Text.StartsWith("NOREPLICAS", StringComparison.Ordinal) || error.Text.StartsWith("READONLY", StringComparison.Ordinal), error.Text);
        // AND the sentinels turn it into a replica of the new master
        Assert.True(ServerProcess.WaitUntil(() => c.Role(m) == "slave" && c.InfoField(m, "replication", "master_host") == master, FailoverBound),
            $"{old} did not rejoin as replica of {master}: role {c.Role(m)}");
        Assert.True(ServerProcess.WaitUntil(c.IsFormed, FailoverBound, TimeSpan.FromMilliseconds(250)), "the cluster did not heal after the thaw");
        output.WriteLine($"frozen master {old}: replaced by {master} after {elapsed.TotalSeconds:0.0} s, rejoined as replica after thaw ({error.Text.Split(' ')[0]} on its first write)");
    }

    private void PreStopHandsOverMastership(SentinelCluster c)
    {
        // GIVEN the master's pod is about to stop, with a write one replica confirmed
        var old = c.AgreedMaster()!;
        var m = c.IndexOf(old);
        using (var w = c.ConnectData(old))
        {
            Assert.Equal("OK", w.Call("SET", "before-prestop", "kept").AsText);
            Assert.True(w.Call("WAIT", "1", "2000") is Resp.Integer { Value: >= 1 });
        }

        // WHEN its preStop hook runs (and on a replica's pod: nothing to do)
        var replica = Enumerable.Range(0, 3).First(i => i != m);
        var (replicaExit, replicaOutput) = c.RunScript(replica, RedisScripts.PreStop, TimeSpan.FromSeconds(30));
        var sw = Stopwatch.StartNew();
        var (exit, log) = c.RunScript(m, RedisScripts.PreStop, TimeSpan.FromSeconds(RedisLayout.PreStopSettleSeconds + RedisLayout.PreStopWaitSeconds + 10));

        // THEN all sentinels name another master before the hook returns, and the write is on it
        Assert.Equal(0, replicaExit);
        Assert.Contains("nothing to hand over", replicaOutput);
        Assert.Equal(0, exit);
        var master = c.AgreedMaster();
        Assert.True(master is not null && master != old, $"preStop returned but the sentinels name {master ?? "no agreed master"}\n{log}");
        Assert.Equal("kept", c.CallData(c.IndexOf(master!), "GET", "before-prestop")?.AsText);
        output.WriteLine($"preStop on {old}: handed over to {master} in {sw.Elapsed.TotalSeconds:0.0} s");
        Assert.True(ServerProcess.WaitUntil(c.IsFormed, FailoverBound, TimeSpan.FromMilliseconds(250)), "the cluster did not settle after the handover");
    }

    private void FullRestartEndsWithExactlyOneMaster(SentinelCluster c)
    {
        // GIVEN a healthy cluster WHEN all three data nodes are killed and restarted together (a full outage)
        for (var i = 0; i < 3; i++)
        {
            c.KillData(i);
        }
        for (var i = 0; i < 3; i++)
        {
            c.StartData(i);
        }

        // THEN at no sample are there two masters, and it ends with one master, two replicas, sentinels agreeing
        var mostMasters = 0;
        var twoMasters = "";
        var sw = Stopwatch.StartNew();
        var formed = ServerProcess.WaitUntil(() =>
        {
            var roles = Enumerable.Range(0, 3).Select(c.Role).ToArray();
            var masters = roles.Count(r => r == "master");
            if (masters > mostMasters)
            {
                mostMasters = masters;
                twoMasters = $"at {sw.Elapsed.TotalSeconds:0.0} s: roles {string.Join(", ", roles)}; sentinels name {string.Join(", ", c.SentinelMasters())}";
            }
            return c.IsFormed();
        }, TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(250));
        Assert.True(formed, "no single master after restarting all data nodes: roles " + string.Join(", ", Enumerable.Range(0, 3).Select(c.Role)));
        Assert.Equal(1, Enumerable.Range(0, 3).Count(i => c.Role(i) == "master"));
        Assert.True(mostMasters <= 1, $"{mostMasters} nodes reported role master at the same time, {twoMasters}");
        output.WriteLine($"full restart: one master ({c.AgreedMaster()}) after {sw.Elapsed.TotalSeconds:0.0} s");
    }
}
