using k8s.Models;
using Infra.Plan.Components.Authorizer;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Secrets;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Authorizer;

public class AuthorizerPlanTests
{
    private static V1Deployment Deployment(EnvironmentPlan plan) =>
        plan.Authorizer.Contract.Objects.OfType<V1Deployment>().Single();

    private static Dictionary<string, V1EnvVar> Env(V1Deployment d) =>
        d.Spec.Template.Spec.Containers.Single().Env.ToDictionary(e => e.Name);

    [Fact]
    public void One_pinned_replica_in_the_restricted_namespace()
    {
        var plan = Stacks.Plan("prod");
        var d = Deployment(plan);

        Assert.Equal(1, d.Spec.Replicas);
        Assert.Equal(plan.Spec.Site.Namespace, d.Metadata.NamespaceProperty);
        var container = d.Spec.Template.Spec.Containers.Single();
        Assert.Equal(plan.Spec.Images.Authorizer.Reference, container.Image);
        Assert.Contains("@sha256:", container.Image);
    }

    [Fact]
    public void Environment_points_at_the_sfu_and_reads_the_key_from_secrets()
    {
        // GIVEN the dev stack (it names the in-cluster Synapse URL)
        var plan = Stacks.Plan("dev");
        var env = Env(Deployment(plan));

        // THEN the env is what lk-jwt-service reads, with no secret value in it
        Assert.Equal("wss://rtc.dev.example.org", env["LIVEKIT_URL"].Value);
        Assert.Equal(plan.Topology.SfuWssUrl, env["LIVEKIT_URL"].Value);
        Assert.Null(env["LIVEKIT_KEY"].Value);
        Assert.Equal((SecretNames.LivekitApi, ApiKeys.KeyId), (env["LIVEKIT_KEY"].ValueFrom.SecretKeyRef.Name, env["LIVEKIT_KEY"].ValueFrom.SecretKeyRef.Key));
        Assert.False(env.ContainsKey("LIVEKIT_SECRET"));
        Assert.Equal("dev.example.org", env["LIVEKIT_FULL_ACCESS_HOMESERVERS"].Value);
        Assert.Equal(":8080", env["LIVEKIT_JWT_BIND"].Value);
        Assert.Equal("dev.example.org=http://synapse.matrix.svc.cluster.local:8008", env["LIVEKIT_CS_API_URL_OVERRIDES"].Value);
    }

    [Fact]
    public void The_secret_file_is_the_mounted_api_secret()
    {
        var d = Deployment(Stacks.Plan("dev"));
        var container = d.Spec.Template.Spec.Containers.Single();
        var path = Env(d)["LIVEKIT_SECRET_FROM_FILE"].Value;

        var mount = Assert.Single(container.VolumeMounts, m => path.StartsWith(m.MountPath + "/", StringComparison.Ordinal));
        Assert.True(mount.ReadOnlyProperty);
        var volume = d.Spec.Template.Spec.Volumes.Single(v => v.Name == mount.Name);
        Assert.Equal(SecretNames.LivekitApi, volume.Secret.SecretName);
        var item = Assert.Single(volume.Secret.Items);
        Assert.Equal($"{mount.MountPath}/{item.Path}", path);
        Assert.Equal(ApiKeys.Secret, item.Key);
        Assert.Equal(0, volume.Secret.DefaultMode!.Value & 0b111);
    }

    [Fact]
    public void No_cs_api_override_without_an_internal_synapse_url()
    {
        var env = Env(Deployment(Planner.Build(Parse(Minimal()).OrThrow())));
        Assert.False(env.ContainsKey("LIVEKIT_CS_API_URL_OVERRIDES"));
    }

    [Fact]
    public void Probes_use_healthz_and_the_pod_meets_pod_security_restricted()
    {
        var d = Deployment(Stacks.Plan("prod"));
        var pod = d.Spec.Template.Spec;
        var c = pod.Containers.Single();

        Assert.Equal("/healthz", c.LivenessProbe.HttpGet.Path);
        Assert.Equal("/healthz", c.ReadinessProbe.HttpGet.Path);
        Assert.Equal("http", c.ReadinessProbe.HttpGet.Port.Value);
        // restricted: non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.NotEqual(0, pod.SecurityContext.RunAsUser);
        Assert.False(c.SecurityContext.AllowPrivilegeEscalation);
        Assert.Equal(["ALL"], c.SecurityContext.Capabilities.Drop);
        Assert.Null(c.SecurityContext.Capabilities.Add);
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
        Assert.True(c.SecurityContext.ReadOnlyRootFilesystem);
        Assert.Null(pod.HostNetwork);
        Assert.False(pod.AutomountServiceAccountToken);
    }

    [Fact]
    public void Service_selects_the_pods_on_the_authorizer_port()
    {
        var plan = Stacks.Plan("prod");
        var d = Deployment(plan);
        var svc = plan.Authorizer.Contract.Objects.OfType<V1Service>().Single();

        Assert.Equal("lk-jwt-service", svc.Metadata.Name);
        Assert.All(svc.Spec.Selector, kv => Assert.Equal(kv.Value, d.Spec.Template.Metadata.Labels[kv.Key]));
        Assert.All(d.Spec.Selector.MatchLabels, kv => Assert.Equal(kv.Value, d.Spec.Template.Metadata.Labels[kv.Key]));
        var port = Assert.Single(svc.Spec.Ports);
        Assert.Equal(plan.Topology.Authorizer.Port, port.Port);
        Assert.StartsWith($"http://{svc.Metadata.Name}.{svc.Metadata.NamespaceProperty}.svc", plan.Topology.Authorizer.WebhookUrl);
    }
}

public class AuthorizerTlsTests
{
    private static IReadOnlyDictionary<string, string> Env(string stack) =>
        Stacks.Plan(stack).Authorizer.Contract.Objects.OfType<V1Deployment>().Single()
            .Spec.Template.Spec.Containers.Single().Env.ToDictionary(e => e.Name, e => e.Value);

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Tls_verification_is_never_turned_off(string stack)
    {
        // It would also turn off verification of the federation OpenID lookups (lk-jwt-service config.go).
        Assert.False(Env(stack).ContainsKey("LIVEKIT_INSECURE_SKIP_VERIFY_TLS"));
    }

    [Fact]
    public void With_self_signed_tls_the_authorizer_trusts_the_CA_that_signed_the_rtc_host_besides_its_bundle()
    {
        // GIVEN dev (self-signed RTC host certificate)
        var plan = Stacks.Plan("dev");
        var pod = plan.Authorizer.Deployment.Spec.Template.Spec;
        var container = pod.Containers.Single();

        // THEN SSL_CERT_DIR (added to Go's default bundle; SSL_CERT_FILE would replace it) is a mounted directory...
        var dir = Env("dev")["SSL_CERT_DIR"];
        Assert.DoesNotContain(':', dir);
        Assert.False(Env("dev").ContainsKey("SSL_CERT_FILE"));
        var mount = Assert.Single(container.VolumeMounts, m => m.MountPath == dir);
        var volume = pod.Volumes.Single(v => v.Name == mount.Name).Secret;
        // ...holding only the certificate of the CA that issued the RTC host's certificate (no private key)
        var secret = plan.Tls!.Secrets.Single(s => s.Namespace == plan.Spec.Site.Namespace && s.Name == volume.SecretName);
        var ca = Assert.Single(secret.Entries);
        Assert.Equal(("ca.crt", (SecretSource)new SecretSource.Certificate(plan.Tls.Rtc.Issuer!)), (ca.Key, ca.Source));
        Assert.Equal(["ca.crt"], volume.Items.Select(i => i.Key));
        // AND prod (cert-manager, publicly trusted) mounts no extra CA
        Assert.False(Env("prod").ContainsKey("SSL_CERT_DIR"));
    }
}
