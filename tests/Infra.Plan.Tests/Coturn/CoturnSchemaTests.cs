using k8s;
using k8s.Models;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Kubernetes;
using Infra.Servers;
using Infra.Servers.Coturn;
using Infra.Plan.Tests.Support;

namespace Infra.Plan.Tests.Coturn;

/// <summary>The coturn objects against the Kubernetes schemas: strict YAML loading and npm kubernetes-models.</summary>
public class CoturnSchemaTests
{
    private static IReadOnlyList<IKubernetesObject> BuiltIn(string stack) =>
        Stacks.Plan(stack).Component(CoturnPlan.Component).Objects.Where(o => o is not CertManagerCertificate).ToArray();

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Rendered_objects_load_strictly_as_the_Kubernetes_types(string stack)
    {
        var yaml = ManifestWriter.Write(BuiltIn(stack));

        // strict: an unknown or misspelled field is an error
        var loaded = KubernetesYaml.LoadAllFromString(yaml, strict: true);

        Assert.Contains(loaded, o => o is V1DaemonSet);
        Assert.Contains(loaded, o => o is V1ConfigMap);
    }

    private const string Validator = """
        const path = require('path');
        const objs = JSON.parse(require('fs').readFileSync(0, 'utf8'));
        let failed = 0;
        for (const o of objs) {
          const key = `${o.apiVersion}/${o.kind}`;
          const Cls = require(path.join(process.env.NODE_MODULES, 'kubernetes-models', key))[o.kind];
          try { new Cls(o).validate(); console.log(`valid ${key} ${o.metadata.name}`); }
          catch (e) { failed++; console.log(`INVALID ${key} ${o.metadata.name}: ${e.message}`); }
        }
        process.exit(failed ? 1 : 0);
        """;

    [SkippableFact]
    public void Rendered_objects_pass_kubernetes_models_validation()
    {
        var node = Tools.Find("node");
        var modules = Tools.NodeModules;
        if (node is null || modules is null || !Directory.Exists(Path.Combine(modules, "kubernetes-models")))
        {
            var reason = "SKIPPED: node or kubernetes-models not found (set MATRIX_RTC_NODE_MODULES)";
            Assert.False(Tools.Required, reason);
            Skip.If(true, reason);
        }
        var objects = BuiltIn("prod");
        var json = "[" + string.Join(",", objects.Select(o => KubernetesJson.Serialize(o))) + "]";

        var (exit, output) = CoturnTools.Run(node!, ["-e", Validator], TimeSpan.FromSeconds(60), stdin: json,
            environment: new Dictionary<string, string> { ["NODE_MODULES"] = modules! });

        Assert.True(exit == 0, output);
        Assert.Equal(objects.Count, output.Split('\n').Count(l => l.StartsWith("valid ", StringComparison.Ordinal)));
    }
}
