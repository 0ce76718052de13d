using k8s.Models;
using Infra.Plan.Kubernetes;
using Infra.Plan.Secrets;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Livekit;

/// <summary>One path of the RTC host and the Service (in the Ingress's own namespace) it goes to.</summary>
public sealed record RtcRoute(string Path, string Service, int Port);

/// <summary>
/// The Ingresses of the dedicated RTC host (DESIGN.md routing, ess-helm style, no rewrites). An Ingress reaches
/// only Services of its own namespace, so the SFU's <c>/</c> and the authorizer's paths are two Ingresses for the
/// same host; the controller merges them. Class and TLS come from the spec.
/// </summary>
public static class RtcIngress
{
    /// <summary>The kubernetes.io/tls Secret the Ingresses use: the operator's, or the one Pulumi.Tls / cert-manager fills.</summary>
    public static string TlsSecret(EnvironmentSpec spec) =>
        spec.Tls.Mode == TlsMode.ExistingSecret ? spec.Tls.RtcTlsSecret : SecretNames.RtcTls;

    /// <summary>The Ingress a component puts on the RTC host: one per namespace.</summary>
    public static string NameFor(string component) => $"{component}-rtc";

    public static V1Ingress Build(EnvironmentSpec spec, string ns, string component, string labelsFor, IReadOnlyList<RtcRoute> routes, bool websocket)
    {
        var meta = Meta.Object(NameFor(component), ns, labelsFor);
        var annotations = new Dictionary<string, string>();
        if (spec.Tls.Mode == TlsMode.CertManager)
        {
            // cert-manager's ingress-shim issues the certificate into this namespace's TLS Secret.
            var kind = spec.Tls.CertManagerIssuerKind == "Issuer" ? "cert-manager.io/issuer" : "cert-manager.io/cluster-issuer";
            annotations[kind] = spec.Tls.CertManagerIssuer;
        }
        if (spec.Tls.ExternalDns)
        {
            annotations["external-dns.alpha.kubernetes.io/hostname"] = spec.Site.RtcHost;
        }
        if (websocket && spec.Tls.IngressClass == "nginx")
        {
            // ingress-nginx closes idle upstream connections after 60 s; a call's signalling WebSocket lives for hours.
            annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"] = "3600";
            annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"] = "3600";
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
                IngressClassName = spec.Tls.IngressClass,
                Tls = [new V1IngressTLS { Hosts = [spec.Site.RtcHost], SecretName = TlsSecret(spec) }],
                Rules =
                [
                    new V1IngressRule
                    {
                        Host = spec.Site.RtcHost,
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
