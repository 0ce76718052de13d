using Infra.Plan.Net;

namespace Infra.Plan.Policy;

/// <summary>One host port (or range) a media node must give to one purpose.</summary>
public sealed record HostPort(string Owner, Protocol Protocol, PortRange Ports)
{
    public override string ToString() => $"{Owner} {Ports}/{Protocol.ToString().ToLowerInvariant()}";
}

/// <summary>
/// The port plan holds on every media node: SFU and coturn share the host network, so no two of their ports
/// may overlap, none may sit in the NodePort range (kube-proxy owns it) or the kernel's ephemeral range (an
/// outgoing connection could take it first), and no host-network pod of the plan listens on a port outside it.
/// </summary>
public static class PortPolicy
{
    public static readonly PortRange NodePorts = new(30000, 32767);

    public static IReadOnlyList<HostPort> Planned(EnvironmentPlan plan)
    {
        var p = plan.Spec.Ports;
        var ports = new List<HostPort>
        {
            new("SFU API", Protocol.Tcp, PortRange.Single(p.SfuApi)),
            new("SFU ICE-TCP", Protocol.Tcp, PortRange.Single(p.SfuRtcTcp)),
            new("SFU media", Protocol.Udp, PortRange.Single(p.SfuRtcUdp)),
            new("SFU metrics", Protocol.Tcp, PortRange.Single(p.SfuMetrics)),
            new("TURN", Protocol.Udp, PortRange.Single(p.Turn)),
            new("TURN", Protocol.Tcp, PortRange.Single(p.Turn)),
            new("TURN TLS", Protocol.Tcp, PortRange.Single(p.TurnTls)),
            new("TURN relay", Protocol.Udp, p.TurnRelay),
            new("TURN metrics", Protocol.Tcp, PortRange.Single(p.TurnMetrics)),
        };
        if (p.TurnTlsOn443)
        {
            ports.Add(new("TURN TLS on 443", Protocol.Tcp, PortRange.Single(443)));
        }
        return ports;
    }

    public static IEnumerable<PolicyViolation> Check(EnvironmentPlan plan, IReadOnlyList<WorkloadView> workloads)
    {
        var planned = Planned(plan);
        var ephemeral = plan.Spec.Nodes.EphemeralPorts;
        for (var i = 0; i < planned.Count; i++)
        {
            var a = planned[i];
            for (var j = i + 1; j < planned.Count; j++)
            {
                var b = planned[j];
                if (a.Protocol == b.Protocol && a.Ports.Overlaps(b.Ports))
                {
                    yield return new PolicyViolation(PolicyRule.PortPlan, $"{a} and {b}", "overlap on the media nodes' host network");
                }
            }
            if (a.Ports.Overlaps(NodePorts))
            {
                yield return new PolicyViolation(PolicyRule.PortPlan, a.ToString(), $"falls in the NodePort range {NodePorts}");
            }
            if (a.Ports.Overlaps(ephemeral))
            {
                yield return new PolicyViolation(PolicyRule.PortPlan, a.ToString(), $"falls in the ephemeral port range {ephemeral} (matrix-rtc:ephemeralPortRange)");
            }
        }
        foreach (var w in workloads.Where(w => w.HostNetwork && w.Pod is not null))
        {
            foreach (var c in w.Containers)
            {
                foreach (var (port, proto) in c.Ports)
                {
                    var protocol = proto == "UDP" ? Protocol.Udp : Protocol.Tcp;
                    if (!planned.Any(h => h.Protocol == protocol && h.Ports.Contains(port)))
                    {
                        yield return new PolicyViolation(PolicyRule.PortPlan, $"{w.Subject} container {c.Name}",
                            $"listens on host port {port}/{proto.ToLowerInvariant()}, which is not in the port plan");
                    }
                }
            }
        }
    }
}
