using System.Text.Json.Nodes;
using Infra.PostRender;
using Infra.PostRender.Contract;

namespace Infra.Plan.Tests.Chart;

/// <summary>The post-renderer on hand-written manifests shaped like the chart's output.</summary>
public class PostRendererTests
{
    internal static readonly SecretWiring Wiring = new(
        "livekit-server",
        [new SecretEnv("LIVEKIT_REDIS_PASSWORD", "redis-auth", "redis-password")],
        [new SecretFileMount("turn-shared-secret", "turn-shared-secret", "secret", "/etc/livekit/turn", "secret", 384)],
        StrictConfig: true,
        PostRenderer: Version);

    /// <summary>This build's post-renderer version, which the plan writes into every wiring.</summary>
    private static string Version => PostRendererIdentity.Version;

    internal const string ConfigMap = """
        ---
        # Source: livekit-server/templates/configmap.yaml
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: livekit-livekit-server
        data:
          config.yaml: |
            port: 7880
            key_file: keys.yaml

        """;

    internal static string Deployment(string annotation, string args = "[\"--disable-strict-config\"]") => $"""
        ---
        # Source: livekit-server/templates/deployment.yaml
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: livekit-livekit-server
        spec:
          template:
            metadata:
              annotations:
                {annotation}
                checksum/config: abc
            spec:
              hostNetwork: true
              containers:
                - name: livekit-server
                  image: "repo/media-relay:v1@sha256:00"
                  args: {args}
                  env:
                    - name: LIVEKIT_CONFIG
                      valueFrom:
                        configMapKeyRef:
                          name: livekit-livekit-server
                          key: config.yaml
                  volumeMounts:
                    - name: keys-volume
                      mountPath: keys.yaml
                      subPath: keys.yaml
              volumes:
                - name: keys-volume
                  secret:
                    secretName: livekit-api
                    defaultMode: 0600

        """;

    internal static string Annotated => $"{SecretWiring.Annotation}: '{Wiring.ToJson()}'";

    [Fact]
    public void Wires_env_and_files_and_drops_the_lenient_flag_in_the_deployment_only()
    {
        // GIVEN a ConfigMap and an annotated Deployment
        var input = ConfigMap + Deployment(Annotated);

        // WHEN post-rendered
        var output = LivekitPostRenderer.Apply(input, Version);

        // THEN the ConfigMap is byte-for-byte the same and the Deployment carries the wiring
        Assert.StartsWith(ConfigMap, output);
        var deployment = Manifests.Parse(output).Single(o => o.Kind() == "Deployment");
        var container = deployment.At("spec.template.spec.containers.0")!;
        Assert.Null(container["args"]);
        var env = container["env"]!.AsArray();
        Assert.Equal(["LIVEKIT_CONFIG", "LIVEKIT_REDIS_PASSWORD"], env.Select(e => (string)e!["name"]!));
        Assert.Equal("redis-auth", (string)env[1]!.At("valueFrom.secretKeyRef.name")!);
        Assert.Equal("redis-password", (string)env[1]!.At("valueFrom.secretKeyRef.key")!);
        var mount = container["volumeMounts"]!.AsArray()[1]!;
        Assert.Equal(("turn-shared-secret", "/etc/livekit/turn", true), ((string)mount["name"]!, (string)mount["mountPath"]!, (bool)mount["readOnly"]!));
        var volumes = deployment.At("spec.template.spec.volumes")!.AsArray();
        // The chart's octal mode keeps its meaning; ours is 0600 as well.
        Assert.Equal(384, (long)volumes[0]!.At("secret.defaultMode")!);
        Assert.Equal(384, (long)volumes[1]!.At("secret.defaultMode")!);
        Assert.Equal("secret", (string)volumes[1]!.At("secret.items.0.path")!);
        // Everything else is unchanged: comments, hostNetwork, image, annotations
        Assert.Contains("# Source: livekit-server/templates/deployment.yaml", output);
        Assert.True((bool)deployment.At("spec.template.spec.hostNetwork")!);
        Assert.Equal("repo/media-relay:v1@sha256:00", (string)container["image"]!);
        Assert.Equal("abc", (string)deployment.At("spec.template.metadata.annotations.checksum/config")!);
    }

    [Fact]
    public void Same_input_same_bytes_and_other_args_are_kept()
    {
        var input = ConfigMap + Deployment(Annotated, "[\"--disable-strict-config\", \"--bind\", \"0.0.0.0\"]");

        var first = LivekitPostRenderer.Apply(input, Version);
        var second = LivekitPostRenderer.Apply(input, Version);

        Assert.Equal(first, second);
        var args = Manifests.Parse(first).Single(o => o.Kind() == "Deployment").At("spec.template.spec.containers.0.args")!.AsArray();
        Assert.Equal(["--bind", "0.0.0.0"], args.Select(a => (string)a!));
    }

    [Fact]
    public void Another_version_than_the_manifests_ask_for_is_refused_naming_both_and_how_to_install_the_right_one()
    {
        // GIVEN manifests whose plan was built for this version
        var input = ConfigMap + Deployment(Annotated);

        // WHEN a post-renderer of another version runs on them
        var e = Assert.Throws<PostRenderException>(() => LivekitPostRenderer.Apply(input, "0.0.9"));

        // THEN it refuses, naming the version asked for, its own, and the command that installs the right one
        Assert.Equal($"the release's manifests ask for matrix-rtc-postrender {Version} (annotation {SecretWiring.Annotation}), this is 0.0.9; " +
            $"install that version: dotnet tool update --global matrix-rtc-postrender --version {Version} --allow-downgrade", e.Message);
    }

    [Fact]
    public void A_wiring_that_names_no_version_is_refused()
    {
        var unversioned = Wiring with { PostRenderer = null };
        var input = Deployment($"{SecretWiring.Annotation}: '{unversioned.ToJson()}'");

        var e = Assert.Throws<PostRenderException>(() => LivekitPostRenderer.Apply(input, Version));
        Assert.StartsWith($"annotation {SecretWiring.Annotation} names no matrix-rtc-postrender version", e.Message);
        Assert.Contains($"this is {Version}", e.Message);
    }

    [Fact]
    public void The_written_annotation_leaves_the_version_out_so_a_new_version_alone_changes_no_pod_template()
    {
        // GIVEN the same wiring asked of two versions, each post-rendered by its own version
        var asked = Wiring with { PostRenderer = "7.0.0" };
        string Output(SecretWiring w) => LivekitPostRenderer.Apply(ConfigMap + Deployment($"{SecretWiring.Annotation}: '{w.ToJson()}'"), w.PostRenderer!);

        // THEN the Deployment's annotation is the wiring without the version, and both outputs are the same bytes
        var output = Output(Wiring);
        var annotation = (string)Manifests.Parse(output).Single(o => o.Kind() == "Deployment").At("spec.template.metadata.annotations")![SecretWiring.Annotation]!;
        Assert.Equal((Wiring with { PostRenderer = null }).ToJson(), annotation);
        Assert.DoesNotContain("postRenderer", annotation);
        Assert.Equal(output, Output(asked));
    }

    [Fact]
    public void Manifests_without_the_wiring_annotation_are_refused()
    {
        var e = Assert.Throws<PostRenderException>(() => LivekitPostRenderer.Apply(ConfigMap + Deployment("other: x"), Version));
        Assert.Contains(SecretWiring.Annotation, e.Message);
    }

    [Fact]
    public void An_env_var_the_chart_already_sets_is_refused_not_duplicated()
    {
        var clash = Wiring with { Env = [new SecretEnv("LIVEKIT_CONFIG", "x", "y")] };
        var input = Deployment($"{SecretWiring.Annotation}: '{clash.ToJson()}'");

        var e = Assert.Throws<PostRenderException>(() => LivekitPostRenderer.Apply(input, Version));
        Assert.Contains("LIVEKIT_CONFIG", e.Message);
    }

    /// <summary>Shaped like the egress chart's Deployment (templates/deployment.yaml 1.9.0): config from its ConfigMap, no volumes.</summary>
    internal static string EgressDeployment(string annotation) => $"""
        ---
        # Source: egress/templates/deployment.yaml
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: egress
        spec:
          template:
            metadata:
              annotations:
                {annotation}
                checksum/config: abc
            spec:
              serviceAccountName: default
              containers:
                - name: egress
                  image: "livekit/egress:v1.14.1"
                  env:
                    - name: EGRESS_CONFIG_BODY
                      valueFrom:
                        configMapKeyRef:
                          name: egress
                          key: config.yaml
                  ports:
                    - name: health
                      containerPort: 8080

        """;

    private static readonly SecretWiring EgressWiring = new(
        "egress",
        [new SecretEnv("EGRESS_CONFIG_BODY", "egress-config", "config.yaml", Replace: true), new SecretEnv("AWS_ACCESS_KEY_ID", "egress-s3", "id")],
        [new SecretFileMount("redis-tls-ca", "redis-tls-ca", "ca.crt", "/etc/egress-redis-tls", "ca.crt", 292)],
        StrictConfig: false,
        Scratch: [new ScratchMount("recordings", "/home/egress/tmp", "10Gi"), new ScratchMount("tmp", "/tmp", "2Gi", Memory: true)],
        NoServiceAccountToken: true,
        PullSecrets: ["registry-creds"],
        PostRenderer: Version);

    [Fact]
    public void A_chart_env_var_is_taken_from_a_secret_in_place_and_scratch_dirs_token_and_pull_secrets_are_wired()
    {
        // GIVEN an egress-shaped Deployment whose config comes from the chart's ConfigMap
        var input = EgressDeployment($"{SecretWiring.Annotation}: '{EgressWiring.ToJson()}'");

        // WHEN post-rendered
        var deployment = Manifests.Parse(LivekitPostRenderer.Apply(input, Version)).Single();
        var pod = deployment.At("spec.template.spec")!;
        var container = pod.At("containers.0")!;

        // THEN EGRESS_CONFIG_BODY keeps its place but comes from the Secret; no ConfigMap reference is left
        var env = container["env"]!.AsArray();
        Assert.Equal(["EGRESS_CONFIG_BODY", "AWS_ACCESS_KEY_ID"], env.Select(e => (string)e!["name"]!));
        Assert.Equal("egress-config", (string)env[0]!.At("valueFrom.secretKeyRef.name")!);
        Assert.Equal("config.yaml", (string)env[0]!.At("valueFrom.secretKeyRef.key")!);
        Assert.Null(env[0]!.At("valueFrom.configMapKeyRef"));
        // the scratch dirs are size-limited emptyDirs (tmpfs only when asked), the CA a read-only Secret file
        var volumes = pod["volumes"]!.AsArray().ToDictionary(v => (string)v!["name"]!, v => v!);
        Assert.Equal("10Gi", (string)volumes["recordings"].At("emptyDir.sizeLimit")!);
        Assert.Null(volumes["recordings"].At("emptyDir.medium"));
        Assert.Equal("Memory", (string)volumes["tmp"].At("emptyDir.medium")!);
        Assert.Equal(292, (long)volumes["redis-tls-ca"].At("secret.defaultMode")!);
        var mounts = container["volumeMounts"]!.AsArray().ToDictionary(m => (string)m!["name"]!, m => (string)m!["mountPath"]!);
        Assert.Equal("/home/egress/tmp", mounts["recordings"]);
        Assert.Equal("/tmp", mounts["tmp"]);
        // no service account token, the pull Secret, and the chart's own fields untouched
        Assert.False((bool)pod["automountServiceAccountToken"]!);
        Assert.Equal("registry-creds", (string)pod.At("imagePullSecrets.0.name")!);
        Assert.Equal("default", (string)pod["serviceAccountName"]!);
        Assert.Equal(8080, (long)container.At("ports.0.containerPort")!);
    }

    [Fact]
    public void Replacing_an_env_var_the_chart_does_not_set_is_refused()
    {
        var wiring = EgressWiring with { Env = [new SecretEnv("EGRESS_CONFIG_FILE", "egress-config", "config.yaml", Replace: true)] };
        var input = EgressDeployment($"{SecretWiring.Annotation}: '{wiring.ToJson()}'");

        var e = Assert.Throws<PostRenderException>(() => LivekitPostRenderer.Apply(input, Version));
        Assert.Contains("has no env EGRESS_CONFIG_FILE", e.Message);
    }

    [Fact]
    public void A_scratch_volume_clashing_with_a_wired_file_is_refused()
    {
        var wiring = EgressWiring with { Scratch = [new ScratchMount("redis-tls-ca", "/x", "1Gi")] };
        var input = EgressDeployment($"{SecretWiring.Annotation}: '{wiring.ToJson()}'");

        var e = Assert.Throws<PostRenderException>(() => LivekitPostRenderer.Apply(input, Version));
        Assert.Contains("already has a volume named redis-tls-ca", e.Message);
    }

    /// <summary>
    /// <see cref="Deployment"/> as the chart renders it with <c>podHostNetwork: false</c> and embedded TURN
    /// (templates/deployment.yaml 1.9.0): <paramref name="podField"/> instead of <c>hostNetwork: true</c>, yet a
    /// <c>hostPort</c> on every RTC, TURN and metrics port.
    /// </summary>
    internal static string PodNetworkDeployment(string annotation, string podField = "terminationGracePeriodSeconds: 18000")
    {
        const string ports = """
                      ports:
                        - name: http
                          containerPort: 7880
                          protocol: TCP
                        - name: rtc-udp
                          containerPort: 30002
                          hostPort: 30002
                          protocol: UDP
                        - name: rtc-tcp
                          containerPort: 30001
                          hostPort: 30001
                          protocol: TCP
                        - name: metrics
                          containerPort: 6789
                          hostPort: 6789
                          protocol: TCP
                        - name: turn-udp
                          containerPort: 30004
                          hostPort: 30004
                          protocol: UDP

            """;
        var hostNetwork = Swap(Deployment(annotation), "\n      hostNetwork: true\n", $"\n      {podField}\n");
        return Swap(hostNetwork, "\n          volumeMounts:\n", "\n" + ports + "          volumeMounts:\n");
    }

    /// <summary>A fixture with one of its texts replaced (and a failure if the fixture no longer has it).</summary>
    private static string Swap(string text, string line, string with) =>
        text.Contains(line, StringComparison.Ordinal) ? text.Replace(line, with) : throw new InvalidOperationException($"no {line} in the fixture");

    private static string Annotation(SecretWiring wiring) => $"{SecretWiring.Annotation}: '{wiring.ToJson()}'";

    private static readonly System.Text.RegularExpressions.Regex HostPortLine = new(@"^ *hostPort: .*\n", System.Text.RegularExpressions.RegexOptions.Multiline);

    [Fact]
    public void No_host_ports_removes_every_host_port_and_changes_nothing_else()
    {
        // GIVEN a pod-network Deployment with four hostPorts, wired once without and once with NoHostPorts
        var with = Wiring with { NoHostPorts = true };
        var kept = LivekitPostRenderer.Apply(ConfigMap + PodNetworkDeployment(Annotation(Wiring)), Version);
        Assert.Equal(4, HostPortLine.Matches(kept).Count);

        // WHEN post-rendered with NoHostPorts
        var output = LivekitPostRenderer.Apply(ConfigMap + PodNetworkDeployment(Annotation(with)), Version);

        // THEN the output is the other one's bytes minus the hostPort lines (and the annotation naming the flag)
        // (the post-renderer writes the annotation double-quoted)
        var annotationOf = (SecretWiring w) => YamlQuote.Quote((w with { PostRenderer = null }).ToJson());
        Assert.Equal(HostPortLine.Replace(kept, "").Replace(annotationOf(Wiring), annotationOf(with)), output);
        Assert.Empty(HostPortLine.Matches(output));
        // and every port is still there with its containerPort and protocol
        var ports = Manifests.Parse(output).Single(o => o.Kind() == "Deployment").At("spec.template.spec.containers.0.ports")!.AsArray();
        Assert.Equal(["http:7880/TCP", "rtc-udp:30002/UDP", "rtc-tcp:30001/TCP", "metrics:6789/TCP", "turn-udp:30004/UDP"],
            ports.Select(p => $"{(string)p!["name"]!}:{(long)p["containerPort"]!}/{(string)p["protocol"]!}"));
        Assert.All(ports, p => Assert.Null(p!["hostPort"]));
    }

    [Fact]
    public void Without_no_host_ports_the_chart_host_ports_stay()
    {
        var output = LivekitPostRenderer.Apply(PodNetworkDeployment(Annotation(Wiring)), Version);

        var ports = Manifests.Parse(output).Single().At("spec.template.spec.containers.0.ports")!.AsArray();
        Assert.Equal([null, 30002L, 30001L, 6789L, 30004L], ports.Select(p => (long?)p!["hostPort"]));
    }

    [Theory]
    [InlineData("hostNetwork: true", "true")]
    [InlineData("hostNetwork: on", "on")]
    public void No_host_ports_on_a_host_network_pod_is_refused_as_a_contradiction(string podField, string shown)
    {
        var input = PodNetworkDeployment(Annotation(Wiring with { NoHostPorts = true }), podField);

        var e = Assert.Throws<PostRenderException>(() => LivekitPostRenderer.Apply(input, Version));
        Assert.Equal($"the wiring asks to remove the hostPorts (NoHostPorts) of a pod with hostNetwork: {shown}: a host-network pod " +
            "listens on the node's ports anyway; the plan's wiring and its chart values (podHostNetwork) contradict each other", e.Message);
    }

    [Fact]
    public void No_host_ports_on_a_pod_that_says_host_network_false_removes_them()
    {
        var output = LivekitPostRenderer.Apply(PodNetworkDeployment(Annotation(Wiring with { NoHostPorts = true }), "hostNetwork: false"), Version);

        Assert.Empty(HostPortLine.Matches(output));
        Assert.False((bool)Manifests.Parse(output).Single().At("spec.template.spec.hostNetwork")!);
    }

    [Fact]
    public void Field_env_adds_downward_api_env_vars_after_the_secret_ones()
    {
        // GIVEN a wiring asking for the node's and the pod's address from the pod's fields
        var wiring = Wiring with { FieldEnv = [new FieldRefEnv("NODE_IP", "status.hostIP"), new FieldRefEnv("POD_IP", "status.podIP")] };

        // WHEN post-rendered
        var output = LivekitPostRenderer.Apply(PodNetworkDeployment(Annotation(wiring)), Version);

        // THEN each is a fieldRef env var, after the chart's and the secret ones
        var env = Manifests.Parse(output).Single().At("spec.template.spec.containers.0.env")!.AsArray();
        Assert.Equal(["LIVEKIT_CONFIG", "LIVEKIT_REDIS_PASSWORD", "NODE_IP", "POD_IP"], env.Select(e => (string)e!["name"]!));
        Assert.Equal("""{"name":"NODE_IP","valueFrom":{"fieldRef":{"fieldPath":"status.hostIP"}}}""", env[2]!.ToJsonString());
        Assert.Equal("status.podIP", (string)env[3]!.At("valueFrom.fieldRef.fieldPath")!);
        // the hostPorts are not touched by it
        Assert.Equal(4, HostPortLine.Matches(output).Count);
    }

    [Theory]
    [InlineData("LIVEKIT_CONFIG")] // the chart's
    [InlineData("LIVEKIT_REDIS_PASSWORD")] // the wiring's own Secret env
    public void A_field_env_var_that_is_already_set_is_refused_not_duplicated(string name)
    {
        var wiring = Wiring with { FieldEnv = [new FieldRefEnv(name, "status.hostIP")] };

        var e = Assert.Throws<PostRenderException>(() => LivekitPostRenderer.Apply(PodNetworkDeployment(Annotation(wiring)), Version));
        Assert.Equal($"container livekit-server already sets env {name}", e.Message);
    }

    [Fact]
    public void A_field_env_var_named_twice_is_refused()
    {
        var wiring = Wiring with { FieldEnv = [new FieldRefEnv("NODE_IP", "status.hostIP"), new FieldRefEnv("NODE_IP", "status.podIP")] };

        var e = Assert.Throws<PostRenderException>(() => LivekitPostRenderer.Apply(PodNetworkDeployment(Annotation(wiring)), Version));
        Assert.Equal("container livekit-server already sets env NODE_IP", e.Message);
    }

    [Fact]
    public void Secret_volume_mode_sets_a_mode_only_on_the_charts_secret_volumes_without_one()
    {
        // GIVEN the chart's Deployment with one Secret volume without a mode (as the chart mounts the TURN certificate)
        static string Chart(SecretWiring wiring) => PodNetworkDeployment(Annotation(wiring))
            .Replace("      volumes:\n", "      volumes:\n        - name: lkturncert\n          secret:\n            secretName: turn-tls\n", StringComparison.Ordinal);

        // WHEN post-rendered with the member THEN that volume gets the mode; the others keep theirs
        var output = LivekitPostRenderer.Apply(Chart(Wiring with { SecretVolumeMode = 384 }), Version);
        Assert.Contains("secretName: turn-tls\n            defaultMode: 384\n", output);
        Assert.Contains("secretName: livekit-api\n            defaultMode: 0600\n", output);
        // AND without it nothing gets a mode it did not have
        Assert.Contains("secretName: turn-tls\n        - name:", LivekitPostRenderer.Apply(Chart(Wiring), Version));
    }

    [Fact]
    public void An_operation_this_tool_does_not_know_is_refused_not_skipped()
    {
        // GIVEN a wiring from a newer plan: an operation this version has no member for
        var json = Wiring.ToJson().Replace("\"strictConfig\":true", "\"strictConfig\":true,\"someNewOperation\":true", StringComparison.Ordinal);

        // WHEN the post-renderer reads it THEN it stops, naming the annotation, instead of installing a half-wired pod
        var e = Assert.Throws<PostRenderException>(() => LivekitPostRenderer.Apply(PodNetworkDeployment($"{SecretWiring.Annotation}: '{json}'"), Version));
        Assert.Contains($"annotation {SecretWiring.Annotation} is not valid wiring JSON", e.Message);
        Assert.Contains("someNewOperation", e.Message);
    }

    [Fact]
    public void A_wiring_without_the_pod_network_members_writes_the_json_it_wrote_before_them()
    {
        // GIVEN the wiring of a release that uses neither NoHostPorts nor FieldEnv
        // WHEN written THEN its JSON has no new key (an existing release's annotation, so its pod template, is unchanged)
        Assert.Equal(
            $$"""{"container":"livekit-server","env":[{"name":"LIVEKIT_REDIS_PASSWORD","secret":"redis-auth","key":"redis-password"}],"files":[{"volume":"turn-shared-secret","secret":"turn-shared-secret","key":"secret","directory":"/etc/livekit/turn","file":"secret","mode":384}],"strictConfig":true,"postRenderer":"{{Version}}"}""",
            Wiring.ToJson());
        Assert.Equal(Wiring.ToJson(), (Wiring with { NoHostPorts = false, FieldEnv = null, ChartOnlyConfigKeys = null }).ToJson());

        // and with them the JSON carries them and reads back the same
        var used = Wiring with { NoHostPorts = true, FieldEnv = [new FieldRefEnv("NODE_IP", "status.hostIP")], ChartOnlyConfigKeys = ["turn.secretName"] };
        var json = used.ToJson();
        Assert.Contains("\"strictConfig\":true,\"noHostPorts\":true,\"fieldEnv\":[{\"name\":\"NODE_IP\",\"fieldPath\":\"status.hostIP\"}]," +
            "\"chartOnlyConfigKeys\":[\"turn.secretName\"],\"postRenderer\"", json);
        var back = SecretWiring.FromJson(json);
        Assert.True(back.NoHostPorts);
        Assert.Equal(used.FieldEnv, back.FieldEnv);
        Assert.Equal(used.ChartOnlyConfigKeys, back.ChartOnlyConfigKeys);
        Assert.Equal(json, back.ToJson());
    }

    /// <summary>
    /// <see cref="ConfigMap"/> as the chart renders it with embedded TURN/TLS (templates/configmap.yaml 1.9.0: toYaml of
    /// <c>livekit:</c>, keys sorted, compact lists), so with the chart-only <c>turn.secretName</c>; plus a second data
    /// key holding the same words, which must stay.
    /// </summary>
    internal static readonly string TurnConfigMap = Swap(ConfigMap, "    port: 7880\n    key_file: keys.yaml\n", """
            key_file: keys.yaml
            port: 7880
            rtc:
              stun_servers:
              - turn.example.org:3478
              turn_servers:
              - host: turn.example.org
                port: 3478
                protocol: udp
                secret_file: /etc/livekit/turn/secret
              udp_port: 7882
            turn:
              domain: turn.example.org
              enabled: true
              external_tls: false
              secretName: turn-tls
              tls_port: 30003
              udp_port: 30004
            webhook:
              urls:
              - http://lk-jwt-service:8080/sfu_webhook
          notes.yaml: |
            secretName: turn-tls

        """);

    private static readonly SecretWiring ChartOnly = Wiring with { ChartOnlyConfigKeys = ["turn.secretName"] };

    private static JsonNode? ConfigOf(string output, string key = "config.yaml")
    {
        var text = (string)Manifests.Parse(output).Single(o => o.Kind() == "ConfigMap")["data"]![key]!;
        var stream = new YamlDotNet.RepresentationModel.YamlStream();
        stream.Load(new StringReader(text));
        return Manifests.ToJson(stream.Documents[0].RootNode);
    }

    [Fact]
    public void Chart_only_config_keys_are_removed_from_the_config_the_container_reads_and_nothing_else_changes()
    {
        // GIVEN the chart's ConfigMap with turn.secretName and its Deployment, wired without and with ChartOnlyConfigKeys
        var without = LivekitPostRenderer.Apply(TurnConfigMap + Deployment(Annotation(Wiring)), Version);

        // WHEN post-rendered with it
        var output = LivekitPostRenderer.Apply(TurnConfigMap + Deployment(Annotation(ChartOnly)), Version);

        // THEN without it the ConfigMap is the chart's, byte for byte
        Assert.StartsWith(TurnConfigMap, without);
        // and with it the output is those bytes minus the one line of config.yaml (and the annotation naming the member):
        // notes.yaml, the ConfigMap's other lines and the Deployment are as they were
        const string line = "\n      secretName: turn-tls\n";
        Assert.Equal(2, without.Split(line).Length);
        var annotationOf = (SecretWiring w) => YamlQuote.Quote((w with { PostRenderer = null }).ToJson());
        Assert.Equal(without.Replace(line, "\n").Replace(annotationOf(Wiring), annotationOf(ChartOnly)), output);
        Assert.Equal("turn-tls", (string)ConfigOf(output, "notes.yaml")!["secretName"]!);

        // and the config LiveKit reads is the chart's without turn.secretName, every other key and value the same
        var expected = ConfigOf(without)!.AsObject();
        Assert.True(expected["turn"]!.AsObject().Remove("secretName"));
        Assert.Equal(Manifests.Canonical(expected), Manifests.Canonical(ConfigOf(output)!.AsObject()));
        Assert.Equal(["domain", "enabled", "external_tls", "tls_port", "udp_port"], ConfigOf(output)!["turn"]!.AsObject().Select(kv => kv.Key));
    }

    [Fact]
    public void A_quoted_config_value_is_rewritten_quoted_and_a_config_left_empty_is_an_empty_mapping()
    {
        // GIVEN a ConfigMap whose config is a double-quoted scalar holding only the chart-only key
        var configMap = Swap(ConfigMap, "  config.yaml: |\n    port: 7880\n    key_file: keys.yaml\n", "  config.yaml: \"turn:\\n  secretName: x\\n\"\n");

        // WHEN both keys are removed
        var wiring = Wiring with { ChartOnlyConfigKeys = ["turn.secretName", "turn"] };
        var output = LivekitPostRenderer.Apply(configMap + Deployment(Annotation(wiring)), Version);

        // THEN the value is a quoted empty mapping, and the ConfigMap's other lines are unchanged
        Assert.StartsWith(configMap.Replace("\"turn:\\n  secretName: x\\n\"", "\"{}\\n\""), output);
        Assert.Equal("{}", ConfigOf(output)!.ToJsonString());
    }

    public static TheoryData<string, string, string> ChartOnlyRefusals => new()
    {
        // the container's config does not come from a ConfigMap: no LIVEKIT_CONFIG at all, or one the wiring took from a Secret
        {
            "no env", Deployment(Annotation(ChartOnly)).Replace("- name: LIVEKIT_CONFIG", "- name: OTHER_CONFIG"),
            "the wiring asks to remove the chart-only config keys (ChartOnlyConfigKeys: turn.secretName) from the chart's config, " +
            "but container livekit-server has no env LIVEKIT_CONFIG from a ConfigMap key (valueFrom.configMapKeyRef with name and key)"
        },
        {
            "env from a Secret", Deployment(Annotation(ChartOnly with { Env = [new SecretEnv("LIVEKIT_CONFIG", "lk-config", "config.yaml", Replace: true)] })),
            "the wiring asks to remove the chart-only config keys (ChartOnlyConfigKeys: turn.secretName) from the chart's config, " +
            "but container livekit-server has no env LIVEKIT_CONFIG from a ConfigMap key (valueFrom.configMapKeyRef with name and key)"
        },
        // the ConfigMap it names is not among the manifests, or is there twice
        {
            "no ConfigMap", Deployment(Annotation(ChartOnly)),
            "no ConfigMap named livekit-livekit-server in the manifests, where container livekit-server reads its config " +
            "(LIVEKIT_CONFIG, key config.yaml): cannot remove the chart-only config keys (ChartOnlyConfigKeys: turn.secretName)"
        },
        {
            "another ConfigMap", TurnConfigMap.Replace("name: livekit-livekit-server", "name: other") + Deployment(Annotation(ChartOnly)),
            "no ConfigMap named livekit-livekit-server in the manifests, where container livekit-server reads its config " +
            "(LIVEKIT_CONFIG, key config.yaml): cannot remove the chart-only config keys (ChartOnlyConfigKeys: turn.secretName)"
        },
        {
            "two ConfigMaps", TurnConfigMap + TurnConfigMap + Deployment(Annotation(ChartOnly)),
            "2 ConfigMaps named livekit-livekit-server in the manifests, where container livekit-server reads its config " +
            "(LIVEKIT_CONFIG, key config.yaml): cannot remove the chart-only config keys (ChartOnlyConfigKeys: turn.secretName)"
        },
        {
            "no data key", TurnConfigMap.Replace("  config.yaml: |", "  server.yaml: |") + Deployment(Annotation(ChartOnly)),
            "ConfigMap livekit-livekit-server has no data key config.yaml (text), which container livekit-server reads its config from: " +
            "cannot remove the chart-only config keys (ChartOnlyConfigKeys: turn.secretName)"
        },
        // a path that is not there: the values are not the plan's
        {
            "no such key", TurnConfigMap + Deployment(Annotation(Wiring with { ChartOnlyConfigKeys = ["turn.secret_name"] })),
            "key config.yaml of ConfigMap livekit-livekit-server has no turn.secret_name to remove (ChartOnlyConfigKeys): " +
            "the chart values are not the plan's, which set every key its wiring removes"
        },
        {
            "no such parent", TurnConfigMap + Deployment(Annotation(Wiring with { ChartOnlyConfigKeys = ["tls.secretName"] })),
            "key config.yaml of ConfigMap livekit-livekit-server has no tls.secretName to remove (ChartOnlyConfigKeys): " +
            "the chart values are not the plan's, which set every key its wiring removes"
        },
        {
            "a parent that is a value", TurnConfigMap + Deployment(Annotation(Wiring with { ChartOnlyConfigKeys = ["port.secretName"] })),
            "key config.yaml of ConfigMap livekit-livekit-server has no port.secretName to remove (ChartOnlyConfigKeys): " +
            "the chart values are not the plan's, which set every key its wiring removes"
        },
        {
            "a path twice", TurnConfigMap + Deployment(Annotation(Wiring with { ChartOnlyConfigKeys = ["turn.secretName", "turn.secretName"] })),
            "ChartOnlyConfigKeys names turn.secretName twice"
        },
        {
            "not a path", TurnConfigMap + Deployment(Annotation(Wiring with { ChartOnlyConfigKeys = ["turn..secretName"] })),
            "ChartOnlyConfigKeys names \"turn..secretName\", which is not a dotted path of config keys"
        },
        {
            "a tagged value", TurnConfigMap.Replace("    port: 7880", "    port: !!int 7880") + Deployment(Annotation(ChartOnly)),
            "key config.yaml of ConfigMap livekit-livekit-server has a YAML tag (tag:yaml.org,2002:int) the post-renderer does not rewrite: " +
            "cannot remove the chart-only config keys (ChartOnlyConfigKeys: turn.secretName)"
        },
    };

    [Theory]
    [MemberData(nameof(ChartOnlyRefusals))]
    public void Chart_only_config_keys_without_their_env_config_map_or_path_are_refused_by_name(string what, string input, string message)
    {
        var e = Assert.Throws<PostRenderException>(() => LivekitPostRenderer.Apply(input, Version));
        Assert.True(message == e.Message, $"{what}: {e.Message}");
    }
}
