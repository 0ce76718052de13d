using System.Collections.Immutable;
using Infra.Plan;
using Infra.Plan.Components.Coturn;
using Infra.Plan.Kubernetes;
using Infra.Plan.Spec.Sections;
using Pulumi;
using Pulumi.Random;
using Pulumi.Tls;
using K8s = Pulumi.Kubernetes;
using KubeSecret = Pulumi.Kubernetes.Core.V1.Secret;
using KubeSecretArgs = Pulumi.Kubernetes.Types.Inputs.Core.V1.SecretArgs;
using ObjectMetaArgs = Pulumi.Kubernetes.Types.Inputs.Meta.V1.ObjectMetaArgs;

namespace Infra.Components;

public sealed class CoturnArgs
{
    /// <summary>The environment plan; this component registers its "coturn" objects and reads its TURN wiring.</summary>
    public required EnvironmentPlan Plan { get; init; }

    /// <summary>The Kubernetes provider of the stack (null: the default provider).</summary>
    public K8s.Provider? Provider { get; init; }
}

/// <summary>
/// coturn's Pulumi shell: the TURN shared secret (Pulumi.Random), the self-signed TURN certificate in dev
/// (Pulumi.Tls), the two Kubernetes Secrets under the names the plan references, and the plan's objects.
/// Every decision (config, ports, policy, names) comes from the plan.
/// </summary>
public sealed class Coturn : ComponentResource
{
    /// <summary>TURN URIs for clients: turn:host:3478?transport=udp|tcp and turns:host:5349?transport=tcp.</summary>
    [Output("turnUris")]
    public Output<ImmutableArray<string>> TurnUris { get; private set; }

    /// <summary>The TURN REST shared secret (a Pulumi secret) for LiveKit's and Synapse's Secrets in other namespaces.</summary>
    [Output("sharedSecret")]
    public Output<string> SharedSecret { get; private set; }

    public Coturn(string name, CoturnArgs args, ComponentResourceOptions? options = null)
        : base("matrix-rtc:index:Coturn", name, options)
    {
        var plan = args.Plan;
        var spec = plan.Spec;
        var turn = plan.Topology.Turn;
        var own = new CustomResourceOptions { Parent = this };
        // Kubernetes objects wait for what the component waits for (the namespaces): children do not inherit DependsOn.
        var kube = new CustomResourceOptions { Parent = this, Provider = args.Provider, DependsOn = options?.DependsOn ?? new InputList<Resource>() };

        // 48 letters and digits (~285 bits): no character needs quoting in turnserver.conf or YAML.
        var secret = new RandomPassword($"{name}-shared-secret", new RandomPasswordArgs
        {
            Length = 48,
            Special = false,
        }, own);

        var secretData = new InputMap<string> { { turn.SharedSecret.Key, secret.Result } };
        if (spec.Turn.PreviousSecret is { IsSet: true, Plaintext: { } previous })
        {
            // Rotation: coturn accepts both until the operator removes turnSharedSecretPrevious.
            secretData.Add(turn.PreviousSecret.Key, Output.CreateSecret(previous));
        }
        var sharedSecret = new KubeSecret($"{name}-shared-secret", new KubeSecretArgs
        {
            Metadata = Metadata(turn.SharedSecret.Name, turn.SharedSecret.Namespace),
            Type = "Opaque",
            StringData = secretData,
        }, kube);

        var dependencies = new List<Resource> { sharedSecret };
        if (spec.Tls.Mode == TlsMode.SelfSigned)
        {
            var key = new PrivateKey($"{name}-tls-key", new PrivateKeyArgs
            {
                Algorithm = "ECDSA",
                EcdsaCurve = "P256",
            }, own);
            var cert = new SelfSignedCert($"{name}-tls-cert", new SelfSignedCertArgs
            {
                PrivateKeyPem = key.PrivateKeyPem,
                ValidityPeriodHours = 24 * 365,
                // Pulumi replaces the certificate in the last 30 days; the reloader hands it to coturn (SIGUSR2).
                EarlyRenewalHours = 24 * 30,
                AllowedUses = { "server_auth", "digital_signature", "key_encipherment" },
                DnsNames = { turn.Host },
                Subject = new Pulumi.Tls.Inputs.SelfSignedCertSubjectArgs { CommonName = turn.Host, Organization = "matrix-rtc (self-signed)" },
            }, own);
            dependencies.Add(new KubeSecret($"{name}-tls", new KubeSecretArgs
            {
                Metadata = Metadata(turn.TlsSecretName, spec.Site.MediaNamespace),
                Type = "kubernetes.io/tls",
                StringData = new InputMap<string>
                {
                    { "tls.crt", cert.CertPem },
                    { "tls.key", key.PrivateKeyPem },
                },
            }, kube));
        }

        // The plan's objects exactly as render writes them (same serializer, same bytes).
        var objects = plan.Component(CoturnPlan.Component).Objects;
        var group = new K8s.Yaml.V2.ConfigGroup($"{name}-objects", new K8s.Types.Inputs.Yaml.V2.ConfigGroupArgs
        {
            Yaml = ManifestWriter.Write(objects),
        }, new ComponentResourceOptions
        {
            Parent = this,
            Provider = args.Provider,
            // The DaemonSet's init container needs the shared secret, turnserver the TLS Secret.
            DependsOn = dependencies,
        });

        TurnUris = Output.Create(turn.Uris.ToImmutableArray());
        SharedSecret = secret.Result;
        RegisterOutputs(new Dictionary<string, object?>
        {
            ["turnUris"] = TurnUris,
            ["sharedSecret"] = SharedSecret,
            ["objects"] = group.Urn,
        });
    }

    private static ObjectMetaArgs Metadata(string name, string ns) => new()
    {
        Name = name,
        Namespace = ns,
        Labels = Meta.Labels(CoturnPlan.Component),
    };
}
