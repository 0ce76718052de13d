using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Infra.Plan.Contract;
using Pulumi;
using Pulumi.Random;
using Pulumi.Tls;
using Pulumi.Tls.Inputs;

namespace Infra.Components;

/// <summary>
/// The one place that turns the plans' <see cref="GeneratedValue"/>s into Pulumi.Random and Pulumi.Tls resources, and
/// the values of every <see cref="SecretSource"/> into outputs. Environment-wide, because one component's Secret may
/// read another's value (Synapse's copy of coturn's TURN secret, the authorizer's copy of LiveKit's API key). Every
/// size, lifetime and usage comes from the plan.
/// </summary>
public sealed class GeneratedValues
{
    private readonly Dictionary<string, Output<string>> _random = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (Output<string> Certificate, Output<string> PrivateKey, string? Issuer)> _certificates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Output<string>> _secretHashes = new(StringComparer.Ordinal);
    private readonly List<SecretPlan> _secrets = [];
    private readonly Dictionary<string, Output<ImmutableDictionary<string, string>>> _existing = new(StringComparer.Ordinal);

    /// <summary>Creates the resources for <paramref name="values"/>, each a child named <c>&lt;owner&gt;-&lt;id&gt;</c>.</summary>
    public void Generate(IEnumerable<GeneratedValue> values, string owner, CustomResourceOptions options)
    {
        foreach (var value in values)
        {
            switch (value)
            {
                case RandomValue r:
                    _random.Add(r.Id, Random(r, $"{owner}-{r.Id}", options));
                    break;
                case CertificateValue c:
                    _certificates.Add(c.Id, Certificate(c, $"{owner}-{c.Id}", options));
                    break;
                default:
                    throw new NotSupportedException($"generated value {value.Id}: {value.GetType().Name}");
            }
        }
    }

    /// <summary>
    /// A value another component generated, given to a component used alone (e.g. the authorizer's copy of LiveKit's API
    /// key): the plans read it by the same id as if it were generated here. A certificate id resolves to the given PEM
    /// as the certificate and as its issuer's (what a client must trust).
    /// </summary>
    public void Provide(string id, Input<string> value)
    {
        var output = value.ToOutput();
        _random[id] = output;
        _certificates[id] = (output, Output.CreateSecret(""), null);
    }

    /// <summary>
    /// The value of <paramref name="source"/>; a secret output whenever any part of it is secret. An
    /// <see cref="SecretSource.Existing"/> key is read from the cluster through <paramref name="reader"/> (its provider
    /// and parent), once per Secret.
    /// </summary>
    public Output<string> Resolve(SecretSource source, CustomResourceOptions? reader = null) => source switch
    {
        SecretSource.Random r => Get(_random, r.Id),
        SecretSource.Certificate c => Get(_certificates, c.Id).Certificate,
        SecretSource.PrivateKey k => Get(_certificates, k.Id).PrivateKey,
        SecretSource.IssuerCertificate i => Get(_certificates, Get(_certificates, i.Id).Issuer ?? i.Id).Certificate,
        SecretSource.Config c => Output.CreateSecret(c.Input.Plaintext
            ?? throw new InvalidOperationException($"{c.Key.FullName} is set but was not decrypted; run the program through the Pulumi CLI")),
        SecretSource.Format f => Output.All(f.Parts.Select(p => (Input<string>)Resolve(p, reader)).ToArray())
            .Apply(parts => string.Format(CultureInfo.InvariantCulture, f.Template, parts.Cast<object>().ToArray())),
        SecretSource.YamlTemplate t => Output.All(t.Values.Select(p => (Input<string>)Resolve(p, reader)).ToArray())
            .Apply(values => t.Fill(values)),
        SecretSource.Existing e => Output.CreateSecret(ReadExisting(e, reader ?? throw new InvalidOperationException(
            $"the existing Secret {e.Namespace}/{e.Name} is read without a Kubernetes provider"))
            .Apply(data => data.TryGetValue(e.Key, out var encoded)
                ? Encoding.UTF8.GetString(Convert.FromBase64String(encoded))
                : throw new InvalidOperationException($"the existing Secret {e.Namespace}/{e.Name} has no key {e.Key}"))),
        _ => throw new NotSupportedException(source.GetType().Name),
    };

    /// <summary>The data of an operator's Secret (base64 values by key), read once per environment.</summary>
    private Output<ImmutableDictionary<string, string>> ReadExisting(SecretSource.Existing e, CustomResourceOptions reader)
    {
        var id = $"{e.Namespace}/{e.Name}";
        if (!_existing.TryGetValue(id, out var data))
        {
            var options = new CustomResourceOptions { Parent = reader.Parent, Provider = reader.Provider };
            data = Pulumi.Kubernetes.Core.V1.Secret.Get($"existing-{e.Namespace}-{e.Name}", id, options).Data;
            _existing[id] = data;
        }
        return data;
    }

    private static T Get<T>(Dictionary<string, T> values, string id) =>
        values.TryGetValue(id, out var value) ? value
            : throw new InvalidOperationException($"\"{id}\" is read before the component that generates it was created");

    private static Output<string> Random(RandomValue r, string name, CustomResourceOptions options)
    {
        // Letters and digits only: nothing needs quoting in a config file, YAML or a shell.
        var result = r.Secret
            ? new RandomPassword(name, new RandomPasswordArgs { Length = r.Length, Special = false }, options).Result
            : new RandomString(name, new RandomStringArgs { Length = r.Length, Special = false, Upper = true, Lower = true, Numeric = true }, options).Result;
        return r.Prefix.Length == 0 ? result : result.Apply(s => r.Prefix + s);
    }

    private (Output<string>, Output<string>, string?) Certificate(CertificateValue c, string name, CustomResourceOptions options)
    {
        var (algorithm, curve) = c.TlsKey;
        var key = new PrivateKey($"{name}-key", new PrivateKeyArgs { Algorithm = algorithm, EcdsaCurve = curve! }, options);
        var uses = new InputList<string>();
        foreach (var usage in c.Usages)
        {
            uses.Add(CertificateValue.TlsName(usage));
        }
        if (c.Issuer is null)
        {
            var self = new SelfSignedCert(name, new SelfSignedCertArgs
            {
                PrivateKeyPem = key.PrivateKeyPem,
                IsCaCertificate = c.IsCa,
                ValidityPeriodHours = c.ValidityHours,
                EarlyRenewalHours = c.EarlyRenewalHours,
                AllowedUses = uses,
                DnsNames = c.DnsNames.ToList(),
                Subject = new SelfSignedCertSubjectArgs { CommonName = c.CommonName, Organization = c.Organization },
            }, options);
            return (self.CertPem, key.PrivateKeyPem, null);
        }
        var issuer = Get(_certificates, c.Issuer);
        var request = new CertRequest($"{name}-csr", new CertRequestArgs
        {
            PrivateKeyPem = key.PrivateKeyPem,
            DnsNames = c.DnsNames.ToList(),
            Subject = new CertRequestSubjectArgs { CommonName = c.CommonName, Organization = c.Organization },
        }, options);
        var signed = new LocallySignedCert(name, new LocallySignedCertArgs
        {
            CertRequestPem = request.CertRequestPem,
            CaCertPem = issuer.Certificate,
            CaPrivateKeyPem = issuer.PrivateKey,
            ValidityPeriodHours = c.ValidityHours,
            EarlyRenewalHours = c.EarlyRenewalHours,
            AllowedUses = uses,
        }, options);
        return (signed.CertPem, key.PrivateKeyPem, c.Issuer);
    }

    /// <summary>
    /// Records a Secret the environment fills and the hash of its content (<see cref="SecretHashes.Content"/>). The hash
    /// is not secret (every Secret it covers holds a value of at least 238 bits, a key or a public certificate), so it
    /// is unsecreted: a preview shows which pod templates a rotation changes.
    /// </summary>
    public void Filled(SecretPlan secret, IReadOnlyList<KeyValuePair<string, Output<string>>> data)
    {
        var keys = data.Select(d => d.Key).ToList();
        var hash = Output.All(data.Select(d => (Input<string>)d.Value).ToArray())
            .Apply(values => SecretHashes.Content(keys.Zip(values, (k, v) => new KeyValuePair<string, string>(k, v))));
        _secretHashes.Add($"{secret.Namespace}/{secret.Name}", Output.Unsecret(hash));
        _secrets.Add(secret);
    }

    /// <summary>
    /// The value of <see cref="SecretHashes.Annotation"/> for a workload: the combined hash of every Secret it reads, or
    /// null when it reads none. Every such Secret must have been created already (by this or an earlier component).
    /// </summary>
    public Output<string>? HashFor(SecretConsumer consumer)
    {
        var read = _secrets.Where(s => s.ConsumedBy.Contains(consumer)).Select(s => $"{s.Namespace}/{s.Name}").ToList();
        if (read.Count == 0)
        {
            return null;
        }
        return Output.All(read.Select(name => (Input<string>)_secretHashes[name]).ToArray())
            .Apply(hashes => SecretHashes.Combine(read.Zip(hashes, (n, h) => new KeyValuePair<string, string>(n, h))));
    }

    /// <summary>The generated random values by id, for the stack's secret outputs.</summary>
    public ImmutableDictionary<string, Output<string>> Randoms => _random.ToImmutableDictionary();
}
