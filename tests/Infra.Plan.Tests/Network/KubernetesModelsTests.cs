using System.Diagnostics;
using Infra.Plan.Components.Network;
using Infra.Plan.Components.Synapse;
using Infra.Servers;
using k8s;

namespace Infra.Plan.Tests.Network;

/// <summary>
/// The NetworkPolicies and Synapse objects checked against the Kubernetes schemas (npm kubernetes-models:
/// types, enums, required fields), with a broken policy as the control that the check can fail.
/// </summary>
public class KubernetesModelsTests
{
    private const string Validate = """
        import { readFileSync } from 'node:fs';
        import { pathToFileURL } from 'node:url';
        const base = process.argv[2];
        const load = async (p) => import(pathToFileURL(base + '/kubernetes-models/' + p).href);
        const kinds = {
          NetworkPolicy: (await load('networking.k8s.io/v1/NetworkPolicy.js')).NetworkPolicy,
          ConfigMap: (await load('v1/ConfigMap.js')).ConfigMap,
          Secret: (await load('v1/Secret.js')).Secret,
        };
        let bad = 0;
        for (const o of JSON.parse(readFileSync(0, 'utf8'))) {
          try { new kinds[o.kind](o).validate(); }
          catch (e) { bad++; console.log('INVALID ' + o.kind + ' ' + o.metadata.name + ': ' + e.message); }
        }
        process.exit(bad ? 1 : 0);
        """;

    private static (int Code, string Output) Check(IEnumerable<IKubernetesObject> objects)
    {
        var node = Tools.Find("node");
        var modules = Tools.NodeModules;
        if (node is null || modules is null || !Directory.Exists(Path.Combine(modules, "kubernetes-models")))
        {
            if (Tools.Required)
            {
                Assert.Fail("node and MATRIX_RTC_NODE_MODULES with kubernetes-models are required");
            }
            Skip.If(true, "SKIPPED: node or kubernetes-models (MATRIX_RTC_NODE_MODULES) not found");
        }
        var dir = Directory.CreateTempSubdirectory("k8s-models-");
        try
        {
            var script = Path.Combine(dir.FullName, "validate.mjs");
            File.WriteAllText(script, Validate);
            var info = new ProcessStartInfo(node!) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add(script);
            info.ArgumentList.Add(modules!);
            using var process = Process.Start(info)!;
            process.StandardInput.Write("[" + string.Join(",", objects.Select(o => KubernetesJson.Serialize(o))) + "]");
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(60_000))
            {
                process.Kill();
                throw new TimeoutException("node did not finish in 60 s");
            }
            return (process.ExitCode, output.Result + errors.Result);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [SkippableTheory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Policies_and_synapse_objects_match_the_kubernetes_schemas(string stack)
    {
        var spec = Support.Stacks.Spec(stack);
        var objects = NetworkPlan.Build(spec).ToComponent().Objects
            .Concat(SynapsePlan.Build(spec, Components.Topology.For(spec)).ToComponent().Objects);

        var (code, output) = Check(objects);

        Assert.True(code == 0, output);
    }

    [SkippableFact]
    public void A_policy_with_a_bad_protocol_is_caught()
    {
        var policy = NetworkPlan.Build(Support.Stacks.Spec("dev")).Policies.Last();
        policy.Spec.Ingress[0].Ports[0].Protocol = "ICMP";

        var (code, output) = Check([policy]);

        Assert.NotEqual(0, code);
        Assert.Contains("protocol", output);
    }
}
