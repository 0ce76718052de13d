using Infra.Plan.Spec.Sections;
using k8s.Models;
using Infra.Plan.Components;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Rendering;
using Infra.Plan.Sizing;
using Infra.Plan.Spec;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Coturn;

public class CoturnPlanTests
{
    private static EnvironmentPlan PlanOf(params (string Key, ConfigValue Value)[] changes) => Planner.Build(Parse(With(changes)).OrThrow());

    private static V1DaemonSet DaemonSet(EnvironmentPlan plan) => plan.Coturn!.Contract.Objects.OfType<V1DaemonSet>().Single();

    private static V1ConfigMap ConfigMap(EnvironmentPlan plan) => plan.Coturn!.Contract.Objects.OfType<V1ConfigMap>().Single();

    private static IReadOnlyList<string> Options(string conf) =>
        conf.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();

    [Fact]
    public void DaemonSet_runs_on_the_media_nodes_host_network_with_rolling_updates_one_node_at_a_time()
    {
        // GIVEN a stack with a selector and a toleration for the media nodes
        var plan = PlanOf(("mediaNodeSelector", L("node-role/media=yes")), ("mediaNodeTolerations", L("media=true:NoSchedule", "dedicated:NoExecute")));

        var ds = DaemonSet(plan);
        var pod = ds.Spec.Template.Spec;

        Assert.Equal("matrix-rtc-media", ds.Metadata.NamespaceProperty);
        Assert.True(pod.HostNetwork);
        Assert.Equal("ClusterFirstWithHostNet", pod.DnsPolicy);
        Assert.Equal(new Dictionary<string, string> { ["node-role/media"] = "yes" }, pod.NodeSelector);
        Assert.Collection(pod.Tolerations,
            t => Assert.Equal(("media", "Equal", "true", "NoSchedule"), (t.Key, t.OperatorProperty, t.Value, t.Effect)),
            t => Assert.Equal(("dedicated", "Exists", (string?)null, "NoExecute"), (t.Key, t.OperatorProperty, t.Value, t.Effect)));
        Assert.Equal("RollingUpdate", ds.Spec.UpdateStrategy.Type);
        Assert.Equal("1", ds.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable.Value);
        Assert.True(pod.TerminationGracePeriodSeconds >= 10);
        Assert.False(pod.AutomountServiceAccountToken);
    }

    [Fact]
    public void Turnserver_is_non_root_with_only_NET_BIND_SERVICE_and_probes_and_tier_resources()
    {
        var plan = PlanOf(("tier", S("medium")), ("mediaNodeCount", S("2")));
        var pod = DaemonSet(plan).Spec.Template.Spec;
        var turn = pod.Containers.Single(c => c.Name == "turnserver");

        Assert.Equal("coturn/coturn:4.17.2", turn.Image);
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Equal(65534, pod.SecurityContext.RunAsUser);
        Assert.Equal(["ALL"], turn.SecurityContext.Capabilities.Drop);
        Assert.Equal(["NET_BIND_SERVICE"], turn.SecurityContext.Capabilities.Add);
        Assert.True(turn.SecurityContext.ReadOnlyRootFilesystem);
        Assert.NotEqual(true, turn.SecurityContext.Privileged);
        // no escalation: the image's file capability survives no_new_privs (CoturnPrivilegeTests, on the real turnserver)
        Assert.False(turn.SecurityContext.AllowPrivilegeEscalation);
        // every other container gets no capability at all
        foreach (var c in pod.Containers.Concat(pod.InitContainers).Where(c => c != turn))
        {
            Assert.Null(c.SecurityContext.Capabilities.Add);
            Assert.False(c.SecurityContext.AllowPrivilegeEscalation);
        }
        Assert.Equal("3478", turn.ReadinessProbe.TcpSocket.Port.Value);
        Assert.NotNull(turn.LivenessProbe.TcpSocket);
        var tier = TierCatalog.Get(Tier.Medium).Coturn;
        Assert.Equal(tier.Cpu, turn.Resources.Limits["cpu"].ToString());
        Assert.Equal(tier.Memory, turn.Resources.Requests["memory"].ToString());
    }

    [Fact]
    public void Final_config_lives_in_a_memory_emptyDir_and_the_secret_comes_from_the_Secret_volume()
    {
        var plan = PlanOf();
        var pod = DaemonSet(plan).Spec.Template.Spec;
        var init = Assert.Single(pod.InitContainers);
        var turn = pod.Containers.Single(c => c.Name == "turnserver");

        var run = pod.Volumes.Single(v => v.Name == turn.VolumeMounts.Single(m => m.MountPath == CoturnPaths.RunDir).Name);
        Assert.Equal("Memory", run.EmptyDir.Medium);
        Assert.Contains(CoturnPaths.ConfigFile, turn.Args);
        var secret = pod.Volumes.Single(v => v.Secret?.SecretName == plan.Topology.Turn.SharedSecret.Name);
        Assert.Contains(init.VolumeMounts, m => m.Name == secret.Name);
        Assert.DoesNotContain(turn.VolumeMounts, m => m.Name == secret.Name);
        // the node address comes from the node, not from a constant
        Assert.Equal("status.hostIP", init.Env.Single(e => e.Name == "HOST_IP").ValueFrom.FieldRef.FieldPath);
        Assert.DoesNotContain(Options(ConfigMap(plan).Data[CoturnPaths.TemplateConf]),
            o => o.StartsWith("static-auth-secret", StringComparison.Ordinal) || o.StartsWith("external-ip", StringComparison.Ordinal) ||
                 o.StartsWith("listening-ip", StringComparison.Ordinal));
    }

    [Fact]
    public void No_secret_value_reaches_any_rendered_file()
    {
        // GIVEN a stack whose previous TURN secret is set (decrypted, as in a Pulumi run)
        var config = With();
        config["matrix-rtc:turnSharedSecretPrevious"] = new ConfigValue.Secret("previous-turn-secret-Zq8w");
        var plan = Planner.Build(Parse(config).OrThrow());

        // WHEN every file is rendered THEN the value appears nowhere
        foreach (var file in RenderOutput.Files(plan))
        {
            Assert.DoesNotContain("previous-turn-secret-Zq8w", file.Content);
        }
    }

    [Fact]
    public void Config_follows_the_pinned_coturn_version()
    {
        // GIVEN the default 4.17.2 and an older 4.6.2 image
        var current = Options(ConfigMap(PlanOf()).Data[CoturnPaths.TemplateConf]);
        var older = Options(ConfigMap(PlanOf(("coturnImage", S("coturn/coturn:4.6.2")))).Data[CoturnPaths.TemplateConf]);

        // THEN no-tlsv1 options exist only for the release that still has them
        Assert.DoesNotContain("no-tlsv1", current);
        Assert.DoesNotContain("no-tlsv1_1", current);
        Assert.Contains("no-tlsv1", older);
        Assert.Contains("no-tlsv1_1", older);
        Assert.Contains("prometheus", current);
        Assert.DoesNotContain("no-tlsv1_2", current); // TLS 1.2 stays allowed
        // and options that are defaults (or deprecated, logged at ERROR) in 4.17 are written only for the older release
        foreach (var option in new[] { "no-cli", "no-rfc5780", "no-software-attribute" })
        {
            Assert.DoesNotContain(option, current);
            Assert.Contains(option, older);
        }
        Assert.DoesNotContain("simple-log", current); // a no-op with log-file=stdout (coturn #2028)
        Assert.DoesNotContain("simple-log", older);
    }

    [Theory]
    [InlineData("coturn/coturn:4.9.0", true, true)]
    [InlineData("coturn/coturn:4.10.0", false, true)]
    [InlineData("coturn/coturn:4.16.0", false, true)]
    [InlineData("coturn/coturn:4.17.0", false, false)]
    [InlineData("coturn/coturn:4.17.2", false, false)]
    public void No_cli_and_the_DTLS_port_follow_the_release(string image, bool noCli, bool dtlsPort)
    {
        // GIVEN a coturn release WHEN the plan is built
        var plan = PlanOf(("coturnImage", S(image)));
        var options = Options(ConfigMap(plan).Data[CoturnPaths.TemplateConf]);
        var ports = DaemonSet(plan).Spec.Template.Spec.Containers.Single(c => c.Name == "turnserver").Ports;
        var portPlan = Infra.Plan.Ports.PortPlan.For(Parse(With(("coturnImage", S(image)))).OrThrow());

        // THEN no-cli is written only before 4.10.0 (from there it is the default and only logs an error), and UDP on the
        // TLS port is declared (container port and port plan) only where the release starts DTLS by itself (before 4.17.0)
        Assert.Equal(noCli, options.Contains("no-cli"));
        Assert.Equal(dtlsPort, ports.Any(p => p.Name == "turns-udp"));
        Assert.Equal(dtlsPort, portPlan.Ports.Any(p => p.Purpose == "TURN over DTLS"));
        Assert.DoesNotContain("dtls", options); // never asked for
    }

    [Fact]
    public void Config_has_the_security_options_the_port_plans_relay_range_and_the_tier_quotas()
    {
        var spec = Parse(With(("tier", S("large")), ("mediaNodeCount", S("3")), ("turnRelayPorts", S("61000-65500")), ("turnUserQuota", S("8")))).OrThrow();
        var options = Options(CoturnPlan.Build(CoturnInput.From(Derived.From(spec))).TurnServerConfText);

        foreach (var required in new[] { "use-auth-secret", "fingerprint", "no-multicast-peers", "no-tcp-relay" })
        {
            Assert.Contains(required, options);
        }
        Assert.Contains("realm=turn.example.org", options);
        Assert.Contains("min-port=61000", options);
        Assert.Contains("max-port=65500", options);
        Assert.Contains("user-quota=8", options);
        Assert.Contains($"total-quota={TierCatalog.Get(Tier.Large).TurnTotalQuota}", options);
        Assert.Contains("listening-port=3478", options);
        Assert.Contains("tls-listening-port=5349", options);
        Assert.Contains("prometheus-port=9641", options);
        Assert.Contains($"cert={CoturnPaths.CertFile}", options);
    }

    [Fact]
    public void Tls_on_443_moves_the_TLS_listener_and_the_TURN_uri()
    {
        var plan = PlanOf(("turnTlsOn443", S("true")));

        Assert.Contains("tls-listening-port=443", Options(ConfigMap(plan).Data[CoturnPaths.TemplateConf]));
        Assert.Contains("turns:turn.example.org:443?transport=tcp", plan.Topology.Turn.Uris);
        Assert.Contains(DaemonSet(plan).Spec.Template.Spec.Containers[0].Ports, p => p.HostPort == 443 && p.Protocol == "TCP");
    }

    [Fact]
    public void Topology_gives_the_TURN_uris_and_the_secret_reference_other_components_use()
    {
        var turn = PlanOf().Topology.Turn;

        Assert.Equal(
            ["turn:turn.example.org:3478?transport=udp", "turn:turn.example.org:3478?transport=tcp", "turns:turn.example.org:5349?transport=tcp"],
            turn.Uris);
        Assert.Equal(("matrix-rtc-media", "turn-shared-secret", "secret"), (turn.SharedSecret.Namespace, turn.SharedSecret.Name, turn.SharedSecret.Key));
        Assert.Equal(86400, turn.CredentialTtlSeconds);
    }

    [Fact]
    public void Cert_manager_mode_adds_a_Certificate_for_the_TURN_name_that_the_DaemonSet_mounts()
    {
        var plan = PlanOf(("tlsMode", S("cert-manager")), ("certManagerIssuer", S("dns01-issuer")), ("certManagerIssuerKind", S("Issuer")));

        var cert = plan.Coturn!.Contract.Objects.OfType<CertManagerCertificate>().Single();
        Assert.Equal(["turn.example.org"], cert.Spec.DnsNames);
        Assert.Equal(("dns01-issuer", "Issuer"), (cert.Spec.IssuerRef.Name, cert.Spec.IssuerRef.Kind));
        Assert.Equal("matrix-rtc-media", cert.Metadata.NamespaceProperty);
        var tls = DaemonSet(plan).Spec.Template.Spec.Volumes.Single(v => v.Name == "tls");
        Assert.Equal(cert.Spec.SecretName, tls.Secret.SecretName);
        Assert.Contains("kind: Certificate", RenderOutput.Files(plan).Single(f => f.Path == "manifests/coturn.yaml").Content);
    }

    [Fact]
    public void Other_tls_modes_add_no_Certificate_and_existing_secret_is_mounted_by_name()
    {
        var selfSigned = PlanOf();
        var existing = PlanOf(("tlsMode", S("existing-secret")), ("turnTlsSecret", S("my-turn-cert")));

        Assert.Empty(selfSigned.Coturn!.Contract.Objects.OfType<CertManagerCertificate>());
        Assert.Empty(existing.Coturn!.Contract.Objects.OfType<CertManagerCertificate>());
        Assert.Equal("turn-tls", DaemonSet(selfSigned).Spec.Template.Spec.Volumes.Single(v => v.Name == "tls").Secret.SecretName);
        Assert.Equal("my-turn-cert", DaemonSet(existing).Spec.Template.Spec.Volumes.Single(v => v.Name == "tls").Secret.SecretName);
    }

    [Fact]
    public void Reloader_watches_the_certificate_and_signals_turnserver_through_the_shared_pid_file()
    {
        var plan = PlanOf();
        var pod = DaemonSet(plan).Spec.Template.Spec;
        var reloader = pod.Containers.Single(c => c.Name == "cert-reloader");
        var script = ConfigMap(plan).Data[CoturnPaths.ReloadScript];

        Assert.True(pod.ShareProcessNamespace);
        Assert.Contains("kill -USR2", script);
        Assert.Contains(reloader.VolumeMounts, m => m.MountPath == CoturnPaths.PidDir);
        // the reloader never sees the final config (it holds the secret)
        Assert.DoesNotContain(reloader.VolumeMounts, m => m.MountPath == CoturnPaths.RunDir);
        Assert.Contains($"pidfile={CoturnPaths.PidFile}", Options(ConfigMap(plan).Data[CoturnPaths.TemplateConf]));
    }

    [Fact]
    public void Same_spec_gives_the_same_bytes_and_a_config_change_rolls_the_pods()
    {
        string Render(EnvironmentPlan p) => RenderOutput.Files(p).Single(f => f.Path == "manifests/coturn.yaml").Content;
        var a = PlanOf();
        var b = PlanOf();
        var c = PlanOf(("turnUserQuota", S("5")));

        Assert.Equal(Render(a), Render(b));
        Assert.NotEqual(
            DaemonSet(a).Spec.Template.Metadata.Annotations["matrix-rtc/config-sha256"],
            DaemonSet(c).Spec.Template.Metadata.Annotations["matrix-rtc/config-sha256"]);
    }
}
