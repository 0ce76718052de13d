using k8s.Models;
using Infra.Plan.Kubernetes;
using Infra.Plan.Tests.Support;

namespace Infra.Plan.Tests.Foundation;

public sealed class SecretHashesTests
{
    private static KeyValuePair<string, string> KV(string k, string v) => new(k, v);

    [Fact]
    public void The_content_hash_changes_with_any_key_or_value_and_not_with_order()
    {
        var a = SecretHashes.Content([KV("secret", "s1"), KV("previous", "s0")]);

        Assert.Equal(a, SecretHashes.Content([KV("previous", "s0"), KV("secret", "s1")]));
        Assert.NotEqual(a, SecretHashes.Content([KV("secret", "s2"), KV("previous", "s0")]));
        Assert.NotEqual(a, SecretHashes.Content([KV("secret", "s1")]));
        // key and value boundaries are kept: "ab"+"c" is not "a"+"bc"
        Assert.NotEqual(SecretHashes.Content([KV("ab", "c")]), SecretHashes.Content([KV("a", "bc")]));
        Assert.Matches("^[0-9a-f]{64}$", a);
    }

    [Fact]
    public void Combining_the_hashes_of_several_secrets_depends_on_each_and_not_on_order()
    {
        var x = SecretHashes.Combine([KV("ns/a", "1"), KV("ns/b", "2")]);
        Assert.Equal(x, SecretHashes.Combine([KV("ns/b", "2"), KV("ns/a", "1")]));
        Assert.NotEqual(x, SecretHashes.Combine([KV("ns/a", "1"), KV("ns/b", "3")]));
    }

    [Fact]
    public void The_annotation_goes_onto_a_copy_of_the_pod_template_and_nothing_else_changes()
    {
        // GIVEN the coturn DaemonSet of a plan
        var plan = Planner.Build(Stacks.Parse(Stacks.With()).OrThrow());
        var original = plan.Coturn!.DaemonSet;
        var before = ManifestWriter.Write([original]);

        // WHEN annotated
        var annotated = (V1DaemonSet)SecretHashes.WithAnnotation(original, "abc123");

        // THEN only the pod template gained the annotation, and the plan's own object is untouched
        Assert.Equal("abc123", annotated.Spec.Template.Metadata.Annotations[SecretHashes.Annotation]);
        Assert.Equal(before, ManifestWriter.Write([original]));
        var after = ManifestWriter.Write([annotated]);
        Assert.Equal(before.Split('\n').Length + 1, after.Split('\n').Length);
        Assert.Contains($"{SecretHashes.Annotation}: abc123", after);
        Assert.Equal(new SecretConsumer("DaemonSet", "matrix-rtc-media", "coturn"), SecretHashes.ConsumerOf(original));
        Assert.Null(SecretHashes.ConsumerOf(plan.Coturn.Config));
    }
}
