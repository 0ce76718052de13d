using System.Text;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Contract;
using Infra.Plan.Net;
using Infra.Plan.Turn;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Ports;

/// <summary>Who may reach a media port, i.e. the firewall rule it needs.</summary>
public enum Exposure
{
    /// <summary>Clients connect from anywhere: open to the internet.</summary>
    Internet,
    /// <summary>Only the ingress controller or Prometheus connect: open to the node and pod CIDRs only.</summary>
    Cluster,
    /// <summary>Nobody connects: the pod's own sockets (the embedded TURN's relay ports; replies return through conntrack).</summary>
    None,
}

/// <summary>One port or range a media pod binds: on every media node's host network, or in the SFU pod.</summary>
/// <param name="Key">The config key that sets it: errors name it.</param>
/// <param name="ServicePort">Off the host network, the port the NodePort or LoadBalancer Service serves it on: equal to
/// the port LiveKit listens on wherever LiveKit advertises it (it rewrites the candidate's address, never its port),
/// 443 for TURN/TLS (LiveKit hands out <c>turns:&lt;domain&gt;:443</c>); null where no Service exposes it.</param>
/// <param name="PortName">The container port's name in the chart (<c>templates/deployment.yaml</c>), which the Service port repeats.</param>
public sealed record MediaPort(string Component, string Purpose, Protocol Protocol, PortRange Ports, Exposure Exposure, ConfigKey Key, int? ServicePort = null, string? PortName = null)
{
    public string Label => $"{Component} {Purpose} {Ports}/{Protocol.ToString().ToLowerInvariant()}";
}

/// <summary>
/// The one place that holds every media port and range, per media mode (<see cref="MediaExposure"/>). On the host
/// network LiveKit and coturn share the node's network namespace, so on one node no two may overlap; none may sit in
/// the NodePort range (kube-proxy owns it). Off it, the SFU pod has its own namespace: its ports and the embedded
/// TURN's relay range may not overlap, and what clients reach through a NodePort Service must lie in the NodePort
/// range, since the SFU listens on its node port. In every mode no bound port may sit in the kernel's ephemeral range
/// (an outgoing connection could take the port first and the pod would fail to bind after a restart).
/// The LiveKit config, the container ports, the Services and <c>report/ports.md</c> are all made from this table.
/// </summary>
public sealed record PortPlan(IReadOnlyList<MediaPort> Ports, PortRange Ephemeral, MediaExposure Mode = MediaExposure.HostNetwork)
{
    /// <summary>Kubernetes' default <c>--service-node-port-range</c>.</summary>
    public static readonly PortRange NodePortRange = new(30000, 32767);

    public static PortPlan For(EnvironmentSpec spec) => spec.Sfu.Media.HostNetwork
        ? new(HostPorts(spec.Ports, CoturnVersion.FromImage(spec.Images.Coturn)?.StartsDtlsByDefault ?? true), spec.Nodes.EphemeralPorts)
        : new(SfuPodPorts(spec.Ports, spec.Sfu.Media.Exposure), spec.Nodes.EphemeralPorts, spec.Sfu.Media.Exposure);

    /// <summary>The two host-network components, as the port plan (and the firewall rules) name them.</summary>
    public const string Sfu = "livekit";
    public const string Coturn = "coturn";

    public const string SfuApiPurpose = "API/WebSocket (via the Gateway or ingress)";
    public const string RtcTcpPurpose = "ICE-TCP media";
    public const string RtcUdpPurpose = "RTC media (muxed)";
    public const string MetricsPurpose = "Prometheus metrics";
    public const string TurnUdpPurpose = "TURN/UDP (LiveKit's own)";
    public const string TurnTlsPurpose = "TURN/TLS (LiveKit's own)";
    public const string TurnRelayPurpose = "TURN relay range (LiveKit's own)";

    /// <summary>LiveKit hands out its TURN/TLS as <c>turns:&lt;domain&gt;:443</c> (livekit/livekit pkg/service/roommanager.go).</summary>
    public const int TurnTlsServicePort = 443;

    /// <param name="coturnDtls">Whether coturn binds DTLS (UDP) on its TLS port: releases before 4.17.0 do unless told not to
    /// (<see cref="CoturnVersion.StartsDtlsByDefault"/>); the generated config never turns it on.</param>
    public static IReadOnlyList<MediaPort> HostPorts(PortsSpec p, bool coturnDtls)
    {
        const string sfu = Sfu;
        const string turn = Coturn;
        var tlsKey = p.TurnTlsOn443 ? PortsSection.TurnTlsOn443 : PortsSection.TurnTlsPort;
        var ports = new List<MediaPort>
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

    /// <summary>
    /// The SFU pod's ports off the host network: its API and metrics (cluster only), its media and its own TURN/UDP
    /// (Service port = the port it listens on), with a load balancer its TURN/TLS (served on 443), and the relay range.
    /// </summary>
    public static IReadOnlyList<MediaPort> SfuPodPorts(PortsSpec p, MediaExposure mode)
    {
        const string sfu = Sfu;
        var ports = new List<MediaPort>
        {
            new(sfu, SfuApiPurpose, Protocol.Tcp, PortRange.Single(p.SfuApi), Exposure.Cluster, PortsSection.SfuApiPort),
            new(sfu, RtcTcpPurpose, Protocol.Tcp, PortRange.Single(p.SfuRtcTcp), Exposure.Internet, PortsSection.SfuRtcTcpPort, p.SfuRtcTcp, "rtc-tcp"),
            new(sfu, RtcUdpPurpose, Protocol.Udp, PortRange.Single(p.SfuRtcUdp), Exposure.Internet, PortsSection.SfuRtcUdpPort, p.SfuRtcUdp, "rtc-udp"),
            new(sfu, MetricsPurpose, Protocol.Tcp, PortRange.Single(p.SfuMetrics), Exposure.Cluster, PortsSection.SfuMetricsPort),
            new(sfu, TurnUdpPurpose, Protocol.Udp, PortRange.Single(p.SfuTurnUdp), Exposure.Internet, PortsSection.SfuTurnUdpPort, p.SfuTurnUdp, "turn-udp"),
        };
        if (mode == MediaExposure.LoadBalancer)
        {
            ports.Add(new(sfu, TurnTlsPurpose, Protocol.Tcp, PortRange.Single(p.SfuTurnTls), Exposure.Internet, PortsSection.SfuTurnTlsPort, TurnTlsServicePort, "turn-tls"));
        }
        ports.Add(new(sfu, TurnRelayPurpose, Protocol.Udp, p.SfuTurnRelay, Exposure.None, PortsSection.SfuTurnRelayPorts));
        return ports;
    }

    /// <summary>The ports a Service exposes (off the host network), in table order.</summary>
    public IReadOnlyList<MediaPort> ServicePorts => Ports.Where(p => p.ServicePort is not null).ToList();

    /// <summary>What <paramref name="component"/> listens on, as network peers see it (a range as its first port; not the
    /// embedded TURN's relay range, which nobody connects to).</summary>
    public IReadOnlyList<Listener> Listeners(string component) => ListenersOf(Of(component));

    /// <summary>The ports of <paramref name="component"/>.</summary>
    public IReadOnlyList<MediaPort> Of(string component) => Ports.Where(p => p.Component == component).ToList();

    public static IReadOnlyList<Listener> ListenersOf(IEnumerable<MediaPort> ports) =>
        ports.Where(p => p.Exposure != Exposure.None)
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
            if (Mode == MediaExposure.HostNetwork && a.Ports.Overlaps(NodePortRange))
            {
                yield return ConfigError.Invalid(a.Key, $"\"{a.Ports}\"",
                    $"ports outside the NodePort range {NodePortRange} (kube-proxy owns it on every node)");
            }
            if (Mode == MediaExposure.NodePort && a.ServicePort is not null && !(NodePortRange.Contains(a.Ports.First) && NodePortRange.Contains(a.Ports.Last)))
            {
                yield return ConfigError.Invalid(a.Key, $"\"{a.Ports}\"",
                    $"a port in the NodePort range {NodePortRange} with {SfuSection.MediaExposureKey.FullName} nodePort: LiveKit advertises the port it " +
                    "listens on, so it listens on its node port (containerPort = Service port = targetPort = nodePort)");
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
        // LiveKit's own TURN has no quota: only coturn's range is bounded by its quota.
        if (Ports.SingleOrDefault(p => p.Key == PortsSection.TurnRelayPorts) is not { } coturnRelay)
        {
            yield break;
        }
        var relay = coturnRelay.Ports;
        if (quotas.Total > relay.Count)
        {
            yield return ConfigError.Invalid(PortsSection.TurnRelayPorts, $"\"{relay}\"",
                $"a range of at least {quotas.Total} ports: the TURN total quota ({quotas.TotalSource}) allows {quotas.Total} allocations and each holds one relay port");
        }
    }

    private static string Name(Protocol p) => p.ToString().ToUpperInvariant();

    /// <summary><c>report/ports.md</c>: every media port, and the firewall rules the mode needs.</summary>
    public string ToMarkdown(string stack, NodesSpec nodes) =>
        Mode == MediaExposure.HostNetwork ? HostNetworkMarkdown(stack, nodes) : ServiceMarkdown(stack, nodes);

    private string HostNetworkMarkdown(string stack, NodesSpec nodes)
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
            sb.AppendLine($"| {p.Component} | {p.Purpose} | {Name(p.Protocol)} | {p.Ports} | {OpenTo(p.Exposure)} | `{p.Key.Name}` |");
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

    private string ServiceMarkdown(string stack, NodesSpec nodes)
    {
        var nodePort = Mode == MediaExposure.NodePort;
        var sb = new StringBuilder();
        sb.AppendLine($"# Media ports: stack `{stack}` ({(nodePort ? "NodePort" : "LoadBalancer")} Services, no host networking)");
        sb.AppendLine();
        sb.AppendLine("The SFU runs in the pod network: NetworkPolicies guard it (report/network.md). LiveKit advertises the port it");
        sb.AppendLine("listens on, so every media port a client reaches has Service port = targetPort = the port LiveKit listens on" +
            (nodePort ? " = nodePort." : "; TURN/TLS is served on 443."));
        sb.AppendLine($"No port the pod binds lies in the ephemeral range ({Ephemeral}); no two overlap.");
        sb.AppendLine();
        sb.AppendLine($"| component | purpose | protocol | port(s) in the pod | {(nodePort ? "node port" : "load balancer port")} | open to | config key |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var p in Ordered())
        {
            sb.AppendLine($"| {p.Component} | {p.Purpose} | {Name(p.Protocol)} | {p.Ports} | {(p.ServicePort is { } sp ? sp.ToString() : "-")} | {OpenTo(p.Exposure)} | `{p.Key.Name}` |");
        }
        sb.AppendLine();
        sb.AppendLine(nodePort ? "## Firewall rules for every media node (inbound)" : "## Load balancer and firewall rules (inbound)");
        sb.AppendLine();
        sb.AppendLine(nodePort
            ? "Open to the internet (`0.0.0.0/0`, `::/0`) on the media nodes' public addresses (node ports):"
            : "Each SFU's load balancer forwards from the internet (`0.0.0.0/0`, `::/0`); allow the same on the cloud firewall of its address:");
        sb.AppendLine();
        foreach (var g in ServicePorts.Where(p => p.Exposure == Exposure.Internet).GroupBy(p => p.Protocol).OrderBy(g => g.Key))
        {
            sb.AppendLine($"- allow {Name(g.Key)} {string.Join(", ", g.Select(p => p.ServicePort!.Value).Distinct().Order())}");
        }
        sb.AppendLine();
        sb.AppendLine("The API/WebSocket port is reached through the Gateway or ingress; metrics from Prometheus; the relay range is");
        sb.AppendLine("never reached from outside (the relay's own sockets: replies return through the node's connection tracking).");
        sb.AppendLine("externalTrafficPolicy is Local: the client's source address is kept and each node or load balancer sends only to");
        sb.AppendLine("the SFU on the receiving node. Not so for a pod's own traffic to a node port or a load-balancer address, which");
        sb.AppendLine("kube-proxy sends to any endpoint of the Service (kubernetes pkg/proxy/iptables/proxier.go, \"pod traffic for ...");
        sb.AppendLine("external destinations\"), as it does with LiveKit's TURN relay, which sends relayed media to the SFU's advertised address:");
        sb.AppendLine(nodePort
            ? "behind the one NodePort Service, where that address is the node's own, it can reach another node's SFU, and that\n" +
              "relayed call fails: with more than one media node, relayed calls are unreliable in this mode."
            : "each load balancer's Service selects its own SFU only, so the relay's media stays with it.");
        return sb.ToString();
    }

    private static string OpenTo(Exposure e) => e switch
    {
        Exposure.Internet => "internet",
        Exposure.Cluster => "cluster only",
        _ => "nobody (pod only)",
    };

    private IEnumerable<MediaPort> Ordered() =>
        Ports.OrderBy(p => p.Ports.First).ThenBy(p => p.Protocol).ThenBy(p => p.Component, StringComparer.Ordinal);

    private IEnumerable<(Protocol, string)> Grouped(Exposure exposure) =>
        Ports.Where(p => p.Exposure == exposure)
            .GroupBy(p => p.Protocol)
            .OrderBy(g => g.Key)
            .Select(g => (g.Key, string.Join(", ", g.Select(p => p.Ports).Distinct().OrderBy(r => r.First))));
}
