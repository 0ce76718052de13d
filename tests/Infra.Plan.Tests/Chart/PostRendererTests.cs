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
}
