using System.Text.Json;
using Infra.Components;
using Infra.Plan.Components;
using Infra.Plan.Contract;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Rendering;
using Infra.Plan.Secrets;
using Pulumi;
using static Infra.Tests.Stacks.StackRun;

namespace Infra.Tests.Stacks;

/// <summary>
/// The Pulumi program under mocks, per stack file: what it registers, under which parent, with which inputs, and
/// what it exports. Component types of the other parts (RedisSentinel, Coturn, LiveKit, SynapseConfig,
/// NetworkPolicies) are checked by type token only; their own tests own their insides.
/// </summary>
public sealed class MatrixRtcStackTests
{
    private const string Provider = "pulumi:providers:kubernetes";
    private const string RandomPassword = "random:index/randomPassword:RandomPassword";
    private const string RandomString = "random:index/randomString:RandomString";
    private const string PrivateKey = "tls:index/privateKey:PrivateKey";
    private const string SelfSignedCert = "tls:index/selfSignedCert:SelfSignedCert";
    private const string LocallySignedCert = "tls:index/locallySignedCert:LocallySignedCert";
    private const string KubeNamespace = "kubernetes:core/v1:Namespace";
    private const string KubeSecret = "kubernetes:core/v1:Secret";
    private const string KubeConfigMap = "kubernetes:core/v1:ConfigMap";
    private const string ConfigGroup = "kubernetes:yaml/v2:ConfigGroup";
    private const string Release = "kubernetes:helm.sh/v3:Release";

    [Theory]
    // stack, internal-CA private keys (dev: CA + RTC host; prod: none, cert-manager and the Redis component's own CA), monitoring
    [InlineData("dev", 2, false)]
    [InlineData("prod", 0, true)]
    public async Task Registers_the_expected_resources(string stack, int internalKeys, bool monitoring)
    {
        // GIVEN the repository's stack file WHEN the program runs under mocks
        var run = await RunAsync(stack);
        int Count(string type) => run.Mocks.OfType(type).Count;
        var top = Children(run.Stack);

        // THEN exactly one provider, two namespaces, each planned component once, monitoring only when asked for
        Assert.Equal(1, Count(Provider));
        Assert.Equal(2, Count(KubeNamespace));
        foreach (var type in new[] { "matrix-rtc:index:Namespaces", "matrix-rtc:index:RedisSentinel", "matrix-rtc:index:Coturn",
                     "matrix-rtc:index:LiveKit", "matrix-rtc:index:Authorizer", "matrix-rtc:index:SynapseConfig", "matrix-rtc:index:NetworkPolicies" })
        {
            Assert.True(Count(type) == 1, $"{type}: {Count(type)}");
        }
        Assert.Equal(internalKeys > 0 ? 1 : 0, Count("matrix-rtc:index:Tls"));
        Assert.Equal(monitoring ? 1 : 0, Count("matrix-rtc:index:Monitoring"));
        Assert.Equal(1, Count(Release));

        // The internal CA and its leaves hang under the Tls component; every planned Secret exists once.
        var tls = top.OfType<PlanComponent>().SingleOrDefault(c => c.GetResourceType() == "matrix-rtc:index:Tls") is { } t ? Children(t) : [];
        Assert.Equal(internalKeys, tls.Count(r => r.GetResourceType() == PrivateKey));
        Assert.Equal(internalKeys > 0 ? 1 : 0, tls.Count(r => r.GetResourceType() == SelfSignedCert));
        Assert.Equal(Math.Max(0, internalKeys - 1), tls.Count(r => r.GetResourceType() == LocallySignedCert));
        var secrets = run.Mocks.OfType(KubeSecret).Select(s => Metadata(s.Inputs)).ToList();
        foreach (var target in run.Plan.Components.SelectMany(c => c.Secrets))
        {
            Assert.Single(secrets, (target.Namespace, target.Name));
        }
        // Secrets the components share by name exist exactly once (no two components create the same object).
        Assert.Single(secrets, (run.Plan.Spec.Site.MediaNamespace, SecretNames.TurnShared));
        Assert.Single(secrets, (run.Plan.Spec.Site.MediaNamespace, SecretNames.LivekitApi));
        Assert.Single(secrets, (run.Plan.Spec.Site.Namespace, SecretNames.LivekitApi));
        Assert.Equal(secrets.Count, secrets.Distinct().Count());
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public async Task Every_resource_hangs_under_its_component_and_kubernetes_goes_through_the_stack_provider(string stack)
    {
        var run = await RunAsync(stack);

        // The stack's direct children are the provider and the components; nothing else floats at the top.
        var top = Children(run.Stack);
        Assert.All(top, r => Assert.True(r is ProviderResource || r is ComponentResource, $"{r.GetResourceType()} {r.GetResourceName()} is not inside a component"));
        Assert.Contains(top, r => r is Pulumi.Kubernetes.Provider);
        Assert.Contains(Children(top.Single(r => r.GetResourceType() == "matrix-rtc:index:Coturn")), r => r.GetResourceType() == RandomPassword);
        Assert.Contains(Children(top.Single(r => r.GetResourceType() == "matrix-rtc:index:LiveKit")), r => r.GetResourceType() == Release);
        Assert.Equal(2, Children(top.Single(r => r.GetResourceType() == "matrix-rtc:index:Namespaces")).Count(r => r.GetResourceType() == KubeNamespace));
        if (run.Plan.Spec.Cluster.Monitoring)
        {
            Assert.Contains(Children(top.Single(r => r.GetResourceType() == "matrix-rtc:index:Monitoring")), r => r.GetResourceType() == ConfigGroup);
        }

        // Every Kubernetes object uses the configured provider, never the ambient default one. (ConfigGroups are
        // remote components: the mock monitor does not show their providers map, so only custom resources are checked.)
        var provider = run.Mocks.OfType(Provider).Single();
        Assert.All(run.Mocks.Registered.Where(r => r.Type!.StartsWith("kubernetes:", StringComparison.Ordinal) && r.Type != ConfigGroup),
            r => Assert.Contains($"{Provider}::{provider.Name}", r.Provider ?? "(default provider)"));
    }

    [Fact]
    public async Task Namespaces_carry_their_Pod_Security_levels()
    {
        var run = await RunAsync("dev");
        var levels = run.Mocks.OfType(KubeNamespace).ToDictionary(
            n => Metadata(n.Inputs).Name,
            n => Labels(n.Inputs)["pod-security.kubernetes.io/enforce"]);
        Assert.Equal("restricted", levels["matrix-rtc"]);
        Assert.Equal("privileged", levels["matrix-rtc-media"]);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public async Task The_LiveKit_release_uses_the_pinned_chart_and_the_reviewed_values(string stack)
    {
        var run = await RunAsync(stack);
        var spec = run.Plan.Spec;

        // GIVEN the single Helm release
        var release = Assert.Single(run.Mocks.OfType(Release)).Inputs;

        // THEN chart, version, repository and namespace are the pinned ones, the values are one reviewed YAML file
        Assert.Equal(Names.LivekitChart, release["chart"]);
        Assert.Equal(spec.Images.LivekitChartVersion, release["version"]);
        Assert.Equal(Names.LivekitChartRepo, Map(release["repositoryOpts"])["repo"]);
        Assert.Equal(spec.Site.MediaNamespace, release["namespace"]);
        Assert.Equal(Names.LivekitRelease, release["name"]);
        // Beyond the reviewed file, only the rotation hash of the Secrets the SFU reads, as a pod annotation.
        var extra = Map(release["values"]);
        Assert.Equal(["podAnnotations"], extra.Keys);
        Assert.Equal([SecretHashes.Annotation], Map(extra["podAnnotations"]).Keys);
        Assert.Single((IEnumerable<object>)release["valueYamlFiles"]);

        // AND that file's key values follow the plan (the file is what render writes and reviewers read)
        var values = new YamlDotNet.Serialization.Deserializer().Deserialize<Dictionary<string, object>>(run.Plan.Livekit.Release.Values.Content);
        Assert.Equal(run.Plan.Sizing.SfuReplicas.ToString(), values["replicaCount"].ToString());
        Assert.Equal(spec.Sfu.DrainSeconds.ToString(), values["terminationGracePeriodSeconds"].ToString());
        var image = (Dictionary<object, object>)values["image"];
        Assert.Equal(spec.Images.MediaRelay.Repository, image["repository"]);
        if (spec.Site.Production)
        {
            Assert.Contains("@sha256:", image["tag"].ToString());
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public async Task Secret_outputs_are_secret_and_the_rest_match_the_plan(string stack)
    {
        var run = await RunAsync(stack);
        var s = run.Stack;

        Assert.True(await Output.IsSecretAsync(s.TurnSharedSecret));
        Assert.True(await Output.IsSecretAsync(s.LivekitApiKey));
        Assert.True(await Output.IsSecretAsync(s.LivekitApiSecret));
        Assert.StartsWith("MockPassword", await ValueOf(s.TurnSharedSecret));
        Assert.StartsWith("APIMockKey", await ValueOf(s.LivekitApiKey));
        Assert.StartsWith("MockPassword", await ValueOf(s.LivekitApiSecret));

        Assert.False(await Output.IsSecretAsync(s.SfuUrl));
        Assert.Equal(run.Plan.Topology.SfuWssUrl, await ValueOf(s.SfuUrl));
        Assert.Equal($"https://{run.Plan.Spec.Site.RtcHost}", await ValueOf(s.AuthorizerUrl));
        Assert.Contains($"turns:{run.Plan.Spec.Site.TurnHost}:{run.Plan.Spec.Ports.TurnTls}?transport=tcp", await ValueOf(s.TurnUris));
        Assert.Equal(StackExports.CapacitySummary(run.Plan), await ValueOf(s.CapacitySummary));
        Assert.Equal(StackExports.SynapseFragment(run.Plan), await ValueOf(s.SynapseConfigYaml));
        Assert.Equal(StackExports.WellKnownClient(run.Plan), await ValueOf(s.WellKnownClient));
        Assert.False(await Output.IsSecretAsync(s.SynapseConfigYaml));
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public async Task No_generated_secret_reaches_a_ConfigMap_a_manifest_group_or_Helm_values(string stack)
    {
        var run = await RunAsync(stack);
        var generated = run.Mocks.SecretValues.ToList();
        Assert.NotEmpty(generated);

        // Plain-text places: ConfigMap data, ConfigGroup YAML, Helm values, every output that is not secret.
        var plain = run.Mocks.OfType(KubeConfigMap).Select(c => JsonSerializer.Serialize(c.Inputs))
            .Concat(run.Mocks.OfType(ConfigGroup).Select(g => JsonSerializer.Serialize(g.Inputs)))
            .Append(run.Plan.Livekit.Release.Values.Content)
            .Append(await ValueOf(run.Stack.SynapseConfigYaml))
            .Append(await ValueOf(run.Stack.WellKnownClient))
            .ToList();
        foreach (var secret in generated)
        {
            Assert.DoesNotContain(plain, text => text.Contains(secret, StringComparison.Ordinal));
        }

        // And the scan can see values at all: the TURN secret is in its Secret.
        var turn = await ValueOf(run.Stack.TurnSharedSecret);
        Assert.Contains(run.Mocks.OfType(KubeSecret), s => JsonSerializer.Serialize(s.Inputs).Contains(turn, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Broken_config_fails_with_one_clear_line_per_mistake_and_registers_nothing()
    {
        // GIVEN dev with an unknown tier and a misspelt key
        var config = Config("dev", ("tier", "huge"), ("tlsMod", "self-signed"));

        // WHEN the program runs
        var e = await Assert.ThrowsAnyAsync<Exception>(() => RunAsync("dev", config));

        // THEN the message names each key, the bad value and what is allowed; no resource was registered
        var message = e is AggregateException a ? string.Join("\n", a.InnerExceptions.Select(x => x.Message)) : e.Message;
        Assert.Contains("matrix-rtc:tier: \"huge\" is not allowed", message);
        Assert.Contains("matrix-rtc:tlsMod: is not a known key; did you mean matrix-rtc:tlsMode?", message);
        Assert.DoesNotContain("   at ", message);
    }

    [Fact]
    public async Task A_policy_violation_fails_the_program()
    {
        // GIVEN prod asking for one SFU where the capacity model needs three
        var config = Config("prod", ("sfuReplicas", "1"));

        var e = await Assert.ThrowsAnyAsync<Exception>(() => RunAsync("prod", config));

        Assert.Contains("policy SfuCapacity: matrix-rtc:sfuReplicas:", e.Message);
    }

    [Fact]
    public async Task A_rotating_turn_secret_is_taken_from_secret_config_and_written_as_previous()
    {
        // GIVEN dev with turnSharedSecretPrevious set as a secret config value
        var config = Config("dev", ("turnSharedSecretPrevious", "OldTurnSecret0123456789abcdefABCDEF"));

        // WHEN the program runs
        var run = await RunAsync("dev", config, ["matrix-rtc:turnSharedSecretPrevious"]);

        // THEN the TURN Secret carries both keys, and the old value appears nowhere in plain text
        var turn = run.Mocks.OfType(KubeSecret).Single(s => Metadata(s.Inputs) == (run.Plan.Spec.Site.MediaNamespace, SecretNames.TurnShared));
        var data = Map(turn.Inputs["stringData"]);
        Assert.True(data.ContainsKey("secret") && data.ContainsKey("previous"));
        Assert.DoesNotContain(run.Mocks.OfType(KubeConfigMap), c => JsonSerializer.Serialize(c.Inputs).Contains("OldTurnSecret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_plain_text_secret_config_value_is_refused()
    {
        // GIVEN the previous TURN secret set without --secret
        var config = Config("dev", ("turnSharedSecretPrevious", "OldTurnSecret0123456789abcdefABCDEF"));

        var e = await Assert.ThrowsAnyAsync<Exception>(() => RunAsync("dev", config));

        Assert.Contains("matrix-rtc:turnSharedSecretPrevious: is given as plain text", e.Message);
        Assert.DoesNotContain("OldTurnSecret", e.Message);
    }

    private static IReadOnlyDictionary<string, object> Map(object value) => (IReadOnlyDictionary<string, object>)value;

    private static (string Namespace, string Name) Metadata(IReadOnlyDictionary<string, object> inputs)
    {
        var meta = Map(inputs["metadata"]);
        return (meta.TryGetValue("namespace", out var ns) ? (string)ns : "", (string)meta["name"]);
    }

    private static IReadOnlyDictionary<string, object> Labels(IReadOnlyDictionary<string, object> inputs) =>
        Map(Map(inputs["metadata"])["labels"]);
}

/// <summary>Rotation: a changed Secret rolls exactly the pods that read it (issue 12 item 6).</summary>
public sealed class RotationTests
{
    /// <summary>The rotation hash on each workload's pod template: from the ConfigGroups' YAML and the SFU release's values.</summary>
    private static async Task<Dictionary<string, string?>> Hashes(string stack, Dictionary<string, string>? randoms = null)
    {
        var run = await RunAsync(stack, Config(stack), mocks: new Mocks { RandomResults = randoms ?? new() });
        var hashes = new Dictionary<string, string?>();
        foreach (var group in run.Mocks.OfType("kubernetes:yaml/v2:ConfigGroup"))
        {
            // Only the workloads: KubernetesYaml cannot load the CRD objects (Certificate, ServiceMonitor) of a group.
            var workloads = ((string)group.Inputs["yaml"]).Split("---\n", StringSplitOptions.RemoveEmptyEntries)
                .Select(d => System.Text.RegularExpressions.Regex.Match(d, @"(?m)^kind: (\w+)$").Groups[1].Value switch
                {
                    "Deployment" => (k8s.IKubernetesObject?)k8s.KubernetesYaml.Deserialize<k8s.Models.V1Deployment>(d),
                    "StatefulSet" => k8s.KubernetesYaml.Deserialize<k8s.Models.V1StatefulSet>(d),
                    "DaemonSet" => k8s.KubernetesYaml.Deserialize<k8s.Models.V1DaemonSet>(d),
                    _ => null,
                })
                .OfType<k8s.IKubernetesObject>();
            foreach (var obj in workloads)
            {
                if (SecretHashes.ConsumerOf(obj) is { } consumer)
                {
                    var template = obj switch
                    {
                        k8s.Models.V1Deployment d => d.Spec.Template,
                        k8s.Models.V1StatefulSet s => s.Spec.Template,
                        _ => ((k8s.Models.V1DaemonSet)obj).Spec.Template,
                    };
                    hashes[consumer.ToString()] = template.Metadata?.Annotations is { } a && a.TryGetValue(SecretHashes.Annotation, out var h) ? h : null;
                }
            }
        }
        var release = Assert.Single(run.Mocks.OfType("kubernetes:helm.sh/v3:Release")).Inputs;
        var podAnnotations = (IReadOnlyDictionary<string, object>)((IReadOnlyDictionary<string, object>)release["values"])["podAnnotations"];
        hashes[run.Plan.Livekit.Release.Pods!.ToString()] = (string)podAnnotations[SecretHashes.Annotation];
        return hashes;
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public async Task Every_consumer_of_a_secret_carries_a_hash_and_nothing_changed_rolls_nothing(string stack)
    {
        // GIVEN the same stack run twice WHEN nothing changes
        var first = await Hashes(stack);
        var second = await Hashes(stack);

        // THEN every workload that reads a Secret has a hash, and the hashes are the same
        Assert.All(new[] { "DaemonSet matrix-rtc-media/coturn", "StatefulSet matrix-rtc/redis", "Deployment matrix-rtc/lk-jwt-service",
            "Deployment matrix-rtc-media/livekit-livekit-server" }, c => Assert.Matches("^[0-9a-f]{64}$", first[c]));
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task A_new_TURN_secret_rolls_coturn_and_the_SFU_and_nothing_else()
    {
        // GIVEN dev, then dev with a new TURN shared secret (pulumi up --replace of its RandomPassword)
        var before = await Hashes("dev");
        var after = await Hashes("dev", new() { [Infra.Plan.Components.Coturn.CoturnPlan.SharedSecretId] = "RotatedTurnSecret0123456789abcdefABCDEF" });

        // THEN exactly the TURN secret's readers change: coturn (which accepts old and new) and the SFU
        var changed = before.Keys.Where(k => before[k] != after[k]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["DaemonSet matrix-rtc-media/coturn", "Deployment matrix-rtc-media/livekit-livekit-server"], changed);
    }

    [Fact]
    public async Task The_SFU_release_waits_for_coturn_so_coturn_accepts_the_new_secret_before_the_SFU_hands_it_out()
    {
        // GIVEN dev WHEN planned THEN the LiveKit component comes after coturn (its DependsOn carries coturn's resources)
        var run = await RunAsync("dev");
        var livekit = run.Plan.Components.Single(c => c.Name == LivekitPlan.Component);
        Assert.Contains(Infra.Plan.Components.Coturn.CoturnPlan.Component, livekit.After);
        var names = run.Plan.Components.Select(c => c.Name).ToList();
        Assert.True(names.IndexOf(Infra.Plan.Components.Coturn.CoturnPlan.Component) < names.IndexOf(LivekitPlan.Component));
    }
}
