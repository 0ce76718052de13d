using k8s;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Routing;

/// <summary>One path of the RTC host and the Service (in the route's own namespace) it goes to.</summary>
public sealed record RtcRoute(string Path, string Service, int Port);

/// <summary>
/// The RTC host's routing object of one component, in the stack's routing mode: an HTTPRoute on the operator's Gateway
/// (<see cref="RtcHttpRoute"/>) or an Ingress (<see cref="RtcIngress"/>). Each component puts one in its own namespace.
/// </summary>
public static class RtcRoutes
{
    /// <summary>The route or Ingress a component puts on the RTC host: one per namespace, the same name in both modes.</summary>
    public static string NameFor(string component) => $"{component}-rtc";

    /// <summary>The route or Ingress from only what routing reads: the routing mode, TLS and the RTC host.</summary>
    /// <param name="websocket">The paths carry a WebSocket that lives as long as a call (the SFU's signalling).</param>
    public static IKubernetesObject Build(RoutingSpec routing, TlsSpec tls, string rtcHost, string ns, string component, string labelsFor, IReadOnlyList<RtcRoute> routes, bool websocket) =>
        routing.Mode == RoutingMode.Gateway
            ? RtcHttpRoute.Build(routing.Gateway, rtcHost, ns, component, labelsFor, routes).ToObject()
            : RtcIngress.Build(tls, routing.IngressController, rtcHost, ns, component, labelsFor, routes, websocket);
}
