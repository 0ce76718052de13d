using System.Text;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Contract;
using Infra.Plan.Net;
using Infra.Plan.Turn;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Ports;

/// <summary>Who may reach a host port, i.e. the node firewall rule it needs.</summary>
public enum Exposure
{
    /// <summary>Clients connect from anywhere: open to the internet.</summary>
    Internet,
    /// <summary>Only the ingress controller or Prometheus connect: open to the node and pod CIDRs only.</summary>
    Cluster,
}

/// <summary>One port or range a host-network pod binds on every media node.</summary>
/// <param name="Key">The config key that sets it: errors name it.</param>
public sealed record HostPort(string Component, string Purpose, Protocol Protocol, PortRange Ports, Exposure Exposure, ConfigKey Key)
{
    public string Label => $"{Component} {Purpose} {Ports}/{Protocol.ToString().ToLowerInvariant()}";
}

/// <summary>
/// The one place that holds every host port and range of LiveKit and coturn. LiveKit and coturn share the
/// node's network namespace (hostNetwork), so on one node no two may overlap; none may sit in the NodePort
/// range (kube-proxy owns it) or the kernel's ephemeral range (an outgoing connection could take the port
/// first and the pod would fail to bind after a restart).
/// </summary>
public sealed record PortPlan(IReadOnlyList<HostPort> Ports, PortRange Ephemeral)
{
    /// <summary>Kubernetes' default <c>--service-node-port-range</c>.</summary>
    public static readonly PortRange NodePortRange = new(30000, 32767);

    public static PortPlan For(EnvironmentSpec spec) =>
        new(HostPorts(spec.Ports, CoturnVersion.FromImage(spec.Images.Coturn)?.StartsDtlsByDefault ?? true), spec.Nodes.EphemeralPorts);

    /// <summary>The two host-network components, as the port plan (and the firewall rules) name them.</summary>
    public const string Sfu = "livekit";
    public const string Coturn = "coturn";

    public const string SfuApiPurpose = "API/WebSocket (via the Gateway or ingress)";
    public const string RtcTcpPurpose = "ICE-TCP media";
    public const string RtcUdpPurpose = "RTC media (muxed)";
    public const string MetricsPurpose = "Prometheus metrics";

    /// <param name="coturnDtls">Whether coturn binds DTLS (UDP) on its TLS port: releases before 4.17.0 do unless told not to
    /// (<see cref="CoturnVersion.StartsDtlsByDefault"/>); the generated config never turns it on.</param>
    public static IReadOnlyList<HostPort> HostPorts(PortsSpec p, bool coturnDtls)
    {
        const string sfu = Sfu;
        const string turn = Coturn;
        var tlsKey = p.TurnTlsOn443 ? PortsSection.TurnTlsOn443 : PortsSection.TurnTlsPort;
        var ports = new List<HostPort>
        {
            new(sfu, SfuApiPurpose, Protocol.Tcp, PortRange.Single(p.SfuApi), Exposure.Cluster, PortsSection.SfuApiPort),
            new(sfu, RtcTcpPurpose, Protocol.Tcp, PortRange.Single(p.SfuRtcTcp), Exposure.Internet, PortsSection.SfuRtcTcpPort),
            new(sfu, RtcUdpPurpose, Protocol.Udp, PortRange.Single(p.SfuRtcUdp), Exposure.Internet, PortsSection.SfuRtcUdpPort),
            new(sfu, MetricsPurpose, Protocol.Tcp, PortRange.Single(p.SfuMetrics), Exposure.Cluster, PortsSection.SfuMetricsPort),
            new(turn, "TURN/STUN", Protocol.Udp, PortRange.Single(p.Turn), Exposure.Internet, PortsSection.TurnPort),
            new(turn, "TURN/STUN", Protocol.Tcp, PortRange.Single(p.Turn), Exposure.Internet, PortsSection.TurnPort),
            new(turn, "TURN over TLS", Protocol.Tcp, PortRange.Single(p.TurnTlsEffective), Exposure.Internet, tlsKey),
            new(turn, "relay range", Protocol.Udp, p.TurnRelay, Exposure.Internet, PortsSection.TurnRelayPorts),
            new(turn, MetricsPurpose, Protocol.Tcp, PortRange.Single(p.TurnMetrics), Exposure.Cluster, PortsSection.TurnMetricsPort),
        };
        if (coturnDtls)
        {
            // Such a release also answers DTLS on the TLS port; it binds it whether or not clients use it.
            ports.Insert(ports.FindIndex(x => x.Purpose == "TURN over TLS") + 1,
                new(turn, "TURN over DTLS", Protocol.Udp, PortRange.Single(p.TurnTlsEffective), Exposure.Internet, tlsKey));
        }
        return ports;
    }

    /// <summary>What <paramref name="component"/> listens on, as network peers see it (a range as its first port).</summary>
    public IReadOnlyList<Listener> Listeners(string component) =>
        Ports.Where(p => p.Component == component)
            .Select(p => new Listener(p.Ports.First, p.Protocol, p.Ports.Count > 1 ? $"{p.Purpose} {p.Ports}" : p.Purpose))
            .ToList();

    /// <summary>Every rule the ports break, each a <see cref="ConfigError"/> naming the key that set the port.</summary>
    public IEnumerable<ConfigError> Check()
    {
        for (var i = 0; i < Ports.Count; i++)
        {
            var a = Ports[i];
            for (var j = 0; j < i; j++)
            {
                var b = Ports[j];
                // One key giving the same port to TCP and UDP (3478) is intended: they are different sockets.
                if (a.Protocol == b.Protocol && a.Ports.Overlaps(b.Ports) && a.Key != b.Key)
                {
                    yield return ConfigError.Invalid(a.Key, $"\"{a.Ports}\"",
                        $"a {Name(a.Protocol)} port that does not overlap {b.Label} ({b.Key.FullName}): both bind on the same media node");
                }
            }
            if (a.Ports.Overlaps(NodePortRange))
            {
                yield return ConfigError.Invalid(a.Key, $"\"{a.Ports}\"",
                    $"ports outside the NodePort range {NodePortRange} (kube-proxy owns it on every node)");
            }
            if (a.Ports.Overlaps(Ephemeral))
            {
                yield return ConfigError.Invalid(a.Key, $"\"{a.Ports}\"",
                    $"ports outside the ephemeral range {Ephemeral} ({NodesSection.EphemeralPortRange.FullName}): outgoing connections take ports from it, so the {a.Component} {a.Purpose} could fail to bind");
            }
        }
    }

    /// <summary>
    /// A relay allocation holds one relay port; a coturn node whose total-quota exceeds its relay range would
    /// fail allocations with "no available ports" before the quota is reached.
    /// </summary>
    public IEnumerable<ConfigError> CheckRelayCapacity(TurnQuotas quotas)
    {
        var relay = Ports.Single(p => p.Key == PortsSection.TurnRelayPorts).Ports;
        if (quotas.Total > relay.Count)
        {
            yield return ConfigError.Invalid(PortsSection.TurnRelayPorts, $"\"{relay}\"",
                $"a range of at least {quotas.Total} ports: the TURN total quota ({quotas.TotalSource}) allows {quotas.Total} allocations and each holds one relay port");
        }
    }

    private static string Name(Protocol p) => p.ToString().ToUpperInvariant();

    /// <summary><c>report/ports.md</c>: every host port, and the firewall rules a media node needs.</summary>
    public string ToMarkdown(string stack, NodesSpec nodes)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# Host ports: stack `{stack}`");
        sb.AppendLine();
        sb.AppendLine("LiveKit and coturn run on the media nodes' host network: NetworkPolicies do not apply to them,");
        sb.AppendLine("so the node firewall (or the cloud's security group) is what guards these ports.");
        sb.AppendLine($"No port lies in the NodePort range ({NodePortRange}) or the ephemeral range ({Ephemeral}).");
        sb.AppendLine();
        sb.AppendLine("| component | purpose | protocol | port(s) | open to | config key |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var p in Ordered())
        {
            sb.AppendLine($"| {p.Component} | {p.Purpose} | {Name(p.Protocol)} | {p.Ports} | {(p.Exposure == Exposure.Internet ? "internet" : "cluster only")} | `{p.Key.Name}` |");
        }
        sb.AppendLine();
        sb.AppendLine("## Firewall rules for every media node (inbound)");
        sb.AppendLine();
        sb.AppendLine("Open to the internet (`0.0.0.0/0`, `::/0`):");
        sb.AppendLine();
        foreach (var (proto, ports) in Grouped(Exposure.Internet))
        {
            sb.AppendLine($"- allow {Name(proto)} {ports}");
        }
        var clusterSources = string.Join(", ", nodes.NodeCidrs.Concat(nodes.PodCidrs).Select(c => c.ToString()));
        sb.AppendLine();
        sb.AppendLine($"Open only inside the cluster (node and pod CIDRs: {clusterSources}):");
        sb.AppendLine();
        foreach (var (proto, ports) in Grouped(Exposure.Cluster))
        {
            sb.AppendLine($"- allow {Name(proto)} {ports} from {clusterSources}");
        }
        sb.AppendLine();
        sb.AppendLine("Deny every other inbound port on the media nodes' public interface.");
        sb.AppendLine();
        sb.AppendLine("Outbound, coturn's own user may reach the node's own addresses only on the SFU's UDP port and the relay range");
        sb.AppendLine("(`report/coturn-node.nft`, an nftables table): behind 1:1 NAT coturn allows its node's private address as a peer.");
        return sb.ToString();
    }

    private IEnumerable<HostPort> Ordered() =>
        Ports.OrderBy(p => p.Ports.First).ThenBy(p => p.Protocol).ThenBy(p => p.Component, StringComparer.Ordinal);

    private IEnumerable<(Protocol, string)> Grouped(Exposure exposure) =>
        Ports.Where(p => p.Exposure == exposure)
            .GroupBy(p => p.Protocol)
            .OrderBy(g => g.Key)
            .Select(g => (g.Key, string.Join(", ", g.Select(p => p.Ports).Distinct().OrderBy(r => r.First))));
}
