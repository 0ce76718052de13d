using System.Text.RegularExpressions;
using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Coturn;

/// <summary>
/// The coturn release an image carries, read from its tag (<c>4.7.0</c>, <c>4.7.0-r1</c>, <c>4.6.3-alpine</c>),
/// and the config options that differ between releases. turnserver.conf is generated for this version:
/// an option a release does not know is a "Bad configuration format" line, and a removed option
/// (<c>no-tlsv1</c> in 4.7.0) stops nothing but hides a mistake.
/// </summary>
public sealed partial record CoturnVersion(Version Version)
{
    /// <summary>Oldest release the generated config supports: <c>no-rfc5780</c> and <c>no-software-attribute</c> exist from 4.6.0.</summary>
    public static readonly Version Minimum = new(4, 6, 0);

    /// <summary>4.7.0 removed <c>no-tlsv1</c>/<c>no-tlsv1_1</c> (TLS 1.0/1.1 are off by default since); older releases need them.</summary>
    public bool NeedsNoTlsV1Options => Version < new Version(4, 7, 0);

    /// <summary>
    /// 4.7.0 turned RFC 5780 NAT discovery and the SOFTWARE attribute off by default (coturn #1688, #1598): from there
    /// <c>no-rfc5780</c> is a no-op and <c>no-software-attribute</c> "DEPRECATED" (src/apps/relay/mainrelay.c at 4.7.0 and
    /// 4.17.1, <c>case NO_RFC5780</c>, <c>DEPRECATED_NO_SOFTWARE_ATTRIBUTE_OPT</c>). Older releases need both lines.
    /// </summary>
    public bool NeedsNoRfc5780AndNoSoftwareAttribute => Version < new Version(4, 7, 0);

    /// <summary>
    /// 4.10.0 turned the telnet CLI off by default (coturn #1830); from there <c>no-cli</c> only logs
    /// "no-cli option is deprecated, see --cli" at ERROR level (mainrelay.c <c>case NO_CLI_OPT</c> at 4.10.0 and 4.17.1).
    /// </summary>
    public bool NeedsNoCli => Version < new Version(4, 10, 0);

    /// <summary>
    /// Until 4.17.0 coturn starts DTLS listeners on the TLS port unless <c>no-dtls</c> is given; from 4.17.0 only with
    /// <c>dtls</c> (coturn #2026, mainrelay.c <c>case DTLS_OPT</c>). No client of this project speaks TURN over DTLS
    /// (browsers and LiveKit's <c>turn_servers</c> use udp, tcp or tls), so the config never asks for it and the port plan
    /// opens UDP on the TLS port only where the release binds it anyway.
    /// </summary>
    public bool StartsDtlsByDefault => Version < new Version(4, 17, 0);

    /// <summary>
    /// From 4.13.1 coturn reduces every IPv4-in-IPv6 encoding of a peer (::ffff:a.b.c.d, ::a.b.c.d, 6to4, NAT64) to its
    /// IPv4 address before comparing it with an IPv4 denied-peer-ip range, and denies link-local, unique-local and
    /// site-local peers (169.254/16, fe80::/10, fc00::/7, fec0::/10) whatever the rules say (coturn #1945, #1947;
    /// src/client/ns_turn_ioaddr.c <c>ioa_addr_in_range</c>, <c>ioa_addr_is_internal_deny_default</c>). Before it, an
    /// IPv4-compatible peer ::a.b.c.d is compared as an IPv6 address, so only an explicit IPv6 rule denies it.
    /// </summary>
    public bool CanonicalizesEmbeddedIpv4 => Version >= new Version(4, 13, 1);

    /// <summary>
    /// Before 4.16.0 coturn compared IPv6 range bounds byte by byte (each byte on its own), so a range holds the
    /// per-byte "box" between its bounds, not the span; 4.16.0 compares the 16 bytes in order (memcmp), the span
    /// (coturn 6c13608c, src/client/ns_turn_ioaddr.c <c>addr_less_eq</c>). For a range made from a CIDR both agree.
    /// </summary>
    public bool ComparesIpv6AsSpan => Version >= new Version(4, 16, 0);

    /// <summary>
    /// The official <c>coturn/coturn</c> images are built with Prometheus support. (Distribution builds may not be:
    /// Debian's 4.6.1 rejects <c>prometheus</c>; the real-server tests drop it by name.)
    /// </summary>
    public bool HasPrometheus => true;

    public override string ToString() => Version.ToString(3);

    public static CoturnVersion? FromImage(ImageRef image)
    {
        var m = TagVersion().Match(image.Tag);
        return m.Success
            ? new CoturnVersion(new Version(int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value)))
            : null;
    }

    /// <summary>The version of the coturn image; <see cref="Check"/> has rejected a spec without one.</summary>
    public static CoturnVersion Of(ImageRef image) =>
        FromImage(image) ?? throw new InvalidOperationException("coturn image version was not validated");

    public static IEnumerable<ConfigError> Check(EnvironmentSpec spec)
    {
        var version = FromImage(spec.Images.Coturn);
        if (version is null)
        {
            yield return ConfigError.Invalid(ImagesSection.CoturnImage, $"\"{spec.Images.Coturn}\"",
                "a coturn image whose tag starts with its release, such as coturn/coturn:4.17.2 (the config is generated for that release)");
        }
        else if (version.Version < Minimum)
        {
            yield return ConfigError.Invalid(ImagesSection.CoturnImage, $"\"{spec.Images.Coturn}\"",
                $"coturn {Minimum.ToString(3)} or newer");
        }
    }

    [GeneratedRegex(@"^(\d+)\.(\d+)\.(\d+)(?:$|[-_.+])")]
    private static partial Regex TagVersion();
}
