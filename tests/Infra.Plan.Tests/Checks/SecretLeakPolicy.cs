using k8s.Models;
using Infra.Plan.Policy;

namespace Infra.Plan.Tests.Checks;

/// <summary>
/// No secret value in a ConfigMap or a Helm value: both are stored and shown in plain text (Helm values end up
/// in the release's ConfigMap and in <c>helm get values</c>). Plans hold SecretRefs only, so anything that looks
/// like a secret here is a bug. Secret objects in a plan must carry no data either: the Pulumi shell fills them.
/// </summary>
public static class SecretLeakPolicy
{
    public static IEnumerable<CheckViolation> Check(PolicyInput plan)
    {
        foreach (var obj in plan.Objects)
        {
            switch (obj)
            {
                case V1ConfigMap cm:
                    var subject = $"ConfigMap {cm.Metadata?.NamespaceProperty}/{cm.Metadata?.Name}";
                    foreach (var (key, value) in (cm.Data ?? new Dictionary<string, string>()).OrderBy(e => e.Key, StringComparer.Ordinal))
                    {
                        if (SecretScanner.ScanPair(key, value ?? "") is { } pair)
                        {
                            yield return Violation(subject, pair);
                        }
                        foreach (var finding in SecretScanner.Scan(value ?? ""))
                        {
                            yield return Violation($"{subject} key {key}", finding);
                        }
                    }
                    break;
                case V1Secret secret when secret.Data is { Count: > 0 } || secret.StringData is { Count: > 0 }:
                    yield return Violation($"Secret {secret.Metadata?.NamespaceProperty}/{secret.Metadata?.Name}",
                        "carries data in the plan; plans hold only SecretRefs and the Pulumi shell creates the values");
                    break;
            }
        }
        foreach (var file in plan.Releases.Select(r => r.Values))
        {
            foreach (var finding in SecretScanner.Scan(file.Content))
            {
                yield return Violation($"Helm values {file.Path}", finding);
            }
        }
    }

    private static CheckViolation Violation(string subject, string finding) =>
        new(CheckRule.NoSecretInConfig, subject, finding + "; secrets belong in Kubernetes Secrets, not in ConfigMaps or Helm values");
}
