using k8s.Models;
using Infra.Plan.Components;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Ports;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Livekit;

/// <summary>
/// sfuMediaExposure: the SFU on the host network (the default), behind a NodePort Service, or one SFU per load-balancer
/// address; each test builds its own minimal stack (../shared/REFERENCE.md "Media without host networking").
/// </summary>
public class MediaExposureTests
{
    private static readonly (string, ConfigValue)[] NodePort = [("sfuMediaExposure", S("nodePort"))];

    private static (string, ConfigValue)[] LoadBalancer(string provider, params string[] addresses) =>
        [("sfuMediaExposure", S("loadBalancer")), ("sfuLoadBalancerProvider", S(provider)), ("sfuLoadBalancerAddresses", L(addresses))];

    private static EnvironmentPlan Plan(params (string Key, ConfigValue Value)[] changes) => Planner.Build(Parse(With(changes)).OrThrow());

    private static IReadOnlyList<ConfigError> Errors(params (string Key, ConfigValue Value)[] changes) => Parse(With(changes)).Errors;

    private static V1Service[] Services(EnvironmentPlan plan) => plan.Livekit.MediaObjects.OfType<V1Service>().ToArray();

    [Fact]
    public void Behind_a_node_port_the_port_lives_the_same_number_along_the_whole_chain()
    {
        // GIVEN the minimal stack with nodePort and its default ports
        var plan = Plan(NodePort);

        // THEN LiveKit listens on 30001/30002, its TURN/UDP on 30004, and the one NodePort Service has port = targetPort =
        // nodePort = that port, externalTrafficPolicy Local, selecting the SFU pods
        var rtc = plan.Livekit.Values.Livekit.Rtc;
        Assert.Equal((30001, 30002, 30004), (rtc.TcpPort, rtc.UdpPort, plan.Livekit.Values.Livekit.EmbeddedTurn!.UdpPort));
        var service = Assert.Single(Services(plan));
        Assert.Equal(("livekit-media", "NodePort", "Local"), (service.Metadata.Name, service.Spec.Type, service.Spec.ExternalTrafficPolicy));
        Assert.Equal(
            [("rtc-tcp", "TCP", 30001, 30001, 30001), ("rtc-udp", "UDP", 30002, 30002, 30002), ("turn-udp", "UDP", 30004, 30004, 30004)],
            service.Spec.Ports.Select(p => (p.Name, p.Protocol, p.Port, p.TargetPort.Value == null ? 0 : int.Parse(p.TargetPort.Value), p.NodePort ?? 0)));
        Assert.Equal(LivekitPlan.PodSelector, service.Spec.Selector);
        // AND the SFU is a pod-network workload off the host network, without coturn anywhere
        Assert.False(plan.Livekit.Values.PodHostNetwork);
        Assert.False(plan.Livekit.Sfu.HostNetwork);
        Assert.Null(plan.Coturn);
        Assert.Empty(plan.Livekit.Values.Livekit.Rtc.TurnServers);
    }

    [Fact]
    public void A_node_port_outside_the_node_port_range_is_refused_naming_the_key()
    {
        var errors = Errors([.. NodePort, ("sfuRtcUdpPort", S("7882"))]);

        var error = Assert.Single(errors);
        Assert.Equal("matrix-rtc:sfuRtcUdpPort", error.Key);
        Assert.Contains("\"7882\"", error.Message);
        Assert.Contains("NodePort range 30000-32767", error.Message);
        Assert.Contains("advertises the port it listens on", error.Message);
    }

    [Fact]
    public void On_the_host_network_the_node_port_range_stays_forbidden()
    {
        var error = Assert.Single(Errors(("sfuRtcUdpPort", S("30002"))));
        Assert.Equal("matrix-rtc:sfuRtcUdpPort", error.Key);
        Assert.Contains("outside the NodePort range", error.Message);
    }

    [Fact]
    public void The_relay_range_of_livekits_own_turn_may_not_overlap_its_other_ports()
    {
        var errors = Errors([.. NodePort, ("sfuTurnRelayPorts", S("30000-30010"))]);

        Assert.Contains(errors, e => e.Key == "matrix-rtc:sfuTurnRelayPorts" && e.Message.Contains("does not overlap"));
    }

    [Theory]
    [InlineData("stun", true, null, "")]
    [InlineData("hostIP", false, "status.hostIP", "10.10.0.0/24")]
    public void Behind_a_node_port_the_advertised_address_comes_from_stun_or_the_node(string source, bool useStun, string? fieldPath, string restricted)
    {
        // GIVEN nodePort with sfuNodeAddress, on the minimal stack's private node range 10.10.0.0/24
        var plan = Plan([.. NodePort, ("sfuNodeAddress", S(source))]);

        var config = plan.Livekit.Values.Livekit;
        // THEN STUN where the node's public address is 1:1-NATed (never node_ip with it), NODE_IP from the node otherwise
        Assert.Equal(useStun, config.Rtc.UseExternalIp);
        Assert.Null(config.Rtc.NodeIp);
        Assert.Equal(fieldPath, plan.Livekit.Wiring.FieldEnv?.Single(e => e.Name == "NODE_IP").FieldPath);
        // AND the STUN servers are the fallbacks alone (no coturn), written only where asked
        Assert.Equal(useStun, config.Rtc.ToYaml().ContainsKey("stun_servers"));
        Assert.DoesNotContain(config.Rtc.StunServers, s => s.StartsWith("turn.", StringComparison.Ordinal));
        // AND the embedded TURN may relay to the SFU's own address exactly where that address is private
        Assert.Equal(restricted, string.Join(",", config.EmbeddedTurn!.AllowRestrictedPeerCidrs));
        // AND candidates are gathered on the pod's address (the pod CIDRs), not the node's
        Assert.Equal(plan.Spec.Nodes.PodCidrs.Select(c => c.ToString()), config.Rtc.IpsIncludes);
    }

    [Fact]
    public void One_sfu_per_load_balancer_address_each_advertising_its_own()
    {
        // GIVEN two addresses, one public and one private (an internal load balancer)
        var plan = Plan([.. LoadBalancer("generic", "203.0.113.10", "10.1.2.3"), ("mediaNodeCount", S("2"))]);

        // THEN two releases of one pod each, named by index, each with node_ip = its address and no STUN
        Assert.Equal(["livekit-0", "livekit-1"], plan.Livekit.Sfus.Select(s => s.Release.Name));
        Assert.Equal(["helm/livekit-0-values.yaml", "helm/livekit-1-values.yaml"], plan.Livekit.Sfus.Select(s => s.Release.Values.Path));
        Assert.All(plan.Livekit.Sfus, s => Assert.Equal(1, s.Values.ReplicaCount));
        Assert.Equal(["203.0.113.10", "10.1.2.3"], plan.Livekit.Sfus.Select(s => s.Values.Livekit.Rtc.NodeIp));
        Assert.All(plan.Livekit.Sfus, s => Assert.False(s.Values.Livekit.Rtc.UseExternalIp));
        Assert.Equal(2, plan.Sizing.SfuReplicas);
        // AND LiveKit's own TURN may relay to the private address only, on the SFU that advertises it
        Assert.Equal([[], ["10.1.2.3/32"]], plan.Livekit.Sfus.Select(s => s.Values.Livekit.EmbeddedTurn!.AllowRestrictedPeerCidrs.ToArray()));
        // AND TURN/TLS: the chart mounts the TURN name's certificate, the post-renderer drops its key from LiveKit's config
        Assert.All(plan.Livekit.Sfus, s => Assert.Equal("turn-tls", s.Values.TurnTlsSecret));
        Assert.All(plan.Livekit.Sfus, s => Assert.Equal([LivekitChartValues.TurnSecretNameKey], s.Wiring.ChartOnlyConfigKeys));
        Assert.All(plan.Livekit.Sfus, s => Assert.True(s.Wiring.NoHostPorts));
        // AND the RTC route and in-cluster clients reach every SFU through one Service
        Assert.Equal("ws://livekit-sfu.matrix-rtc-media.svc.cluster.local:7880", plan.Topology.SfuServiceUrl);
        Assert.Contains(plan.Livekit.MediaObjects.OfType<V1Service>(), s => s.Metadata.Name == "livekit-sfu" && s.Spec.Type == "ClusterIP");
    }

    [Fact]
    public void A_generic_load_balancer_carries_tcp_and_udp_in_one_service_on_its_address()
    {
        var plan = Plan(LoadBalancer("generic", "203.0.113.10"));

        var service = Assert.Single(Services(plan), s => s.Spec.Type == "LoadBalancer");
        Assert.Equal(("livekit-media-0", "203.0.113.10", "Local"), (service.Metadata.Name, service.Spec.LoadBalancerIP, service.Spec.ExternalTrafficPolicy));
        Assert.Null(service.Metadata.Annotations);
        // port = targetPort for media (LiveKit advertises its own port); TURN/TLS on 443 to the port LiveKit terminates TLS on
        Assert.Equal(
            [("rtc-tcp", "TCP", 7881, "7881"), ("rtc-udp", "UDP", 7882, "7882"), ("turn-udp", "UDP", 3478, "3478"), ("turn-tls", "TCP", 443, "5349")],
            service.Spec.Ports.Select(p => (p.Name, p.Protocol, p.Port, p.TargetPort.Value)));
        Assert.All(service.Spec.Ports, p => Assert.Null(p.NodePort));
        Assert.Equal(LivekitPlan.ReleaseSelector("livekit-0"), service.Spec.Selector);
    }

    [Theory]
    [InlineData("gke", null, null)]
    [InlineData("aks", "service.beta.kubernetes.io/azure-load-balancer-ipv4", null)]
    [InlineData("metallb", "metallb.io/loadBalancerIPs", "metallb.io/allow-shared-ip")]
    public void Providers_without_mixed_protocols_get_a_tcp_and_a_udp_service_on_the_same_address(string provider, string? addressAnnotation, string? sharing)
    {
        var plan = Plan(LoadBalancer(provider, "203.0.113.10"));

        var services = Services(plan).Where(s => s.Spec.Type == "LoadBalancer").ToArray();
        Assert.Equal(["livekit-media-0-tcp", "livekit-media-0-udp"], services.Select(s => s.Metadata.Name));
        Assert.Equal([["TCP", "TCP"], ["UDP", "UDP"]], services.Select(s => s.Spec.Ports.Select(p => p.Protocol).ToArray()));
        foreach (var s in services)
        {
            // the address: by annotation where the provider reads one, else spec.loadBalancerIP
            Assert.Equal(addressAnnotation is null ? "203.0.113.10" : null, s.Spec.LoadBalancerIP);
            Assert.Equal(addressAnnotation is null ? null : "203.0.113.10", addressAnnotation is null ? null : s.Metadata.Annotations[addressAnnotation]);
            // both carry the same sharing key, and the same selector (MetalLB requires it with externalTrafficPolicy Local)
            Assert.Equal(sharing is null ? null : "livekit-media-0", sharing is null ? null : s.Metadata.Annotations[sharing]);
            Assert.Equal(LivekitPlan.ReleaseSelector("livekit-0"), s.Spec.Selector);
            Assert.Equal("Local", s.Spec.ExternalTrafficPolicy);
        }
    }

    [Fact]
    public void The_operators_annotations_reach_every_media_service()
    {
        // GIVEN an AWS Load Balancer Controller setup through the generic provider and annotations
        var plan = Plan([.. LoadBalancer("generic", "203.0.113.10"),
            ("sfuLoadBalancerAnnotations", L("service.beta.kubernetes.io/aws-load-balancer-type=external", "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type=ip"))]);

        var service = Assert.Single(Services(plan), s => s.Spec.Type == "LoadBalancer");
        Assert.Equal(
            [("service.beta.kubernetes.io/aws-load-balancer-nlb-target-type", "ip"), ("service.beta.kubernetes.io/aws-load-balancer-type", "external")],
            service.Metadata.Annotations.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => (a.Key, a.Value)));
        // AND none on the in-cluster API Service
        Assert.Null(Services(plan).Single(s => s.Metadata.Name == LivekitPlan.ApiService).Metadata.Annotations);
    }

    public static TheoryData<(string Key, ConfigValue Value)[], string, string> Mistakes => new()
    {
        { [("sfuMediaExposure", S("hostPort"))], "matrix-rtc:sfuMediaExposure", "one of: hostNetwork, nodePort, loadBalancer" },
        { [("sfuMediaExposure", S("loadBalancer"))], "matrix-rtc:sfuLoadBalancerAddresses", "at least one address" },
        { [.. LoadBalancer("generic", "203.0.113.10", "203.0.113.10")], "matrix-rtc:sfuLoadBalancerAddresses", "addresses that differ" },
        { [.. LoadBalancer("generic", "203.0.113")], "matrix-rtc:sfuLoadBalancerAddresses", "IP addresses such as" },
        { [.. LoadBalancer("digitalocean", "203.0.113.10")], "matrix-rtc:sfuLoadBalancerProvider", "one of: generic, gke, aks, metallb" },
        { [("sfuLoadBalancerAddresses", L("203.0.113.10"))], "matrix-rtc:sfuLoadBalancerAddresses", "unset unless matrix-rtc:sfuMediaExposure is loadBalancer" },
        { [("sfuNodeAddress", S("hostIP"))], "matrix-rtc:sfuNodeAddress", "unset unless matrix-rtc:sfuMediaExposure is nodePort" },
        { [.. LoadBalancer("generic", "203.0.113.10"), ("sfuLoadBalancerAnnotations", L("no equals sign"))], "matrix-rtc:sfuLoadBalancerAnnotations", "annotations as key=value" },
        { [("synapseExternalTurnUris", L("turn:turn.elsewhere.example:3478"))], "matrix-rtc:synapseExternalTurnUris", "this deployment's coturn serves Synapse's TURN" },
        { [.. NodePort, ("synapseExternalTurnUris", L("turn:turn.elsewhere.example:3478"))], "matrix-rtc:synapseExternalTurnSecret", "pulumi config set --secret" },
        { [.. NodePort, ("synapseExternalTurnUris", L("https://turn.elsewhere.example"))], "matrix-rtc:synapseExternalTurnUris", "TURN URIs such as" },
        { [("sfuTurnUdpPort", S("3479"))], "matrix-rtc:sfuTurnUdpPort", "coturn serves TURN there" },
        { [.. NodePort, ("turnPort", S("3479"))], "matrix-rtc:turnPort", "coturn does not run there" },
        { [.. NodePort, ("sfuTurnTlsPort", S("5350"))], "matrix-rtc:sfuTurnTlsPort", "which a node port cannot be" },
        { [.. LoadBalancer("generic", "203.0.113.10", "203.0.113.11"), ("sfuReplicas", S("2"))], "matrix-rtc:sfuReplicas", "one SFU runs per address" },
        { [.. LoadBalancer("generic", "203.0.113.10"), ("tier", S("medium"))], "matrix-rtc:sfuLoadBalancerAddresses", "at least 2 addresses" },
        { [.. NodePort, ("sfuNodeAddress", S("hostIP")), ("sfuReplicas", S("2")), ("mediaNodeCount", S("2"))], "matrix-rtc:sfuNodeAddress", "kube-proxy sends a pod's traffic" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void A_media_mistake_names_its_key_and_what_is_allowed((string Key, ConfigValue Value)[] changes, string key, string allowed)
    {
        var errors = Errors(changes);

        Assert.Contains(errors, e => e.Key == key && e.Message.Contains(allowed));
    }

    [Fact]
    public void A_key_of_the_other_mode_at_its_default_is_no_mistake()
    {
        // The Pulumi CLI hands every declared default to the program: those are not the operator's choice.
        var errors = Errors([.. NodePort, ("turnPort", S("3478")), ("turnRelayPorts", S("61000-65535")), ("sfuLoadBalancerProvider", S("generic")),
            ("sfuLoadBalancerAddresses", S("[]")), ("sfuTurnTlsPort", S("5349"))]);

        Assert.Empty(errors);
    }

    [Fact]
    public void The_media_namespace_is_privileged_only_on_the_host_network()
    {
        Assert.Equal("privileged", Plan().Namespaces.Media.Metadata.Labels["pod-security.kubernetes.io/enforce"]);
        Assert.Equal("restricted", Plan(NodePort).Namespaces.Media.Metadata.Labels["pod-security.kubernetes.io/enforce"]);
        Assert.Equal("restricted", Plan(LoadBalancer("gke", "203.0.113.10")).Namespaces.Media.Metadata.Labels["pod-security.kubernetes.io/enforce"]);
    }

    [Fact]
    public void Without_coturn_synapse_hands_out_no_turn_and_reads_no_secret_file()
    {
        var plan = Plan(NodePort);

        Assert.Contains("turn_uris: []", plan.Synapse.FragmentYaml);
        Assert.Contains("turn_shared_secret_path: null\n", plan.Synapse.FragmentYaml);
        Assert.Null(plan.Synapse.TurnSecret);
        Assert.Empty(plan.Topology.Turn.Uris);
        // AND with host networking, as before
        Assert.Contains("turn_shared_secret_path: \"/", Plan().Synapse.FragmentYaml);
    }

    [Fact]
    public void Without_coturn_synapse_may_hand_out_an_outside_turn_server_with_its_secret_from_secure_config()
    {
        // GIVEN nodePort and a TURN server the operator runs elsewhere
        var plan = Plan([.. NodePort, ("synapseExternalTurnUris", L("turns:turn.elsewhere.example:443?transport=tcp")),
            ("synapseExternalTurnSecret", new ConfigValue.Secret("outside-turn-secret"))]);

        // THEN Synapse hands out exactly those URIs, reads the secret file, and its Secret is filled from that config value
        Assert.Contains("turn_uris:\n- \"turns:turn.elsewhere.example:443?transport=tcp\"", plan.Synapse.FragmentYaml);
        Assert.Contains("turn_shared_secret_path: \"/", plan.Synapse.FragmentYaml);
        var entry = Assert.Single(plan.Synapse.TurnSecret!.Entries);
        var source = Assert.IsType<Infra.Plan.Contract.SecretSource.Config>(entry.Source);
        Assert.Equal("matrix-rtc:synapseExternalTurnSecret", source.Key.FullName);
        // AND the secret appears in no rendered file
        Assert.DoesNotContain(plan.Files, f => f.Content.Contains("outside-turn-secret", StringComparison.Ordinal));
    }

    [Fact]
    public void The_port_report_follows_the_mode()
    {
        var ports = Plan(NodePort).Reports.Single(r => r.Path == "report/ports.md").Content;

        Assert.Contains("NodePort Services, no host networking", ports);
        Assert.Contains("| livekit | RTC media (muxed) | UDP | 30002 | 30002 | internet | `sfuRtcUdpPort` |", ports);
        Assert.Contains("| livekit | TURN relay range (LiveKit's own) | UDP | 20000-29999 | - | nobody (pod only) | `sfuTurnRelayPorts` |", ports);
        Assert.Contains("- allow UDP 30002, 30004", ports);
        Assert.DoesNotContain("coturn", ports);
    }

    [Fact]
    public void The_port_table_gives_the_services_exactly_the_ports_clients_reach()
    {
        var ports = PortPlan.SfuPodPorts(Parse(With(NodePort)).OrThrow().Ports, MediaExposure.LoadBalancer);

        Assert.Equal(["rtc-tcp", "rtc-udp", "turn-udp", "turn-tls"], ports.Where(p => p.ServicePort is not null).Select(p => p.PortName));
        Assert.All(ports.Where(p => p.ServicePort is not null), p => Assert.Equal(Exposure.Internet, p.Exposure));
        Assert.Equal(Exposure.None, ports.Single(p => p.Key == PortsSection.SfuTurnRelayPorts).Exposure);
    }
}
