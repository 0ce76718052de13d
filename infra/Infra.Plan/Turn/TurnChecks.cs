using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Turn;

/// <summary>TURN rules that involve keys of several sections.</summary>
public static class TurnChecks
{
    public static IEnumerable<ConfigError> Check(EnvironmentSpec spec)
    {
        // The init script matches a pair by the node's own address (status.hostIP): a private address outside
        // the node CIDRs can never match, and the node would advertise its private address to clients.
        foreach (var pair in spec.Turn.ExternalIps.Where(p => spec.Nodes.NodeCidrs.Count > 0 && !spec.Nodes.NodeCidrs.Any(c => c.Contains(p.Private))))
        {
            yield return ConfigError.Invalid(TurnSection.ExternalIps, $"\"{pair.Private}={pair.Public}\"",
                $"a private address inside {NodesSection.NodeCidrs.FullName} ({string.Join(", ", spec.Nodes.NodeCidrs)}): it is matched against each media node's own address");
        }
        var duplicates = spec.Turn.ExternalIps.GroupBy(p => p.Private).Where(g => g.Count() > 1).Select(g => g.Key);
        foreach (var address in duplicates)
        {
            yield return ConfigError.Invalid(TurnSection.ExternalIps, $"\"{address}\"", "each private address at most once");
        }
    }
}
