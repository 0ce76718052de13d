using k8s;
using k8s.Models;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Kubernetes;
using Infra.Plan.Tests.Support;

namespace Infra.Plan.Tests.Coturn;

/// <summary>The coturn objects against the Kubernetes schemas: strict YAML loading and npm kubernetes-models.</summary>
public class CoturnSchemaTests
{
    private static IReadOnlyList<IKubernetesObject> BuiltIn(string stack) =>
        Stacks.Plan(stack).Coturn!.Contract.Objects.Where(o => o is not CertManagerCertificate).ToArray();

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

    [SkippableFact]
    public void Rendered_objects_pass_kubernetes_models_validation()
    {
        // Every object, the TURN name's cert-manager Certificate included (its CRD schema: @kubernetes-models/cert-manager)
        var objects = Stacks.Plan("prod").Coturn!.Contract.Objects;

        var reports = KubernetesSchemas.AssertAllValid(objects);

        Assert.Equal(objects.Count, reports.Count(r => r.Valid));
        Assert.Contains(reports, r => r.Kind == "Certificate");
    }
}
