using k8s.Models;
using Infra.Plan.Components.Routing;
using Infra.Plan.Kubernetes;
using Infra.Plan.Policy;

namespace Infra.Plan.Tests.Checks;

/// <summary>
/// A production plan's objects speak TLS: every Ingress host covered by a TLS entry, every HTTPRoute attached to a named
/// listener (the Gateway's HTTPS one; a route without sectionName attaches to plain-HTTP listeners too), coturn's TLS
/// listener never switched off. No config key turns these off, so a violation is a bug in a builder. (Redis TLS is a
/// config key: the product's Policy/TlsPolicy.cs.)
/// </summary>
public static class TlsOutputChecks
{
    public static IEnumerable<CheckViolation> Check(PolicyInput plan)
    {
        if (!plan.Spec.Site.Production)
        {
            yield break;
        }
        foreach (var ingress in plan.Objects.OfType<V1Ingress>())
        {
            var covered = (ingress.Spec?.Tls ?? []).SelectMany(t => t.Hosts ?? []).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var host in (ingress.Spec?.Rules ?? []).Select(r => r.Host).Where(h => h is not null && !covered.Contains(h)))
            {
                yield return new CheckViolation(CheckRule.TlsInProduction, $"Ingress {ingress.Metadata?.NamespaceProperty}/{ingress.Metadata?.Name}",
                    $"serves {host} without TLS; add it to spec.tls");
            }
        }
        foreach (var route in plan.Objects.OfType<CustomObject>().Where(o => o.Spec is HttpRouteSpec))
        {
            foreach (var parent in ((HttpRouteSpec)route.Spec).ParentRefs.Where(p => string.IsNullOrEmpty(p.SectionName)))
            {
                yield return new CheckViolation(CheckRule.TlsInProduction, $"HTTPRoute {route.Metadata?.NamespaceProperty}/{route.Metadata?.Name}",
                    $"attaches to every listener of Gateway {parent.Namespace}/{parent.Name}, plain HTTP included; name its HTTPS listener (sectionName)");
            }
        }
        foreach (var cm in plan.Objects.OfType<V1ConfigMap>())
        {
            foreach (var (key, value) in cm.Data ?? new Dictionary<string, string>())
            {
                if ((value ?? "").Split('\n').Any(l => l.Trim() is "no-tls" or "no-dtls"))
                {
                    yield return new CheckViolation(CheckRule.TlsInProduction, $"ConfigMap {cm.Metadata?.NamespaceProperty}/{cm.Metadata?.Name} key {key}",
                        "turns coturn's TLS off (no-tls/no-dtls); production serves TURN over TLS");
                }
            }
        }
    }
}
