using k8s.Models;
using Infra.Plan.Components;
using Infra.Plan.Components.Synapse;
using Infra.Plan.Rendering;
using Infra.Plan.Secrets;
using Infra.Plan.Spec;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Synapse;

public class SynapseSecretTests
{
    private const string Marker = "Prev-Turn-Secret-7f3a";

    [Fact]
    public void No_secret_reaches_a_configmap_or_any_rendered_file()
    {
        // GIVEN a stack whose config holds a (decrypted) TURN secret
        var spec = Parse(With(("turnSharedSecretPrevious", new ConfigValue.Secret(Marker)))).OrThrow();
        var plan = Planner.Build(spec);
        var synapse = plan.Synapse;

        // THEN the ConfigMaps carry no secret key and no secret value
        foreach (var map in new[] { synapse.Fragment, synapse.WellKnown })
        {
            Assert.All(map.Data.Values, v =>
            {
                Assert.DoesNotContain(Marker, v);
                Assert.DoesNotContain("turn_shared_secret:", v);
                Assert.DoesNotContain("turn_password", v);
            });
        }
        // the Secret render shows is a shell: metadata and where its value comes from, never data
        var shell = synapse.TurnSecret!.Shell();
        Assert.Null(shell.Data);
        Assert.Null(shell.StringData);
        Assert.Equal((spec.Synapse.Namespace, SecretNames.SynapseTurn), (synapse.TurnSecret.Namespace, synapse.TurnSecret.Name));
        var entry = Assert.Single(synapse.TurnSecret!.Entries);
        Assert.Equal("turn_shared_secret", entry.Key);
        // the same generated value as coturn's own Secret, and the shell names that Secret for a GitOps user
        var coturnKey = plan.Coturn!.Secrets.Single(s => s.Name == plan.Topology.Turn.SharedSecret.Name).Entries.Single(e => e.Key == plan.Topology.Turn.SharedSecret.Key);
        Assert.Equal(coturnKey.Source, entry.Source);
        var source = plan.Topology.Turn.SharedSecret;
        Assert.Equal($"{source.Namespace}/{source.Name}#{source.Key}", shell.Metadata.Annotations[SynapsePlan.ValueFromAnnotation]);
        // and nothing rendered contains it
        Assert.All(RenderOutput.Files(plan), f => Assert.DoesNotContain(Marker, f.Content));
    }

    [Fact]
    public void The_fragment_points_at_the_mounted_secret_file()
    {
        var spec = Parse(With(("synapseTurnSecretMountDir", S("/run/secrets/rtc/")))).OrThrow();
        var synapse = SynapsePlan.Build(SynapseInput.From(Derived.From(spec)));

        Assert.Contains("turn_shared_secret_path: \"/run/secrets/rtc/turn_shared_secret\"", synapse.FragmentYaml);
        Assert.Equal("turn_shared_secret", Assert.Single(synapse.TurnSecret!.Entries).Key);
    }

    [Fact]
    public void Synapse_objects_live_in_synapse_namespace_and_are_registered_by_the_planner()
    {
        var plan = Stacks.Plan("dev");
        var component = plan.Synapse.Contract;

        Assert.All(component.Objects, o => Assert.Equal("matrix", ((dynamic)o).Metadata.NamespaceProperty));
        Assert.Equal(["ConfigMap", "ConfigMap"], component.Objects.Select(o => o.Kind));
        Assert.Equal("matrix", Assert.Single(component.Secrets).Namespace);
        Assert.Equal(["ConfigMap", "ConfigMap", "Secret"],
            k8s.KubernetesYaml.LoadAllFromString(RenderOutput.Files(plan).Single(f => f.Path == "manifests/synapse.yaml").Content).Select(o => ((k8s.IKubernetesObject)o).Kind));
        Assert.Equal(plan.Synapse.FragmentYaml, ((V1ConfigMap)component.Objects[0]).Data["matrixrtc.yaml"]);
        Assert.Equal(plan.Synapse.WellKnownClientJson, ((V1ConfigMap)component.Objects[1]).Data["client"]);
        Assert.Contains("synapse/config/voip.py", plan.Synapse.KeysMarkdown);
    }
}
