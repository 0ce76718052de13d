using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Policy;

/// <summary>
/// Production encrypts Redis and Sentinel traffic when this project runs Redis (<c>redisTls</c>). (Certificates clients
/// accept, i.e. no self-signed ones, is a config rule: Checks/ConfigRules.cs ProductionTrustedTls. That the objects the
/// plan builds serve TLS — Ingress hosts, HTTPRoute listeners, coturn's TLS listener — is a property of our code, checked
/// in the tests: tests/Infra.Plan.Tests/Checks/TlsOutputChecks.cs.)
/// </summary>
public static class TlsPolicy
{
    public static IEnumerable<PolicyViolation> Check(PolicyInput plan)
    {
        if (plan.Spec.Site.Production && plan.Spec.Redis.Mode == RedisMode.Managed && !plan.Spec.Redis.Tls)
        {
            yield return new PolicyViolation(PolicyRule.TlsInProduction, "matrix-rtc:redisTls",
                "is false; production encrypts Redis and Sentinel traffic (the password and room state cross nodes between the SFU and Redis)");
        }
    }
}
