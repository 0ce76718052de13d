using System.Net;
using k8s.Models;
using Infra.Plan.Kubernetes;
using Infra.Plan.Net;
using Infra.Plan.Ports;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Livekit;

/// <summary>
/// The Services that bring clients to the SFU's media off the host network, made from the port table
/// (<see cref="PortPlan.SfuPodPorts"/>): LiveKit advertises the port it listens on, so each media port has
/// <c>port</c> = <c>targetPort</c> (= <c>nodePort</c> behind a NodePort); only TURN/TLS differs (443 → its port).
/// <c>externalTrafficPolicy: Local</c> everywhere: the client's address is kept (TURN and ICE see the real peer) and a
/// node or load balancer sends only to the SFU on the receiving node, the one whose address the client was given.
/// </summary>
public static class MediaServices
{
    public const string NodePortService = $"{LivekitPlan.Component}-media";

    /// <summary>The Service(s) of the load balancer at <paramref name="address"/> for SFU <paramref name="index"/>.</summary>
    public static string LoadBalancerService(int index) => $"{LivekitPlan.Component}-media-{index}";

    /// <summary>NodePort: one Service over every SFU (one per media node); each node serves its own.</summary>
    public static V1Service NodePort(string ns, IReadOnlyList<MediaPort> ports, IReadOnlyDictionary<string, string> selector) =>
        Service(NodePortService, ns, "NodePort", ports, selector, nodePorts: true, annotations: null, loadBalancerIp: null);

    /// <summary>
    /// LoadBalancer: one SFU's Service(s) on its address: one with TCP and UDP where the provider takes mixed protocols,
    /// else a TCP and a UDP Service asking for the same address (<see cref="LoadBalancerProvider"/>).
    /// </summary>
    public static IReadOnlyList<V1Service> LoadBalancer(string ns, int index, IPAddress address, MediaSpec media,
        IReadOnlyList<MediaPort> ports, IReadOnlyDictionary<string, string> selector)
    {
        var name = LoadBalancerService(index);
        var provider = media.Provider;
        var annotations = new Dictionary<string, string>();
        if (provider.AddressAnnotation is { } a)
        {
            annotations[a] = address.ToString();
        }
        if (provider.SharingAnnotation is { } s)
        {
            // Both Services carry the same key: the provider puts them on one address.
            annotations[s] = name;
        }
        foreach (var (key, value) in media.LoadBalancerAnnotations)
        {
            annotations[key] = value;
        }
        var ip = provider.AddressAnnotation is null ? address.ToString() : null;
        if (provider.MixedProtocol)
        {
            return [Service(name, ns, "LoadBalancer", ports, selector, nodePorts: false, annotations, ip)];
        }
        return new[] { Protocol.Tcp, Protocol.Udp }
            .Select(p => Service($"{name}-{p.ToString().ToLowerInvariant()}", ns, "LoadBalancer", ports.Where(x => x.Protocol == p).ToList(),
                selector, nodePorts: false, annotations, ip))
            .ToList();
    }

    private static V1Service Service(string name, string ns, string type, IReadOnlyList<MediaPort> ports,
        IReadOnlyDictionary<string, string> selector, bool nodePorts, Dictionary<string, string>? annotations, string? loadBalancerIp)
    {
        var meta = Meta.Object(name, ns, LivekitPlan.Component);
        if (annotations is { Count: > 0 })
        {
            meta.Annotations = new Dictionary<string, string>(annotations);
        }
        return new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = meta,
            Spec = new V1ServiceSpec
            {
                Type = type,
                ExternalTrafficPolicy = "Local",
                LoadBalancerIP = loadBalancerIp,
                Selector = new Dictionary<string, string>(selector),
                Ports = ports.Where(p => p.ServicePort is not null).Select(p => new V1ServicePort
                {
                    Name = p.PortName,
                    Protocol = p.Protocol == Protocol.Udp ? "UDP" : "TCP",
                    Port = p.ServicePort!.Value,
                    TargetPort = p.Ports.First,
                    NodePort = nodePorts ? p.ServicePort : null,
                }).ToList(),
            },
        };
    }
}
