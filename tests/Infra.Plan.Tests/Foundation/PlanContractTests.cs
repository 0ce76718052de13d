using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Components.Egress;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Components.Routing;
using Infra.Plan.Components.Tls;
using Infra.Plan.Kubernetes;
using Infra.Plan.Secrets;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Foundation;

/// <summary>The joint between the plan and everything downstream: what the contract promises, on real plans.</summary>
public sealed partial class PlanContractTests
{
    public static TheoryData<string> Configs => StackVariants.Names;

    private static EnvironmentPlan PlanFor(string name) => StackVariants.Plan(name);

    [Fact]
    public void The_spec_layer_imports_none_of_the_parts_derived_from_it()
    {
        // GIVEN every source file of the spec layer (parse) and of the contract
        var root = Path.Combine(Stacks.RepoRoot, "infra", "Infra.Plan");
        var layers = new[] { ("Spec", ForbiddenInSpec()), ("Contract", ForbiddenInContract()) };

        foreach (var (folder, forbidden) in layers)
        {
            var files = Directory.GetFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories);
            Assert.NotEmpty(files);
            foreach (var file in files)
            {
                // THEN none names a namespace of a later layer (derive, check, components): no import cycle
                // Code only: a comment may say where a rule went.
                var text = LineComment().Replace(System.IO.File.ReadAllText(file), "");
                var match = forbidden.Match(text);
                Assert.False(match.Success, $"{Path.GetRelativePath(root, file)} refers to {match.Value}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Generated_ids_secrets_and_resource_names_are_unique_and_every_source_is_generated(string config)
    {
        var plan = PlanFor(config);
        var components = plan.Components;

        var generated = components.SelectMany(c => c.Generated).Select(g => g.Id).ToList();
        Assert.Equal(generated.Count, generated.Distinct().Count());
        var secrets = components.SelectMany(c => c.Secrets).ToList();
        Assert.Equal(secrets.Count, secrets.Select(s => s.ResourceName).Distinct().Count());
        Assert.All(secrets.SelectMany(s => s.Entries).SelectMany(e => e.Source.GeneratedIds()), id => Assert.Contains(id, generated));
        // Components wait only for components that come before them (the Pulumi layer creates them in this order).
        var seen = new HashSet<string>();
        foreach (var component in components)
        {
            Assert.All(component.After, a => Assert.Contains(a, seen));
            seen.Add(component.Name);
        }
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Every_secret_a_workload_reads_is_created_by_the_environment_or_named_by_the_operator(string config)
    {
        // GIVEN the Secrets each workload reads (volumes, env, the chart's keys Secret and post-render wiring, Ingress TLS)
        var plan = PlanFor(config);
        var created = plan.Components.SelectMany(c => c.Secrets).Select(s => (s.Namespace, s.Name)).ToHashSet();
        var operators = OperatorSecrets(plan).ToHashSet();

        foreach (var (consumer, secret) in Reads(plan))
        {
            // THEN each is one the plan fills, or one the operator (or cert-manager) provides by name
            Assert.True(created.Contains(secret) || operators.Contains(secret), $"{consumer} reads {secret.Item1}/{secret.Item2}, which nothing creates");
        }
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Each_secrets_consumers_are_exactly_the_workloads_that_read_it(string config)
    {
        var plan = PlanFor(config);
        var reads = Reads(plan).GroupBy(r => r.Secret).ToDictionary(g => g.Key, g => g.Select(r => r.Consumer).ToHashSet());

        foreach (var secret in plan.Components.SelectMany(c => c.Secrets).Where(s => s.ConsumedBy.All(c => c.Kind != "Synapse")))
        {
            var declared = secret.ConsumedBy.Select(c => c.ToString()).ToHashSet();
            var actual = reads.GetValueOrDefault((secret.Namespace, secret.Name)) ?? [];
            Assert.True(declared.SetEquals(actual), $"{secret.Namespace}/{secret.Name}: declared [{string.Join(", ", declared)}], read by [{string.Join(", ", actual)}]");
        }
    }

    /// <summary>Who reads which Secret, from the objects themselves (and, for the chart's SFU, from its values and wiring).</summary>
    private static IEnumerable<(string Consumer, (string, string) Secret)> Reads(EnvironmentPlan plan)
    {
        foreach (var obj in plan.Objects)
        {
            var (kind, meta, pod) = obj switch
            {
                V1Deployment d => ("Deployment", d.Metadata, d.Spec.Template.Spec),
                V1StatefulSet s => ("StatefulSet", s.Metadata, s.Spec.Template.Spec),
                V1DaemonSet ds => ("DaemonSet", ds.Metadata, ds.Spec.Template.Spec),
                _ => ("", null, null),
            };
            if (pod is not null)
            {
                foreach (var name in SecretsOf(pod).Distinct())
                {
                    yield return ($"{kind} {meta!.NamespaceProperty}/{meta.Name}", (meta.NamespaceProperty, name));
                }
            }
            if (obj is V1Ingress ingress)
            {
                foreach (var tls in ingress.Spec.Tls ?? [])
                {
                    yield return ($"Ingress {ingress.Metadata.NamespaceProperty}/{ingress.Metadata.Name}", (ingress.Metadata.NamespaceProperty, tls.SecretName));
                }
            }
            // An HTTPRoute's Gateway reads the listener certificate the README tells the operator to reference, unless the
            // listener carries the operator's own (existing-secret).
            if (obj is CustomObject { Spec: HttpRouteSpec route } && plan.Spec.Tls.Mode != TlsMode.ExistingSecret)
            {
                foreach (var parent in route.ParentRefs)
                {
                    yield return ($"Gateway {parent.Namespace}/{parent.Name}", (TlsPlan.ListenerSecretNamespace(TlsInput.From(plan.Derived)), SecretNames.RtcTls));
                }
            }
        }
        // Each SFU release's pods: what the post-renderer wires in, the chart's keys Secret and (LiveKit serving TURN/TLS)
        // the TURN certificate the chart mounts.
        foreach (var release in plan.Livekit.Sfus)
        {
            var sfu = $"Deployment {plan.Spec.Site.MediaNamespace}/{LivekitPlan.FullNameOf(release.Release.Name)}";
            var chartSecrets = release.Wiring.SecretKeys().Select(k => k.Secret).Append(release.Values.KeysSecret)
                .Concat(release.Values.TurnTlsSecret is { } turnTls ? [turnTls] : Array.Empty<string>()).Distinct();
            foreach (var name in chartSecrets)
            {
                yield return (sfu, (plan.Spec.Site.MediaNamespace, name));
            }
        }
        // The egress chart's pods read only what the post-renderer wires in (env vars, files).
        if (plan.Egress is { } egress)
        {
            foreach (var name in egress.Wiring.SecretKeys().Select(k => k.Secret).Distinct())
            {
                yield return ($"Deployment {plan.Spec.Site.Namespace}/{EgressPlan.FullName}", (plan.Spec.Site.Namespace, name));
            }
        }
    }

    private static IEnumerable<string> SecretsOf(V1PodSpec pod)
    {
        foreach (var volume in pod.Volumes ?? [])
        {
            if (volume.Secret?.SecretName is { } name)
            {
                yield return name;
            }
            foreach (var source in volume.Projected?.Sources ?? [])
            {
                if (source.Secret?.Name is { } projected)
                {
                    yield return projected;
                }
            }
        }
        foreach (var c in (pod.InitContainers ?? []).Concat(pod.Containers))
        {
            foreach (var env in c.Env ?? [])
            {
                if (env.ValueFrom?.SecretKeyRef?.Name is { } name)
                {
                    yield return name;
                }
            }
            foreach (var from in c.EnvFrom ?? [])
            {
                if (from.SecretRef?.Name is { } name)
                {
                    yield return name;
                }
            }
        }
    }

    /// <summary>Secrets the operator or cert-manager provides: named in the spec, or issued for a Certificate or an Ingress annotation.</summary>
    private static IEnumerable<(string, string)> OperatorSecrets(EnvironmentPlan plan)
    {
        var spec = plan.Spec;
        foreach (var ns in new[] { spec.Site.Namespace, spec.Site.MediaNamespace })
        {
            if (spec.Tls.Mode == Infra.Plan.Spec.Sections.TlsMode.ExistingSecret)
            {
                yield return (ns, spec.Tls.RtcTlsSecret);
                yield return (ns, spec.Tls.TurnTlsSecret);
            }
        }
        foreach (var cert in plan.Objects.OfType<CertManagerCertificate>())
        {
            yield return (cert.Metadata.NamespaceProperty, cert.Spec.SecretName);
        }
        foreach (var ingress in plan.Objects.OfType<V1Ingress>().Where(i => i.Metadata.Annotations?.Keys.Any(k => k.StartsWith("cert-manager.io/", StringComparison.Ordinal)) == true))
        {
            foreach (var tls in ingress.Spec.Tls ?? [])
            {
                yield return (ingress.Metadata.NamespaceProperty, tls.SecretName);
            }
        }
        if (spec.Egress.S3?.Credentials is Infra.Plan.Spec.Sections.S3Credentials.FromSecret keys)
        {
            yield return (spec.Site.Namespace, keys.AccessKey.Name);
            yield return (spec.Site.Namespace, keys.SecretKey.Name);
        }
        if (spec.Redis.Existing is { } existing)
        {
            foreach (var s in new[] { existing.PasswordSecret, existing.SentinelPasswordSecret }.OfType<Infra.Plan.Spec.Sections.SecretKeyRef>())
            {
                yield return (spec.Site.MediaNamespace, s.Name);
            }
        }
    }

    [GeneratedRegex(@"//.*$", RegexOptions.Multiline)]
    private static partial Regex LineComment();

    [GeneratedRegex(@"Infra\.Plan\.(Components|Sizing|Ports|Turn|Checks|Policy|Rendering|Contract)\b|\b(Derived|Planner|EnvironmentPlan)\b")]
    private static partial Regex ForbiddenInSpec();

    [GeneratedRegex(@"Infra\.Plan\.(Components|Sizing|Ports|Turn|Checks|Policy|Rendering)\b|\b(Derived|Planner|EnvironmentPlan)\b")]
    private static partial Regex ForbiddenInContract();
}
