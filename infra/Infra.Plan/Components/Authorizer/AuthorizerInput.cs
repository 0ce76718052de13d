using Infra.Plan.Sizing;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Authorizer;

/// <summary>
/// Everything <see cref="AuthorizerPlan.Build"/> decides from, as plain values: the authorizer's own settings, its size
/// from the tier, and the facts it takes from other parts (the SFU's public URL, the local Synapse's URL, routing and
/// TLS of the RTC host). Nothing here is the whole environment, so the authorizer can be planned alone.
/// </summary>
/// <param name="Namespace">Namespace of the Deployment, Service, route and API Secret (Pod Security restricted; site <c>namespace</c>).</param>
/// <param name="ServerName">The Matrix server name whose users may create rooms (<c>LIVEKIT_FULL_ACCESS_HOMESERVERS</c>).</param>
/// <param name="RtcHost">The public RTC host the token paths are routed on.</param>
/// <param name="Image">The lk-jwt-service image (tag, and digest where pinned).</param>
/// <param name="PullSecrets">Image pull Secrets of the pod; empty for none.</param>
/// <param name="Size">CPU and memory of the one container, from the tier preset.</param>
/// <param name="Port">The HTTP port the container binds and the Service exposes (token API and SFU webhook).</param>
/// <param name="SfuWssUrl">The SFU's public wss URL, handed to clients and used to create rooms (from the LiveKit wiring).</param>
/// <param name="SynapseInternalUrl">In-cluster client API URL of the local Synapse for delayed-event calls; empty if none.</param>
/// <param name="Tls">How the RTC host gets its certificate: self-signed mounts the internal CA; Ingress TLS reads it too.</param>
/// <param name="Routing">Gateway (HTTPRoute on the operator's listener) or Ingress (with its controller).</param>
public sealed record AuthorizerInput(
    string Namespace,
    string ServerName,
    string RtcHost,
    ImageRef Image,
    IReadOnlyList<string> PullSecrets,
    ResourceSize Size,
    int Port,
    string SfuWssUrl,
    string SynapseInternalUrl,
    TlsSpec Tls,
    RoutingSpec Routing)
{
    /// <summary>The authorizer's input in a whole environment: the one place that reads <see cref="Derived"/> for it.</summary>
    public static AuthorizerInput From(Derived d) => new(
        d.Spec.Site.Namespace,
        d.Spec.Site.ServerName,
        d.Spec.Site.RtcHost,
        d.Spec.Images.Authorizer,
        d.Spec.Images.PullSecrets,
        d.Sizing.Preset.Authorizer,
        d.Topology.Authorizer.Port,
        d.Topology.SfuWssUrl,
        d.Spec.Synapse.InternalUrl,
        d.Spec.Tls,
        d.Spec.Routing);
}
