using System.Security.Cryptography.X509Certificates;
using k8s.Models;
using Infra.Plan.Components.Coturn;

namespace Infra.Servers.Coturn;

/// <summary>
/// A real turnserver on 127.0.0.1 running the plan's config as the pod builds it: the generated init script
/// adds the secret and the node address (127.0.0.1) and, with discovery on (the plan's default), asks a
/// <see cref="FakeKubeApi"/> for the node's ExternalIP (<see cref="PublicAddress"/>); then the 4.6.1-incompatible
/// options are dropped by name and the loopback overlay is added. Plus a turnutils_peer echo peer on 127.0.0.1.
/// Used by the tests and the relay benchmark; every process is stopped by PID on Dispose.
/// </summary>
public sealed class LoopbackCoturn : IDisposable
{
    public const string TurnHost = "turn.example.org";

    /// <summary>The loopback node's ExternalIP as the fake API reports it (TEST-NET-3): what coturn advertises for its relays.</summary>
    public const string PublicAddress = "203.0.113.1";

    public const string NodeName = "loopback-node";

    /// <summary>The init container's env when the caller has no DaemonSet at hand: the plan's default, discovery on.</summary>
    public static readonly IReadOnlyList<V1EnvVar> DefaultInitEnv =
    [
        new() { Name = "HOST_IP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "status.hostIP" } } },
        new() { Name = "EXTERNAL_IP_DISCOVERY", Value = CoturnDaemonSet.DiscoveryNodeApi },
        new() { Name = "NODE_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "spec.nodeName" } } },
    ];

    private readonly List<ServerProcess> _processes = [];

    public string Root { get; }
    public CoturnTestConfig.LoopbackPorts Ports { get; }
    public string Secret { get; }
    public string GeneratedConfig { get; }
    public string FinalConfig { get; }
    public IReadOnlyList<string> Removed { get; }
    public X509Certificate2 Certificate { get; }
    public ServerProcess Server { get; }
    public ServerProcess Peer { get; }

    public LoopbackCoturn(string root, CoturnTestConfig.LoopbackPorts ports, IReadOnlyDictionary<string, string> configMap, string secret,
        IReadOnlyList<V1EnvVar>? initEnv = null)
    {
        Root = root;
        Ports = ports;
        Secret = secret;
        try
        {
            var token = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
            using var api = new FakeKubeApi(FakeKubeApi.Nodes(token, new Dictionary<string, string>
            {
                [NodeName] = FakeKubeApi.NodeJson(NodeName, ("InternalIP", "127.0.0.1"), ("ExternalIP", PublicAddress), ("Hostname", NodeName)),
            }));
            var init = CoturnInit.Run(root, configMap, secret, previous: null, initEnv ?? DefaultInitEnv,
                new CoturnInit.Node(NodeName, "127.0.0.1"), new CoturnInit.Api(FakeKubeApi.Address.ToString(), api.Port, token, api.CaPem));
            if (init.Exit != 0 || init.Config is null)
            {
                throw new InvalidOperationException("init script failed: " + init.Output);
            }
            GeneratedConfig = init.Config;
            var certFile = Path.Combine(root, "tls.crt");
            var keyFile = Path.Combine(root, "tls.key");
            Certificate = CoturnTools.WriteSelfSigned(TurnHost, certFile, keyFile);
            (FinalConfig, Removed) = CoturnTestConfig.Compose(GeneratedConfig, CoturnTestConfig.Overlay(ports, certFile, keyFile, init.RunDir));
            var confPath = Path.Combine(root, "test-turnserver.conf");
            File.WriteAllText(confPath, FinalConfig);

            Server = Start("turnserver", CoturnTools.TurnServer!, ["-c", confPath]);
            if (!ServerProcess.WaitUntil(() => ServerProcess.TcpOpen("127.0.0.1", ports.Listening) || Server.HasExited, TimeSpan.FromSeconds(15))
                || Server.HasExited)
            {
                throw new InvalidOperationException("turnserver did not start:\n" + Server.Output);
            }
            Peer = Start("turnutils_peer", CoturnTools.Peer!, ["-L", "127.0.0.1", "-p", ports.Peer.ToString()]);
            Thread.Sleep(300);
            if (Peer.HasExited)
            {
                throw new InvalidOperationException("turnutils_peer did not start:\n" + Peer.Output);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public ServerProcess Start(string name, string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null)
    {
        var p = ServerProcess.Start(name, file, args, Root, env);
        _processes.Add(p);
        return p;
    }

    public void Dispose()
    {
        foreach (var p in Enumerable.Reverse(_processes))
        {
            p.Dispose();
        }
        _processes.Clear();
    }
}
