using System.Buffers;
using System.Text;
using System.Text.Json;
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

    /// <summary>
    /// Text with the values of <paramref name="Parts"/> in place of {0}, {1}, ... (e.g. LiveKit's keys.yaml). The
    /// template is a .NET composite format string, so a literal brace must be doubled and a value goes in as it is:
    /// for a YAML or JSON document use <see cref="YamlTemplate"/>.
    /// </summary>
    public sealed record Format(string Template, IReadOnlyList<SecretSource> Parts) : SecretSource;

    /// <summary>
    /// A YAML (or JSON) document with secret values in it: <c>Text[0] + Quote(Values[0]) + Text[1] + ...</c>, each value
    /// written as a double-quoted scalar, so any value (quotes, colons, braces, newlines) reads back exactly, whatever
    /// the document's own braces. <paramref name="Preview"/> names the render file that shows the document with each
    /// value described (what reviewers read). Build one with <see cref="YamlTemplates.Split"/>.
    /// </summary>
    public sealed record YamlTemplate(string Preview, IReadOnlyList<string> Text, IReadOnlyList<SecretSource> Values) : SecretSource
    {
        /// <summary>The document with <paramref name="values"/> (one per <see cref="Values"/>) in place.</summary>
        public string Fill(IReadOnlyList<string> values)
        {
            if (values.Count != Values.Count || Text.Count != Values.Count + 1)
            {
                throw new ArgumentException($"{Preview}: {Values.Count} values expected, {values.Count} given", nameof(values));
            }
            var sb = new StringBuilder(Text[0]);
            for (var i = 0; i < values.Count; i++)
            {
                sb.Append(YamlTemplates.Quote(values[i])).Append(Text[i + 1]);
            }
            return sb.ToString();
        }

        /// <summary>The document with each value described instead (no value): the render file <see cref="Preview"/>.</summary>
        public string PreviewText() => Fill(Values.Select(v => $"<{v.Describe()}>").ToList());
    }

    /// <summary>
    /// A key of a Secret the operator created (e.g. an existing Redis's password), read by the Pulumi layer from the
    /// cluster when it fills a Secret of this project; render cannot read it.
    /// </summary>
    public sealed record Existing(string Namespace, string Name, string Key) : SecretSource;

    /// <summary>How the source reads in reviews and in <c>report/secrets.md</c>; never a value.</summary>
    public string Describe() => this switch
    {
        Random r => $"random `{r.Id}`",
        Certificate c => $"certificate `{c.Id}`",
        PrivateKey k => $"private key of `{k.Id}`",
        IssuerCertificate i => $"CA certificate of `{i.Id}`",
        Config c => $"secure config `{c.Key.FullName}`",
        Format f => $"`{f.Template.Replace("\n", "\\n")}` of " + string.Join(", ", f.Parts.Select(p => p.Describe())),
        YamlTemplate t => $"YAML `{t.Preview}` with " + string.Join(", ", t.Values.Select(p => p.Describe())),
        Existing e => $"key `{e.Key}` of the existing Secret `{e.Namespace}/{e.Name}`",
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
        YamlTemplate t => t.Values.SelectMany(p => p.GeneratedIds()),
        _ => [],
    };

    /// <summary>The operator's Secrets this source reads (namespace, name).</summary>
    public IEnumerable<(string Namespace, string Name)> ExistingSecrets() => this switch
    {
        Existing e => [(e.Namespace, e.Name)],
        Format f => f.Parts.SelectMany(p => p.ExistingSecrets()),
        YamlTemplate t => t.Values.SelectMany(p => p.ExistingSecrets()),
        _ => [],
    };
}

/// <summary>Building and filling <see cref="SecretSource.YamlTemplate"/>s.</summary>
public static class YamlTemplates
{
    /// <summary>
    /// A double-quoted scalar, valid in YAML (1.1 and 1.2) and JSON: JSON's string escaping is a subset of YAML's
    /// double-quoted escapes. (The same escaping as YamlTreeWriter.Quote, which writes the rest of such documents.)
    /// </summary>
    public static string Quote(string s)
    {
        var buffer = new ArrayBufferWriter<byte>(s.Length + 8);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStringValue(s);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Cuts <paramref name="document"/> at each hole: a hole is <c>Quote(marker)</c>, i.e. the marker written as a
    /// quoted string where the value belongs. Every marker must occur exactly once, so a marker can never be mistaken
    /// for configuration text.
    /// </summary>
    public static SecretSource.YamlTemplate Split(string preview, string document, IReadOnlyList<(string Marker, SecretSource Value)> holes)
    {
        var positions = holes.Select((h, i) =>
        {
            var quoted = Quote(h.Marker);
            var at = document.IndexOf(quoted, StringComparison.Ordinal);
            if (at < 0 || document.IndexOf(quoted, at + 1, StringComparison.Ordinal) >= 0)
            {
                throw new ArgumentException($"{preview}: marker {h.Marker} must occur exactly once", nameof(holes));
            }
            return (At: at, Length: quoted.Length, Index: i);
        }).OrderBy(p => p.At).ToList();
        var text = new List<string>();
        var values = new List<SecretSource>();
        var from = 0;
        foreach (var p in positions)
        {
            text.Add(document[from..p.At]);
            values.Add(holes[p.Index].Value);
            from = p.At + p.Length;
        }
        text.Add(document[from..]);
        return new SecretSource.YamlTemplate(preview, text, values);
    }
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
