using k8s.Models;
using Infra.Plan.Net;

namespace Infra.Plan.Components.Network;

/// <summary>Typed factories for NetworkPolicy ports: numbers and protocols only, never named ports (they hide what is open).</summary>
public static class NetworkPolicyPort
{
    public static V1NetworkPolicyPort Tcp(int port) => Of(port, Protocol.Tcp);

    public static V1NetworkPolicyPort Udp(int port) => Of(port, Protocol.Udp);

    public static V1NetworkPolicyPort Of(int port, Protocol protocol) => new()
    {
        Port = port,
        Protocol = Name(protocol),
    };

    /// <summary>DNS answers over UDP, and over TCP for large replies (DNSSEC, many records).</summary>
    public static IList<V1NetworkPolicyPort> Dns() => [Udp(53), Tcp(53)];

    public static string Name(Protocol protocol) => protocol switch
    {
        Protocol.Tcp => "TCP",
        Protocol.Udp => "UDP",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
    };
}
