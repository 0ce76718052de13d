using k8s;
using Infra.Plan.Sizing;
using Infra.Plan.Spec;

namespace Infra.Plan.Components.Coturn;

/// <summary>
/// The coturn component: ConfigMap (config template and scripts), DaemonSet, and the TURN name's
/// cert-manager Certificate when cert-manager issues it. The Secrets it reads (shared secret, TLS) are
/// created by the Pulumi shell under the names in <see cref="TurnWiring"/>.
/// </summary>
public static class CoturnPlan
{
    public const string Component = Names.Coturn;

    public static ComponentPlan Build(EnvironmentSpec spec, SizingPlan sizing, Topology topology)
    {
        var version = CoturnVersion.Of(spec);
        var config = CoturnConfigMap.Build(spec, version, TurnServerConfText(spec, sizing));
        var wiring = topology.Turn;
        var objects = new List<IKubernetesObject>();
        if (TurnCertificate.For(spec, wiring.TlsSecretName) is { } certificate)
        {
            objects.Add(certificate);
        }
        objects.AddRange(CoturnRbac.Build(spec));
        objects.Add(config);
        objects.Add(CoturnDaemonSet.Build(spec, sizing, version, config, wiring.SharedSecret.Name, wiring.TlsSecretName));
        return new ComponentPlan(Component, objects);
    }

    /// <summary>The secret-free turnserver.conf the ConfigMap carries.</summary>
    public static string TurnServerConfText(EnvironmentSpec spec, SizingPlan sizing)
    {
        var version = CoturnVersion.Of(spec);
        return TurnServerConf.Render(spec, version,
            TurnServerConf.Lines(spec, version, sizing.TurnUserQuota(spec), sizing.TurnTotalQuota(spec)));
    }
}
