using Infra.Plan.Rendering;
using Infra.Plan.Spec;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Rendering;

public sealed class SecretsReportTests
{
    [Fact]
    public void Lists_every_generated_value_and_every_secret_key_with_its_source_and_never_a_value()
    {
        // GIVEN a stack rotating its TURN secret (the old value is in the decrypted config)
        const string marker = "Old-Turn-Secret-5d1e9a";
        var plan = Planner.Build(Parse(With(("turnSharedSecretPrevious", new ConfigValue.Secret(marker)))).OrThrow());

        // WHEN the report is rendered
        var report = RenderOutput.Files(plan).Single(f => f.Path == SecretsReport.Path).Content;

        // THEN every generated value and every key of every Secret is a row, the previous secret is named by its key only
        Assert.All(plan.Components.SelectMany(c => c.Generated), g => Assert.Contains($"| `{g.Id}` |", report));
        foreach (var secret in plan.Components.SelectMany(c => c.Secrets))
        {
            Assert.All(secret.Entries, e => Assert.Contains($"| `{secret.Namespace}/{secret.Name}` | {secret.Type} | `{e.Key}` |", report));
        }
        Assert.Contains("| `previous` | secure config `matrix-rtc:turnSharedSecretPrevious` |", report);
        Assert.DoesNotContain(marker, report);
    }
}
