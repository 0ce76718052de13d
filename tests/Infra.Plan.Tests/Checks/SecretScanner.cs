using System.Text.RegularExpressions;

namespace Infra.Plan.Tests.Checks;

/// <summary>
/// Looks for secret material in text that will be stored in plain form (ConfigMap data, Helm values). Two
/// signals: a secret-ish key (password, secret, token, ...) with a literal value, and anything that looks
/// generated (PEM private keys, long high-entropy tokens, long hex strings). Findings say where, never what.
/// References are fine: empty values, <c>$VAR</c>/<c>${VAR}</c>/<c>{{ }}</c> placeholders, absolute file paths,
/// and keys that name a file, path, Secret or TTL rather than hold a secret.
/// </summary>
public static partial class SecretScanner
{
    /// <summary>Shortest run of token characters judged as possibly generated.</summary>
    public const int MinTokenLength = 24;

    /// <summary>Bits per character above which a mixed-case alphanumeric token is treated as random (a Pulumi.Random password of 32 alphanumerics scores ≈ 4.6-5; words and identifiers ≈ 3-3.9).</summary>
    public const double EntropyThreshold = 4.0;

    public static IEnumerable<string> Scan(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var inCertificate = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var where = $"line {i + 1}";
            if (line.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            {
                yield return $"{where}: a PEM private key";
                continue;
            }
            if (line.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)) inCertificate = true;
            if (line.Contains("-----END CERTIFICATE-----", StringComparison.Ordinal)) { inCertificate = false; continue; }
            if (inCertificate)
            {
                continue; // certificates are public; their base64 would look random
            }
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith('#') || trimmed.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }
            if (SecretKeyWithValue(line) is { } key)
            {
                yield return $"{where}: key \"{key}\" has a literal value (use a Secret and a file path or env placeholder)";
                continue;
            }
            if (LooksGenerated(line) && !IsDigestKey(line))
            {
                yield return $"{where}: a value that looks like generated secret material";
            }
        }
    }

    /// <summary>A single key/value pair (e.g. a ConfigMap data key and its one-line value).</summary>
    public static string? ScanPair(string key, string value) =>
        IsSecretKey(key) && !value.Contains('\n') && !IsReference(value) ? $"key \"{key}\" has a literal value (use a Secret and a file path or env placeholder)" : null;

    /// <summary>The key of a <c>key: value</c>, <c>key=value</c> or redis/coturn-style <c>directive value</c> line whose key is secret-ish and whose value is a literal.</summary>
    internal static string? SecretKeyWithValue(string line)
    {
        var m = KeyValueLine().Match(line);
        if (m.Success && IsSecretKey(m.Groups["key"].Value) && !IsReference(m.Groups["value"].Value))
        {
            return m.Groups["key"].Value;
        }
        var d = DirectiveLine().Match(line);
        if (d.Success && !IsReference(d.Groups["value"].Value))
        {
            return d.Groups["key"].Value;
        }
        return null;
    }

    public static bool IsSecretKey(string key)
    {
        var k = NonAlnum().Replace(key.ToLowerInvariant(), "");
        if (ExemptSuffixes.Any(s => k.EndsWith(s, StringComparison.Ordinal)) || k is "existingsecret" or "usesecret" or "useauthsecret")
        {
            return false;
        }
        return SecretWords.Any(w => k.Contains(w, StringComparison.Ordinal));
    }

    private static readonly string[] SecretWords =
        ["password", "passwd", "passphrase", "secret", "token", "credential", "privatekey", "apikey", "requirepass", "masterauth", "authpass", "sentinelpass"];

    // Keys that name where a secret is, or how long it lives, rather than holding it.
    private static readonly string[] ExemptSuffixes =
        ["file", "path", "name", "ref", "ttl", "lifetime", "seconds", "timeout", "enabled", "secrets", "keyref", "mountpath", "existingsecret"];

    /// <summary>A <c>checksum/config: &lt;hex&gt;</c>-style line: hashes and fingerprints are derived, public values, not secrets.</summary>
    internal static bool IsDigestKey(string line)
    {
        var m = KeyValueLine().Match(line);
        if (!m.Success)
        {
            return false;
        }
        var k = m.Groups["key"].Value.ToLowerInvariant();
        return DigestWords.Any(w => k.Contains(w, StringComparison.Ordinal));
    }

    private static readonly string[] DigestWords = ["checksum", "digest", "sha256", "fingerprint", "hash"];

    internal static bool IsReference(string raw)
    {
        var v = raw.Trim().Trim('"', '\'').Trim();
        if (v.Length == 0 || v is "~" or "null" or "true" or "false" or "|" or ">" or "|-" or ">-" or "[]" or "{}")
        {
            return true;
        }
        return v.StartsWith('$') || v.Contains("${", StringComparison.Ordinal) || v.Contains("{{", StringComparison.Ordinal) ||
               v.StartsWith('/') || v.StartsWith('[') || v.StartsWith('{') || v.StartsWith('&') || v.StartsWith('*') ||
               decimal.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);
    }

    internal static bool LooksGenerated(string line)
    {
        foreach (Match m in Token().Matches(line))
        {
            var token = m.Value.TrimEnd('=');
            var before = line[..m.Index];
            if (before.EndsWith("sha256:", StringComparison.Ordinal) || before.EndsWith("sha512:", StringComparison.Ordinal))
            {
                continue; // image digests are public
            }
            if (HexRun().IsMatch(token) && token.Length >= 32)
            {
                return true;
            }
            var hasDigit = token.Any(char.IsAsciiDigit);
            var hasUpper = token.Any(char.IsAsciiLetterUpper);
            var hasLower = token.Any(char.IsAsciiLetterLower);
            if (token.Length >= MinTokenLength && hasDigit && hasUpper && hasLower && Entropy(token) >= EntropyThreshold)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Shannon entropy in bits per character.</summary>
    public static double Entropy(string s) =>
        -s.GroupBy(c => c).Select(g => (double)g.Count() / s.Length).Sum(p => p * Math.Log2(p));

    [GeneratedRegex(@"^\s*-?\s*[""']?(?<key>[A-Za-z0-9_./\-]+)[""']?\s*[:=]\s*(?<value>.*?)\s*,?\s*$")]
    private static partial Regex KeyValueLine();

    [GeneratedRegex(@"^\s*(?<key>requirepass|masterauth|static-auth-secret|sentinel\s+auth-pass\s+\S+|sentinel\s+sentinel-pass|masteruser|lt-cred-mech\s+\S+)\s+(?<value>\S.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex DirectiveLine();

    [GeneratedRegex(@"[A-Za-z0-9+/_\-]{24,}={0,2}")]
    private static partial Regex Token();

    [GeneratedRegex(@"^[a-fA-F0-9]+$")]
    private static partial Regex HexRun();

    [GeneratedRegex(@"[^a-z0-9]")]
    private static partial Regex NonAlnum();
}
