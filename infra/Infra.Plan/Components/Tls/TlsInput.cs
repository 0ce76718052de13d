using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Tls;

/// <summary>
/// Everything the TLS component (<see cref="TlsPlan.Build"/>) decides from, as plain values: how the RTC host's
/// certificate is issued, how the RTC host is routed, and the site's names. Nothing else of the environment reaches it.
/// </summary>
/// <param name="Stack">The stack name, in the internal CA's common name.</param>
/// <param name="Site">The RTC host (the leaf's name) and the app and media namespaces (where the Secrets go).</param>
/// <param name="Tls">The <c>tlsMode</c> (self-signed, cert-manager, existing Secrets) and the cert-manager issuer.</param>
/// <param name="Routing">Gateway or Ingress, and the Gateway listener whose namespace may need a ReferenceGrant.</param>
public sealed record TlsInput(string Stack, SiteSpec Site, TlsSpec Tls, RoutingSpec Routing)
{
    /// <summary>The only place the TLS component reads the whole environment.</summary>
    public static TlsInput From(Derived d) => new(d.Spec.Stack, d.Spec.Site, d.Spec.Tls, d.Spec.Routing);
}
