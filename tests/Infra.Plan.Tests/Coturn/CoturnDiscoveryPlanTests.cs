using k8s.Models;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Spec;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Coturn;

/// <summary>What turnExternalIpDiscovery puts in the coturn manifest: a token for the init container only, allowed to get nodes.</summary>
public class CoturnDiscoveryPlanTests
{
    private static IReadOnlyList<k8s.IKubernetesObject> ObjectsOf(params (string Key, ConfigValue Value)[] changes) =>
        Planner.Build(Parse(With(changes)).OrThrow()).Coturn!.Contract.Objects;

    [Fact]
    public void By_default_only_the_init_container_gets_a_token_and_it_may_only_get_nodes()
    {
        var objects = ObjectsOf();

        // THEN a ServiceAccount that mounts nothing by itself, bound to a ClusterRole with exactly "get nodes"
        var account = Assert.Single(objects.OfType<V1ServiceAccount>());
        Assert.Equal(("coturn", "matrix-rtc-media"), (account.Metadata.Name, account.Metadata.NamespaceProperty));
        Assert.False(account.AutomountServiceAccountToken);
        var role = Assert.Single(objects.OfType<V1ClusterRole>());
        var rule = Assert.Single(role.Rules);
        Assert.Equal([""], rule.ApiGroups);
        Assert.Equal(["nodes"], rule.Resources);
        Assert.Equal(["get"], rule.Verbs);
        Assert.Null(rule.ResourceNames);
        var binding = Assert.Single(objects.OfType<V1ClusterRoleBinding>());
        Assert.Equal(("ClusterRole", role.Metadata.Name), (binding.RoleRef.Kind, binding.RoleRef.Name));
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", "coturn", "matrix-rtc-media"), (subject.Kind, subject.Name, subject.NamespaceProperty));
        Assert.Equal("matrix-rtc-media-coturn-node-reader", role.Metadata.Name);

        // AND the pod uses it without automounting: one projected volume (token + cluster CA), mounted by the init container only
        var pod = objects.OfType<V1DaemonSet>().Single().Spec.Template.Spec;
        Assert.Equal("coturn", pod.ServiceAccountName);
        Assert.False(pod.AutomountServiceAccountToken);
        var volume = Assert.Single(pod.Volumes, v => v.Projected is not null);
        Assert.Collection(volume.Projected.Sources,
            s => Assert.Equal(("token", 600L, (string?)null), (s.ServiceAccountToken.Path, s.ServiceAccountToken.ExpirationSeconds!.Value, s.ServiceAccountToken.Audience)),
            s => Assert.Equal(("kube-root-ca.crt", "ca.crt", "ca.crt"), (s.ConfigMap.Name, s.ConfigMap.Items.Single().Key, s.ConfigMap.Items.Single().Path)));
        var mounting = pod.InitContainers.Concat(pod.Containers).Where(c => c.VolumeMounts.Any(m => m.Name == volume.Name)).ToArray();
        var init = Assert.Single(mounting);
        Assert.Equal("config", init.Name);
        var mount = init.VolumeMounts.Single(m => m.Name == volume.Name);
        Assert.Equal((CoturnPaths.KubeApiDir, true), (mount.MountPath, mount.ReadOnlyProperty == true));
        Assert.Contains(init.Env, e => e.Name == "EXTERNAL_IP_DISCOVERY" && e.Value == CoturnDaemonSet.DiscoveryNodeApi);
        Assert.Contains(init.Env, e => e.Name == "NODE_NAME" && e.ValueFrom?.FieldRef?.FieldPath == "spec.nodeName");
    }

    [Fact]
    public void Without_discovery_there_is_no_account_no_role_and_no_token()
    {
        var objects = ObjectsOf(("turnExternalIpDiscovery", S("false")), ("turnExternalIps", L("10.10.0.5=203.0.113.10")));

        Assert.Empty(objects.OfType<V1ServiceAccount>());
        Assert.Empty(objects.OfType<V1ClusterRole>());
        Assert.Empty(objects.OfType<V1ClusterRoleBinding>());
        var pod = objects.OfType<V1DaemonSet>().Single().Spec.Template.Spec;
        Assert.Null(pod.ServiceAccountName);
        Assert.DoesNotContain(pod.Volumes, v => v.Projected is not null);
        var init = pod.InitContainers.Single();
        Assert.Contains(init.Env, e => e.Name == "EXTERNAL_IP_DISCOVERY" && e.Value == CoturnDaemonSet.DiscoveryOff);
        Assert.DoesNotContain(init.Env, e => e.Name == "NODE_NAME");
    }

    [Fact]
    public void Two_stacks_in_one_cluster_get_their_own_cluster_role()
    {
        var first = ObjectsOf().OfType<V1ClusterRole>().Single().Metadata.Name;
        var second = ObjectsOf(("mediaNamespace", S("rtc-staging-media"))).OfType<V1ClusterRole>().Single().Metadata.Name;

        Assert.NotEqual(first, second);
        Assert.Equal("rtc-staging-media-coturn-node-reader", second);
    }
}

/// <summary>The node rule that limits what coturn reaches on its own node (loaded and exercised by CoturnNatTests).</summary>
public class CoturnNodeFirewallTests
{
    [Fact]
    public void The_rule_lets_coturns_user_reach_only_the_stacks_SFU_port_and_relay_range_on_its_own_node()
    {
        var spec = Parse(With(("sfuRtcUdpPort", S("7990")), ("turnRelayPorts", S("62000-64999")))).OrThrow();

        var rule = CoturnNodeFirewall.Nftables(spec.Ports);

        Assert.Contains("meta skuid 65534 fib daddr type local udp dport != { 7990, 62000-64999 } drop", rule);
        Assert.Contains("table inet matrix_rtc_coturn", rule);
        Assert.Contains("type filter hook output priority filter", rule);
    }
}
