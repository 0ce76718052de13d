using k8s.Models;
using Infra.Plan.Kubernetes;

namespace Infra.Plan.Components.Coturn;

/// <summary>The coturn ConfigMap: the secret-free turnserver.conf, the two scripts and the NAT map.</summary>
public static class CoturnConfigMap
{
    public static V1ConfigMap Build(CoturnInput input, CoturnVersion version, string turnserverConf) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = Meta.Object(CoturnPlan.Component, input.Site.MediaNamespace, CoturnPlan.Component, version.ToString()),
        Data = new Dictionary<string, string>
        {
            [CoturnPaths.TemplateConf] = turnserverConf,
            [CoturnPaths.InitScript] = CoturnScripts.Init(),
            [CoturnPaths.ReloadScript] = CoturnScripts.ReloadOnCertChange(),
            [CoturnPaths.ExternalIps] = CoturnScripts.ExternalIps(input.Turn),
        },
    };
}
