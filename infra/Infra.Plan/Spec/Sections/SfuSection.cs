using System.Net;
using System.Net.Sockets;

namespace Infra.Plan.Spec.Sections;

/// <summary>SFU behaviour the tier does not decide.</summary>
/// <param name="DrainSeconds">terminationGracePeriodSeconds: how long a stopping SFU may keep serving its calls.</param>
/// <param name="Replicas">SFU pods; null means what the tier and the capacity model need.</param>
/// <param name="StunServers">Asked for the SFU's public address after the TURN host's own coturn (LivekitPlan.StunServers).</param>
/// <param name="Media">How clients reach the media ports: host network, NodePort or load balancers.</param>
public sealed record SfuSpec(int DrainSeconds, int? Replicas, string LogLevel, IReadOnlyList<StunServer> StunServers, MediaSpec Media);

public static partial class SfuSection
{
    public static readonly ConfigKey DrainSeconds = new("sfuDrainSeconds", ConfigType.Integer,
        "Seconds a stopping SFU keeps serving its calls before it is killed (terminationGracePeriodSeconds, >= 60).", 10800);
    public static readonly ConfigKey Replicas = new("sfuReplicas", ConfigType.Integer,
        "SFU pods (one per media node); 0 means what the tier and capacity model need.", 0);
    public static readonly ConfigKey LogLevel = new("sfuLogLevel", ConfigType.String,
        "LiveKit log level: debug, info, warn or error.", "info");

    // LiveKit's own defaults when no STUN server is configured (livekit/mediatransportutil pkg/rtcconfig/config.go,
    // DefaultStunServers): the servers an SFU without any STUN config would ask anyway.
    public static readonly ConfigKey StunServers = new("sfuStunServers", ConfigType.StringArray,
        "STUN servers (host:port) the SFU asks for its public address at start when the TURN host's own coturn does not answer: " +
        "LiveKit exits after three rounds without an answer, so at least one outside this deployment.",
        new[] { "global.stun.twilio.com:3478", "stun.l.google.com:19302", "stun1.l.google.com:19302" });

    public static readonly ConfigKey MediaExposureKey = new("sfuMediaExposure", ConfigType.String,
        "How clients reach the SFU's media: hostNetwork (SFU and coturn on the media nodes' host network), nodePort (one SFU " +
        "per media node behind a NodePort Service, LiveKit's own TURN; for clusters that forbid host networking) or " +
        "loadBalancer (one SFU per address in sfuLoadBalancerAddresses, LiveKit's own TURN, TURN/TLS on 443).", "hostNetwork");
    public static readonly ConfigKey NodeAddress = new("sfuNodeAddress", ConfigType.String,
        "With nodePort: the address each SFU advertises: stun (its node's public address 1:1-NATed to it, asked by STUN) or " +
        "hostIP (the node's own address, where it is public).", "stun");
    public static readonly ConfigKey LoadBalancerAddresses = new("sfuLoadBalancerAddresses", ConfigType.StringArray,
        "With loadBalancer: the load balancers' IP addresses (reserved beforehand), one SFU each; LiveKit advertises its " +
        "address, so it must be the address clients reach.", Array.Empty<string>());
    public static readonly ConfigKey LoadBalancerProviderKey = new("sfuLoadBalancerProvider", ConfigType.String,
        "With loadBalancer: how the address is asked for and whether TCP and UDP share one Service: generic (one mixed " +
        "Service, spec.loadBalancerIP), gke, aks or metallb (one Service per protocol sharing the address).", "generic");

    public static readonly ConfigKey LoadBalancerAnnotations = new("sfuLoadBalancerAnnotations", ConfigType.StringArray,
        "With loadBalancer: annotations (key=value) added to every media Service, for what the provider table does not set " +
        "(e.g. AWS Load Balancer Controller: service.beta.kubernetes.io/aws-load-balancer-nlb-target-type=ip).", Array.Empty<string>());

    public static IReadOnlyList<ConfigKey> Keys { get; } =
        [DrainSeconds, Replicas, LogLevel, StunServers, MediaExposureKey, NodeAddress, LoadBalancerAddresses, LoadBalancerProviderKey, LoadBalancerAnnotations];

    private static readonly Dictionary<string, MediaExposure> Exposures = new()
    {
        ["hostNetwork"] = MediaExposure.HostNetwork,
        ["nodePort"] = MediaExposure.NodePort,
        ["loadBalancer"] = MediaExposure.LoadBalancer,
    };

    /// <summary>The config value of <paramref name="exposure"/> (as reports print it).</summary>
    public static string Name(MediaExposure exposure) => Exposures.Single(e => e.Value == exposure).Key;

    private static readonly Dictionary<string, NodeAddressSource> NodeAddresses = new()
    {
        ["stun"] = NodeAddressSource.Stun,
        ["hostIP"] = NodeAddressSource.HostIp,
    };

    /// <summary>The media exposure keys; read before the ports, whose defaults follow the mode.</summary>
    public static MediaSpec ReadMedia(ConfigReader r)
    {
        var exposure = r.Choice(MediaExposureKey, Exposures, MediaExposure.HostNetwork);
        var nodeAddress = r.Choice(NodeAddress, NodeAddresses, NodeAddressSource.Stun);
        var provider = r.Choice(LoadBalancerProviderKey, LoadBalancerProvider.ByName, LoadBalancerProvider.ByName["generic"]);
        var addresses = new List<IPAddress>();
        foreach (var item in r.List(LoadBalancerAddresses))
        {
            // IPAddress.TryParse takes "10" or "10.1" as IPv4 shorthands: only dotted quads and IPv6 are addresses here.
            if (IPAddress.TryParse(item, out var ip) && (ip.AddressFamily == AddressFamily.InterNetworkV6 || item.Count(c => c == '.') == 3))
            {
                addresses.Add(ip);
            }
            else
            {
                r.Fail(LoadBalancerAddresses, $"\"{item}\"", "IP addresses such as 203.0.113.10 or 2001:db8::10");
            }
        }
        var annotations = new List<KeyValuePair<string, string>>();
        foreach (var item in r.List(LoadBalancerAnnotations))
        {
            var m = AnnotationPattern().Match(item);
            if (m.Success && annotations.All(a => a.Key != m.Groups["key"].Value))
            {
                annotations.Add(new(m.Groups["key"].Value, m.Groups["value"].Value));
            }
            else
            {
                r.Fail(LoadBalancerAnnotations, $"\"{item}\"", "annotations as key=value, each key once, e.g. service.beta.kubernetes.io/aws-load-balancer-scheme=internet-facing");
            }
        }
        if (addresses.Distinct().Count() != addresses.Count)
        {
            r.Fail(LoadBalancerAddresses, "addresses that differ: each SFU advertises its own, so two SFUs on one address would take each other's media");
        }
        if (exposure == MediaExposure.LoadBalancer && addresses.Count == 0 && r.Errors.All(e => e.Key != LoadBalancerAddresses.FullName))
        {
            r.Fail(LoadBalancerAddresses, "[]", $"at least one address with {MediaExposureKey.Name} loadBalancer: LiveKit advertises one address " +
                "(rtc.node_ip), so the plan runs one SFU per load-balancer address and needs them before anything is applied");
        }
        // A key that means nothing in the chosen mode is a mistake the operator would not see otherwise.
        foreach (var (key, mode) in new[] { (NodeAddress, MediaExposure.NodePort), (LoadBalancerAddresses, MediaExposure.LoadBalancer),
                     (LoadBalancerProviderKey, MediaExposure.LoadBalancer), (LoadBalancerAnnotations, MediaExposure.LoadBalancer) })
        {
            if (r.IsChosen(key) && exposure != mode && r.Errors.All(e => e.Key != key.FullName))
            {
                r.Fail(key, $"unset unless {MediaExposureKey.FullName} is {Name(mode)} (it is {Name(exposure)})");
            }
        }
        return new MediaSpec(exposure, nodeAddress, addresses, provider, annotations);
    }

    /// <summary>An annotation: a qualified name (optional DNS prefix and /), then = and any value.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^(?<key>" + NodesSection.QualifiedKey + @")=(?<value>.*)$")]
    private static partial System.Text.RegularExpressions.Regex AnnotationPattern();

    private static readonly Dictionary<string, string> Levels = new()
    {
        ["debug"] = "debug",
        ["info"] = "info",
        ["warn"] = "warn",
        ["error"] = "error",
    };

    /// <summary>Below a minute a stopping SFU cannot even tell its clients to move: calls would just drop.</summary>
    public const int MinDrainSeconds = 60;

    public static SfuSpec Read(ConfigReader r, MediaSpec media)
    {
        var drain = r.Int(DrainSeconds, 0, 86_400);
        if (drain < MinDrainSeconds)
        {
            r.Fail(DrainSeconds, $"a whole number of seconds from {MinDrainSeconds} to 86400: a stopping SFU keeps serving its calls for this long " +
                "(terminationGracePeriodSeconds); the default 10800 lets a 3-hour call finish");
            drain = (int)DrainSeconds.Default!;
        }
        var replicas = r.Int(Replicas, 0, 1000);
        var stun = new List<StunServer>();
        foreach (var item in r.List(StunServers))
        {
            if (StunServer.TryParse(item, out var server))
            {
                stun.Add(server);
            }
            else
            {
                r.Fail(StunServers, $"\"{item}\"", "STUN servers as host:port, e.g. stun.l.google.com:19302 or [2001:db8::1]:3478");
            }
        }
        // Only STUN-advertised SFUs ask anyone (hostNetwork, nodePort with stun); the others are told their address.
        var usesStun = media.Exposure == MediaExposure.HostNetwork || (media.Exposure == MediaExposure.NodePort && media.NodeAddress == NodeAddressSource.Stun);
        if (usesStun && stun.Count == 0 && r.Errors.All(e => e.Key != StunServers.FullName))
        {
            // With only the deployment's own coturn, an SFU cannot start while that coturn is down (LivekitPlan.StunServers).
            r.Fail(StunServers, "[]", "at least one STUN server outside this deployment: LiveKit exits at start when no STUN server answers, " +
                "and the TURN host's own coturn may be the one that is down");
        }
        return new SfuSpec(drain, replicas == 0 ? null : replicas, r.Choice(LogLevel, Levels, "info"), stun, media);
    }
}
