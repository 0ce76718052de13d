using System.Text.RegularExpressions;

namespace Infra.Plan.Spec.Sections;

/// <summary>Every image the environment runs, each pinned by tag and, in production, by digest.</summary>
/// <param name="MediaRelay">The custom media-relay image that replaces the chart's LiveKit server image.</param>
/// <param name="LivekitVersion">The LiveKit server version the media-relay image carries, e.g. v1.13.5.</param>
public sealed record ImagesSpec(
    ImageRef MediaRelay,
    Version LivekitVersion,
    ImageRef Redis,
    ImageRef Coturn,
    ImageRef Authorizer,
    IReadOnlyList<string> PullSecrets,
    string LivekitChartVersion)
{
    /// <summary>Each image with the key that sets it (the media-relay image's digest key: the one production needs).</summary>
    public IEnumerable<(ConfigKey Key, ImageRef Image)> Keyed() =>
    [
        (ImagesSection.MediaRelayDigest, MediaRelay),
        (ImagesSection.RedisImage, Redis),
        (ImagesSection.CoturnImage, Coturn),
        (ImagesSection.AuthorizerImage, Authorizer),
    ];
}

public static partial class ImagesSection
{
    public static readonly ConfigKey MediaRelayRepository = new("mediaRelayImageRepository", ConfigType.String,
        "Repository of the custom media-relay image (a LiveKit server build), e.g. registry.example.com/rtc/media-relay. Required.", Required: true);
    public static readonly ConfigKey MediaRelayTag = new("mediaRelayImageTag", ConfigType.String,
        "Tag of the media-relay image. Required.", Required: true);
    public static readonly ConfigKey MediaRelayDigest = new("mediaRelayImageDigest", ConfigType.String,
        "sha256 digest of the media-relay image (sha256:<64 hex>); required when production is true.", "");
    public static readonly ConfigKey LivekitVersion = new("mediaRelayLivekitVersion", ConfigType.String,
        "LiveKit server version the media-relay image carries, e.g. v1.13.5 (v1.13.0 or newer: TURN secret_file). Required.", Required: true);
    // renovate: datasource=docker
    public static readonly ConfigKey RedisImage = new("redisImage", ConfigType.String,
        "Redis-compatible image for data and sentinel containers (BSD licensed: valkey 8.x or redis <= 7.2).", "valkey/valkey:8.1.9");
    // renovate: datasource=docker
    public static readonly ConfigKey CoturnImage = new("coturnImage", ConfigType.String,
        "coturn image; the generated turnserver.conf follows its version.", "coturn/coturn:4.17.2");
    // renovate: datasource=docker
    public static readonly ConfigKey AuthorizerImage = new("authorizerImage", ConfigType.String,
        "MatrixRTC authorizer (lk-jwt-service) image, 0.6.0 or newer.", "ghcr.io/element-hq/lk-jwt-service:0.6.0");
    public static readonly ConfigKey PullSecrets = new("imagePullSecrets", ConfigType.StringArray,
        "Names of existing image pull Secrets (in both namespaces) for private registries.", Array.Empty<string>());
    // renovate: datasource=helm registryUrl=https://helm.livekit.io depName=livekit-server
    public static readonly ConfigKey ChartVersion = new("livekitChartVersion", ConfigType.String,
        "Version of the livekit-server Helm chart from https://helm.livekit.io.", "1.9.0");

    public static IReadOnlyList<ConfigKey> Keys { get; } =
        [MediaRelayRepository, MediaRelayTag, MediaRelayDigest, LivekitVersion, RedisImage, CoturnImage, AuthorizerImage, PullSecrets, ChartVersion];

    public static ImagesSpec Read(ConfigReader r)
    {
        var repo = r.String(MediaRelayRepository);
        if (repo.Length > 0 && !ImageRef.IsValidRepository(repo))
        {
            r.Fail(MediaRelayRepository, "an image repository such as registry.example.com/team/media-relay (lower case, no tag)");
        }
        var tag = r.String(MediaRelayTag);
        if (tag.Length > 0 && !ImageRef.IsValidTag(tag))
        {
            r.Fail(MediaRelayTag, "an image tag: letters, digits, '_', '.', '-', at most 128 characters");
        }
        var digest = r.String(MediaRelayDigest);
        if (digest.Length > 0 && !ImageRef.IsValidDigest(digest))
        {
            r.Fail(MediaRelayDigest, "sha256:<64 lower-case hex digits>");
            digest = "";
        }
        var version = ParseVersion(r);
        var pullSecrets = r.List(PullSecrets);
        foreach (var name in pullSecrets.Where(n => !KubernetesName().IsMatch(n)))
        {
            r.Fail(PullSecrets, $"\"{name}\"", "Secret names: lower case letters, digits, '-' and '.'");
        }
        var chart = r.Matching(ChartVersion, SemVer(), "a chart version such as 1.9.0");
        return new ImagesSpec(
            new ImageRef(repo, tag, digest.Length > 0 ? digest : null),
            version,
            Image(r, RedisImage),
            Image(r, CoturnImage),
            Image(r, AuthorizerImage),
            pullSecrets,
            chart);
    }

    private static Version ParseVersion(ConfigReader r)
    {
        var text = r.String(LivekitVersion);
        var m = LivekitVersionPattern().Match(text);
        if (!m.Success)
        {
            if (text.Length > 0)
            {
                r.Fail(LivekitVersion, "a LiveKit release such as v1.13.5");
            }
            return new Version(0, 0, 0);
        }
        return new Version(int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value));
    }

    private static ImageRef Image(ConfigReader r, ConfigKey key)
    {
        var text = r.String(key);
        if (ImageRef.TryParse(text, out var image))
        {
            return image;
        }
        r.Fail(key, "an image reference repository:tag, optionally @sha256:<digest> (a tag is required: never latest by default)");
        ImageRef.TryParse((string)key.Default!, out var fallback);
        return fallback;
    }

    [GeneratedRegex(@"^v?(\d+)\.(\d+)\.(\d+)$")]
    private static partial Regex LivekitVersionPattern();

    [GeneratedRegex(@"^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")]
    private static partial Regex SemVer();

    [GeneratedRegex(@"^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$")]
    private static partial Regex KubernetesName();
}
