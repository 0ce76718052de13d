using System.Text;
using Infra.Plan.Contract;

namespace Infra.Plan.Rendering;

/// <summary>
/// <c>report/secrets.md</c>: every value the stack generates and every Secret it fills, with where each key's value
/// comes from and who reads it. What a reviewer checks, what a GitOps user must create by hand, and what a rotation
/// must restart. Names and sources only, never a value.
/// </summary>
public static class SecretsReport
{
    public const string Path = "report/secrets.md";

    public static PlanFile Build(EnvironmentPlan plan)
    {
        var components = plan.Components;
        var sb = new StringBuilder();
        sb.Append($"# Secrets: stack `{plan.Spec.Stack}`\n\n");
        sb.Append("The Pulumi program generates these values once (Pulumi.Random, Pulumi.Tls) and keeps them encrypted in its state;\n");
        sb.Append("`pulumi up --replace` on a value's resource rotates it. Without Pulumi, create the same Secrets yourself.\n\n");
        sb.Append("| value | component | what | lifetime |\n|---|---|---|---|\n");
        foreach (var (component, value) in components.SelectMany(c => c.Generated.Select(g => (c.Name, g))))
        {
            sb.Append(value switch
            {
                RandomValue r => $"| `{r.Id}` | {component} | {r.Length} random letters and digits{(r.Prefix.Length > 0 ? $" after \"{r.Prefix}\"" : "")} ({r.EntropyBits:0} bits){(r.Secret ? "" : ", not secret")} | until replaced |\n",
                CertificateValue c => $"| `{c.Id}` | {component} | ECDSA P-256 {(c.IsCa ? "CA" : "certificate")} `{c.CommonName}`{(c.DnsNames.Count > 0 ? $" for {string.Join(", ", c.DnsNames)}" : "")}, {(c.Issuer is null ? "self-signed" : $"signed by `{c.Issuer}`")} | {c.ValidityHours / 24} days{(c.EarlyRenewalHours > 0 ? $", renewed by `pulumi up` in the last {c.EarlyRenewalHours / 24}" : "")} |\n",
                _ => $"| `{value.Id}` | {component} | ? | ? |\n",
            });
        }
        sb.Append("\n| Secret | type | key | value | read by |\n|---|---|---|---|---|\n");
        foreach (var secret in components.SelectMany(c => c.Secrets))
        {
            var readers = string.Join(", ", secret.ConsumedBy.Select(c => c.ToString()));
            foreach (var entry in secret.Entries)
            {
                sb.Append($"| `{secret.Namespace}/{secret.Name}` | {secret.Type} | `{entry.Key}` | {entry.Source.Describe()} | {readers} |\n");
            }
        }
        return new PlanFile(Path, sb.ToString());
    }
}
