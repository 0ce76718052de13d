namespace Infra.Plan.Components;

/// <summary>
/// Everything the namespaces component (<see cref="NamespacesPlan.Build"/>) decides from: the names of the two
/// namespaces this project owns. Nothing else of the environment reaches it.
/// </summary>
/// <param name="Namespace">The app namespace (<c>namespace</c>): the authorizer and Redis, Pod Security <c>restricted</c>.</param>
/// <param name="MediaNamespace">The media namespace (<c>mediaNamespace</c>): the SFU (and coturn, Egress).</param>
/// <param name="HostNetwork">Whether the media runs on the host network (<c>sfuMediaExposure</c>): Pod Security <c>privileged</c>
/// for the media namespace, else <c>restricted</c>.</param>
public sealed record NamespacesInput(string Namespace, string MediaNamespace, bool HostNetwork)
{
    /// <summary>The only place the namespaces component reads the whole environment.</summary>
    public static NamespacesInput From(Derived d) => new(d.Spec.Site.Namespace, d.Spec.Site.MediaNamespace, d.Spec.Sfu.Media.HostNetwork);
}
