using k8s;
using k8s.Models;
using Infra.Plan.Components.Livekit;
using Infra.Plan.Components.Network;
using Infra.Plan.Contract;
using Infra.Plan.Ports;
using Infra.Plan.Secrets;
using Infra.Plan.Sizing;
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
        var conf = Coturn.TurnServerConf.Render(input, version, Coturn.TurnServerConf.Lines(input, version, input.Quotas.User, input.Quotas.Total));
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
            generated.Add(new CertificateValue(SelfSignedCertificateId, input.Site.TurnHost, "matrix-rtc (self-signed)", [input.Site.TurnHost],
                IsCa: false, [KeyUsage.ServerAuth, KeyUsage.DigitalSignature, KeyUsage.KeyEncipherment],
                CertificateLifetimes.LeafHours, CertificateLifetimes.LeafEarlyRenewalHours, Issuer: null));
            // Pulumi replaces the certificate in its last 30 days; the reloader hands it to coturn (SIGUSR2).
            secrets.Add(Tls.TlsPlan.TlsSecret(input.Site.MediaNamespace, wiring.TlsSecretName, Component, SelfSignedCertificateId, [coturnPods]));
        }
        var peer = Peer.Of(Component, daemonSet, [.. input.Listeners]);
        return new CoturnPlan(version, conf, config, daemonSet, TurnCertificate.For(input, wiring.TlsSecretName), CoturnRbac.Build(input),
            generated, secrets, peer, new PlanFile(NodeFirewallFile, CoturnNodeFirewall.Nftables(input.Ports)));
    }
}

/// <summary>
/// Everything the coturn component needs, as plain values: its own config sections, its size from the tier, and the
/// names and ports the rest of the environment fixed for it. <see cref="From"/> is the one place that reads the whole
/// environment for coturn; <see cref="CoturnPlan.Build"/> needs nothing else.
/// </summary>
/// <param name="Stack">The stack name, written into turnserver.conf's header.</param>
/// <param name="Site">The media namespace coturn runs in and the TURN host name (realm, server name, certificate).</param>
/// <param name="Images">The coturn image (its tag fixes the release the config is written for) and the pull Secrets.</param>
/// <param name="Nodes">The media nodes' selector and tolerations, and the node/pod ranges coturn must not relay to.</param>
/// <param name="Ports">The host port plan: TURN, TURN-TLS, relay range, metrics, and the SFU's UDP port (node firewall).</param>
/// <param name="Tls">How the TURN certificate is issued (self-signed, cert-manager issuer, or supplied).</param>
/// <param name="Turn">The TURN section: external-IP discovery and NAT map, and the previous shared secret while rotating.</param>
/// <param name="Size">The coturn container's requests and limits from the tier.</param>
/// <param name="Quotas">Concurrent allocations per user and per node (tier, or the turn section's overrides).</param>
/// <param name="Wiring">The shared-secret and TLS Secret names and keys that LiveKit and Synapse also use.</param>
/// <param name="Listeners">What coturn listens on, as network peers see it (from the port plan).</param>
public sealed record CoturnInput(
    string Stack,
    SiteSpec Site,
    ImagesSpec Images,
    NodesSpec Nodes,
    PortsSpec Ports,
    TlsSpec Tls,
    TurnSpec Turn,
    ResourceSize Size,
    TurnQuotas Quotas,
    TurnWiring Wiring,
    IReadOnlyList<Listener> Listeners)
{
    public static CoturnInput From(Derived d) => new(
        d.Spec.Stack, d.Spec.Site, d.Spec.Images, d.Spec.Nodes, d.Spec.Ports, d.Spec.Tls, d.Spec.Turn,
        d.Sizing.Preset.Coturn, d.TurnQuotas, d.Topology.Turn, d.Ports.Listeners(PortPlan.Coturn));
}
