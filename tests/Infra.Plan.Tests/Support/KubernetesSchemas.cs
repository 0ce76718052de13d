using System.Text.Json.Nodes;
using k8s;
using Infra.Plan.Tests.Chart;
using Infra.Servers;

namespace Infra.Plan.Tests.Support;

/// <summary>What kubernetes-models said of one object: valid, invalid (with the error), or no-schema (a kind no package models).</summary>
public sealed record SchemaReport(string ApiVersion, string Kind, string Name, string Status, string? Error)
{
    public bool Valid => Status == "valid";

    public override string ToString() => $"{ApiVersion} {Kind} {Name}: {Status}{(Error is null ? "" : " " + Error)}";
}

/// <summary>
/// Validates objects against the Kubernetes API schemas of the npm package kubernetes-models (types, enums, required
/// fields) and the published CRD schemas of the custom resources we render (<see cref="Packages"/>), with
/// <c>Support/validate-objects.mjs</c>. Without node or the packages the test fails under the test script
/// (MATRIX_RTC_REQUIRE_TOOLS=1) and is skipped elsewhere.
/// </summary>
public static class KubernetesSchemas
{
    /// <summary>
    /// The npm packages, pinned in scripts/test.sh: Kubernetes' own API, and models generated from the CRDs each project
    /// publishes (Gateway API, Prometheus operator, cert-manager). CiliumNetworkPolicy has none: Network/CiliumPolicySchemaTests.
    /// </summary>
    public static readonly string[] Packages =
        ["kubernetes-models", "@kubernetes-models/gateway-api", "@kubernetes-models/prometheus-operator", "@kubernetes-models/cert-manager"];
    public static IReadOnlyList<SchemaReport> Validate(IEnumerable<IKubernetesObject> objects) =>
        Validate(objects.Select(o => JsonNode.Parse(KubernetesJson.Serialize(o))!));

    public static IReadOnlyList<SchemaReport> Validate(IEnumerable<JsonNode> objects)
    {
        var node = Tools.Find("node");
        var modules = Tools.NodeModules;
        if (node is null || modules is null || Packages.Any(p => !Directory.Exists(Path.Combine(modules, p))))
        {
            var reason = $"node and the npm packages {string.Join(", ", Packages)} (MATRIX_RTC_NODE_MODULES) not found; scripts/test.sh installs them";
            Assert.False(Tools.Required, reason);
            Skip.If(true, "SKIPPED schema validation: " + reason);
        }
        var script = Path.Combine(Stacks.RepoRoot, "tests", "Infra.Plan.Tests", "Support", "validate-objects.mjs");
        var input = new JsonArray(objects.Select(o => o.DeepClone()).ToArray());
        var result = ToolRun.Run(node!, [script, modules!], stdin: input.ToJsonString(), timeout: TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.Stderr);
        var reports = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonNode.Parse(line)!)
            .Select(r => new SchemaReport((string)r["apiVersion"]!, (string)r["kind"]!, (string)r["name"]!, (string)r["status"]!, (string?)r["error"]))
            .ToList();
        Assert.Equal(input.Count, reports.Count);
        return reports;
    }

    /// <summary>Validates and asserts that every object has a schema and passes it: an object of a kind no package models fails.</summary>
    public static IReadOnlyList<SchemaReport> AssertAllValid(IEnumerable<IKubernetesObject> objects)
    {
        var reports = Validate(objects);
        Assert.Empty(reports.Where(r => !r.Valid).Select(r => r.ToString()));
        return reports;
    }
}
