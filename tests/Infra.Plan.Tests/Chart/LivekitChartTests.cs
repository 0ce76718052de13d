using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using Infra.Plan.Components.Authorizer;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Kubernetes;
using Infra.Plan.Secrets;
using Infra.Plan.Spec;
using Infra.Plan.Tests.Livekit;
using Infra.Plan.Tests.Support;
using YamlDotNet.RepresentationModel;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Chart;

/// <summary>
/// The generated values on the real livekit-server chart (1.9.0): helm lint, helm template with our post-renderer,
/// Kubernetes schema validation of every object, and what the SFU actually gets.
/// </summary>
public class LivekitChartTests
{
    [SkippableTheory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Helm_lint_accepts_the_values(string stack)
    {
        var helm = ChartRender.Helm();
        var chart = ChartRender.Chart();
        var plan = Stacks.Plan(stack);
        var scratch = Directory.CreateTempSubdirectory("matrix-rtc-lint-").FullName;
        try
        {
            var values = ChartRender.WriteValues(plan, scratch);
            var result = ToolRun.Run(helm, ["lint", chart, "--strict", "--namespace", plan.Spec.Site.MediaNamespace, "-f", values],
                env: ChartRender.HelmEnv(scratch));

            Assert.True(result.ExitCode == 0, $"helm lint failed:\n{result.Stdout}\n{result.Stderr}");
            Assert.Contains("0 chart(s) failed", result.Stdout);
            // The chart tested here is the version the release pins.
            var chartYaml = System.IO.File.ReadAllText(Path.Combine(chart, "Chart.yaml"));
            Assert.Contains($"version: {plan.Spec.Images.LivekitChartVersion}\n", chartYaml);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    [SkippableTheory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Every_rendered_object_passes_kubernetes_schema_validation(string stack)
    {
        // GIVEN the chart's objects after post-rendering, plus our own LiveKit and authorizer objects
        var rendered = ChartRender.Render(stack);
        var ours = rendered.Plan.Components
            .Where(c => c.Name is LivekitPlan.Component or AuthorizerPlan.Component)
            .SelectMany(c => Manifests.Parse(ManifestWriter.Write(c.Objects)));
        var all = rendered.Objects.Concat(ours).ToList();

        // WHEN kubernetes-models validates each one
        var reports = KubernetesSchemas.Validate(all);

        // THEN every object has a schema and passes it, our HTTPRoutes (a CRD) included
        Assert.Equal(all.Count, reports.Count);
        Assert.Empty(reports.Where(r => !r.Valid).Select(r => r.ToString()));
        Assert.Contains(reports, r => r.Kind == "Deployment" && r.Valid);
        Assert.Contains(reports, r => r.Kind == "HTTPRoute" && r.Valid);
    }

    [SkippableTheory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Rendered_objects_load_strictly_with_no_unknown_field(string stack)
    {
        var rendered = ChartRender.Render(stack);
        // ServiceMonitor is a CRD KubernetesClient has no type for; the rest must load with strict field checking.
        var documents = System.Text.RegularExpressions.Regex.Split(rendered.Output, @"^---[ \t]*$", System.Text.RegularExpressions.RegexOptions.Multiline);
        var builtIn = string.Join("---\n", documents.Where(d => d.Contains("kind:") && !d.Contains("kind: ServiceMonitor")));

        var objects = KubernetesYaml.LoadAllFromString(builtIn, strict: true);

        Assert.Equal(rendered.Objects.Count(o => o.Kind() != "ServiceMonitor"), objects.Count);
    }

    [SkippableTheory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void The_sfu_runs_the_custom_image_on_the_host_network_one_per_node_in_strict_mode(string stack)
    {
        var rendered = ChartRender.Render(stack);
        var plan = rendered.Plan;
        var deployment = rendered.Single("Deployment");
        var pod = deployment.At("spec.template.spec")!;
        var container = rendered.Container;

        // The custom media-relay image, by digest in prod
        var image = (string)container["image"]!;
        Assert.Equal(plan.Spec.Images.MediaRelay.Reference, image);
        Assert.Equal(stack == "prod", image.Contains("@sha256:"));
        Assert.Equal(plan.Sizing.SfuReplicas, (long)deployment.At("spec.replicas")!);
        // Host network, one pod per node, no surge, a long drain
        Assert.True((bool)pod["hostNetwork"]!);
        Assert.Equal("ClusterFirstWithHostNet", (string)pod["dnsPolicy"]!);
        var term = pod.At("affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution.0")!;
        Assert.Equal("kubernetes.io/hostname", (string)term["topologyKey"]!);
        var podLabels = deployment.At("spec.template.metadata.labels")!.AsObject();
        Assert.All(term.At("labelSelector.matchLabels")!.AsObject(), kv => Assert.Equal((string)kv.Value!, (string)podLabels[kv.Key]!));
        Assert.Equal(0, (long)deployment.At("spec.strategy.rollingUpdate.maxSurge")!);
        Assert.Equal(1, (long)deployment.At("spec.strategy.rollingUpdate.maxUnavailable")!);
        Assert.Equal(plan.Spec.Sfu.DrainSeconds, (long)pod["terminationGracePeriodSeconds"]!);
        Assert.True(plan.Spec.Sfu.DrainSeconds >= 60);
        // Strict config: the chart's lenient flag is gone, nowhere in the output
        Assert.DoesNotContain(SecretWiring.DisableStrictConfig, rendered.Output);
        Assert.Null(container["args"]);
        // No service-account token: the chart leaves it mounted, the SFU never calls the API
        Assert.False((bool)pod["automountServiceAccountToken"]!);
        // Guaranteed QoS
        Assert.Equal(container.At("resources.requests")!.ToJsonString(), container.At("resources.limits")!.ToJsonString());
        // Our PDB selects exactly these pods
        var pdb = plan.Livekit.Contract.Objects.OfType<k8s.Models.V1PodDisruptionBudget>().Single();
        Assert.All(pdb.Spec.Selector.MatchLabels, kv => Assert.Equal(kv.Value, (string)podLabels[kv.Key]!));
        // Our HTTPRoute reaches the chart's Service on its port
        var service = rendered.Single("Service");
        var route = (Infra.Plan.Components.Routing.HttpRouteSpec)plan.Livekit.Contract.Objects.OfType<CustomObject>().Single(o => o.Kind == "HTTPRoute").Spec;
        var backend = Assert.Single(Assert.Single(route.Rules).BackendRefs);
        Assert.Equal(service.Name(), backend.Name);
        Assert.Contains(service.At("spec.ports")!.AsArray(), p => (long)p!["port"]! == backend.Port);
    }

    [SkippableTheory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Secrets_reach_the_sfu_only_through_secret_key_refs_and_secret_volumes(string stack)
    {
        var rendered = ChartRender.Render(stack);
        var container = rendered.Container;
        var pod = rendered.Single("Deployment").At("spec.template.spec")!;

        // No env var carries a literal value at all: config from the ConfigMap, secrets from Secrets
        var env = container["env"]!.AsArray().Select(e => e!.AsObject()).ToList();
        Assert.All(env, e => Assert.Null(e["value"]));
        var fromSecrets = env.Where(e => e.At("valueFrom.secretKeyRef") is not null)
            .ToDictionary(e => (string)e["name"]!, e => ((string)e.At("valueFrom.secretKeyRef.name")!, (string)e.At("valueFrom.secretKeyRef.key")!));
        Assert.Equal((SecretNames.RedisAuth, "redis-password"), fromSecrets["LIVEKIT_REDIS_PASSWORD"]);
        Assert.Equal((SecretNames.RedisAuth, "sentinel-password"), fromSecrets["LIVEKIT_REDIS_SENTINEL_PASSWORD"]);
        Assert.Equal((SecretNames.LivekitApi, ApiKeys.KeyId), fromSecrets["LIVEKIT_WEBHOOK_API_KEY"]);
        Assert.All(env.Where(e => e.At("valueFrom.secretKeyRef") is null), e => Assert.Equal("LIVEKIT_CONFIG", (string)e["name"]!));

        // Files: the API keys and the TURN secret, from Secret volumes that give "others" nothing
        var volumes = pod["volumes"]!.AsArray().Select(v => v!.AsObject()).ToList();
        Assert.All(volumes, v => Assert.NotNull(v["secret"]));
        Assert.All(volumes, v => Assert.Equal(0, (long)v.At("secret.defaultMode")! & 0b111));
        Assert.Equal(SecretNames.LivekitApi, (string)volumes.Single(v => (string)v["name"]! == "keys-volume").At("secret.secretName")!);
        var turn = volumes.Single(v => (string)v.At("secret.secretName")! == SecretNames.TurnShared);
        var turnMount = container["volumeMounts"]!.AsArray().Single(m => (string)m!["name"]! == (string)turn["name"]!)!;
        Assert.True((bool)turnMount["readOnly"]!);

        // The secret_file LiveKit reads is exactly the mounted Secret key
        var config = ServerConfig(rendered);
        var secretFile = (string)config.At("rtc.turn_servers.0.secret_file")!;
        Assert.Equal($"{(string)turnMount["mountPath"]!}/{(string)turn.At("secret.items.0.path")!}", secretFile);
        Assert.Equal("secret", (string)turn.At("secret.items.0.key")!);
        // The keys file is mounted where key_file points (relative, as the chart requires)
        var keysMount = container["volumeMounts"]!.AsArray().Single(m => (string)m!["name"]! == "keys-volume")!;
        Assert.Equal((string)config["key_file"]!, (string)keysMount["subPath"]!);
    }

    [SkippableFact]
    public void No_config_map_value_or_object_contains_a_secret()
    {
        // GIVEN a stack that holds a real secret in its config (a TURN secret being rotated out)
        const string turnSecret = "previous-turn-secret-4c1d8e0f7a";
        var config = File("dev").Append(new("matrix-rtc:turnSharedSecretPrevious", new ConfigValue.Secret(turnSecret))).ToList();
        var plan = Planner.Build(SpecParser.Parse("dev", config).OrThrow());

        // WHEN the chart is rendered with that plan's values
        var rendered = ChartRender.Render("dev+secret", plan);
        var values = plan.Livekit.Release.Values.Content;

        // THEN the secret is nowhere: not in values, not in any rendered object
        Assert.DoesNotContain(turnSecret, values);
        Assert.DoesNotContain(turnSecret, rendered.Output);
        // and no field that could hold one is set: no chart Secret, no password/credential/keys in the ConfigMap
        Assert.DoesNotContain(rendered.Objects, o => o.Kind() == "Secret");
        var serverConfig = ServerConfig(rendered);
        Assert.Null(serverConfig.At("redis.password"));
        Assert.Null(serverConfig.At("redis.sentinel_password"));
        Assert.Null(serverConfig["keys"]);
        Assert.Null(serverConfig.At("prometheus.password"));
        Assert.Null(serverConfig.At("webhook.api_key"));
        Assert.All(serverConfig.At("rtc.turn_servers")!.AsArray(), t =>
        {
            Assert.Null(t!["secret"]);
            Assert.Null(t["credential"]);
            Assert.Null(t["username"]);
        });
        foreach (var field in new[] { "password:", "credential:", "api_key:", " secret:" })
        {
            Assert.DoesNotContain(field, values);
            Assert.DoesNotContain(field, rendered.Single("ConfigMap").ToJsonString().Replace("\\n", "\n"));
        }
    }

    [SkippableTheory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void The_server_config_parsed_back_has_only_known_keys_and_the_planned_settings(string stack)
    {
        var rendered = ChartRender.Render(stack);
        var plan = rendered.Plan;
        var config = ServerConfig(rendered);

        // Only keys LiveKit knows (strict mode would refuse anything else), none of the chart's leftovers
        Assert.Empty(LivekitConfigSchema.UnknownKeys(ToTree(config)));
        Assert.Null(config.At("rtc.port_range_start"));
        Assert.Null(config.At("rtc.port_range_end"));
        Assert.Null(config["log_level"]);

        // Redis through Sentinel, no direct address
        Assert.Equal(plan.Topology.Redis.MasterName, (string)config.At("redis.sentinel_master_name")!);
        Assert.Equal(plan.Topology.Redis.SentinelAddresses, config.At("redis.sentinel_addresses")!.AsArray().Select(a => (string)a!));
        Assert.Null(config.At("redis.address"));

        // TURN: coturn over udp and tls, secret from the file; LiveKit's own TURN off
        var turn = config.At("rtc.turn_servers")!.AsArray();
        Assert.Equal([(plan.Spec.Site.TurnHost, 3478L, "udp"), (plan.Spec.Site.TurnHost, 5349L, "tls")],
            turn.Select(t => ((string)t!["host"]!, (long)t["port"]!, (string)t["protocol"]!)));
        Assert.False((bool)config.At("turn.enabled")!);
        // STUN: our coturn first, then the fallbacks that let an SFU start while it is down (sfuStunServers)
        Assert.Equal([$"{plan.Spec.Site.TurnHost}:3478", .. plan.Spec.Sfu.StunServers.Select(s => s.ToString())],
            config.At("rtc.stun_servers")!.AsArray().Select(s => (string)s!));
        Assert.Equal((long)plan.Spec.Ports.SfuRtcUdp, (long)config.At("rtc.udp_port")!);
        Assert.Equal((long)plan.Spec.Ports.SfuRtcTcp, (long)config.At("rtc.tcp_port")!);
        Assert.Equal(plan.Spec.Nodes.NodeCidrs.Select(c => c.ToString()), config.At("rtc.ips.includes")!.AsArray().Select(c => (string)c!));

        // Rooms only from the authorizer, sized by the tier
        Assert.False((bool)config.At("room.auto_create")!);
        Assert.Equal(300, (long)config.At("room.empty_timeout")!);
        Assert.Equal(20, (long)config.At("room.departure_timeout")!);
        Assert.Equal(plan.Sizing.LargestCall.Load.ParticipantsPerCall, (long)config.At("room.max_participants")!);

        // Webhook to the authorizer, in-cluster
        Assert.Equal([plan.Topology.Authorizer.WebhookUrl], config.At("webhook.urls")!.AsArray().Select(u => (string)u!));
        Assert.Equal(6789, (long)config["prometheus_port"]!);
        // The chart never renders its ServiceMonitor: ours (Observability) carries the operator's selector labels.
        Assert.DoesNotContain(rendered.Objects, o => o.Kind() == "ServiceMonitor");
    }

    [SkippableTheory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void The_post_renderer_changes_nothing_but_the_wiring(string stack)
    {
        // GIVEN the chart's output with and without the post-renderer
        var raw = ChartRender.RenderWithoutPostRenderer(stack);
        var wired = ChartRender.Render(stack);
        var wiring = wired.Plan.Livekit.Wiring;

        // WHEN the wiring is taken out of the post-rendered Deployment again
        var deployment = (JsonObject)wired.Single("Deployment").DeepClone();
        var pod = deployment.At("spec.template.spec")!.AsObject();
        var container = pod["containers"]![0]!.AsObject();
        ChartRender.TakeOutAnnotationChange(deployment, wiring);
        var added = wiring.Env.Select(e => e.Name).ToHashSet();
        Manifests.RemoveWhere(container["env"]!.AsArray(), e => added.Contains((string)e["name"]!));
        var volumes = wiring.Files.Select(f => f.Volume).ToHashSet();
        Manifests.RemoveWhere(container["volumeMounts"]!.AsArray(), m => volumes.Contains((string)m["name"]!));
        Manifests.RemoveWhere(pod["volumes"]!.AsArray(), v => volumes.Contains((string)v["name"]!));
        var original = raw.Single("Deployment");
        Assert.Equal(SecretWiring.DisableStrictConfig, (string)original.At("spec.template.spec.containers.0.args.0")!);
        container["args"] = original.At("spec.template.spec.containers.0.args")!.DeepClone();
        Assert.Null(original.At("spec.template.spec.automountServiceAccountToken"));
        pod.Remove("automountServiceAccountToken");

        // THEN it is the chart's Deployment, and every other object is exactly the chart's
        Assert.Equal(Manifests.Canonical(original), Manifests.Canonical(deployment));
        Assert.Equal(raw.Objects.Count, wired.Objects.Count);
        Assert.Equal(
            raw.Objects.Where(o => o.Kind() != "Deployment").Select(Manifests.Canonical),
            wired.Objects.Where(o => o.Kind() != "Deployment").Select(Manifests.Canonical));
    }



    /// <summary>The embedded TURN's ports in <see cref="PodNetworkRender"/> (ess-helm's NodePort defaults for turn-tls and turn).</summary>
    private const int TurnTlsPort = 30003, TurnUdpPort = 30004;

    /// <summary>The kubernetes.io/tls Secret the chart mounts for LiveKit's TURN/TLS in <see cref="PodNetworkRender"/>.</summary>
    private const string TurnTlsSecret = "turn-tls";

    /// <summary>
    /// The dev plan's values off the host network (<c>podHostNetwork: false</c>) with LiveKit's embedded TURN on, serving
    /// TURN/TLS itself (<c>external_tls: false</c>), so the chart adds its turn-tls and turn-udp ports and mounts
    /// <see cref="TurnTlsSecret"/>, and the dev wiring plus NODE_IP from the downward API, with or without
    /// <see cref="SecretWiring.NoHostPorts"/> and <see cref="SecretWiring.ChartOnlyConfigKeys"/>. Built from the dev plan
    /// with <c>with</c>: what a pod-network mode feeds the chart, not how LivekitPlan decides it.
    /// </summary>
    private static RenderedChart PodNetworkRender(bool noHostPorts, IReadOnlyList<string>? chartOnlyConfigKeys = null)
    {
        var plan = Stacks.Plan("dev");
        var wiring = plan.Livekit.Wiring with
        {
            NoHostPorts = noHostPorts,
            FieldEnv = [new FieldRefEnv("NODE_IP", "status.hostIP")],
            ChartOnlyConfigKeys = chartOnlyConfigKeys,
        };
        var values = plan.Livekit.Values with
        {
            PodHostNetwork = false,
            PodAnnotations = new Dictionary<string, string>(plan.Livekit.Values.PodAnnotations) { [SecretWiring.Annotation] = wiring.ToJson() },
        };
        var yaml = values.ToYaml();
        var turn = (YamlMap)((YamlMap)yaml["livekit"]!)["turn"]!;
        turn["enabled"] = true;
        turn["domain"] = plan.Spec.Site.TurnHost;
        turn["udp_port"] = TurnUdpPort;
        turn["tls_port"] = TurnTlsPort;
        turn["external_tls"] = false;
        // The chart mounts this Secret as the TURN/TLS certificate (templates/deployment.yaml "tls secret required if turn enabled").
        turn["secretName"] = TurnTlsSecret;
        var release = plan.Livekit.Release with { Values = plan.Livekit.Release.Values with { Content = YamlTreeWriter.Write(yaml) } };
        var key = $"dev+pod-network/{(noHostPorts ? "no-host-ports" : "chart-host-ports")}/{string.Join(",", chartOnlyConfigKeys ?? [])}";
        return ChartRender.Render(key, plan, release);
    }

    [SkippableFact]
    public void Off_the_host_network_no_host_ports_leaves_no_host_port_in_any_document_and_every_container_port_as_configured()
    {
        // GIVEN the real chart off the host network with embedded TURN, post-rendered without and with NoHostPorts
        var chartPorts = PodNetworkRender(noHostPorts: false);
        var rendered = PodNetworkRender(noHostPorts: true);

        // THEN without it the chart's hostPorts are there: on every RTC, TURN and metrics port, podHostNetwork false or not
        var withHostPort = chartPorts.Container["ports"]!.AsArray().Where(p => p!["hostPort"] is not null).ToList();
        Assert.Equal(["rtc-udp", "rtc-tcp", "metrics", "turn-tls", "turn-udp"], withHostPort.Select(p => (string)p!["name"]!));
        Assert.All(withHostPort, p => Assert.Equal((long)p!["containerPort"]!, (long)p["hostPort"]!));

        // with it, no rendered document has a hostPort field anywhere, and the pod is not on the host network
        Assert.DoesNotContain(rendered.Objects.SelectMany(o => FieldPaths(o, o.Kind())), f => f.EndsWith(".hostPort", StringComparison.Ordinal));
        Assert.DoesNotMatch(@"(?m)^[ -]*hostPort:", rendered.Output);
        var pod = rendered.Single("Deployment").At("spec.template.spec")!;
        Assert.Null(pod["hostNetwork"]);

        // every container port is still there, each exactly the port the server config names
        var config = ServerConfig(rendered);
        Assert.Equal(
            [
                ("http", (long)config["port"]!, "TCP"),
                ("rtc-udp", (long)config.At("rtc.udp_port")!, "UDP"),
                ("rtc-tcp", (long)config.At("rtc.tcp_port")!, "TCP"),
                ("metrics", (long)config["prometheus_port"]!, "TCP"),
                ("turn-tls", (long)TurnTlsPort, "TCP"),
                ("turn-udp", (long)TurnUdpPort, "UDP"),
            ],
            rendered.Container["ports"]!.AsArray().Select(p => ((string)p!["name"]!, (long)p["containerPort"]!, (string)p["protocol"]!)));
        Assert.Equal((TurnTlsPort, TurnUdpPort), ((long)config.At("turn.tls_port")!, (long)config.At("turn.udp_port")!));
        Assert.Equal(rendered.Plan.Spec.Ports.SfuRtcUdp, (long)config.At("rtc.udp_port")!);

        // NODE_IP comes from the pod's node (the downward API)
        var nodeIp = Assert.Single(rendered.Container["env"]!.AsArray(), e => (string)e!["name"]! == "NODE_IP")!;
        Assert.Equal("status.hostIP", (string)nodeIp.At("valueFrom.fieldRef.fieldPath")!);

        // and nothing else differs from the render that kept the hostPorts (but the annotation that asked for it)
        var expected = (JsonObject)chartPorts.Single("Deployment").DeepClone();
        foreach (var port in expected.At("spec.template.spec.containers.0.ports")!.AsArray())
        {
            port!.AsObject().Remove("hostPort");
        }
        expected.At("spec.template.metadata.annotations")!.AsObject()[SecretWiring.Annotation] =
            (string)rendered.Single("Deployment").At("spec.template.metadata.annotations")![SecretWiring.Annotation]!;
        Assert.Equal(Manifests.Canonical(expected), Manifests.Canonical(rendered.Single("Deployment")));
        Assert.Equal(
            chartPorts.Objects.Where(o => o.Kind() != "Deployment").Select(Manifests.Canonical),
            rendered.Objects.Where(o => o.Kind() != "Deployment").Select(Manifests.Canonical));

        // every object still passes Kubernetes schema validation
        Assert.Empty(KubernetesSchemas.Validate(rendered.Objects).Where(r => !r.Valid).Select(r => r.ToString()));
    }

    [SkippableFact]
    public void Off_the_host_network_with_turn_tls_chart_only_config_keys_take_the_charts_secret_name_out_of_the_livekit_config()
    {
        // GIVEN the real chart off the host network serving TURN/TLS itself with the chart's Secret, post-rendered with
        // NoHostPorts, once without and once with ChartOnlyConfigKeys (helm template succeeds both times)
        var kept = PodNetworkRender(noHostPorts: true);
        var rendered = PodNetworkRender(noHostPorts: true, chartOnlyConfigKeys: ["turn.secretName"]);

        // THEN without it the chart's config.yaml carries turn.secretName, which LiveKit's strict config refuses
        var keptConfig = ServerConfig(kept);
        Assert.Equal(TurnTlsSecret, (string)keptConfig.At("turn.secretName")!);
        Assert.Equal(["turn.secretName"], LivekitConfigSchema.UnknownKeys(ToTree(keptConfig)));

        // with it, config.yaml has no key LiveKit does not know: it is the chart's text without that one line
        var config = ServerConfig(rendered);
        Assert.Null(config.At("turn.secretName"));
        Assert.Empty(LivekitConfigSchema.UnknownKeys(ToTree(config)));
        const string line = $"\n  secretName: {TurnTlsSecret}\n";
        var keptText = ConfigText(kept);
        Assert.Equal(2, keptText.Split(line).Length);
        Assert.Equal(keptText.Replace(line, "\n"), ConfigText(rendered));
        // and parsed, every other key is the chart's, turn's own included
        var expected = (JsonObject)keptConfig.DeepClone();
        Assert.True(expected["turn"]!.AsObject().Remove("secretName"));
        Assert.Equal(Manifests.Canonical(expected), Manifests.Canonical(config));
        Assert.Equal(
            [("domain", rendered.Plan.Spec.Site.TurnHost), ("enabled", "true"), ("external_tls", "false"), ("tls_port", $"{TurnTlsPort}"), ("udp_port", $"{TurnUdpPort}")],
            config["turn"]!.AsObject().Select(kv => (kv.Key, kv.Value!.ToString())));

        // the chart still mounts Secret turn-tls at /etc/lkcert, read-only, and points LiveKit at its files
        var pod = rendered.Single("Deployment").At("spec.template.spec")!;
        var volume = Assert.Single(pod["volumes"]!.AsArray(), v => (string?)v!.At("secret.secretName") == TurnTlsSecret)!;
        var mount = Assert.Single(rendered.Container["volumeMounts"]!.AsArray(), m => (string)m!["name"]! == (string)volume["name"]!)!;
        Assert.Equal(("/etc/lkcert", true), ((string)mount["mountPath"]!, (bool)mount["readOnly"]!));
        // The only env vars with a literal value are the chart's two TURN/TLS file paths into that mount (LiveKit's
        // --turn-cert/--turn-key, livekit cmd/server/main.go): where the certificate is, not a secret. Everything else
        // still comes from the ConfigMap, Secrets or the pod's fields.
        var literal = rendered.Container["env"]!.AsArray().Where(e => e!["value"] is not null)
            .Select(e => ((string)e!["name"]!, (string)e["value"]!));
        Assert.Equal([("LIVEKIT_TURN_CERT", "/etc/lkcert/tls.crt"), ("LIVEKIT_TURN_KEY", "/etc/lkcert/tls.key")], literal);

        // nothing else differs from the render without it: the ConfigMap but its config.yaml, the Deployment but the
        // annotation naming the member
        var configMap = (JsonObject)kept.Single("ConfigMap").DeepClone();
        configMap["data"]!["config.yaml"] = ConfigText(rendered);
        Assert.Equal(Manifests.Canonical(configMap), Manifests.Canonical(rendered.Single("ConfigMap")));
        var deployment = (JsonObject)kept.Single("Deployment").DeepClone();
        deployment.At("spec.template.metadata.annotations")!.AsObject()[SecretWiring.Annotation] =
            (string)rendered.Single("Deployment").At("spec.template.metadata.annotations")![SecretWiring.Annotation]!;
        Assert.Equal(Manifests.Canonical(deployment), Manifests.Canonical(rendered.Single("Deployment")));
        Assert.Equal(
            kept.Objects.Where(o => o.Kind() is not ("Deployment" or "ConfigMap")).Select(Manifests.Canonical),
            rendered.Objects.Where(o => o.Kind() is not ("Deployment" or "ConfigMap")).Select(Manifests.Canonical));
        Assert.Empty(KubernetesSchemas.Validate(rendered.Objects).Where(r => !r.Valid).Select(r => r.ToString()));
    }

    /// <summary>Every field's dotted path under <paramref name="node"/> (list items by index).</summary>
    private static IEnumerable<string> FieldPaths(JsonNode? node, string path) => node switch
    {
        JsonObject o => o.SelectMany(kv => FieldPaths(kv.Value, $"{path}.{kv.Key}").Prepend($"{path}.{kv.Key}")),
        JsonArray a => a.SelectMany((item, i) => FieldPaths(item, $"{path}.{i}")),
        _ => [],
    };

    /// <summary>config.yaml of the rendered ConfigMap, as text.</summary>
    private static string ConfigText(RenderedChart rendered) => (string)rendered.Single("ConfigMap")["data"]!["config.yaml"]!;

    /// <summary>config.yaml of the rendered ConfigMap, parsed the way LiveKit's YAML parser reads it.</summary>
    private static JsonObject ServerConfig(RenderedChart rendered)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(ConfigText(rendered)));
        return (JsonObject)Manifests.ToJson(stream.Documents[0].RootNode)!;
    }

    private static object? ToTree(JsonNode? node) => node switch
    {
        JsonObject o => o.Aggregate(new YamlMap(), (m, kv) => { m.Add(kv.Key, ToTree(kv.Value)); return m; }),
        JsonArray a => a.Select(ToTree).ToList(),
        null => null,
        _ => node.ToJsonString(),
    };
}
