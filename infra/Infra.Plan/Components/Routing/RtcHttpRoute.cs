using Infra.Plan.Kubernetes;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Routing;

/// <summary>
/// The HTTPRoutes of the dedicated RTC host (routing gateway): the same paths as the Ingresses, attached to one listener
/// (sectionName) of the operator's Gateway. Each route lives in the namespace of the Service it sends to, so no backendRef
/// crosses a namespace and none needs a ReferenceGrant; the Gateway must admit routes from these namespaces
/// (listener allowedRoutes). WebSocket needs no setting: HTTPRoute carries the Upgrade (Gateway API core), and the
/// timeouts of long-lived connections are the implementation's (README, per controller). TLS terminates on the listener.
/// </summary>
public static class RtcHttpRoute
{
    public static HttpRoute Build(GatewayListener gateway, string rtcHost, string ns, string component, string labelsFor, IReadOnlyList<RtcRoute> routes)
    {
        return new HttpRoute(Meta.Object(RtcRoutes.NameFor(component), ns, labelsFor), new HttpRouteSpec(
            [new ParentReference(GatewayApi.Group, "Gateway", gateway.Name, gateway.Namespace, gateway.SectionName)],
            [rtcHost],
            // One rule per backend: its path prefixes together (a rule holds at most 64 matches, a route at most 16 rules).
            routes.GroupBy(r => (r.Service, r.Port))
                .Select(g => new HttpRouteRule(
                    g.Select(r => new HttpRouteMatch(new HttpPathMatch(GatewayApi.PathPrefix, r.Path))).ToList(),
                    [new HttpBackendRef(g.Key.Service, g.Key.Port)]))
                .ToList()));
    }
}
