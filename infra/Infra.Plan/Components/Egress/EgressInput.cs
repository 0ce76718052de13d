using Infra.Plan.Sizing;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Egress;

/// <summary>
/// Everything <see cref="EgressPlan.Build"/> decides from, as plain values: Egress's own <c>egress*</c> keys and fleet
/// size, where it runs, and what it takes from other parts (the SFU's in-cluster address, Redis's connection and whether
/// that Redis is this project's or the operator's, the media nodes it must keep off). Nothing here is the whole
/// environment, so Egress can be planned alone; <see cref="From"/> is the one place that reads it.
/// </summary>
/// <param name="Egress">The <c>egress*</c> keys: on/off, image, chart version, session limit, grace period, storage prefix and S3.</param>
/// <param name="Sizing">Replicas, pod size, scratch sizes and memory admission from the tier; null when Egress is off.</param>
/// <param name="Namespace">The namespace of the release, its config Secret and budget (Pod Security restricted; site <c>namespace</c>).</param>
/// <param name="PullSecrets">Image pull Secrets of the pods (set by the post-renderer); empty for none.</param>
/// <param name="MediaNodeSelector">The media nodes' labels: Egress never runs on a node that carries all of them.</param>
/// <param name="SfuServiceUrl">The SFU's in-cluster WebSocket address Egress joins rooms through.</param>
/// <param name="Redis">The SFU's Redis: master name, sentinels, password Secrets, TLS.</param>
/// <param name="RedisMode">Managed (the passwords and CA this project generates) or existing (the operator's Secrets, the image's CA bundle).</param>
public sealed record EgressInput(
    EgressSpec Egress,
    EgressSizing? Sizing,
    string Namespace,
    IReadOnlyList<string> PullSecrets,
    IReadOnlyList<NodeLabel> MediaNodeSelector,
    string SfuServiceUrl,
    RedisWiring Redis,
    RedisMode RedisMode)
{
    /// <summary>Egress's input in a whole environment: the one place that reads <see cref="Derived"/> for it.</summary>
    public static EgressInput From(Derived d) => new(
        d.Spec.Egress,
        d.Sizing.Egress,
        d.Spec.Site.Namespace,
        d.Spec.Images.PullSecrets,
        d.Spec.Nodes.MediaNodeSelector,
        d.Topology.SfuServiceUrl,
        d.Topology.Redis,
        d.Spec.Redis.Mode);
}
