using k8s.Models;
using Infra.Plan.Components.Authorizer;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Secrets;
using Infra.Plan.Sizing;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;
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

/// <summary>The authorizer planned alone from a literal <see cref="AuthorizerInput"/>: no stack file, no whole environment.</summary>
public class AuthorizerInputTests
{
    private static readonly AuthorizerInput Input = new(
        Namespace: "calls",
        ServerName: "example.com",
        RtcHost: "rtc.example.com",
        Image: new ImageRef("ghcr.io/element-hq/lk-jwt-service", "0.6.0", null),
        PullSecrets: [],
        Size: new ResourceSize(100, 128, Guaranteed: false),
        Port: 8080,
        SfuWssUrl: "wss://rtc.example.com",
        SynapseInternalUrl: "http://synapse.matrix.svc:8008",
        Tls: new TlsSpec(TlsMode.CertManager, "letsencrypt", "ClusterIssuer", "", "", "nginx", ExternalDns: false),
        Routing: new RoutingSpec(RoutingMode.Ingress, new GatewayListener("", "", ""), IngressController.Generic));

    [Fact]
    public void A_literal_input_gives_the_deployment_service_ingress_and_secret_it_names()
    {
        // GIVEN a minimal input: Ingress routing, cert-manager TLS, an in-cluster Synapse
        // WHEN the authorizer is planned from it alone
        var plan = AuthorizerPlan.Build(Input);

        // THEN one replica of the pinned image in the given namespace, sized by the input, bound to the given port
        var d = plan.Deployment;
        Assert.Equal(("lk-jwt-service", "calls", 1), (d.Metadata.Name, d.Metadata.NamespaceProperty, d.Spec.Replicas));
        var c = d.Spec.Template.Spec.Containers.Single();
        Assert.Equal("ghcr.io/element-hq/lk-jwt-service:0.6.0", c.Image);
        Assert.Null(d.Spec.Template.Spec.ImagePullSecrets);
        Assert.Equal(("100m", "128Mi"), (c.Resources.Requests["cpu"].ToString(), c.Resources.Requests["memory"].ToString()));
        Assert.False(c.Resources.Limits.ContainsKey("cpu"));
        Assert.Equal(8080, c.Ports.Single().ContainerPort);
        // AND the env lk-jwt-service reads, from the input's values only (no CA dir: the certificate is not self-signed)
        var env = c.Env.ToDictionary(e => e.Name, e => e.Value);
        Assert.Equal("wss://rtc.example.com", env["LIVEKIT_URL"]);
        Assert.Equal("example.com", env["LIVEKIT_FULL_ACCESS_HOMESERVERS"]);
        Assert.Equal(":8080", env["LIVEKIT_JWT_BIND"]);
        Assert.Equal("/etc/lk-jwt-service/api-secret", env["LIVEKIT_SECRET_FROM_FILE"]);
        Assert.Equal("example.com=http://synapse.matrix.svc:8008", env["LIVEKIT_CS_API_URL_OVERRIDES"]);
        Assert.False(env.ContainsKey("SSL_CERT_DIR"));
        Assert.Equal(["livekit-api"], d.Spec.Template.Spec.Volumes.Select(v => v.Name));
        // AND the Service on that port, the API Secret in the same namespace
        Assert.Equal(("lk-jwt-service", "calls", 8080), (plan.Service.Metadata.Name, plan.Service.Metadata.NamespaceProperty, plan.Service.Spec.Ports.Single().Port));
        Assert.Equal(("calls", "livekit-api"), (plan.ApiSecret.Namespace, plan.ApiSecret.Name));
        // AND an Ingress on the RTC host for the three public paths, its certificate from the cert-manager issuer
        var ingress = Assert.IsType<V1Ingress>(plan.Route);
        Assert.Equal(("authorizer-rtc", "calls", "nginx"), (ingress.Metadata.Name, ingress.Metadata.NamespaceProperty, ingress.Spec.IngressClassName));
        Assert.Equal("letsencrypt", ingress.Metadata.Annotations["cert-manager.io/cluster-issuer"]);
        var rule = ingress.Spec.Rules.Single();
        Assert.Equal("rtc.example.com", rule.Host);
        Assert.Equal(["/sfu/get", "/get_token", "/delegate_delayed_leave"], rule.Http.Paths.Select(p => p.Path));
        Assert.All(rule.Http.Paths, p => Assert.Equal(("lk-jwt-service", 8080), (p.Backend.Service.Name, p.Backend.Service.Port.Number)));
    }

    [Fact]
    public void Self_signed_tls_and_no_synapse_url_mount_the_internal_ca_and_drop_the_override()
    {
        // GIVEN the same input with a self-signed RTC certificate and no local Synapse URL
        var plan = AuthorizerPlan.Build(Input with { SynapseInternalUrl = "", Tls = Input.Tls with { Mode = TlsMode.SelfSigned } });

        // THEN the CA directory is trusted besides the bundle, from the internal CA Secret, and no override is set
        var pod = plan.Deployment.Spec.Template.Spec;
        var env = pod.Containers.Single().Env.ToDictionary(e => e.Name, e => e.Value);
        Assert.Equal("/etc/matrix-rtc-ca", env["SSL_CERT_DIR"]);
        Assert.False(env.ContainsKey("LIVEKIT_CS_API_URL_OVERRIDES"));
        Assert.Equal(["livekit-api", "internal-ca"], pod.Volumes.Select(v => v.Name));
        Assert.Equal("matrix-rtc-internal-ca", pod.Volumes[1].Secret.SecretName);
    }
}
