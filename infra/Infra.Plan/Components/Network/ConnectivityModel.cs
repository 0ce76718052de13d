using System.Net;
using Infra.Plan.Kubernetes;
using Infra.Plan.Net;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Network;

/// <summary>A port a workload accepts connections (or datagrams) on.</summary>
public sealed record Listener(int Port, Protocol Protocol, string Purpose)
{
    public override string ToString() => $"{Port}/{NetworkPolicyPort.Name(Protocol)}";
}

/// <summary>
/// One endpoint of the connectivity model: a set of pods (or the internet). <paramref name="Namespace"/> is
/// null outside the cluster. Host-network pods carry their node's <paramref name="Address"/> and no pod
/// identity: NetworkPolicies neither select them nor match them with pod/namespace selectors.
/// </summary>
public sealed record Workload(
    string Name,
    string? Namespace,
    IReadOnlyDictionary<string, string> Labels,
    bool HostNetwork,
    IPAddress Address,
    IReadOnlyList<Listener> Listens)
{
    public bool IsPod => Namespace is not null && !HostNetwork;
}

/// <summary>
/// The workloads the report talks about, with labels and addresses as the cluster would give them: pods
/// get addresses from the first pod CIDR, host-network pods from the first node CIDR, "internet" a
/// public documentation address (203.0.113.10).
/// </summary>
public static class ConnectivityModel
{
    public const string RedisName = "redis";
    public const string SentinelName = "sentinel";
    public const string AuthorizerName = "authorizer";
    public const string SfuName = "sfu";
    public const string CoturnName = "coturn";
    public const string IngressName = "ingress-controller";
    public const string PrometheusName = "prometheus";
    public const string DnsName = "cluster-dns";
    public const string SynapseName = "synapse";
    public const string InternetName = "internet";

    /// <summary>Workloads this project deploys: the report lists every edge that touches one of them.</summary>
    public static readonly IReadOnlyList<string> Ours = [RedisName, SentinelName, AuthorizerName, SfuName, CoturnName];

    public static readonly IPAddress InternetAddress = IPAddress.Parse("203.0.113.10");

    public static IReadOnlyList<Workload> For(EnvironmentSpec spec)
    {
        var app = spec.Site.Namespace;
        var media = spec.Site.MediaNamespace;
        var podIndex = 10;
        IPAddress PodIp() => Offset(spec.Nodes.PodCidrs.FirstOrDefault() ?? Cidr.Parse("10.244.0.0/16"), podIndex++);
        var nodeIp = Offset(spec.Nodes.NodeCidrs.FirstOrDefault() ?? Cidr.Parse("10.10.0.0/24"), 10);
        var p = spec.Ports;

        var workloads = new List<Workload>();
        if (spec.Redis.Mode == RedisMode.Managed)
        {
            // Redis and Sentinel are two containers of the same pods: same labels, same address.
            var redisIp = PodIp();
            var redisListens = new List<Listener> { new(Names.RedisPort, Protocol.Tcp, "redis") };
            if (spec.Cluster.Monitoring)
            {
                redisListens.Add(new Listener(NetworkPolicyBuilder.RedisExporterPort, Protocol.Tcp, "redis metrics"));
            }
            workloads.Add(new Workload(RedisName, app, Meta.Labels(Names.Redis), false, redisIp, redisListens));
            workloads.Add(new Workload(SentinelName, app, Meta.Labels(Names.Redis), false, redisIp,
                [new Listener(Names.SentinelPort, Protocol.Tcp, "sentinel")]));
        }
        workloads.Add(new Workload(AuthorizerName, app, Meta.Labels(Names.Authorizer), false, PodIp(),
            [new Listener(p.AuthorizerHttp, Protocol.Tcp, "token API + SFU webhook")]));

        var sfuListens = new List<Listener>
        {
            new(p.SfuApi, Protocol.Tcp, "API/WebSocket"),
            new(p.SfuRtcTcp, Protocol.Tcp, "ICE-TCP"),
            new(p.SfuRtcUdp, Protocol.Udp, "media"),
            new(p.SfuMetrics, Protocol.Tcp, "metrics"),
        };
        workloads.Add(new Workload(SfuName, media, LivekitLabels, true, nodeIp, sfuListens));
        var turnListens = new List<Listener>
        {
            new(p.Turn, Protocol.Udp, "TURN"),
            new(p.Turn, Protocol.Tcp, "TURN"),
            new(p.TurnTls, Protocol.Tcp, "TURN/TLS"),
            new(p.TurnRelay.First, Protocol.Udp, $"relay {p.TurnRelay}"),
            new(p.TurnMetrics, Protocol.Tcp, "metrics"),
        };
        workloads.Add(new Workload(CoturnName, media, Meta.Labels(Names.Coturn), true, nodeIp, turnListens));

        workloads.Add(new Workload(IngressName, spec.Cluster.IngressNamespace, Labels(spec.Cluster.IngressPodSelector), false, PodIp(),
            [new Listener(80, Protocol.Tcp, "HTTP"), new Listener(spec.Cluster.IngressPodHttpsPort, Protocol.Tcp, "HTTPS")]));
        workloads.Add(new Workload(PrometheusName, spec.Cluster.MonitoringNamespace,
            new Dictionary<string, string> { ["app.kubernetes.io/name"] = "prometheus" }, false, PodIp(), []));
        workloads.Add(new Workload(DnsName, spec.Cluster.DnsNamespace, Labels(spec.Cluster.DnsPodSelector), false, PodIp(),
            [new Listener(53, Protocol.Udp, "DNS"), new Listener(53, Protocol.Tcp, "DNS")]));
        workloads.Add(new Workload(SynapseName, spec.Synapse.Namespace, Labels(spec.Synapse.PodSelector), false, PodIp(),
            [new Listener(spec.Synapse.Port, Protocol.Tcp, "client API")]));
        workloads.Add(new Workload(InternetName, null, new Dictionary<string, string>(), false, InternetAddress,
            [new Listener(443, Protocol.Tcp, "HTTPS"), new Listener(8448, Protocol.Tcp, "federation")]));
        return workloads;
    }

    /// <summary>How the livekit-server chart labels its pods (release <see cref="Names.LivekitRelease"/>).</summary>
    public static readonly IReadOnlyDictionary<string, string> LivekitLabels = new Dictionary<string, string>
    {
        ["app.kubernetes.io/name"] = Names.LivekitChart,
        ["app.kubernetes.io/instance"] = Names.LivekitRelease,
    };

    private static Dictionary<string, string> Labels(IEnumerable<NodeLabel> labels) => labels.ToDictionary(l => l.Key, l => l.Value);

    private static IPAddress Offset(Cidr cidr, int n) => IpRange.FromNumber(IpRange.ToNumber(cidr.Network) + (UInt128)n, cidr.Family);
}
