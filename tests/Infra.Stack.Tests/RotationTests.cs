using System.Text.Json;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Contract;
using YamlDotNet.RepresentationModel;
using static Infra.Tests.Stacks.RunQueries;
using static Infra.Tests.Stacks.StackRun;

namespace Infra.Tests.Stacks;

/// <summary>Rotation: a changed Secret rolls exactly the pods that read it (issue 12 item 6).</summary>
public sealed class RotationTests
{
    /// <summary>The rotation hash on each workload's pod template: from the ConfigGroups' YAML and the SFU release's values.</summary>
    private static async Task<Dictionary<string, string?>> Hashes(string stack, Dictionary<string, string>? randoms = null)
    {
        var run = await RunAsync(stack, Config(stack), randomResults: randoms);
        var hashes = new Dictionary<string, string?>();
        foreach (var (_, workload) in run.GroupObjects().Where(g => IsWorkload(g.Object)))
        {
            var obj = workload.Kind switch
            {
                "Deployment" => (k8s.IKubernetesObject)k8s.KubernetesYaml.Deserialize<k8s.Models.V1Deployment>(Text(workload)),
                "StatefulSet" => k8s.KubernetesYaml.Deserialize<k8s.Models.V1StatefulSet>(Text(workload)),
                _ => k8s.KubernetesYaml.Deserialize<k8s.Models.V1DaemonSet>(Text(workload)),
            };
            if (SecretHashes.ConsumerOf(obj) is { } consumer)
            {
                var annotations = Child(Child(Child(Child(workload.Node, "spec"), "template"), "metadata"), "annotations");
                hashes[consumer.ToString()] = annotations.Children.ContainsKey(new YamlScalarNode(SecretHashes.Annotation)) ? Scalar(annotations, SecretHashes.Annotation) : null;
            }
        }
        var values = run.Release().Input("values", "podAnnotations", SecretHashes.Annotation);
        hashes[run.Plan.Livekit.Release.Pods!.ToString()] = values is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;
        return hashes;
    }

    private static string Text(ManifestObject o)
    {
        var text = new StringWriter();
        new YamlStream(new YamlDocument(o.Node)).Save(text, assignAnchors: false);
        return text.ToString();
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
        // GIVEN dev WHEN registered THEN the Release waits for coturn's objects (the DaemonSet that accepts the new secret)
        var run = await RunAsync("dev");
        var coturn = Assert.Single(run.GroupObjects(), g => g.Object.Kind == "DaemonSet").Group;
        Assert.Contains(coturn.Urn, run.WaitsFor(run.Release()));
        Assert.Contains(Infra.Plan.Components.Coturn.CoturnPlan.Component, run.Plan.Components.Single(c => c.Name == LivekitPlan.Component).After);
    }
}
