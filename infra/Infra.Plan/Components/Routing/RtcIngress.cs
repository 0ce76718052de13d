using k8s.Models;
using Infra.Plan.Kubernetes;
using Infra.Plan.Secrets;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Routing;

/// <summary>
/// The Ingresses of the dedicated RTC host (routing ingress; DESIGN.md routing, ess-helm style, no rewrites). An Ingress
/// reaches only Services of its own namespace, so the SFU's <c>/</c> and the authorizer's paths are two Ingresses for the
/// same host; the controller merges them. Class and TLS come from the spec; no annotation assumes a controller unless
/// <c>ingressController</c> names one.
/// </summary>
public static class RtcIngress
{
    /// <summary>The kubernetes.io/tls Secret the Ingresses use: the operator's, or the one Pulumi.Tls / cert-manager fills.</summary>
    public static string TlsSecret(TlsSpec tls) =>
        tls.Mode == TlsMode.ExistingSecret ? tls.RtcTlsSecret : SecretNames.RtcTls;

    /// <summary>
    /// What each controller needs said in annotations for the SFU's WebSocket, which lives as long as a call.
    /// ingress-nginx closes an upstream connection idle for 60 s (proxy-read-timeout); a controller not listed gets none.
    /// </summary>
    private static readonly Dictionary<IngressController, IReadOnlyDictionary<string, string>> WebSocketAnnotations = new()
    {
        [IngressController.Generic] = new Dictionary<string, string>(),
        [IngressController.IngressNginx] = new Dictionary<string, string>
        {
            ["nginx.ingress.kubernetes.io/proxy-read-timeout"] = "3600",
            ["nginx.ingress.kubernetes.io/proxy-send-timeout"] = "3600",
        },
    };

    public static V1Ingress Build(TlsSpec tls, IngressController controller, string rtcHost, string ns, string component, string labelsFor, IReadOnlyList<RtcRoute> routes, bool websocket)
    {
        var meta = Meta.Object(RtcRoutes.NameFor(component), ns, labelsFor);
        var annotations = new Dictionary<string, string>();
        if (tls.Mode == TlsMode.CertManager)
        {
            // cert-manager's ingress-shim issues the certificate into this namespace's TLS Secret.
            var kind = tls.CertManagerIssuerKind == "Issuer" ? "cert-manager.io/issuer" : "cert-manager.io/cluster-issuer";
            annotations[kind] = tls.CertManagerIssuer;
        }
        if (tls.ExternalDns)
        {
            annotations["external-dns.alpha.kubernetes.io/hostname"] = rtcHost;
        }
        if (websocket)
        {
            foreach (var (key, value) in WebSocketAnnotations[controller])
            {
                annotations[key] = value;
            }
        }
        if (annotations.Count > 0)
        {
            meta.Annotations = annotations;
        }
        return new V1Ingress
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "Ingress",
            Metadata = meta,
            Spec = new V1IngressSpec
            {
                // Empty: the cluster's default IngressClass (the one annotated ingressclass.kubernetes.io/is-default-class).
                IngressClassName = tls.IngressClass.Length > 0 ? tls.IngressClass : null,
                Tls = [new V1IngressTLS { Hosts = [rtcHost], SecretName = TlsSecret(tls) }],
                Rules =
                [
                    new V1IngressRule
                    {
                        Host = rtcHost,
                        Http = new V1HTTPIngressRuleValue
                        {
                            Paths = routes.Select(r => new V1HTTPIngressPath
                            {
                                Path = r.Path,
                                PathType = "Prefix",
                                Backend = new V1IngressBackend
                                {
                                    Service = new V1IngressServiceBackend { Name = r.Service, Port = new V1ServiceBackendPort { Number = r.Port } },
                                },
                            }).ToList(),
                        },
                    },
                ],
            },
        };
    }
}
