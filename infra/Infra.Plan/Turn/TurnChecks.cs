using Infra.Plan.Net;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Turn;

/// <summary>TURN rules that involve keys of several sections.</summary>
public static class TurnChecks
{
    // Each group is one rule of Checks/ConfigRules.cs.

    /// <summary>
    /// The pod, service and node CIDRs become denied-peer-ip rules. coturn reads a range that starts at :: as holding every
    /// IPv4 address too (DeniedPeers.CoturnMatches): such a CIDR would make coturn refuse every peer.
    /// </summary>
    public static IEnumerable<ConfigError> DeniedRangeChecks(EnvironmentSpec spec)
    {
        var nodes = spec.Nodes;
        foreach (var (key, cidrs) in new[] { (NodesSection.PodCidrs, nodes.PodCidrs), (NodesSection.ServiceCidrs, nodes.ServiceCidrs), (NodesSection.NodeCidrs, nodes.NodeCidrs) })
        {
            foreach (var cidr in cidrs.Where(c => c.Family == System.Net.Sockets.AddressFamily.InterNetworkV6 && IpRange.ToNumber(c.Network) == 0))
            {
                yield return ConfigError.Invalid(key, $"\"{cidr}\"",
                    "an IPv6 range that does not start at ::: coturn reads such a denied-peer-ip range as holding every address and would relay to no peer");
            }
        }
    }

    public static IEnumerable<ConfigError> MappingChecks(EnvironmentSpec spec)
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

    /// <summary>
    /// Where each media node's public address comes from. A node address in a private range is unreachable from
    /// the internet: coturn must advertise the node's public address (external-ip), found by discovery (the Node's
    /// ExternalIP) or given as a mapping. With neither, every relay candidate would be a private address and
    /// TURN would silently not work; the init script would stop the pod, but the plan can say so at preview.
    /// </summary>
    public static IEnumerable<ConfigError> PublicAddressChecks(EnvironmentSpec spec)
    {
        var turn = spec.Turn;
        var nodes = spec.Nodes;
        var privateCidrs = nodes.NodeCidrs.Where(PrivateAddresses.Overlaps).ToArray();
        if (!turn.DiscoverExternalIp && privateCidrs.Length > 0)
        {
            if (turn.ExternalIps.Count == 0)
            {
                yield return new ConfigError(TurnSection.ExternalIpDiscovery.FullName,
                    $"is false and {TurnSection.ExternalIps.FullName} maps no node, but {NodesSection.NodeCidrs.FullName} " +
                    $"({string.Join(", ", privateCidrs)}) holds private addresses: coturn would hand clients private relay addresses. " +
                    $"Set {TurnSection.ExternalIpDiscovery.FullName}: true (the Node's ExternalIP), or map each media node as private=public in {TurnSection.ExternalIps.FullName}");
            }
            else if (privateCidrs.Length == nodes.NodeCidrs.Count && turn.ExternalIps.Count < nodes.MediaNodeCount)
            {
                yield return new ConfigError(TurnSection.ExternalIps.FullName,
                    $"maps {turn.ExternalIps.Count} node(s) but {NodesSection.MediaNodeCount.FullName} is {nodes.MediaNodeCount} and every address in " +
                    $"{NodesSection.NodeCidrs.FullName} is private: an unmapped node's coturn would not start. Map every media node, " +
                    $"or set {TurnSection.ExternalIpDiscovery.FullName}: true");
            }
        }
        // The discovery step talks HTTPS to the API with `openssl s_client`: the Debian-based official images have it
        // (ca-certificates depends on openssl), the Alpine ones do not (coturn/coturn docker/coturn/alpine/Dockerfile
        // installs only the libraries).
        // (An image without a usable release is refused by CoturnVersion already.)
        if (turn.DiscoverExternalIp && spec.Images.Coturn.Tag.Contains("alpine", StringComparison.OrdinalIgnoreCase) &&
            Components.Coturn.CoturnVersion.FromImage(spec.Images.Coturn) is not null)
        {
            yield return ConfigError.Invalid(ImagesSection.CoturnImage, $"\"{spec.Images.Coturn}\"",
                $"a Debian-based coturn image (e.g. coturn/coturn:4.17.2) while {TurnSection.ExternalIpDiscovery.FullName} is true: " +
                "the Alpine variant has no openssl command, which the init container uses to read the Node's ExternalIP");
        }
    }

    /// <summary>The SFU's STUN fallbacks must not be the TURN host again (LivekitPlan.StunServers puts it first already).</summary>
    public static IEnumerable<ConfigError> StunChecks(EnvironmentSpec spec)
    {
        foreach (var own in spec.Sfu.StunServers.Where(s => string.Equals(s.Host, spec.Site.TurnHost, StringComparison.OrdinalIgnoreCase)))
        {
            yield return ConfigError.Invalid(SfuSection.StunServers, $"\"{own}\"",
                $"STUN servers outside this deployment: {SiteSection.TurnHost.FullName} ({spec.Site.TurnHost}) is asked first anyway, " +
                "and a fallback on the same coturn nodes does not help an SFU start while they are down");
        }
    }
}
