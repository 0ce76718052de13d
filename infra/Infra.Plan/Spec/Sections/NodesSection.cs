using System.Text.RegularExpressions;
using Infra.Plan.Net;

namespace Infra.Plan.Spec.Sections;

/// <summary>A node label requirement, <c>key=value</c>.</summary>
public sealed record NodeLabel(string Key, string Value)
{
    public override string ToString() => $"{Key}={Value}";
}

/// <summary>A toleration, written <c>key=value:Effect</c> or <c>key:Effect</c> (operator Exists).</summary>
public sealed record NodeToleration(string Key, string? Value, string Effect)
{
    public override string ToString() => Value is null ? $"{Key}:{Effect}" : $"{Key}={Value}:{Effect}";
}

/// <summary>The cluster around the deployment: media nodes, address ranges, the kernel's ephemeral ports.</summary>
public sealed record NodesSpec(
    IReadOnlyList<NodeLabel> MediaNodeSelector,
    IReadOnlyList<NodeToleration> MediaNodeTolerations,
    int MediaNodeCount,
    IReadOnlyList<Cidr> PodCidrs,
    IReadOnlyList<Cidr> ServiceCidrs,
    IReadOnlyList<Cidr> NodeCidrs,
    PortRange EphemeralPorts,
    int NodePodMaskIpv4,
    int NodePodMaskIpv6);

public static partial class NodesSection
{
    public static readonly ConfigKey MediaNodeSelector = new("mediaNodeSelector", ConfigType.StringArray,
        "Labels (key=value) of the nodes that run the SFU and coturn.", new[] { "matrix-rtc/media=true" });
    public static readonly ConfigKey MediaNodeTolerations = new("mediaNodeTolerations", ConfigType.StringArray,
        "Taints of the media nodes to tolerate, as key=value:Effect or key:Effect.", Array.Empty<string>());
    public static readonly ConfigKey MediaNodeCount = new("mediaNodeCount", ConfigType.Integer,
        "How many media nodes carry the selector labels (one SFU per node).", 1);
    public static readonly ConfigKey PodCidrs = new("podCidrs", ConfigType.StringArray,
        "The cluster's pod CIDRs (denied as TURN peers).", new[] { "10.244.0.0/16" });
    public static readonly ConfigKey ServiceCidrs = new("serviceCidrs", ConfigType.StringArray,
        "The cluster's service CIDRs (denied as TURN peers).", new[] { "10.96.0.0/12" });
    public static readonly ConfigKey NodeCidrs = new("nodeCidrs", ConfigType.StringArray,
        "CIDRs of the nodes' internal addresses (host-network traffic comes from here). Required.", Required: true);
    public static readonly ConfigKey EphemeralPortRange = new("ephemeralPortRange", ConfigType.String,
        "The media nodes' net.ipv4.ip_local_port_range; no host port may fall inside it.", "32768-60999");

    public static readonly ConfigKey NodePodCidrMaskSizeIpv4 = new("nodePodCidrMaskSizeIpv4", ConfigType.Integer,
        "Prefix length of each node's IPv4 pod subnet (kube-controller-manager --node-cidr-mask-size-ipv4). With cni flannel, " +
        "each subnet's first address is a node's flannel.1 address, which host-network traffic comes from.", 24);
    public static readonly ConfigKey NodePodCidrMaskSizeIpv6 = new("nodePodCidrMaskSizeIpv6", ConfigType.Integer,
        "Prefix length of each node's IPv6 pod subnet (--node-cidr-mask-size-ipv6); used like nodePodCidrMaskSizeIpv4.", 64);

    public static IReadOnlyList<ConfigKey> Keys { get; } =
        [MediaNodeSelector, MediaNodeTolerations, MediaNodeCount, PodCidrs, ServiceCidrs, NodeCidrs, EphemeralPortRange,
         NodePodCidrMaskSizeIpv4, NodePodCidrMaskSizeIpv6];

    private static readonly string[] Effects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

    public static NodesSpec Read(ConfigReader r)
    {
        var selector = new List<NodeLabel>();
        foreach (var item in r.List(MediaNodeSelector))
        {
            var m = LabelPattern().Match(item);
            if (m.Success)
            {
                selector.Add(new NodeLabel(m.Groups["key"].Value, m.Groups["value"].Value));
            }
            else
            {
                r.Fail(MediaNodeSelector, $"\"{item}\"", "labels as key=value, e.g. matrix-rtc/media=true");
            }
        }
        if (selector.Count == 0 && r.Errors.All(e => e.Key != MediaNodeSelector.FullName))
        {
            r.Fail(MediaNodeSelector, "[]", "at least one key=value label: media pods must land on prepared nodes");
        }

        var tolerations = new List<NodeToleration>();
        foreach (var item in r.List(MediaNodeTolerations))
        {
            var m = TolerationPattern().Match(item);
            if (m.Success && Effects.Contains(m.Groups["effect"].Value))
            {
                tolerations.Add(new NodeToleration(m.Groups["key"].Value,
                    m.Groups["value"].Success ? m.Groups["value"].Value : null, m.Groups["effect"].Value));
            }
            else
            {
                r.Fail(MediaNodeTolerations, $"\"{item}\"", "key=value:Effect or key:Effect with Effect one of " + string.Join(", ", Effects));
            }
        }

        var count = r.Int(MediaNodeCount, 1, 1000);
        var pods = Cidrs(r, PodCidrs);
        var services = Cidrs(r, ServiceCidrs);
        var nodes = Cidrs(r, NodeCidrs);
        foreach (var node in nodes)
        {
            foreach (var pod in pods.Where(node.Overlaps))
            {
                r.Fail(NodeCidrs, $"\"{node}\"", $"a range that does not overlap the pod CIDR {pod} ({PodCidrs.FullName})");
            }
            foreach (var svc in services.Where(node.Overlaps))
            {
                r.Fail(NodeCidrs, $"\"{node}\"", $"a range that does not overlap the service CIDR {svc} ({ServiceCidrs.FullName})");
            }
        }

        var ephemeralText = r.String(EphemeralPortRange);
        if (!PortRange.TryParse(ephemeralText, out var ephemeral) || ephemeral.Count < 1000)
        {
            r.Fail(EphemeralPortRange, "a port range low-high such as 32768-60999 (at least 1000 ports)");
            ephemeral = new PortRange(32768, 60999);
        }
        return new NodesSpec(selector, tolerations, count, pods, services, nodes, ephemeral,
            r.Int(NodePodCidrMaskSizeIpv4, 1, 32), r.Int(NodePodCidrMaskSizeIpv6, 1, 128));
    }

    private static IReadOnlyList<Cidr> Cidrs(ConfigReader r, ConfigKey key)
    {
        var result = new List<Cidr>();
        foreach (var item in r.List(key))
        {
            if (Cidr.TryParse(item, out var cidr))
            {
                result.Add(cidr);
            }
            else
            {
                r.Fail(key, $"\"{item}\"", "CIDRs such as 10.0.0.0/16 or fd00::/64, with no host bits set");
            }
        }
        return result;
    }

    /// <summary>A Kubernetes qualified name, as label, taint and annotation keys are: an optional DNS prefix and /, then the name.</summary>
    public const string QualifiedKey = @"([a-z0-9]([a-z0-9.-]*[a-z0-9])?/)?[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?";

    /// <summary>A label as <c>key=value</c> (the value a label value: empty, or up to 63 characters).</summary>
    public const string LabelPair = @"^(?<key>" + QualifiedKey + @")=(?<value>([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?)$";

    [GeneratedRegex(LabelPair)]
    private static partial Regex LabelPattern();

    [GeneratedRegex(@"^(?<key>" + QualifiedKey + @")(=(?<value>[A-Za-z0-9._-]{0,63}))?:(?<effect>[A-Za-z]+)$")]
    private static partial Regex TolerationPattern();
}
