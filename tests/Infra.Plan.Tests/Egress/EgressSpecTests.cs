using Infra.Plan.Spec;
using Infra.Plan.Spec.Sections;
using Infra.Plan.Tests.Support;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Egress;

/// <summary>The Egress config section (EgressSection) and its cross-key rule: every mistake names its key, the value and what is allowed.</summary>
public class EgressSpecTests
{
    /// <summary>The smallest valid Egress: on, with a bucket.</summary>
    private static Dictionary<string, ConfigValue> Egress(params (string Key, ConfigValue Value)[] more) =>
        With([("egress", S("true")), ("egressS3Bucket", S("recordings")), .. more]);

    [Fact]
    public void Egress_is_off_by_default_and_its_keys_need_nothing_then()
    {
        var spec = Parse(Minimal()).OrThrow();

        Assert.False(spec.Egress.Enabled);
        Assert.Null(Planner.Build(spec).Egress);
    }

    [Fact]
    public void On_with_s3_storage_it_needs_a_bucket()
    {
        var error = Assert.Single(Parse(With(("egress", S("true")))).Errors);

        Assert.Equal("matrix-rtc:egressS3Bucket", error.Key);
        Assert.Contains("the bucket recordings go to", error.Message);
        Assert.Contains("egressStorage none", error.Message);
        // without server storage no bucket is needed
        Assert.True(Parse(With(("egress", S("true")), ("egressStorage", S("none")))).Ok);
    }

    [Theory]
    [InlineData("egressS3Bucket", "Recordings", "an S3 bucket name")]
    [InlineData("egressS3Bucket", "ab", "3 to 63")]
    [InlineData("egressS3Region", "EU Central", "a region name")]
    [InlineData("egressS3Endpoint", "minio:9000", "an http or https URL")]
    [InlineData("egressS3Endpoint", "https://minio.example.org/bucket", "no path")]
    [InlineData("egressS3Endpoint", "https://key:secret@minio.example.org", "credentials")]
    [InlineData("egressStorage", "gcs", "one of: s3, none")]
    [InlineData("egressStoragePrefix", "/recordings", "no leading '/'")]
    [InlineData("egressStoragePrefix", "calls/../x", "no '..'")]
    [InlineData("egressImage", "livekit/egress", "repository:tag")]
    [InlineData("egressChartVersion", "latest", "a chart version")]
    [InlineData("egressRecordings", "101", "from 0 to 100")]
    [InlineData("egressMaxDurationSeconds", "30", "from 60 to 86400")]
    [InlineData("egressS3AccessKeySecret", "no-key", "name/key")]
    [InlineData("egressStorageCidrs", "10.30.0.1/24", "no host bits")]
    public void A_bad_value_is_refused_with_its_key_and_what_is_allowed(string key, string value, string allowed)
    {
        var errors = Parse(Egress((key, key == "egressStorageCidrs" ? L(value) : S(value)))).Errors;

        var error = Assert.Single(errors, e => e.Key == $"matrix-rtc:{key}");
        Assert.Contains(value, error.Message);
        Assert.Contains(allowed, error.Message);
    }

    [Fact]
    public void The_grace_period_covers_the_longest_recording_and_its_upload()
    {
        // GIVEN a session limit of 4 h and the default grace period (3 h 10 min)
        var error = Assert.Single(Parse(Egress(("egressMaxDurationSeconds", S("14400")))).Errors);

        // THEN the grace period is named, with the sum it must reach and why
        Assert.Equal("matrix-rtc:egressGracePeriodSeconds", error.Key);
        Assert.Contains($"at least matrix-rtc:egressMaxDurationSeconds + {EgressSection.UploadMarginSeconds} ({14400 + EgressSection.UploadMarginSeconds})", error.Message);
        Assert.Contains("finishes its recordings", error.Message);
        Assert.True(Parse(Egress(("egressMaxDurationSeconds", S("14400")), ("egressGracePeriodSeconds", S("15000")))).Ok);
    }

    [Fact]
    public void S3_keys_come_from_one_place_in_pairs()
    {
        // GIVEN half a pair of Secret references, half a pair of secure values, and both ways at once
        var halfRef = Parse(Egress(("egressS3AccessKeySecret", S("s3/id")))).Errors;
        var halfSecure = Parse(Egress(("egressS3AccessKey", new ConfigValue.Secret("AKIDEXAMPLE")))).Errors;
        var both = Parse(Egress(("egressS3AccessKeySecret", S("s3/id")), ("egressS3SecretKeySecret", S("s3/secret")),
            ("egressS3AccessKey", new ConfigValue.Secret("AKIDEXAMPLE")), ("egressS3SecretKey", new ConfigValue.Secret("wJalrXUtnFEMI")))).Errors;

        // THEN each names the missing or clashing key, and no secret value is shown
        Assert.Equal("matrix-rtc:egressS3SecretKeySecret", Assert.Single(halfRef).Key);
        var missing = Assert.Single(halfSecure);
        Assert.Equal("matrix-rtc:egressS3SecretKey", missing.Key);
        Assert.Contains("pulumi config set --secret matrix-rtc:egressS3SecretKey", missing.Message);
        var clash = Assert.Single(both);
        Assert.Contains("not both", clash.Message);
        Assert.DoesNotContain(halfSecure.Concat(both), e => e.Message.Contains("AKIDEXAMPLE") || e.Message.Contains("wJalrXUtnFEMI"));
    }

    [Fact]
    public void A_secure_key_given_as_plain_text_is_refused()
    {
        var errors = Parse(Egress(("egressS3AccessKey", S("AKIDEXAMPLE")), ("egressS3SecretKey", S("wJalrXUtnFEMI")))).Errors;

        Assert.Contains(errors, e => e.Key == "matrix-rtc:egressS3AccessKey" && e.Message.Contains("is given as plain text"));
        Assert.DoesNotContain(errors, e => e.Message.Contains("AKIDEXAMPLE"));
    }

    [Fact]
    public void Credentials_are_read_as_references_or_secure_values_or_left_to_the_pod_identity()
    {
        S3Credentials Of(params (string, ConfigValue)[] keys) => Parse(Egress(keys)).OrThrow().Egress.S3!.Credentials;

        Assert.IsType<S3Credentials.Ambient>(Of());
        var refs = Assert.IsType<S3Credentials.FromSecret>(Of(("egressS3AccessKeySecret", S("s3/id")), ("egressS3SecretKeySecret", S("s3/secret"))));
        Assert.Equal(("s3", "id", "s3", "secret"), (refs.AccessKey.Name, refs.AccessKey.Key, refs.SecretKey.Name, refs.SecretKey.Key));
        var secure = Assert.IsType<S3Credentials.FromConfig>(Of(("egressS3AccessKey", new ConfigValue.Secret("AKIDEXAMPLE")),
            ("egressS3SecretKey", new ConfigValue.Secret("wJalrXUtnFEMI"))));
        Assert.Equal("AKIDEXAMPLE", secure.AccessKey.Plaintext);
    }

    [Theory]
    [InlineData("", 443)]
    [InlineData("https://s3.example.org", 443)]
    [InlineData("http://minio.minio.svc:9000", 9000)]
    [InlineData("http://minio.example.org", 80)]
    public void Uploads_go_to_the_endpoints_port(string endpoint, int port)
    {
        var spec = Parse(Egress(("egressS3Endpoint", S(endpoint)))).OrThrow();
        Assert.Equal(port, spec.Egress.S3!.Port);
    }

    [Fact]
    public void Production_uploads_only_over_https()
    {
        // GIVEN the prod stack with a plain-http endpoint
        var config = File("prod").Where(e => e.Key != "matrix-rtc:egressS3Endpoint")
            .Append(new("matrix-rtc:egressS3Endpoint", S("http://minio.example.org:9000"))).ToList();

        var error = Assert.Single(Planner.Validate("prod", config).Errors);

        Assert.Equal("matrix-rtc:egressS3Endpoint", error.Key);
        Assert.Contains("\"http://minio.example.org:9000\"", error.Message);
        Assert.Contains("an https endpoint when matrix-rtc:production is true", error.Message);
    }

    [Fact]
    public void The_stack_files_are_valid_prod_records_to_s3_and_dev_keeps_egress_off()
    {
        var prod = Stacks.Spec("prod").Egress;
        var dev = Stacks.Spec("dev").Egress;

        Assert.True(prod.Enabled);
        Assert.Equal(EgressStorageKind.S3, prod.Storage);
        Assert.IsType<S3Credentials.FromSecret>(prod.S3!.Credentials);
        Assert.True(prod.Image.IsPinnedByDigest);
        Assert.False(dev.Enabled);
    }
}
