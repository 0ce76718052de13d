using System.Net;
using Infra.Plan.Net;

namespace Infra.Plan.Spec.Sections;

/// <summary>A media node's NAT mapping: the address coturn advertises for a node-local address.</summary>
public sealed record ExternalIpMapping(IPAddress Private, IPAddress Public)
{
    public override string ToString() => $"{Public}/{Private}";
}

/// <summary>TURN relay settings the tier does not decide.</summary>
/// <param name="ExternalIps">Public/private pairs for NATed nodes: they override what discovery finds.</param>
/// <param name="DiscoverExternalIp">coturn's init container reads its Node's <c>ExternalIP</c> from the Kubernetes API
/// for a node <paramref name="ExternalIps"/> does not list (see <c>CoturnScripts.Init</c> for what happens without one).</param>
/// <param name="PreviousSecret">The TURN secret being rotated out: still accepted by coturn until removed.</param>
/// <param name="UserQuota">Concurrent allocations per TURN user; 0 means not set: from the tier.</param>
/// <param name="TotalQuota">Concurrent allocations per coturn node; 0 means not set: from the tier.</param>
public sealed record TurnSpec(
    IReadOnlyList<ExternalIpMapping> ExternalIps,
    bool DiscoverExternalIp,
    SecretInput PreviousSecret,
    int UserQuota,
    int TotalQuota,
    int CredentialTtlSeconds);

public static class TurnSection
{
    public static readonly ConfigKey ExternalIps = new("turnExternalIps", ConfigType.StringArray,
        "NAT pairs private=public (coturn external-ip) for media nodes behind 1:1 NAT; they override turnExternalIpDiscovery.", Array.Empty<string>());
    public static readonly ConfigKey ExternalIpDiscovery = new("turnExternalIpDiscovery", ConfigType.Boolean,
        "coturn reads its node's ExternalIP from the Kubernetes API (ServiceAccount coturn, ClusterRole get nodes) for nodes turnExternalIps does not list; " +
        "a node with neither relays on its own address, which must then be public (a private one stops the pod).", true);
    public static readonly ConfigKey PreviousSecret = new("turnSharedSecretPrevious", ConfigType.String,
        "The TURN shared secret being rotated out (secure); coturn accepts both until it is removed.", Secret: true);
    // 0 is the default and means "from the tier" (Pulumi hands every default to the program, so "unset" cannot
    // be told apart from it); a negative quota is an error, and the quota coturn gets is always >= 1.
    public static readonly ConfigKey UserQuota = new("turnUserQuota", ConfigType.Integer,
        "Concurrent relay allocations per TURN user (coturn user-quota); 0 = from the tier, otherwise >= 1.", 0);
    public static readonly ConfigKey TotalQuota = new("turnTotalQuota", ConfigType.Integer,
        "Concurrent relay allocations per coturn node (coturn total-quota); 0 = from the tier, otherwise >= 1.", 0);
    public static readonly ConfigKey CredentialTtl = new("turnCredentialTtlSeconds", ConfigType.Integer,
        "Lifetime of TURN REST credentials handed out by LiveKit and Synapse (seconds).", 86400);

    public static IReadOnlyList<ConfigKey> Keys { get; } = [ExternalIps, ExternalIpDiscovery, PreviousSecret, UserQuota, TotalQuota, CredentialTtl];

    private static int Quota(ConfigReader r, ConfigKey key, int max)
    {
        var raw = r.Raw(key);
        if (raw is null)
        {
            return 0;
        }
        if (raw is not ConfigValue.Scalar s || !int.TryParse(s.Text.Trim(), System.Globalization.NumberStyles.Integer,
                System.Globalization.CultureInfo.InvariantCulture, out var value) || value < 0 || value > max)
        {
            // coturn reads a quota <= 0 as "unlimited": never let a typo turn the limit off.
            r.Fail(key, $"a whole number from 1 to {max}, or 0 for the tier's quota (a negative quota would mean no limit in coturn)");
            return 0;
        }
        return value;
    }

    public static TurnSpec Read(ConfigReader r)
    {
        var pairs = new List<ExternalIpMapping>();
        foreach (var item in r.List(ExternalIps))
        {
            var parts = item.Split('=');
            if (parts.Length == 2 && IPAddress.TryParse(parts[0], out var priv) && IPAddress.TryParse(parts[1], out var pub) &&
                priv.AddressFamily == pub.AddressFamily)
            {
                pairs.Add(new ExternalIpMapping(priv, pub));
            }
            else
            {
                r.Fail(ExternalIps, $"\"{item}\"", "private=public address pairs of one family, e.g. 10.0.1.5=203.0.113.10");
            }
        }
        var userQuota = Quota(r, UserQuota, 100_000);
        var totalQuota = Quota(r, TotalQuota, 1_000_000);
        if (userQuota > 0 && totalQuota > 0 && userQuota > totalQuota)
        {
            r.Fail(UserQuota, $"\"{userQuota}\"", $"at most {TotalQuota.FullName} ({totalQuota}): one user cannot hold more than the node allows");
        }
        return new TurnSpec(pairs, r.Bool(ExternalIpDiscovery), r.Secret(PreviousSecret), userQuota, totalQuota, r.Int(CredentialTtl, 300, 14 * 86400));
    }
}
