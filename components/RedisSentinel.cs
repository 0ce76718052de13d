using System.Collections.Immutable;
using Infra.Plan;
using Infra.Plan.Components.Redis;
using ManifestWriter = Infra.Plan.Kubernetes.ManifestWriter;
using Infra.Plan.Secrets;
using Pulumi;
using Pulumi.Kubernetes.Types.Inputs.Core.V1;
using Pulumi.Kubernetes.Types.Inputs.Meta.V1;
using Pulumi.Kubernetes.Types.Inputs.Yaml.V2;
using Pulumi.Random;
using Pulumi.Tls;
using Pulumi.Tls.Inputs;
using K8sSecret = Pulumi.Kubernetes.Core.V1.Secret;
using ConfigGroup = Pulumi.Kubernetes.Yaml.V2.ConfigGroup;

namespace Infra.Components;

/// <summary>What the Redis Sentinel component needs: the environment plan (which holds its objects) and what must exist first.</summary>
public sealed class RedisSentinelArgs
{
    public required EnvironmentPlan Plan { get; init; }

    /// <summary>Resources the Secrets and objects wait for, e.g. the namespaces component.</summary>
    public IReadOnlyList<Resource> DependsOn { get; init; } = [];
}

/// <summary>
/// The shell around the plan's redis-sentinel component: generates the Redis and Sentinel passwords
/// (and, with TLS, a CA and a server certificate), stores them in Secrets under the names the plan
/// references, and registers the plan's objects unchanged. Every decision is the plan's.
/// Create it only when the plan has the component (redisMode managed); with redisMode existing nothing is
/// deployed and LiveKit is wired through <c>plan.Topology.Redis</c> alone.
/// </summary>
public sealed class RedisSentinel : ComponentResource
{
    /// <summary>Random passwords this long (alphanumeric: they are written into redis.conf by the start scripts).</summary>
    private const int PasswordLength = 40;

    /// <summary>CA valid for 10 years; the server certificate for 1 year, renewed on `pulumi up` in its last 30 days.</summary>
    private const int CaValidityHours = 87_600;
    private const int CertValidityHours = 8_760;
    private const int CertEarlyRenewalHours = 720;

    [Output("masterName")]
    public Output<string> MasterName { get; private set; }

    [Output("sentinelAddresses")]
    public Output<ImmutableArray<string>> SentinelAddresses { get; private set; }

    [Output("secretName")]
    public Output<string> SecretName { get; private set; }

    public RedisSentinel(string name, RedisSentinelArgs args, ComponentResourceOptions? options = null)
        : base("matrix-rtc:index:RedisSentinel", name, options)
    {
        var plan = args.Plan;
        var component = plan.Components.SingleOrDefault(c => c.Name == RedisPlan.Component)
            ?? throw new ArgumentException("the plan deploys no Redis (redisMode existing): do not create RedisSentinel", nameof(args));
        var layout = RedisLayout.For(plan.Spec, plan.Sizing);
        var wiring = plan.Topology.Redis;
        var after = args.DependsOn.ToList();

        var redisPassword = new RandomPassword($"{name}-redis-password", new RandomPasswordArgs
        {
            Length = PasswordLength,
            Special = false,
        }, new CustomResourceOptions { Parent = this });
        var sentinelPassword = new RandomPassword($"{name}-sentinel-password", new RandomPasswordArgs
        {
            Length = PasswordLength,
            Special = false,
        }, new CustomResourceOptions { Parent = this });

        // The same passwords in the Redis namespace (pods mount them) and the media namespace (LiveKit's env).
        var passwords = new Dictionary<string, Output<string>>
        {
            [RedisLayout.RedisPasswordKey] = redisPassword.Result,
            [RedisLayout.SentinelPasswordKey] = sentinelPassword.Result,
        };
        var secrets = new List<Resource>
        {
            Secret($"{name}-auth", layout.RedisPassword.Namespace, SecretNames.RedisAuth, "Opaque", passwords, after),
        };
        if (wiring.Password.Namespace != layout.Namespace)
        {
            secrets.Add(Secret($"{name}-auth-media", wiring.Password.Namespace, wiring.Password.Name, "Opaque",
                new Dictionary<string, Output<string>>
                {
                    [wiring.Password.Key] = redisPassword.Result,
                    [wiring.SentinelPassword?.Key ?? RedisLayout.SentinelPasswordKey] = sentinelPassword.Result,
                }, after));
        }
        if (layout.Tls)
        {
            secrets.AddRange(TlsSecrets(name, layout, wiring.TlsCa, after));
        }

        // The plan's objects, exactly as render writes them to manifests/redis-sentinel.yaml.
        _ = new ConfigGroup($"{name}-objects", new ConfigGroupArgs
        {
            Yaml = ManifestWriter.Write(component.Objects),
        }, new ComponentResourceOptions
        {
            Parent = this,
            DependsOn = secrets.Concat(after).ToList(),
            // A remote component gets only the providers given to it (ChildOptions.Providers says why).
            Providers = ChildOptions.Providers(options),
        });

        MasterName = Output.Create(wiring.MasterName);
        SentinelAddresses = Output.Create(wiring.SentinelAddresses.ToImmutableArray());
        SecretName = Output.Create(SecretNames.RedisAuth);
        RegisterOutputs(new Dictionary<string, object?>
        {
            ["masterName"] = MasterName,
            ["sentinelAddresses"] = SentinelAddresses,
            ["secretName"] = SecretName,
        });
    }

    private K8sSecret Secret(string resourceName, string ns, string secretName, string type,
        IReadOnlyDictionary<string, Output<string>> values, IReadOnlyList<Resource> after)
    {
        var data = new InputMap<string>();
        foreach (var (key, value) in values)
        {
            data.Add(key, value);
        }
        return new K8sSecret(resourceName, new SecretArgs
        {
            Metadata = new ObjectMetaArgs
            {
                Name = secretName,
                Namespace = ns,
                Labels = Infra.Plan.Kubernetes.Meta.Labels(Infra.Plan.Components.Names.Redis),
            },
            Type = type,
            StringData = data,
        }, new CustomResourceOptions { Parent = this, DependsOn = after.ToList() });
    }

    /// <summary>A private CA and one server certificate for every pod and Service name the plan lists.</summary>
    private IEnumerable<Resource> TlsSecrets(string name, RedisLayout layout, SecretRef? livekitCa, IReadOnlyList<Resource> after)
    {
        var caKey = new PrivateKey($"{name}-ca-key", new PrivateKeyArgs { Algorithm = "ECDSA", EcdsaCurve = "P256" },
            new CustomResourceOptions { Parent = this });
        var ca = new SelfSignedCert($"{name}-ca", new SelfSignedCertArgs
        {
            PrivateKeyPem = caKey.PrivateKeyPem,
            IsCaCertificate = true,
            ValidityPeriodHours = CaValidityHours,
            AllowedUses = { "cert_signing", "crl_signing", "digital_signature" },
            Subject = new SelfSignedCertSubjectArgs { CommonName = "matrix-rtc redis CA", Organization = "matrix-rtc" },
        }, new CustomResourceOptions { Parent = this });
        var serverKey = new PrivateKey($"{name}-server-key", new PrivateKeyArgs { Algorithm = "ECDSA", EcdsaCurve = "P256" },
            new CustomResourceOptions { Parent = this });
        var request = new CertRequest($"{name}-server-csr", new CertRequestArgs
        {
            PrivateKeyPem = serverKey.PrivateKeyPem,
            DnsNames = layout.TlsDnsNames.ToList(),
            Subject = new CertRequestSubjectArgs { CommonName = layout.HeadlessService, Organization = "matrix-rtc" },
        }, new CustomResourceOptions { Parent = this });
        var cert = new LocallySignedCert($"{name}-server-cert", new LocallySignedCertArgs
        {
            CertRequestPem = request.CertRequestPem,
            CaPrivateKeyPem = caKey.PrivateKeyPem,
            CaCertPem = ca.CertPem,
            ValidityPeriodHours = CertValidityHours,
            EarlyRenewalHours = CertEarlyRenewalHours,
            // Data nodes and sentinels also connect to each other with this certificate (tls-replication).
            AllowedUses = { "server_auth", "client_auth", "digital_signature", "key_encipherment" },
        }, new CustomResourceOptions { Parent = this });

        yield return Secret($"{name}-tls", layout.Namespace, SecretNames.RedisTls, "kubernetes.io/tls",
            new Dictionary<string, Output<string>>
            {
                ["tls.crt"] = cert.CertPem,
                ["tls.key"] = serverKey.PrivateKeyPem,
                ["ca.crt"] = ca.CertPem,
            }, after);
        if (livekitCa is not null)
        {
            yield return Secret($"{name}-tls-ca-media", livekitCa.Namespace, livekitCa.Name, "Opaque",
                new Dictionary<string, Output<string>> { [livekitCa.Key] = ca.CertPem }, after);
        }
    }
}
