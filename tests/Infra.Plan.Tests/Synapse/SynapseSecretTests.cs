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
        var synapse = SynapsePlan.Build(spec, plan.Topology);

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
        // the Secret in the plan is a shell: metadata and a reference, never data
        Assert.Null(synapse.TurnSecretShell.Data);
        Assert.Null(synapse.TurnSecretShell.StringData);
        Assert.Equal(new SecretRef(spec.Synapse.Namespace, SecretNames.SynapseTurn, "turn_shared_secret"), synapse.TurnSecret.Target);
        Assert.Equal(plan.Topology.Turn.SharedSecret, synapse.TurnSecret.Source);
        // and nothing rendered contains it
        Assert.All(RenderOutput.Files(plan), f => Assert.DoesNotContain(Marker, f.Content));
    }

    [Fact]
    public void The_fragment_points_at_the_mounted_secret_file()
    {
        var spec = Parse(With(("synapseTurnSecretMountDir", S("/run/secrets/rtc/")))).OrThrow();
        var synapse = SynapsePlan.Build(spec, Topology.For(spec));

        Assert.Contains("turn_shared_secret_path: \"/run/secrets/rtc/turn_shared_secret\"", synapse.FragmentYaml);
        Assert.Equal("turn_shared_secret", synapse.TurnSecret.Target.Key);
    }

    [Fact]
    public void Synapse_objects_live_in_synapse_namespace_and_are_registered_by_the_planner()
    {
        var plan = Stacks.Plan("dev");
        var component = plan.Component(SynapsePlan.Component);

        Assert.All(component.Objects, o => Assert.Equal("matrix", ((dynamic)o).Metadata.NamespaceProperty));
        Assert.Equal(["ConfigMap", "ConfigMap", "Secret"], component.Objects.Select(o => o.Kind));
        Assert.Equal(plan.File("synapse/matrixrtc.yaml").Content, ((V1ConfigMap)component.Objects[0]).Data["matrixrtc.yaml"]);
        Assert.Equal(plan.File("well-known/client.json").Content, ((V1ConfigMap)component.Objects[1]).Data["client"]);
        Assert.Contains("synapse/config/voip.py", plan.File("synapse/keys.md").Content);
    }
}
