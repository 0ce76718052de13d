using System.Net;

namespace Infra.Plan.Spec.Sections;

/// <summary>How clients reach the SFU's media ports (<c>sfuMediaExposure</c>).</summary>
public enum MediaExposure
{
    /// <summary>The SFU and coturn on the media nodes' host network (the default): needs Pod Security <c>privileged</c>.</summary>
    HostNetwork,
    /// <summary>The SFU in the pod network behind a NodePort Service, one SFU per media node, advertising its node's address.</summary>
    NodePort,
    /// <summary>One SFU per given load-balancer address, each behind its own LoadBalancer Service(s).</summary>
    LoadBalancer,
}

/// <summary>Where an SFU behind a NodePort finds the address it advertises (<c>sfuNodeAddress</c>).</summary>
public enum NodeAddressSource
{
    /// <summary>STUN (<c>use_external_ip</c>): right where each node's public address is 1:1-NATed to it (not behind a shared Cloud NAT).</summary>
    Stun,
    /// <summary>The node's own address (<c>status.hostIP</c> as <c>NODE_IP</c>): right where the node's address is public.</summary>
    HostIp,
}

/// <summary>
/// How one cloud's load balancer takes a given address and whether one Service may carry TCP and UDP (mixed-protocol
/// LoadBalancer Services are GA since Kubernetes 1.26, but each provider decides; ../shared/REFERENCE.md "Media without
/// host networking"). Where it may not, the SFU gets two Services sharing the address.
/// </summary>
/// <param name="Name">The value of <c>sfuLoadBalancerProvider</c>.</param>
/// <param name="MixedProtocol">One Service with TCP and UDP ports; else one TCP and one UDP Service on the same address.</param>
/// <param name="AddressAnnotation">The annotation that asks for the address; null: <c>spec.loadBalancerIP</c> does.</param>
/// <param name="SharingAnnotation">With two Services: the annotation that lets them share the address (its value: a key both carry).</param>
/// <param name="Source">Where the provider documents it.</param>
public sealed record LoadBalancerProvider(string Name, bool MixedProtocol, string? AddressAnnotation, string? SharingAnnotation, string Source)
{
    public static IReadOnlyList<LoadBalancerProvider> All { get; } =
    [
        // Any provider that implements mixed-protocol Services and honours spec.loadBalancerIP (deprecated but read by most).
        new("generic", true, null, null, "kubernetes.io/docs/concepts/services-networking/service/#load-balancers-with-mixed-protocol-types"),
        // Mixed protocol only on new clusters with the backend-service based LB; a reserved regional address may carry
        // one Service per protocol (GKE "LoadBalancer Service parameters": spec.loadBalancerIP).
        new("gke", false, null, null, "cloud.google.com/kubernetes-engine/docs/concepts/service-load-balancer-parameters"),
        // cloud-provider-azure: the public IP is asked for by annotation; Services on one IP need distinct ports.
        new("aks", false, "service.beta.kubernetes.io/azure-load-balancer-ipv4", null, "cloud-provider-azure docs/cloud-provider-config/annotations"),
        // MetalLB: loadBalancerIPs by annotation, allow-shared-ip with the same key on both Services (and, with
        // externalTrafficPolicy Local, the same pod selector).
        new("metallb", false, "metallb.io/loadBalancerIPs", "metallb.io/allow-shared-ip", "metallb.io/usage/#ip-address-sharing"),
    ];

    public static IReadOnlyDictionary<string, LoadBalancerProvider> ByName { get; } = All.ToDictionary(p => p.Name);
}

/// <summary>The media exposure keys, read once (the port keys' defaults depend on the mode).</summary>
/// <param name="LoadBalancerAddresses">With <see cref="MediaExposure.LoadBalancer"/>: one SFU per address, in order.</param>
/// <param name="LoadBalancerAnnotations">The operator's annotations for every media Service (after the provider's own).</param>
public sealed record MediaSpec(
    MediaExposure Exposure,
    NodeAddressSource NodeAddress,
    IReadOnlyList<IPAddress> LoadBalancerAddresses,
    LoadBalancerProvider Provider,
    IReadOnlyList<KeyValuePair<string, string>> LoadBalancerAnnotations)
{
    public bool HostNetwork => Exposure == MediaExposure.HostNetwork;

    /// <summary>The SFU's own TURN (LiveKit's embedded TURN) serves clients where coturn cannot run (no host network).</summary>
    public bool EmbeddedTurn => !HostNetwork;

    public static MediaSpec Default { get; } = new(MediaExposure.HostNetwork, NodeAddressSource.Stun, [], LoadBalancerProvider.ByName["generic"], []);
}
