using Infra.Plan.Net;
using Infra.Plan.Policy;

namespace Infra.Plan.Tests.Checks;

/// <summary>
/// No host-network pod of the plan listens on a port outside the port plan (the firewall rules in report/ports.md are
/// written from the plan, so such a port would be closed or, worse, opened by hand without review). The port plan's own
/// rules (no overlaps, nothing in the NodePort or ephemeral range) are a config rule: Checks/ConfigRules.cs HostPortPlan.
/// </summary>
public static class PortPolicy
{
    public static IEnumerable<CheckViolation> Check(PolicyInput plan, IReadOnlyList<WorkloadView> workloads)
    {
        var ports = plan.Ports;
        foreach (var w in workloads.Where(w => w.HostNetwork && w.Pod is not null))
        {
            foreach (var c in w.Containers)
            {
                foreach (var (port, proto) in c.Ports)
                {
                    var protocol = proto == "UDP" ? Protocol.Udp : Protocol.Tcp;
                    if (!ports.Ports.Any(h => h.Protocol == protocol && h.Ports.Contains(port)))
                    {
                        yield return new CheckViolation(CheckRule.PortPlan, $"{w.Subject} container {c.Name}",
                            $"listens on host port {port}/{proto.ToLowerInvariant()}, which is not in the port plan");
                    }
                }
            }
        }
    }
}
