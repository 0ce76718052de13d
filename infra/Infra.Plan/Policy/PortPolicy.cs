using Infra.Plan.Net;
using Infra.Plan.Ports;

namespace Infra.Plan.Policy;

/// <summary>
/// The port plan holds on every media node: the rules of <see cref="PortPlan"/> (no two host ports of the SFU and
/// coturn overlap, none in the NodePort or ephemeral range), and no host-network pod of the plan listens on a
/// port outside it (the firewall rules in report/ports.md are written from the plan, so such a port would be closed
/// or, worse, opened by hand without review).
/// </summary>
public static class PortPolicy
{
    public static IEnumerable<PolicyViolation> Check(EnvironmentPlan plan, IReadOnlyList<WorkloadView> workloads)
    {
        var ports = PortPlan.For(plan.Spec);
        foreach (var error in ports.Check())
        {
            yield return new PolicyViolation(PolicyRule.PortPlan, error.Key, error.Message);
        }
        foreach (var w in workloads.Where(w => w.HostNetwork && w.Pod is not null))
        {
            foreach (var c in w.Containers)
            {
                foreach (var (port, proto) in c.Ports)
                {
                    var protocol = proto == "UDP" ? Protocol.Udp : Protocol.Tcp;
                    if (!ports.Ports.Any(h => h.Protocol == protocol && h.Ports.Contains(port)))
                    {
                        yield return new PolicyViolation(PolicyRule.PortPlan, $"{w.Subject} container {c.Name}",
                            $"listens on host port {port}/{proto.ToLowerInvariant()}, which is not in the port plan");
                    }
                }
            }
        }
    }
}
