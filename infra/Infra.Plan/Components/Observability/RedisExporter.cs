using Infra.Plan.Kubernetes;
using k8s.Models;
using Infra.Plan.Secrets;
using Infra.Plan.Spec;

namespace Infra.Plan.Components.Observability;

/// <summary>
/// The redis_exporter sidecar the Redis plan adds to each Redis pod when monitoring is on. It scrapes the data
/// container over the pod's loopback, so its address never changes with the pod's role; the password comes
/// from the same Secret the data container uses.
/// </summary>
public static class RedisExporter
{
    public const int Port = 9121;
    public const string ContainerName = "redis-exporter";

    /// <summary>
    /// The sidecar (the Redis plan adds it only when monitoring is on). <paramref name="tls"/>: the data container
    /// serves TLS; <paramref name="password"/>: the Redis password Secret key in the Redis pods' namespace.
    /// </summary>
    public static V1Container Sidecar(ImageRef image, bool tls, SecretRef password)
    {
        var env = new List<V1EnvVar>
        {
            // Loopback inside the pod: TLS there would need a certificate for "localhost"; skipping verification
            // on 127.0.0.1 gives nothing away.
            new() { Name = "REDIS_ADDR", Value = tls ? $"rediss://localhost:{Names.RedisPort}" : $"redis://localhost:{Names.RedisPort}" },
            new() { Name = "REDIS_PASSWORD", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = password.Name, Key = password.Key } } },
        };
        if (tls)
        {
            env.Add(new() { Name = "REDIS_EXPORTER_SKIP_TLS_VERIFICATION", Value = "true" });
        }
        return new V1Container
        {
            Name = ContainerName,
            Image = image.Reference,
            Env = env,
            Ports = [new V1ContainerPort { Name = "metrics", ContainerPort = Port, Protocol = "TCP" }],
            Resources = new V1ResourceRequirements
            {
                Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("25m"), ["memory"] = new("32Mi") },
                Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("64Mi") },
            },
            SecurityContext = SecurityContexts.Restricted(),
            ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/health", Port = Port }, PeriodSeconds = 10 },
        };
    }
}
