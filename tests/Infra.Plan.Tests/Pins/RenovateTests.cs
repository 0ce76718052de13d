using System.Text.RegularExpressions;
using Infra.Plan.Tests.Support;

namespace Infra.Plan.Tests.Pins;

/// <summary>
/// Renovate (renovate.json5) finds every pin of the repository with its current value and digest: what it finds is
/// what it keeps current. The pins come from <see cref="PinInventory"/>, which reads them where they are written.
/// </summary>
public sealed partial class RenovateTests(RenovateRun renovate) : IClassFixture<RenovateRun>
{
    private static readonly IReadOnlyList<Pin> Pins = PinInventory.All(Stacks.RepoRoot);

    [SkippableFact]
    public void Renovate_finds_every_pin_with_its_current_value_and_digest()
    {
        // GIVEN every pin of the repository WHEN Renovate extracts the repository's dependencies
        renovate.Require();
        var missing = Pins.Where(p => !renovate.Deps.Any(d => d.Finds(p))).ToList();

        // THEN each pin is among them, in its own file, with the same datasource, name, version and digest
        Assert.True(missing.Count == 0,
            "Renovate does not find:\n  " + string.Join("\n  ", missing) +
            "\nRenovate found:\n  " + string.Join("\n  ", renovate.Deps.Where(d => d.DepName is not null)));
    }

    [SkippableFact]
    public void Renovate_skips_no_pin_except_for_want_of_a_token()
    {
        // GIVEN the dependencies Renovate found for our pins
        renovate.Require();
        var skipped = renovate.Deps.Where(d => Pins.Any(d.Finds) && d.SkipReason is not null && d.SkipReason != "github-token-required").ToList();

        // THEN none is skipped ("github-token-required" only says this offline run has no GitHub token; the service has one)
        Assert.True(skipped.Count == 0, "skipped:\n  " + string.Join("\n  ", skipped));
    }

    [SkippableFact]
    public void Code_defaults_are_also_found_in_the_generated_docs_so_an_update_keeps_them_in_step()
    {
        // GIVEN the defaults in code (images and charts) WHEN Renovate updates one
        renovate.Require();
        var defaults = Pins.Where(p => p.File == PinInventory.CodePath).ToList();
        Assert.NotEmpty(defaults);

        // THEN the same branch changes Pulumi.yaml's config section, the README's config tables and the generated
        // component pages and Args, which `docs --check` compares with the code
        var missing = defaults
            .SelectMany(p => new[] { p with { File = "Pulumi.yaml" }, p with { File = "README.md" } }
                // and every generated component page and Args class that shows the default
                .Concat(Infra.Plan.Rendering.ComponentDocs.Files()
                    .Where(f => f.Content.Contains($"{p.Name}:{p.Value}", StringComparison.Ordinal)
                        || f.Content.Contains($"Version of the {p.Name} Helm chart", StringComparison.Ordinal))
                    .Select(f => p with { File = f.Path })))
            .Where(p => !renovate.Deps.Any(d => d.Finds(p)))
            .ToList();
        Assert.True(missing.Count == 0, "not found in the generated docs:\n  " + string.Join("\n  ", missing));
    }

    [SkippableFact]
    public void Extraction_makes_no_network_request()
    {
        // GIVEN the offline, extraction-only run THEN Renovate reports no HTTP request (and, where unshare could, it
        // ran without any network)
        renovate.Require();
        Assert.True(renovate.HttpRequests is not null, "Renovate's debug log has no HTTP statistics line");
        Assert.Equal(0, renovate.HttpRequests);
    }

    [Fact]
    public void The_inventory_reads_pins_of_every_kind()
    {
        // GIVEN the pin list read from the repository THEN it has pins from every place pins are written, so a parser
        // that silently reads nothing fails here
        string[] kinds = ["code image", "chart", "stack image", "Dockerfile base", "Dockerfile LIVEKIT_VERSION", "action", "NuGet package", "npm tool"];
        Assert.All(kinds, kind => Assert.Contains(Pins, p => p.Kind.StartsWith(kind, StringComparison.Ordinal)));
        // Images in the stacks and the Dockerfile are pinned by digest.
        Assert.All(Pins.Where(p => p.Kind.StartsWith("stack image", StringComparison.Ordinal) || p.Kind.StartsWith("Dockerfile", StringComparison.Ordinal)),
            p => Assert.NotNull(p.Digest));
    }

    [Fact]
    public void Every_action_is_pinned_by_commit_with_its_release_in_a_comment()
    {
        // GIVEN every `uses:` of every workflow THEN it names a full commit and the release tag it is
        var bad = PinInventory.Actions(Stacks.RepoRoot)
            .Where(p => p.Digest is null || !Commit().IsMatch(p.Digest) || !Release().IsMatch(p.Value))
            .ToList();
        Assert.True(bad.Count == 0, "not pinned as owner/action@<40-hex commit> # v<release>:\n  " + string.Join("\n  ", bad));
    }

    [Fact]
    public void The_custom_managers_use_only_patterns_re2_accepts()
    {
        // GIVEN renovate.json5 THEN no look-around and no back-reference: the hosted Renovate matches with RE2, which
        // has neither (a pattern using them would match nothing there, while node's RegExp here accepts it)
        var config = File.ReadAllText(Path.Combine(Stacks.RepoRoot, "renovate.json5"));
        Assert.DoesNotMatch(Re2Unsupported(), config);
    }

    [GeneratedRegex(@"^[0-9a-f]{40}$")]
    private static partial Regex Commit();

    [GeneratedRegex(@"^v\d+(\.\d+){1,2}$")]
    private static partial Regex Release();

    [GeneratedRegex(@"\(\?(=|!|<=|<!)|\\\\k<|\\\\[1-9]")]
    private static partial Regex Re2Unsupported();
}
