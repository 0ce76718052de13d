using Infra.Plan.Components.Authorizer;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Components.Network;
using Infra.Plan.Components.Redis;

namespace Infra.Plan.Tests.Support;

/// <summary>The connectivity report's workload names, as the component plans name their peers.</summary>
public static class PeerNames
{
    public const string RedisName = RedisPlan.RedisPeer;
    public const string SentinelName = RedisPlan.SentinelPeer;
    public const string AuthorizerName = AuthorizerPlan.PeerName;
    public const string SfuName = LivekitPlan.SfuPeer;
    public const string CoturnName = CoturnPlan.Component;
    public const string IngressName = NetworkPeers.IngressName;
    public const string GatewayName = NetworkPeers.GatewayName;
    public const string PrometheusName = NetworkPeers.PrometheusName;
    public const string DnsName = NetworkPeers.DnsName;
    public const string SynapseName = NetworkPeers.SynapseName;
    public const string InternetName = NetworkPeers.InternetName;
    public const string NodeLocalDnsName = NetworkPeers.NodeLocalDnsName;
    public const string DnsServiceIpName = NetworkPeers.DnsServiceIpName;
    public const string AnyPodName = NetworkPeers.AnyPodName;
}
