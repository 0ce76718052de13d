using Infra.Plan.Spec;

namespace Infra.Plan.Contract;

/// <summary>Where a key of a Secret gets its value. Only references: a plan never holds a secret value.</summary>
public abstract record SecretSource
{
    /// <summary>The result of a <see cref="RandomValue"/>.</summary>
    public sealed record Random(string Id) : SecretSource;

    /// <summary>The PEM certificate of a <see cref="CertificateValue"/>.</summary>
    public sealed record Certificate(string Id) : SecretSource;

    /// <summary>The PEM private key of a <see cref="CertificateValue"/>.</summary>
    public sealed record PrivateKey(string Id) : SecretSource;

    /// <summary>The certificate that signed <see cref="Id"/> (its own, when self-signed): what a client must trust.</summary>
    public sealed record IssuerCertificate(string Id) : SecretSource;

    /// <summary>A <c>secure:</c> stack config value (decrypted by the Pulumi CLI; render never sees it).</summary>
    public sealed record Config(ConfigKey Key, SecretInput Input) : SecretSource
    {
        public override string ToString() => $"Config({Key.FullName})";
    }

    /// <summary>Text with the values of <paramref name="Parts"/> in place of {0}, {1}, ... (e.g. LiveKit's keys.yaml).</summary>
    public sealed record Format(string Template, IReadOnlyList<SecretSource> Parts) : SecretSource;

    /// <summary>How the source reads in reviews and in <c>report/secrets.md</c>; never a value.</summary>
    public string Describe() => this switch
    {
        Random r => $"random `{r.Id}`",
        Certificate c => $"certificate `{c.Id}`",
        PrivateKey k => $"private key of `{k.Id}`",
        IssuerCertificate i => $"CA certificate of `{i.Id}`",
        Config c => $"secure config `{c.Key.FullName}`",
        Format f => $"`{f.Template.Replace("\n", "\\n")}` of " + string.Join(", ", f.Parts.Select(p => p.Describe())),
        _ => "?",
    };

    /// <summary>The generated values this source reads.</summary>
    public IEnumerable<string> GeneratedIds() => this switch
    {
        Random r => [r.Id],
        Certificate c => [c.Id],
        PrivateKey k => [k.Id],
        IssuerCertificate i => [i.Id],
        Format f => f.Parts.SelectMany(p => p.GeneratedIds()),
        _ => [],
    };
}

public sealed record SecretEntry(string Key, SecretSource Source);

/// <summary>A workload that reads a Secret (and must restart when it changes).</summary>
public sealed record SecretConsumer(string Kind, string Namespace, string Name)
{
    public override string ToString() => $"{Kind} {Namespace}/{Name}";
}

/// <summary>
/// A Kubernetes Secret the Pulumi layer creates and fills from <see cref="Entries"/>. Its metadata is the plan's; the
/// values are Pulumi outputs marked secret.
/// </summary>
/// <param name="Type"><c>Opaque</c> or <c>kubernetes.io/tls</c>.</param>
/// <param name="Component">The owning component (its labels).</param>
/// <param name="ConsumedBy">Who reads it; shown in <c>report/secrets.md</c>.</param>
/// <param name="ShellAnnotations">When set, render writes a data-less shell of the Secret with these annotations into the
/// component's manifest (and the Pulumi layer puts them on the real one): for Secrets in a namespace this project does
/// not own, which the operator mounts by hand and, without Pulumi, fills by hand (the annotations say from where).</param>
public sealed record SecretPlan(
    string Namespace,
    string Name,
    string Type,
    string Component,
    IReadOnlyList<SecretEntry> Entries,
    IReadOnlyList<SecretConsumer> ConsumedBy,
    IReadOnlyDictionary<string, string>? ShellAnnotations = null)
{
    public const string Opaque = "Opaque";
    public const string Tls = "kubernetes.io/tls";

    /// <summary>The Pulumi resource name: unique per namespace and Secret name.</summary>
    public string ResourceName => $"{Component}-{Namespace}-{Name}";

    /// <summary>The Secret's metadata: the plan's name, namespace and labels, and the shell annotations if any.</summary>
    public k8s.Models.V1ObjectMeta Metadata()
    {
        var meta = Kubernetes.Meta.Object(Name, Namespace, Component);
        if (ShellAnnotations is { Count: > 0 } annotations)
        {
            meta.Annotations = new Dictionary<string, string>(annotations);
        }
        return meta;
    }

    /// <summary>The data-less shell render writes (only for <see cref="ShellAnnotations"/>).</summary>
    public k8s.Models.V1Secret Shell() => new() { ApiVersion = "v1", Kind = "Secret", Type = Type, Metadata = Metadata() };
}
