using Infra.Plan.Contract;
using Infra.Plan.Ports;
using Infra.Plan.Sizing;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Livekit;

/// <summary>
/// Everything <see cref="LivekitPlan.Build"/> decides from, as plain values: the SFU's own settings and image, its size
/// and count from the tier, the host ports and media nodes it runs on, the RTC host's routing and TLS, and what it takes
/// from other parts (Redis's connection, coturn's endpoint and shared secret, the authorizer's webhook). Nothing here is
/// the whole environment, so the SFU can be planned alone; <see cref="From"/> is the one place that reads it.
/// </summary>
/// <param name="Namespace">The media namespace (Pod Security privileged for hostNetwork, else restricted) of the release, its Secret, budget and route (<c>mediaNamespace</c>).</param>
/// <param name="RtcHost">The public RTC host the SFU's WebSocket is routed on at <c>/</c>.</param>
/// <param name="Image">The media-relay image that replaces the chart's server image (tag, and digest where pinned).</param>
/// <param name="PullSecrets">Image pull Secrets of the pods; empty for none.</param>
/// <param name="ChartVersion">The livekit-server chart version the release installs.</param>
/// <param name="Sfu">The <c>sfu*</c> keys: drain time (grace period and rollout wait), log level, STUN fallbacks.
/// Its <c>Replicas</c> is not read here: <paramref name="Replicas"/> is the sizing's decision.</param>
/// <param name="Replicas">SFU pods, one per media node (from the tier, the load, or <c>sfuReplicas</c>).</param>
/// <param name="Size">CPU and memory of each SFU container, from the tier (whole CPUs, Guaranteed).</param>
/// <param name="MaxParticipants">The largest call planned for: LiveKit's <c>room.max_participants</c>.</param>
/// <param name="Ports">The host port plan: the SFU's API, ICE-TCP, muxed UDP and metrics ports; TURN/TLS on 443.</param>
/// <param name="Nodes">The media nodes' selector and tolerations, and the node ranges whose interfaces LiveKit uses.</param>
/// <param name="Tls">How the RTC host gets its certificate (for the route's TLS).</param>
/// <param name="Routing">Gateway (HTTPRoute on the operator's listener) or Ingress (with its controller).</param>
/// <param name="Redis">How the SFU reaches Redis: master name, sentinels, password Secrets and, with TLS, the CA.</param>
/// <param name="Turn">coturn's host and ports, the shared-secret Secret LiveKit signs TURN credentials with, and their lifetime.</param>
/// <param name="WebhookUrl">The authorizer's in-cluster URL that receives the SFU's webhooks.</param>
/// <param name="MediaPorts">The SFU's rows of the port table: what it listens on, and off the host network what its Services expose.</param>
public sealed record LivekitInput(
    string Namespace,
    string RtcHost,
    ImageRef Image,
    IReadOnlyList<string> PullSecrets,
    string ChartVersion,
    SfuSpec Sfu,
    int Replicas,
    ResourceSize Size,
    int MaxParticipants,
    PortsSpec Ports,
    NodesSpec Nodes,
    TlsSpec Tls,
    RoutingSpec Routing,
    RedisWiring Redis,
    TurnWiring Turn,
    string WebhookUrl,
    IReadOnlyList<MediaPort> MediaPorts)
{
    /// <summary>The SFU's input in a whole environment: the one place that reads <see cref="Derived"/> for it.</summary>
    public static LivekitInput From(Derived d) => new(
        d.Spec.Site.MediaNamespace,
        d.Spec.Site.RtcHost,
        d.Spec.Images.MediaRelay,
        d.Spec.Images.PullSecrets,
        d.Spec.Images.LivekitChartVersion,
        d.Spec.Sfu,
        d.Sizing.SfuReplicas,
        d.Sizing.Preset.Sfu,
        d.Sizing.LargestCall.Load.ParticipantsPerCall,
        d.Spec.Ports,
        d.Spec.Nodes,
        d.Spec.Tls,
        d.Spec.Routing,
        d.Topology.Redis,
        d.Topology.Turn,
        d.Topology.Authorizer.WebhookUrl,
        d.Ports.Of(PortPlan.Sfu));
}
