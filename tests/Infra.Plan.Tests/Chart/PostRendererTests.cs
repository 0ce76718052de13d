using Infra.Plan.Components.Livekit;
using Infra.PostRender;

namespace Infra.Plan.Tests.Chart;

/// <summary>The post-renderer on hand-written manifests shaped like the chart's output.</summary>
public class PostRendererTests
{
    private static readonly SecretWiring Wiring = new(
        "livekit-server",
        [new SecretEnv("LIVEKIT_REDIS_PASSWORD", "redis-auth", "redis-password")],
        [new SecretFileMount("turn-shared-secret", "turn-shared-secret", "secret", "/etc/livekit/turn", "secret", 384)],
        StrictConfig: true);

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
        var output = LivekitPostRenderer.Apply(input);

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

        var first = LivekitPostRenderer.Apply(input);
        var second = LivekitPostRenderer.Apply(input);

        Assert.Equal(first, second);
        var args = Manifests.Parse(first).Single(o => o.Kind() == "Deployment").At("spec.template.spec.containers.0.args")!.AsArray();
        Assert.Equal(["--bind", "0.0.0.0"], args.Select(a => (string)a!));
    }

    [Fact]
    public void Manifests_without_the_wiring_annotation_are_refused()
    {
        var e = Assert.Throws<PostRenderException>(() => LivekitPostRenderer.Apply(ConfigMap + Deployment("other: x")));
        Assert.Contains(SecretWiring.Annotation, e.Message);
    }

    [Fact]
    public void An_env_var_the_chart_already_sets_is_refused_not_duplicated()
    {
        var clash = Wiring with { Env = [new SecretEnv("LIVEKIT_CONFIG", "x", "y")] };
        var input = Deployment($"{SecretWiring.Annotation}: '{clash.ToJson()}'");

        var e = Assert.Throws<PostRenderException>(() => LivekitPostRenderer.Apply(input));
        Assert.Contains("LIVEKIT_CONFIG", e.Message);
    }
}
