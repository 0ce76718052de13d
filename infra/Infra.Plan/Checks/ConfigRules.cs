using Infra.Plan.Components.Coturn;
using Infra.Plan.Components.Network;
using Infra.Plan.Components.Synapse;
using Infra.Plan.Sizing;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;
using Infra.Plan.Turn;

namespace Infra.Plan.Checks;

/// <summary>A rule over more than one key, or over a key and a derived value: it runs after parsing and derivation.</summary>
/// <param name="Name">Stable name, for tests and reviewers.</param>
/// <param name="Why">What breaks without it.</param>
public sealed record ConfigRule(string Name, string Why, Func<Derived, IEnumerable<ConfigError>> Check);

/// <summary>
/// Every cross-key config rule, as a table (single-key rules live with their key in Spec/Sections; rules over the
/// finished plan are the policies in Policy/). Each rule is here once; its body lives with the part it protects.
/// </summary>
public static class ConfigRules
{
    /// <summary>LiveKit gained <c>rtc.turn_servers[].secret_file</c> in v1.13.0; older servers would need the secret in plain config.</summary>
    public static readonly Version MinimumLivekit = new(1, 13, 0);

    // coturn's rules (relay quota, release, NAT, denied ranges, the STUN fallback beside it) hold only where coturn
    // runs: on the host network (sfuMediaExposure hostNetwork).
    public static IReadOnlyList<ConfigRule> All { get; } =
    [
        new("TierCarriesCalls", "a tier sized for fewer calls would be overloaded at the stated load", TierCarriesCalls),
        new("SfuPerMediaNode", "one SFU per media node (host ports, node ports with externalTrafficPolicy Local, a node-sized SFU)", SfuPerMediaNode),
        new("LoadBalancerAddressPerSfu", "LiveKit advertises one address: one SFU per load-balancer address", LoadBalancerAddressPerSfu),
        new("NodeAddressRelayLoop", "LiveKit's TURN relays to its own node's address, which kube-proxy spreads over every SFU", NodeAddressRelayLoop),
        new("LivekitMinimumVersion", "older LiveKit servers need the TURN secret in their plain config", LivekitVersion),
        new("RedisImageLicence", "Redis 7.4+ is RSAL/SSPL and 8.x adds AGPL; Bitnami's free images are no longer updated", d => RedisSection.CheckImage(d.Spec.Images.Redis)),
        new("ProductionMediaRelayDigest", "a tag can be moved, a digest cannot", ProductionMediaRelayDigest),
        new("ProductionTrustedTls", "browsers and Element X reject self-signed certificates for wss and turns", ProductionTrustedTls),
        new("HostPortPlan", "media ports that overlap, sit in the ephemeral range, or miss the NodePort range rule of their mode fail to bind or to be reached", d => d.Ports.Check()),
        new("RelayRangeHoldsQuota", "an allocation holds one relay port: a quota above the range fails allocations early", CoturnOnly(d => d.Ports.CheckRelayCapacity(d.TurnQuotas))),
        new("CoturnRelease", "turnserver.conf is generated for the coturn release in the image tag", CoturnOnly(d => CoturnVersion.Check(d.Spec))),
        new("TurnExternalIps", "a NAT pair is matched against each media node's own address", CoturnOnly(d => TurnChecks.MappingChecks(d.Spec))),
        new("TurnPublicAddress", "a node with a private address and no discovered or mapped public one hands out private relay addresses", CoturnOnly(d => TurnChecks.PublicAddressChecks(d.Spec))),
        new("TurnDeniedRanges", "coturn reads a denied range starting at :: as holding every peer", CoturnOnly(d => TurnChecks.DeniedRangeChecks(d.Spec))),
        new("SfuStunFallback", "LiveKit exits at start when no STUN server answers; the TURN host's coturn may be down", CoturnOnly(d => TurnChecks.StunChecks(d.Spec))),
        new("SynapseExistingConfig", "the fragment replaces whole top-level sections of homeserver.yaml", SynapseExistingConfig),
        new("WellKnownClientExisting", "the rtc_foci entry is merged into the served document", WellKnownClientExisting),
        new("SynapseUrlClusterDomain", "a Service name in another DNS zone resolves nowhere in this cluster",
            d => SynapseSection.CheckClusterDomain(d.Spec.Synapse, d.Spec.Cluster.ClusterDomain)),
        new("DnsServiceInServiceCidrs", "the DNS Service's ClusterIP lies in a service CIDR; another address admits nothing useful",
            d => DnsAddresses.CheckServiceIp(NetworkInput.From(d))),
        new("FlannelTunnelAddresses", "flannel's tunnel addresses are each node subnet's first address, one ipBlock each",
            d => HostSources.CheckFlannel(NetworkInput.From(d))),
        new("RoutingKeysOfTheOtherMode", "a key of the routing mode not in use is ignored: policies would admit pods that carry no traffic",
            d => RoutingSection.CheckOtherModeKeys(d.Spec)),
        new("EgressStorageTls", "over plain http the S3 keys and every recording cross the network readable", d => EgressSection.CheckProduction(d.Spec)),
    ];

    /// <summary>A rule about coturn: none where coturn does not run (without host networking).</summary>
    private static Func<Derived, IEnumerable<ConfigError>> CoturnOnly(Func<Derived, IEnumerable<ConfigError>> rule) =>
        d => d.Spec.Sfu.Media.HostNetwork ? rule(d) : [];

    /// <summary>Every error of every rule, in table order.</summary>
    public static IReadOnlyList<ConfigError> Check(Derived derived) => All.SelectMany(r => r.Check(derived)).ToList();

    private static IEnumerable<ConfigError> TierCarriesCalls(Derived d)
    {
        var load = d.Spec.Load;
        var calls = load.Calls ?? 0;
        var largest = TierCatalog.All[^1];
        if (load.Tier is { } tier)
        {
            var preset = TierCatalog.Get(tier);
            if (calls > preset.MaxCalls)
            {
                var fits = TierCatalog.SmallestFor(calls, 0);
                yield return ConfigError.Invalid(LoadSection.Calls, calls.ToString(),
                    $"at most {preset.MaxCalls} for tier {preset.Name} ({preset.MinCalls}-{preset.MaxCalls} calls); " +
                    (fits is null ? $"no tier carries more than {largest.MaxCalls}" : $"use tier {fits.Name} or tier auto"));
            }
        }
        else if (calls == 0)
        {
            yield return ConfigError.Invalid(LoadSection.Calls, "(not set)", $"a number of calls from 1 to {largest.MaxCalls} when {LoadSection.Tier.FullName} is auto");
        }
        else if (TierCatalog.SmallestFor(calls, calls * (load.ParticipantsPerCall ?? 0)) is null)
        {
            yield return ConfigError.Invalid(LoadSection.Calls, calls.ToString(),
                $"at most {largest.MaxCalls} calls and {largest.MaxParticipants} participants in all (the large tier)");
        }
    }

    private static IEnumerable<ConfigError> SfuPerMediaNode(Derived d)
    {
        var nodes = d.Spec.Nodes.MediaNodeCount;
        if (d.Sizing.SfuReplicas <= nodes)
        {
            yield break;
        }
        yield return d.Spec.Sfu.Replicas is { } replicas
            ? ConfigError.Invalid(SfuSection.Replicas, replicas.ToString(),
                $"at most {nodes} ({NodesSection.MediaNodeCount.FullName}): one SFU per media node, " +
                (d.Spec.Sfu.Media.HostNetwork ? "host ports cannot be shared" : "each SFU is sized for a node"))
            : ConfigError.Invalid(NodesSection.MediaNodeCount, nodes.ToString(),
                $"at least {d.Sizing.SfuReplicas}: tier {d.Sizing.Preset.Name} and the capacity model need {d.Sizing.SfuReplicas} SFU(s) and one SFU runs per media node");
    }

    private static IEnumerable<ConfigError> LoadBalancerAddressPerSfu(Derived d)
    {
        var media = d.Spec.Sfu.Media;
        if (media.Exposure != MediaExposure.LoadBalancer || media.LoadBalancerAddresses.Count == 0)
        {
            yield break;
        }
        if (d.Spec.Sfu.Replicas is { } replicas)
        {
            yield return ConfigError.Invalid(SfuSection.Replicas, replicas.ToString(),
                $"unset with {SfuSection.MediaExposureKey.FullName} loadBalancer: one SFU runs per address in {SfuSection.LoadBalancerAddresses.FullName}");
        }
        // As many SFUs as the tier and the load would plan (the capacity model's warnings apply to them as to any count).
        var planned = d.Sizing.PlannedWithoutOverride(d.Spec.Load.Explicit);
        if (media.LoadBalancerAddresses.Count < planned)
        {
            yield return ConfigError.Invalid(SfuSection.LoadBalancerAddresses, $"{media.LoadBalancerAddresses.Count} address(es)",
                $"at least {planned} addresses: tier {d.Sizing.Preset.Name} plans {planned} SFU(s) for {d.Sizing.Load.Calls} calls × " +
                $"{d.Sizing.Load.ParticipantsPerCall} participants, and each SFU advertises its own address");
        }
    }

    /// <summary>
    /// Behind a NodePort with <c>sfuNodeAddress: hostIP</c>, LiveKit's own TURN relays a client's media to its SFU's
    /// advertised address: its own node's address. kube-proxy treats a pod's traffic to a node port on its own node as
    /// "pod traffic for external destinations" and sends it by the Cluster policy, whatever externalTrafficPolicy says
    /// (kubernetes pkg/proxy/iptables/proxier.go), so with several SFUs it reaches another node's SFU, which knows no such
    /// call. With STUN the address is the cloud's 1:1 NAT address (the relay's packet leaves the node and comes back as
    /// outside traffic); behind load balancers each Service selects one SFU.
    /// </summary>
    private static IEnumerable<ConfigError> NodeAddressRelayLoop(Derived d)
    {
        var media = d.Spec.Sfu.Media;
        if (media.Exposure == MediaExposure.NodePort && media.NodeAddress == NodeAddressSource.HostIp && d.Sizing.SfuReplicas > 1)
        {
            yield return ConfigError.Invalid(SfuSection.NodeAddress, "\"hostIP\"",
                $"stun with {d.Sizing.SfuReplicas} SFUs: LiveKit's TURN relays to its own node's address, and kube-proxy sends a pod's " +
                "traffic to its own node's port to any SFU (externalTrafficPolicy does not bind it), so relayed calls would reach the wrong " +
                $"SFU; with hostIP run one SFU, or use {SfuSection.MediaExposureKey.Name} loadBalancer");
        }
    }

    private static IEnumerable<ConfigError> LivekitVersion(Derived d)
    {
        var version = d.Spec.Images.LivekitVersion;
        if (version > new Version(0, 0, 0) && version < MinimumLivekit)
        {
            yield return ConfigError.Invalid(ImagesSection.LivekitVersion, $"\"v{version}\"",
                $"v{MinimumLivekit} or newer (TURN secret_file, so the TURN secret never sits in the LiveKit config)");
        }
    }

    private static IEnumerable<ConfigError> ProductionMediaRelayDigest(Derived d)
    {
        if (d.Spec.Site.Production && !d.Spec.Images.MediaRelay.IsPinnedByDigest)
        {
            yield return ConfigError.Invalid(ImagesSection.MediaRelayDigest, "\"\"",
                "a sha256 digest when production is true: a tag can be moved, a digest cannot");
        }
    }

    private static IEnumerable<ConfigError> ProductionTrustedTls(Derived d)
    {
        if (d.Spec.Site.Production && d.Spec.Tls.Mode == TlsMode.SelfSigned)
        {
            yield return ConfigError.Invalid(TlsSection.Mode, "\"self-signed\"",
                "cert-manager or existing-secret when production is true: browsers and Element X reject self-signed certificates for wss and turns");
        }
    }

    // Only key names ever appear in these messages: the operator may paste more than intended.
    private static IEnumerable<ConfigError> SynapseExistingConfig(Derived d) =>
        ExistingSynapseConfig.Check(d.Spec.Synapse.ExistingConfigYaml)
            .Select(problem => ConfigError.Invalid(SynapseSection.ExistingConfig, "(YAML not shown)", problem));

    private static IEnumerable<ConfigError> WellKnownClientExisting(Derived d) =>
        WellKnownClient.Check(d.Spec.Synapse.ExistingWellKnownJson)
            .Select(problem => ConfigError.Invalid(SynapseSection.ExistingWellKnown, "(JSON not shown)", problem));
}
