using k8s;
using k8s.Models;
using Infra.Plan.Kubernetes;

namespace Infra.Plan.Components.Coturn;

/// <summary>
/// What coturn's init container may do with the Kubernetes API: read Node objects (<c>get nodes</c>), nothing
/// else, and only when <c>turnExternalIpDiscovery</c> is on. Nodes are cluster-scoped, so the role is a
/// ClusterRole; a rule cannot name "the pod's own node", so it may read every Node (addresses, labels,
/// capacity: no secret). The token reaches the init container only, as a projected volume
/// (<see cref="CoturnDaemonSet"/>); the ServiceAccount itself never mounts one automatically.
/// </summary>
public static class CoturnRbac
{
    public const string ServiceAccount = Names.Coturn;

    /// <summary>Cluster-scoped, so named after the media namespace: two stacks in one cluster do not collide.</summary>
    public static string ClusterRoleName(string mediaNamespace) => $"{mediaNamespace}-coturn-node-reader";

    public static IReadOnlyList<IKubernetesObject> Build(CoturnInput input)
    {
        if (!input.Turn.DiscoverExternalIp)
        {
            return [];
        }
        var ns = input.Site.MediaNamespace;
        var role = ClusterRoleName(ns);
        return
        [
            new V1ServiceAccount
            {
                ApiVersion = "v1",
                Kind = "ServiceAccount",
                Metadata = Meta.Object(ServiceAccount, ns, CoturnPlan.Component),
                AutomountServiceAccountToken = false,
            },
            new V1ClusterRole
            {
                ApiVersion = "rbac.authorization.k8s.io/v1",
                Kind = "ClusterRole",
                Metadata = Meta.Object(role, null, CoturnPlan.Component),
                Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["nodes"], Verbs = ["get"] }],
            },
            new V1ClusterRoleBinding
            {
                ApiVersion = "rbac.authorization.k8s.io/v1",
                Kind = "ClusterRoleBinding",
                Metadata = Meta.Object(role, null, CoturnPlan.Component),
                RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = role },
                Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = ServiceAccount, NamespaceProperty = ns }],
            },
        ];
    }
}
