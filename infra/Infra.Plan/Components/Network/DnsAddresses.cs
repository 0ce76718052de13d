using System.Net;
using Infra.Plan.Net;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Network;

/// <summary>
/// Where pods send DNS queries besides the DNS pods. NodeLocal DNSCache (kubernetes/kubernetes
/// cluster/addons/dns/nodelocaldns) runs with hostNetwork on every node and listens on a link-local address
/// (169.254.20.10 by default) and, with kube-proxy in iptables mode, on the DNS Service's ClusterIP; its NOTRACK rules
/// (kubernetes/dns cmd/node-cache/app/cache_app.go) keep the ClusterIP from being DNATed to a DNS pod. A policy that
/// only names the DNS pods then drops every query; the upstream README's fix is an ipBlock of those addresses.
/// </summary>
public static class DnsAddresses
{
    /// <summary>The /32 (/128) blocks allow-dns adds; none without NodeLocal DNSCache (the ClusterIP is DNATed then).</summary>
    public static IReadOnlyList<Cidr> Blocks(NetworkInput input) =>
        input.Cluster.NodeLocalDns is { } local
            ? new[] { local, input.Cluster.DnsServiceAddress(input.Nodes) }.OfType<IPAddress>().Distinct().Select(Host).ToList()
            : [];

    public static Cidr Host(IPAddress address) =>
        new(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);

    /// <summary>A configured DNS Service address must be a ClusterIP, i.e. inside a service CIDR.</summary>
    public static IEnumerable<ConfigError> CheckServiceIp(NetworkInput input)
    {
        if (input.Cluster.DnsServiceIp is { } ip && input.Nodes.ServiceCidrs.Count > 0 && !input.Nodes.ServiceCidrs.Any(c => c.Contains(ip)))
        {
            yield return ConfigError.Invalid(ClusterSection.DnsServiceIp, $"\"{ip}\"",
                $"the DNS Service's ClusterIP, an address inside {NodesSection.ServiceCidrs.FullName} " +
                $"({string.Join(", ", input.Nodes.ServiceCidrs)}): kubectl -n kube-system get service kube-dns");
        }
    }
}
