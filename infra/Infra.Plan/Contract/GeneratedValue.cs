namespace Infra.Plan.Contract;

/// <summary>
/// A value the Pulumi layer generates once and keeps in its (encrypted) state: a random string, or a private key with
/// its certificate. <see cref="Id"/> is unique in the environment (the planner checks) and names the Pulumi resource,
/// so it is what an operator names to rotate a value (<c>pulumi up --replace</c>).
/// </summary>
public abstract record GeneratedValue(string Id);

/// <summary>
/// Letters and digits only (no character needs quoting in a config file, YAML or a shell), <paramref name="Length"/>
/// long. <paramref name="Secret"/>: a password (Pulumi.Random RandomPassword, a secret output) rather than a public
/// identifier (RandomString). <paramref name="Prefix"/> is prepended to the result (e.g. LiveKit's "API" key ids).
/// </summary>
public sealed record RandomValue(string Id, int Length, bool Secret, string Prefix = "") : GeneratedValue(Id)
{
    /// <summary>Bits of entropy: log2(62) per character.</summary>
    public double EntropyBits => Length * Math.Log2(62);
}

/// <summary>The key of a certificate. P-256: small, fast, accepted by every client and server here.</summary>
public enum KeyAlgorithm
{
    EcdsaP256,
}

/// <summary>What a certificate may be used for (X.509 key usage and extended key usage).</summary>
public enum KeyUsage
{
    DigitalSignature,
    KeyEncipherment,
    ServerAuth,
    ClientAuth,
    CertSigning,
    CrlSigning,
}

/// <summary>
/// A private key (<paramref name="Key"/>) and a certificate for it, made by Pulumi.Tls: self-signed when <paramref name="Issuer"/>
/// is null, else signed by the certificate with that id (which must be a CA of the same environment).
/// Pulumi.Tls replaces the certificate on the first <c>pulumi up</c> inside <paramref name="EarlyRenewalHours"/> of its end.
/// </summary>
public sealed record CertificateValue(
    string Id,
    string CommonName,
    string Organization,
    IReadOnlyList<string> DnsNames,
    bool IsCa,
    IReadOnlyList<KeyUsage> Usages,
    int ValidityHours,
    int EarlyRenewalHours,
    string? Issuer,
    KeyAlgorithm Key = KeyAlgorithm.EcdsaP256) : GeneratedValue(Id)
{
    /// <summary>Pulumi.Tls's <c>algorithm</c> and <c>ecdsaCurve</c> for <see cref="Key"/>.</summary>
    public (string Algorithm, string? EcdsaCurve) TlsKey => Key switch
    {
        KeyAlgorithm.EcdsaP256 => ("ECDSA", "P256"),
        _ => throw new ArgumentOutOfRangeException(nameof(Key)),
    };

    /// <summary>Pulumi.Tls's names for the usages (allowed_uses are snake_case).</summary>
    public static string TlsName(KeyUsage usage) => usage switch
    {
        KeyUsage.DigitalSignature => "digital_signature",
        KeyUsage.KeyEncipherment => "key_encipherment",
        KeyUsage.ServerAuth => "server_auth",
        KeyUsage.ClientAuth => "client_auth",
        KeyUsage.CertSigning => "cert_signing",
        KeyUsage.CrlSigning => "crl_signing",
        _ => throw new ArgumentOutOfRangeException(nameof(usage)),
    };
}

/// <summary>Lifetimes of the certificates the stack makes itself; one place, so a reviewer sees them together.</summary>
public static class CertificateLifetimes
{
    /// <summary>Internal CAs: ten years (rotating a CA means re-trusting it everywhere).</summary>
    public const int CaHours = 10 * 365 * 24;

    /// <summary>Leaf certificates: one year, renewed by the first `pulumi up` in their last 30 days.</summary>
    public const int LeafHours = 365 * 24;

    public const int LeafEarlyRenewalHours = 30 * 24;
}
