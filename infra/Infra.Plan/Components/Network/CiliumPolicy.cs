using System.Text.Json.Serialization;
using k8s.Models;
using Infra.Plan.Kubernetes;
using Infra.Plan.Net;

namespace Infra.Plan.Components.Network;

/// <summary>
/// The Cilium entities this project admits (cilium/cilium docs, policy language): <c>host</c> is the local node,
/// every host-network pod on it included; <c>remote-node</c> every other node and its host-network pods.
/// </summary>
public enum CiliumEntity
{
    Host,
    RemoteNode,
}

/// <summary>One port of a Cilium <c>toPorts</c> entry: the port as a string, the protocol TCP or UDP (CRD cilium.io/v2 PortProtocol).</summary>
public sealed record CiliumPort(
    [property: JsonPropertyName("port")] string Port,
    [property: JsonPropertyName("protocol")] string Protocol);

public sealed record CiliumPortRule([property: JsonPropertyName("ports")] IReadOnlyList<CiliumPort> Ports);

public sealed record CiliumIngressRule(
    [property: JsonPropertyName("fromEntities")] IReadOnlyList<string> FromEntities,
    [property: JsonPropertyName("toPorts")] IReadOnlyList<CiliumPortRule> ToPorts);

public sealed record CiliumEgressRule(
    [property: JsonPropertyName("toEntities")] IReadOnlyList<string> ToEntities,
    [property: JsonPropertyName("toPorts")] IReadOnlyList<CiliumPortRule> ToPorts);

/// <summary>The subset of CiliumNetworkPolicy's spec this project emits: an endpoint selector and entity rules on ports.</summary>
public sealed record CiliumPolicySpec(
    [property: JsonPropertyName("endpointSelector")] V1LabelSelector EndpointSelector,
    [property: JsonPropertyName("ingress")] IReadOnlyList<CiliumIngressRule>? Ingress,
    [property: JsonPropertyName("egress")] IReadOnlyList<CiliumEgressRule>? Egress);

/// <summary>
/// A <c>cilium.io/v2</c> CiliumNetworkPolicy, typed for the evaluator and the tests, written as a <see cref="CustomObject"/>.
/// Cilium enforces it together with the NetworkPolicies selecting the same pods: allows add up.
/// </summary>
public sealed record CiliumPolicy(V1ObjectMeta Metadata, CiliumPolicySpec Spec)
{
    public const string ApiVersion = "cilium.io/v2";
    public const string Kind = "CiliumNetworkPolicy";

    public string Name => Metadata.Name;

    public string Namespace => Metadata.NamespaceProperty;

    public CustomObject ToObject() => new(ApiVersion, Kind, Metadata, Spec);

    public static string EntityName(CiliumEntity entity) => entity switch
    {
        CiliumEntity.Host => "host",
        CiliumEntity.RemoteNode => "remote-node",
        _ => throw new ArgumentOutOfRangeException(nameof(entity)),
    };

    public static CiliumEntity? ParseEntity(string name) => name switch
    {
        "host" => CiliumEntity.Host,
        "remote-node" => CiliumEntity.RemoteNode,
        _ => null,
    };

    public static CiliumPortRule Ports(IEnumerable<(int Port, Protocol Protocol)> ports) =>
        new(ports.Select(p => new CiliumPort(p.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), NetworkPolicyPort.Name(p.Protocol))).ToList());
}
