using System.Security.Cryptography;
using k8s.Models;
using Infra.Plan.Policy;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Policy.PolicyFixtures;

namespace Infra.Plan.Tests.Checks;

/// <summary>Each check of our own output (<see cref="OwnOutputChecks"/>) catches the mutation it is there for, on a real plan.</summary>
public sealed class OwnOutputChecksTests
{
    private static IReadOnlyList<CheckViolation> Violations(PolicyInput input, CheckRule rule) =>
        OwnOutputChecks.Check(input).Where(v => v.Rule == rule).ToList();

    private static IReadOnlyList<CheckViolation> Violations(EnvironmentPlan plan, CheckRule rule) => Violations(PolicyInput.Of(plan), rule);

    private static readonly V1ResourceRequirements Burstable = Resources("100m", "128Mi", null, "256Mi");

    [Fact]
    public void Every_container_needs_requests_and_a_memory_limit()
    {
        // GIVEN a container with a CPU request only
        var plan = Stacks.Plan("dev").With(Deployment("web", Container("app", PinnedImage, Resources("100m", null, null, null))));

        // WHEN checked THEN one message lists what is missing
        var v = Assert.Single(Violations(plan, CheckRule.ContainerResources));
        Assert.Contains("requests.memory, limits.memory", v.Message);
    }

    [Theory]
    [InlineData("2", "4Gi", "2", "4Gi", null)]
    [InlineData("1500m", "4Gi", "1500m", "4Gi", "not a whole number of cores")]
    [InlineData("2", "4Gi", "3", "4Gi", "must equal limits")]
    [InlineData("2", "2Gi", "2", "4Gi", "must equal limits")]
    public void Media_pods_are_Guaranteed_with_whole_cpus(string cpuReq, string memReq, string cpuLim, string memLim, string? expected)
    {
        // GIVEN a host-network pod with the given resources
        var plan = Stacks.Plan("dev").With(HostNetworkDaemonSet("media", Container("relay", PinnedImage, Resources(cpuReq, memReq, cpuLim, memLim))));

        // WHEN checked
        var violations = Violations(plan, CheckRule.MediaPodGuaranteed);

        // THEN only the non-Guaranteed or fractional shapes are reported
        if (expected is null)
        {
            Assert.Empty(violations);
        }
        else
        {
            Assert.Contains(expected, Assert.Single(violations).Message);
        }
    }

    [Fact]
    public void Small_helpers_in_a_media_pod_may_have_fractional_cpus_if_the_pod_stays_Guaranteed()
    {
        // GIVEN a media pod: the relay with 2 whole CPUs, an init container and a sidecar with 10m each
        var pod = HostNetworkDaemonSet("media",
            Container("relay", PinnedImage, Resources("2", "1Gi", "2", "1Gi")),
            Container("reloader", PinnedImage, Resources("10m", "16Mi", "10m", "16Mi")));
        pod.Spec.Template.Spec.InitContainers = [Container("config", PinnedImage, Resources("10m", "16Mi", "10m", "16Mi"))];

        // THEN nothing is reported; a Burstable sidecar would be
        Assert.Empty(Violations(Stacks.Plan("dev").With(pod), CheckRule.MediaPodGuaranteed));
        pod.Spec.Template.Spec.Containers[1].Resources = Resources("10m", "16Mi", null, "16Mi");
        Assert.Contains("must equal limits", Assert.Single(Violations(Stacks.Plan("dev").With(pod), CheckRule.MediaPodGuaranteed)).Message);
    }

    [Fact]
    public void Helm_values_are_checked_like_a_media_pod()
    {
        // GIVEN chart values whose pod (host network) is Burstable
        var plan = Stacks.Plan("prod").WithSfuValues(v => v with { Resources = Resources("4", "8Gi", null, "8Gi") });

        // WHEN checked THEN the Guaranteed rule fires for the values file
        Assert.Contains(Violations(plan, CheckRule.MediaPodGuaranteed), v => v.Subject == "Helm values helm/livekit-values.yaml container chart");
    }

    [Fact]
    public void A_password_in_a_ConfigMap_is_reported_without_showing_it()
    {
        // GIVEN a redis.conf and a YAML file carrying literal secrets
        var plan = Stacks.Plan("dev").With(ConfigMap("conf",
            ("redis.conf", "port 6379\nrequirepass hunter2hunter2\n"),
            ("synapse.yaml", "turn_uris: [\"turn:turn.example.org\"]\nturn_shared_secret: \"s3cr3t-value\"\n")));

        // WHEN checked
        var violations = Violations(plan, CheckRule.NoSecretInConfig);

        // THEN each is reported by key and line, and neither value appears anywhere
        Assert.Contains(violations, v => v.Subject == "ConfigMap matrix-rtc/conf key redis.conf" && v.Message.Contains("line 2: key \"requirepass\""));
        Assert.Contains(violations, v => v.Subject == "ConfigMap matrix-rtc/conf key synapse.yaml" && v.Message.Contains("\"turn_shared_secret\""));
        Assert.DoesNotContain(violations, v => v.ToString().Contains("hunter2") || v.ToString().Contains("s3cr3t"));
    }

    [Fact]
    public void Generated_looking_material_is_reported_wherever_it_sits()
    {
        // GIVEN a 32-character alphanumeric token like Pulumi.Random makes, under an innocent key
        var token = RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 32);
        var plan = Stacks.Plan("dev")
            .With(ConfigMap("conf", ("livekit.yaml", $"keys:\n  APIxyz: {token}\n")))
            .WithValuesFile("helm/values.yaml", $"podAnnotations:\n  note: \"{token}\"\nresources:\n  requests: {{cpu: 2, memory: 4Gi}}\n  limits: {{cpu: 2, memory: 4Gi}}\n");

        // WHEN checked
        var violations = Violations(plan, CheckRule.NoSecretInConfig);

        // THEN both places are reported and the token is never echoed
        Assert.Contains(violations, v => v.Subject.StartsWith("ConfigMap matrix-rtc/conf", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Subject == "Helm values helm/values.yaml");
        Assert.DoesNotContain(violations, v => v.ToString().Contains(token));
    }

    [Fact]
    public void References_paths_placeholders_digests_and_certificates_are_not_secrets()
    {
        // GIVEN config that only points at secrets
        var plan = Stacks.Plan("dev").With(ConfigMap("conf",
            ("livekit.yaml", "key_file: keys.yaml\nrtc:\n  turn_servers:\n    - host: turn.example.org\n      secret_file: /etc/turn/secret\nredis:\n  password: ${REDIS_PASSWORD}\n"),
            ("turnserver.conf", "use-auth-secret\n# static-auth-secret is appended at start from the Secret\nrealm=turn.example.org\n"),
            ("images", $"image: {PinnedImage}\nexistingSecret: livekit-api\nturn_shared_secret_path: /secrets/turn\n"),
            ("annotations", "checksum/config: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"),
            ("ca.crt", "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ7dX3mZl9Yr2pN8vK4sT1uW6aB0wCgYIKoZIzj0EAwIw\n-----END CERTIFICATE-----\n")));

        // WHEN checked THEN nothing is reported
        var violations = Violations(plan, CheckRule.NoSecretInConfig);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void A_Secret_object_with_data_in_the_plan_is_reported()
    {
        var secret = new V1Secret
        {
            ApiVersion = "v1", Kind = "Secret",
            Metadata = new V1ObjectMeta { Name = "oops", NamespaceProperty = "matrix-rtc" },
            StringData = new Dictionary<string, string> { ["k"] = "v" },
        };
        var v = Assert.Single(Violations(Stacks.Plan("dev").With(secret), CheckRule.NoSecretInConfig));
        Assert.Equal("Secret matrix-rtc/oops", v.Subject);
    }

    private static V1StatefulSet Redis(int replicas, bool required)
    {
        var labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "redis", ["app.kubernetes.io/part-of"] = "matrix-rtc" };
        var term = new V1PodAffinityTerm { TopologyKey = RedisPolicy.HostnameTopology, LabelSelector = new V1LabelSelector { MatchLabels = labels } };
        var anti = required
            ? new V1PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [term] }
            : new V1PodAntiAffinity { PreferredDuringSchedulingIgnoredDuringExecution = [new V1WeightedPodAffinityTerm { Weight = 100, PodAffinityTerm = term }] };
        return new V1StatefulSet
        {
            ApiVersion = "apps/v1", Kind = "StatefulSet",
            Metadata = new V1ObjectMeta { Name = "redis", NamespaceProperty = "matrix-rtc", Labels = labels },
            Spec = new V1StatefulSetSpec
            {
                Replicas = replicas,
                ServiceName = "redis-headless",
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        Affinity = new V1Affinity { PodAntiAffinity = anti },
                        Containers = [Container("redis", PinnedImage, Resources("100m", "256Mi", null, "256Mi"))],
                    },
                },
            },
        };
    }

    [Fact]
    public void Production_Redis_needs_three_pods_and_required_anti_affinity()
    {
        // GIVEN one Redis pod with only preferred anti-affinity
        var weak = Redis(1, required: false);

        // WHEN checked in prod THEN both rules fire; in dev neither; a proper StatefulSet passes
        var prod = Violations(Stacks.Plan("prod").With(weak), CheckRule.RedisHighAvailability);
        Assert.Equal(2, prod.Count);
        Assert.Contains(prod, v => v.Message.Contains("has 1 pod(s)"));
        Assert.Contains(prod, v => v.Message.Contains("no required pod anti-affinity"));
        Assert.Empty(Violations(Stacks.Plan("dev").With(weak), CheckRule.RedisHighAvailability));
        Assert.Empty(Violations(Stacks.Plan("prod").With(Redis(3, required: true)), CheckRule.RedisHighAvailability));
    }

    [Fact]
    public void Production_Ingress_hosts_need_tls()
    {
        var ingress = new V1Ingress
        {
            ApiVersion = "networking.k8s.io/v1", Kind = "Ingress",
            Metadata = new V1ObjectMeta { Name = "rtc", NamespaceProperty = "matrix-rtc" },
            Spec = new V1IngressSpec { Rules = [new V1IngressRule { Host = "rtc.example.org" }] },
        };
        var v = Assert.Single(Violations(Stacks.Plan("prod").With(ingress), CheckRule.TlsInProduction));
        Assert.Contains("serves rtc.example.org without TLS", v.Message);
    }

    [Fact]
    public void Production_HTTPRoutes_attach_only_to_a_named_listener()
    {
        // GIVEN prod plus an HTTPRoute whose parentRef names the Gateway but no listener (it would attach to port 80 too)
        var route = new Infra.Plan.Components.Routing.HttpRoute(new V1ObjectMeta { Name = "rtc", NamespaceProperty = "matrix-rtc" },
            new Infra.Plan.Components.Routing.HttpRouteSpec([new("gateway.networking.k8s.io", "Gateway", "public", "gateway", "")], ["rtc.example.org"], []));

        var v = Assert.Single(Violations(Stacks.Plan("prod").With(route.ToObject()), CheckRule.TlsInProduction));

        Assert.Equal("HTTPRoute matrix-rtc/rtc", v.Subject);
        Assert.Contains("plain HTTP included", v.Message);
        // AND the stack's own routes, each on the https listener, pass
        Assert.Empty(Violations(Stacks.Plan("prod"), CheckRule.TlsInProduction));
    }

    [Fact]
    public void Chart_replica_count_must_match_the_sizing_plan()
    {
        var plan = Stacks.Plan("dev").WithSfuValues(v => v with { ReplicaCount = 2 });
        var v = Assert.Single(Violations(plan, CheckRule.SfuCapacity));
        Assert.Contains("replicaCount 2 differs from the 1 SFU(s)", v.Message);
    }

    [Fact]
    public void A_host_network_pod_listening_outside_the_port_plan_is_a_violation()
    {
        var plan = Stacks.Plan("dev").With(HostNetworkDaemonSet("media",
            Container("relay", PinnedImage, Resources("1", "1Gi", "1", "1Gi"), (3478, "UDP"), (9999, "TCP"))));
        var v = Assert.Single(Violations(plan, CheckRule.PortPlan));
        Assert.Contains("host port 9999/tcp, which is not in the port plan", v.Message);
    }
}
