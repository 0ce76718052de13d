using System.Text.RegularExpressions;
using Infra.Plan.Net;

namespace Infra.Plan.Spec.Sections;

/// <summary>Where Egress uploads recorded files.</summary>
public enum EgressStorageKind
{
    /// <summary>An S3-compatible bucket (AWS S3, MinIO, Ceph RGW, ...): the <c>egressS3*</c> keys.</summary>
    S3,
    /// <summary>No server storage: every file request must bring its own upload config (local files are refused).</summary>
    None,
}

/// <summary>How Egress authenticates to the bucket.</summary>
public abstract record S3Credentials
{
    /// <summary>Neither key given: the AWS SDK's default chain (IRSA / pod identity, instance profile, ...).</summary>
    public sealed record Ambient : S3Credentials;

    /// <summary>Keys of existing Secrets in the project namespace, handed to Egress as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.</summary>
    public sealed record FromSecret(SecretKeyRef AccessKey, SecretKeyRef SecretKey) : S3Credentials;

    /// <summary><c>secure:</c> stack config values, written into Egress's config Secret.</summary>
    public sealed record FromConfig(SecretInput AccessKey, SecretInput SecretKey) : S3Credentials;
}

/// <summary>An S3-compatible bucket. <paramref name="Endpoint"/> is empty for AWS itself.</summary>
public sealed record S3StorageSpec(string Bucket, string Region, string Endpoint, bool ForcePathStyle, S3Credentials Credentials)
{
    /// <summary>The TCP port uploads go to: the endpoint's, else HTTPS.</summary>
    public int Port => Endpoint.Length > 0 && Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) ? uri.Port : 443;
}

/// <summary>LiveKit Egress: records calls to object storage and streams them over RTMP(S). Off unless <c>egress</c> is true.</summary>
/// <param name="Recordings">Room-composite recordings or streams at once to plan for; null: the tier's.</param>
/// <param name="MaxDurationSeconds">Egress's session limits: a file, stream or segment output stops after this long.</param>
/// <param name="GracePeriodSeconds">terminationGracePeriodSeconds: how long a stopping Egress may finish its recordings.</param>
/// <param name="Streaming">RTMP(S) outputs allowed: egress to the internet on the RTMP ports.</param>
/// <param name="StorageCidrs">Where the storage endpoint is when it is not on the internet (empty: the internet).</param>
public sealed record EgressSpec(
    bool Enabled,
    ImageRef Image,
    string ChartVersion,
    int? Recordings,
    int MaxDurationSeconds,
    int GracePeriodSeconds,
    bool Streaming,
    EgressStorageKind Storage,
    string StoragePrefix,
    S3StorageSpec? S3,
    IReadOnlyList<Cidr> StorageCidrs)
{
    /// <summary>Each image with the key that sets it (for the image policy's messages).</summary>
    public IEnumerable<(ConfigKey Key, ImageRef Image)> Keyed() => [(EgressSection.Image, Image)];
}

public static partial class EgressSection
{
    /// <summary>
    /// Time a stopped recording needs after its session limit to finish its file and upload it: a 3-hour 720p file is
    /// about 4.2 GB, 10 minutes at 60 Mbit/s. An assumption; the grace period must cover the limit plus this.
    /// </summary>
    public const int UploadMarginSeconds = 600;

    public static readonly ConfigKey Enabled = new("egress", ConfigType.Boolean,
        "Deploy LiveKit Egress: room recordings to object storage and RTMP(S) streams of calls.", false);
    // The newest livekit/egress release when chosen, kept current by Renovate; production pins its digest.
    // renovate: datasource=docker
    public static readonly ConfigKey Image = new("egressImage", ConfigType.String,
        "LiveKit Egress image (repository:tag, by digest in production).", "livekit/egress:v1.14.1");
    // 1.8.4: the newest egress chart https://helm.livekit.io is shown to serve (livekit-helm #146: 1.9.0 was never pushed,
    // the index served 1.8.4). 1.9.0 changed only Chart.yaml (livekit-helm 2f430c9..b6c28d7); the chart tests check that
    // their 1.9.0 copy has 1.8.4's templates and values (tests/Infra.Plan.Tests/Chart/EgressChartIdentity.cs).
    // An operator checks the repository serves it: helm search repo livekit/egress --versions (docs/egress.md).
    // renovate: datasource=helm registryUrl=https://helm.livekit.io depName=egress
    public static readonly ConfigKey ChartVersion = new("egressChartVersion", ConfigType.String,
        "Version of the egress Helm chart from https://helm.livekit.io.", "1.8.4");
    public static readonly ConfigKey Recordings = new("egressRecordings", ConfigType.Integer,
        "Room-composite recordings or streams at once to size Egress for; 0 means the tier's (small 1, medium 2, large 4).", 0);
    public static readonly ConfigKey MaxDuration = new("egressMaxDurationSeconds", ConfigType.Integer,
        "Longest recording or stream (Egress session limits); a longer one is stopped and its file kept.", 10800);
    public static readonly ConfigKey GracePeriod = new("egressGracePeriodSeconds", ConfigType.Integer,
        "Seconds a stopping Egress may finish its recordings (terminationGracePeriodSeconds); at least egressMaxDurationSeconds + 600.", 11400);
    public static readonly ConfigKey Streaming = new("egressStreaming", ConfigType.Boolean,
        "Allow RTMP(S) stream outputs: the NetworkPolicy opens the internet on 1935 (RTMP) and 443 (RTMPS).", false);
    public static readonly ConfigKey Storage = new("egressStorage", ConfigType.String,
        "Where recordings go: s3 (an S3-compatible bucket, egressS3* keys) or none (each request brings its own upload config).", "s3");
    public static readonly ConfigKey StoragePrefix = new("egressStoragePrefix", ConfigType.String,
        "Path prefix of every recorded file in the bucket (Egress storage.prefix), e.g. recordings.", "recordings");
    public static readonly ConfigKey S3Bucket = new("egressS3Bucket", ConfigType.String,
        "S3 bucket for recordings (egressStorage s3).", "");
    public static readonly ConfigKey S3Region = new("egressS3Region", ConfigType.String,
        "S3 region, e.g. eu-central-1; empty with an endpoint means us-east-1.", "");
    public static readonly ConfigKey S3Endpoint = new("egressS3Endpoint", ConfigType.String,
        "Endpoint URL of an S3-compatible service, e.g. https://minio.example.org:9000; empty for AWS S3.", "");
    public static readonly ConfigKey S3ForcePathStyle = new("egressS3ForcePathStyle", ConfigType.Boolean,
        "Path-style bucket URLs (endpoint/bucket/key), which MinIO and most S3-compatible services need.", false);
    public static readonly ConfigKey S3AccessKeySecret = new("egressS3AccessKeySecret", ConfigType.String,
        "Existing Secret holding the S3 access key id, as name/key in the project namespace; with egressS3SecretKeySecret.", "");
    public static readonly ConfigKey S3SecretKeySecret = new("egressS3SecretKeySecret", ConfigType.String,
        "Existing Secret holding the S3 secret access key, as name/key in the project namespace; with egressS3AccessKeySecret.", "");
    public static readonly ConfigKey S3AccessKey = new("egressS3AccessKey", ConfigType.String,
        "S3 access key id (secure), instead of egressS3AccessKeySecret; with egressS3SecretKey.", Secret: true);
    public static readonly ConfigKey S3SecretKey = new("egressS3SecretKey", ConfigType.String,
        "S3 secret access key (secure), instead of egressS3SecretKeySecret; with egressS3AccessKey.", Secret: true);
    public static readonly ConfigKey StorageCidrs = new("egressStorageCidrs", ConfigType.StringArray,
        "CIDRs of the storage endpoint when it is not on the internet (private network, VPC endpoint); empty: the internet.", Array.Empty<string>());

    public static IReadOnlyList<ConfigKey> Keys { get; } =
        [Enabled, Image, ChartVersion, Recordings, MaxDuration, GracePeriod, Streaming, Storage, StoragePrefix,
         S3Bucket, S3Region, S3Endpoint, S3ForcePathStyle, S3AccessKeySecret, S3SecretKeySecret, S3AccessKey, S3SecretKey, StorageCidrs];

    private static readonly Dictionary<string, EgressStorageKind> Kinds = new()
    {
        ["s3"] = EgressStorageKind.S3,
        ["none"] = EgressStorageKind.None,
    };

    public static EgressSpec Read(ConfigReader r)
    {
        var enabled = r.Bool(Enabled);
        var image = ReadImage(r);
        var chart = r.Matching(ChartVersion, SemVer(), "a chart version such as 1.9.0");
        var recordings = r.Int(Recordings, 0, 100);
        var maxDuration = r.Int(MaxDuration, 60, 86_400);
        var grace = r.Int(GracePeriod, 60, 86_400 + UploadMarginSeconds);
        if (grace < maxDuration + UploadMarginSeconds && r.Errors.All(e => e.Key != MaxDuration.FullName && e.Key != GracePeriod.FullName))
        {
            // SIGTERM makes Egress finish every recording (livekit/egress cmd/server/main.go: "finishing recording then
            // shutting down"); the session limit bounds how long that takes, the margin covers the last upload.
            r.Fail(GracePeriod, $"at least {MaxDuration.FullName} + {UploadMarginSeconds} ({maxDuration + UploadMarginSeconds}): " +
                "a stopping Egress finishes its recordings, which the session limit ends at the latest, and then uploads the last file");
        }
        var streaming = r.Bool(Streaming);
        var kind = r.Choice(Storage, Kinds, EgressStorageKind.S3);
        var prefix = r.String(StoragePrefix);
        if (prefix.Length > 0 && (!PrefixPattern().IsMatch(prefix) || prefix.Split('/').Any(s => s is ".." or ".")))
        {
            r.Fail(StoragePrefix, "a relative object key prefix such as recordings or calls/2026: letters, digits and !-_.*'() separated by single '/', no leading '/', no '..'");
        }
        var s3 = ReadS3(r, enabled && kind == EgressStorageKind.S3);
        var cidrs = new List<Cidr>();
        foreach (var item in r.List(StorageCidrs))
        {
            if (Cidr.TryParse(item, out var cidr))
            {
                cidrs.Add(cidr);
            }
            else
            {
                r.Fail(StorageCidrs, $"\"{item}\"", "CIDRs such as 10.30.0.0/24 or 192.0.2.7/32, with no host bits set");
            }
        }
        return new EgressSpec(enabled, image, chart, recordings == 0 ? null : recordings, maxDuration, grace, streaming, kind, prefix,
            kind == EgressStorageKind.S3 ? s3 : null, cidrs);
    }

    /// <summary>A rule of Checks/ConfigRules.cs (EgressStorageTls): production uploads only over https.</summary>
    public static IEnumerable<ConfigError> CheckProduction(EnvironmentSpec spec)
    {
        if (spec.Site.Production && spec.Egress is { Enabled: true, S3.Endpoint: var endpoint } && endpoint.StartsWith("http:", StringComparison.OrdinalIgnoreCase))
        {
            yield return ConfigError.Invalid(S3Endpoint, $"\"{endpoint}\"",
                $"an https endpoint when {SiteSection.Production.FullName} is true: over http the S3 keys and every recording cross the network readable");
        }
    }

    private static ImageRef ReadImage(ConfigReader r)
    {
        if (ImageRef.TryParse(r.String(Image), out var image))
        {
            return image;
        }
        r.Fail(Image, "an image reference repository:tag, optionally @sha256:<digest>, e.g. livekit/egress:v1.14.1");
        ImageRef.TryParse((string)Image.Default!, out var fallback);
        return fallback;
    }

    /// <summary>The bucket and its credentials; the bucket is required only when Egress uploads to S3.</summary>
    private static S3StorageSpec ReadS3(ConfigReader r, bool required)
    {
        var bucket = r.String(S3Bucket);
        if (bucket.Length > 0 && !BucketPattern().IsMatch(bucket))
        {
            r.Fail(S3Bucket, "an S3 bucket name: 3 to 63 lower case letters, digits, '.' and '-', starting and ending with a letter or digit");
        }
        else if (bucket.Length == 0 && required)
        {
            r.Fail(S3Bucket, "\"\"", $"the bucket recordings go to when {Enabled.FullName} is true and {Storage.FullName} is s3 " +
                "(or egressStorage none, so that each request brings its own upload config)");
        }
        var region = r.Matching(S3Region, RegionPattern(), "a region name such as eu-central-1 (lower case letters, digits and '-')");
        var endpoint = r.String(S3Endpoint);
        if (endpoint.Length > 0 && !IsEndpoint(endpoint))
        {
            r.Fail(S3Endpoint, "an http or https URL with a host and no path, query or credentials, e.g. https://minio.example.org:9000");
            endpoint = "";
        }
        return new S3StorageSpec(bucket, region, endpoint, r.Bool(S3ForcePathStyle), ReadCredentials(r));
    }

    private static S3Credentials ReadCredentials(ConfigReader r)
    {
        var accessRef = SecretRef(r, S3AccessKeySecret);
        var secretRef = SecretRef(r, S3SecretKeySecret);
        var access = r.Secret(S3AccessKey);
        var secret = r.Secret(S3SecretKey);
        var fromSecrets = accessRef is not null || secretRef is not null;
        var fromConfig = access.IsSet || secret.IsSet;
        if (fromSecrets && fromConfig)
        {
            r.Fail(S3AccessKey, "(set)", $"one way of giving the S3 keys: either {S3AccessKeySecret.FullName} and {S3SecretKeySecret.FullName} (existing Secrets) " +
                $"or {S3AccessKey.FullName} and {S3SecretKey.FullName} (secure config), not both");
            return new S3Credentials.Ambient();
        }
        if (fromSecrets)
        {
            if (accessRef is null || secretRef is null)
            {
                var missing = accessRef is null ? S3AccessKeySecret : S3SecretKeySecret;
                r.Fail(missing, $"a Secret reference name/key: {S3AccessKeySecret.FullName} and {S3SecretKeySecret.FullName} go together");
                return new S3Credentials.Ambient();
            }
            return new S3Credentials.FromSecret(accessRef, secretRef);
        }
        if (fromConfig)
        {
            if (!access.IsSet || !secret.IsSet)
            {
                var missing = access.IsSet ? S3SecretKey : S3AccessKey;
                r.Errors.Add(new ConfigError(missing.FullName,
                    $"is not set; {S3AccessKey.FullName} and {S3SecretKey.FullName} go together (pulumi config set --secret {missing.FullName} <value>)"));
                return new S3Credentials.Ambient();
            }
            return new S3Credentials.FromConfig(access, secret);
        }
        return new S3Credentials.Ambient();
    }

    private static SecretKeyRef? SecretRef(ConfigReader r, ConfigKey key)
    {
        var text = r.String(key);
        if (text.Length == 0)
        {
            return null;
        }
        var m = SecretRefPattern().Match(text);
        if (!m.Success)
        {
            r.Fail(key, "a Secret reference name/key, e.g. egress-s3/access-key-id");
            return null;
        }
        return new SecretKeyRef(m.Groups["name"].Value, m.Groups["key"].Value);
    }

    /// <summary>An absolute http(s) URL naming only a host and maybe a port: Egress joins bucket and key to it.</summary>
    private static bool IsEndpoint(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.Host.Length > 0 &&
        uri.UserInfo.Length == 0 && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.Fragment.Length == 0;

    [GeneratedRegex(@"^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")]
    private static partial Regex SemVer();

    // AWS bucket naming rules (docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html), which MinIO follows.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketPattern();

    [GeneratedRegex(@"^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex RegionPattern();

    // The "safe" characters of S3 object keys (docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html).
    [GeneratedRegex(@"^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*/?$")]
    private static partial Regex PrefixPattern();

    [GeneratedRegex(@"^(?<name>[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?)/(?<key>[-._a-zA-Z0-9]+)$")]
    private static partial Regex SecretRefPattern();
}
