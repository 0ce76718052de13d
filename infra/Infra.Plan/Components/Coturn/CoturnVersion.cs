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

    /// <summary>The version of the spec's coturn image; <see cref="Check"/> has rejected a spec without one.</summary>
    public static CoturnVersion Of(EnvironmentSpec spec) =>
        FromImage(spec.Images.Coturn) ?? throw new InvalidOperationException("coturn image version was not validated");

    public static IEnumerable<ConfigError> Check(EnvironmentSpec spec)
    {
        var version = FromImage(spec.Images.Coturn);
        if (version is null)
        {
            yield return ConfigError.Invalid(ImagesSection.CoturnImage, $"\"{spec.Images.Coturn}\"",
                "a coturn image whose tag starts with its release, such as coturn/coturn:4.7.0 (the config is generated for that release)");
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
