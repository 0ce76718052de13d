using System.Text.Json.Serialization;
using Infra.Plan.Components.Coturn;

namespace Infra.Plan.Kubernetes;

/// <summary>
/// Source-generated property metadata of the objects the plan emits that are no k8s.Models type (CRDs), for
/// <see cref="KubernetesYamlWriter"/>: generated getters instead of reflection, so render also runs as a Native AOT
/// binary. A new such type goes here (the writer refuses a type it has no metadata for). Names are camelCase like
/// KubernetesYaml's naming convention for these types, which ignores [JsonPropertyName]; the byte-compatibility tests
/// catch a type whose JSON name differs.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CustomObject))]
[JsonSerializable(typeof(CertManagerCertificate))]
[JsonSerializable(typeof(Components.Network.CiliumPolicySpec))]
[JsonSerializable(typeof(Components.Routing.HttpRouteSpec))]
[JsonSerializable(typeof(Components.Routing.ReferenceGrantSpec))]
internal sealed partial class PlanObjectTypes : JsonSerializerContext;
