using k8s.Models;

namespace Infra.Plan.Components.Routing;

// The subset of Gateway API (gateway.networking.k8s.io, apis/v1 httproute_types.go, shared_types.go,
// referencegrant_types.go) this project emits, typed for the plan and the tests and written as CustomObjects
// (KubernetesClient has no models for them). Property names are the API's JSON names in camelCase
// (PlanObjectTypes); null members are left out.

/// <summary>A route's parent: one listener (<see cref="SectionName"/>) of one Gateway.</summary>
public sealed record ParentReference(string Group, string Kind, string Name, string Namespace, string SectionName);

public sealed record HttpPathMatch(string Type, string Value);

public sealed record HttpRouteMatch(HttpPathMatch Path);

/// <summary>A Service backend; <see cref="Namespace"/> is left out: a backend in the route's own namespace needs no ReferenceGrant.</summary>
public sealed record HttpBackendRef(string Name, int Port);

public sealed record HttpRouteRule(IReadOnlyList<HttpRouteMatch> Matches, IReadOnlyList<HttpBackendRef> BackendRefs);

public sealed record HttpRouteSpec(IReadOnlyList<ParentReference> ParentRefs, IReadOnlyList<string> Hostnames, IReadOnlyList<HttpRouteRule> Rules);

/// <summary>Who may refer: a kind in a namespace.</summary>
public sealed record ReferenceGrantFrom(string Group, string Kind, string Namespace);

/// <summary>What may be referred to: a kind, optionally one object of it.</summary>
public sealed record ReferenceGrantTo(string Group, string Kind, string Name);

public sealed record ReferenceGrantSpec(IReadOnlyList<ReferenceGrantFrom> From, IReadOnlyList<ReferenceGrantTo> To);

/// <summary>An HTTPRoute, typed.</summary>
public sealed record HttpRoute(V1ObjectMeta Metadata, HttpRouteSpec Spec)
{
    public const string Kind = "HTTPRoute";

    public Kubernetes.CustomObject ToObject() => new(GatewayApi.ApiVersion, Kind, Metadata, Spec);
}

/// <summary>A ReferenceGrant, typed: it lives in the namespace of what it grants access to.</summary>
public sealed record ReferenceGrant(V1ObjectMeta Metadata, ReferenceGrantSpec Spec)
{
    public const string Kind = "ReferenceGrant";

    public Kubernetes.CustomObject ToObject() => new(GatewayApi.ReferenceGrantApiVersion, Kind, Metadata, Spec);
}

public static class GatewayApi
{
    public const string Group = "gateway.networking.k8s.io";

    /// <summary>HTTPRoute is GA (Standard channel) since Gateway API v1.0.</summary>
    public const string ApiVersion = Group + "/v1";

    /// <summary>
    /// ReferenceGrant as v1beta1: the storage version and served by every Gateway API release since v0.6 up to v1.6
    /// (config/crd/standard/gateway.networking.k8s.io_referencegrants.yaml); v1 is served only from v1.5 on.
    /// </summary>
    public const string ReferenceGrantApiVersion = Group + "/v1beta1";

    /// <summary>Gateway API's path match that, like an Ingress's Prefix, matches whole path elements.</summary>
    public const string PathPrefix = "PathPrefix";
}
