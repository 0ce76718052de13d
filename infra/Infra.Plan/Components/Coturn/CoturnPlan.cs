using k8s;
using k8s.Models;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Components.Network;
using Infra.Plan.Contract;
using Infra.Plan.Secrets;
using Infra.Plan.Spec.Sections;
using Infra.Plan.Turn;

namespace Infra.Plan.Components.Coturn;

/// <summary>
/// The coturn component: ConfigMap (config template and scripts), DaemonSet, and the TURN name's cert-manager
/// Certificate when cert-manager issues it; the TURN shared secret (and, in dev, a self-signed TURN certificate) and
/// the Secrets holding them under the names in <see cref="TurnWiring"/>.
/// </summary>
public sealed record CoturnPlan(
    CoturnVersion Version,
    string TurnServerConfText,
    V1ConfigMap Config,
    V1DaemonSet DaemonSet,
    CertManagerCertificate? Certificate,
    IReadOnlyList<IKubernetesObject> Rbac,
    IReadOnlyList<GeneratedValue> Generated,
    IReadOnlyList<SecretPlan> Secrets,
    Peer Peer,
    PlanFile NodeFirewall) : IComponentPlan
{
    public const string Component = Names.Coturn;

    /// <summary>The TURN REST shared secret coturn, LiveKit and Synapse share.</summary>
    public const string SharedSecretId = "turn-shared-secret";

    /// <summary>48 letters and digits (~285 bits): no character needs quoting in turnserver.conf or YAML.</summary>
    public const int SharedSecretLength = 48;

    public const string SelfSignedCertificateId = "turn-host";

    public ComponentPlan Contract => new(Component, "matrix-rtc:index:Coturn")
    {
        // The discovery step's ServiceAccount and role (empty without turnExternalIpDiscovery) before the pods that use them.
        Objects = [.. Certificate is null ? Array.Empty<IKubernetesObject>() : [Certificate], .. Rbac, Config, DaemonSet],
        Generated = Generated,
        Secrets = Secrets,
        Peers = [Peer],
        // The nftables rule every media node needs beside coturn (CoturnNodeFirewall): installed with the node, not by Pulumi.
        Files = [NodeFirewall],
        After = [NamespacesPlan.Component, NetworkPlan.Component],
    };

    /// <summary>Where render writes the media nodes' nftables rule for coturn.</summary>
    public const string NodeFirewallFile = "report/coturn-node.nft";

    public static CoturnPlan Build(CoturnInput input)
    {
        var version = CoturnVersion.Of(input.Images.Coturn);
        var conf = Coturn.TurnServerConf.Render(input, version, Coturn.TurnServerConf.Lines(input, version));
        var config = CoturnConfigMap.Build(input, version, conf);
        var wiring = input.Wiring;
        var daemonSet = CoturnDaemonSet.Build(input, version, config, wiring.SharedSecret.Name, wiring.TlsSecretName);
        var generated = new List<GeneratedValue> { new RandomValue(SharedSecretId, SharedSecretLength, Secret: true) };
        var coturnPods = new SecretConsumer("DaemonSet", input.Site.MediaNamespace, Component);
        var shared = new List<SecretEntry> { new(wiring.SharedSecret.Key, new SecretSource.Random(SharedSecretId)) };
        if (input.Turn.PreviousSecret.IsSet)
        {
            // Rotation: coturn accepts both until the operator removes turnSharedSecretPrevious.
            shared.Add(new(wiring.PreviousSecret.Key, new SecretSource.Config(TurnSection.PreviousSecret, input.Turn.PreviousSecret)));
        }
        var secrets = new List<SecretPlan>
        {
            new(wiring.SharedSecret.Namespace, wiring.SharedSecret.Name, SecretPlan.Opaque, Component, shared,
                [coturnPods, new SecretConsumer("Deployment", input.Site.MediaNamespace, LivekitPlan.FullName)]),
        };
        if (input.Tls.Mode == TlsMode.SelfSigned)
        {
            generated.Add(TurnCertificate.SelfSigned(SelfSignedCertificateId, input.Site.TurnHost));
            // Pulumi replaces the certificate in its last 30 days; the reloader hands it to coturn (SIGUSR2).
            secrets.Add(Tls.TlsPlan.TlsSecret(input.Site.MediaNamespace, wiring.TlsSecretName, Component, SelfSignedCertificateId, [coturnPods]));
        }
        var peer = Peer.Of(Component, daemonSet, [.. input.Listeners]);
        return new CoturnPlan(version, conf, config, daemonSet, TurnCertificate.For(input, wiring.TlsSecretName), CoturnRbac.Build(input),
            generated, secrets, peer, new PlanFile(NodeFirewallFile, CoturnNodeFirewall.Nftables(input.Ports)));
    }
}
