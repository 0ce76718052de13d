using Infra.Plan.Spec;
using static Infra.Plan.Tests.Support.Stacks;

namespace Infra.Plan.Tests.Coturn;

/// <summary>Bad TURN-related values give one clear error each: key, value, what is allowed.</summary>
public class CoturnSpecErrorsTests
{
    private static ConfigError Single(params (string Key, ConfigValue Value)[] changes)
    {
        var result = Parse(With(changes));
        Assert.False(result.Ok);
        return Assert.Single(result.Errors);
    }

    [Theory]
    [InlineData("turnUserQuota", "0")]
    [InlineData("turnUserQuota", "-3")]
    [InlineData("turnTotalQuota", "0")]
    public void Quotas_of_zero_or_less_are_refused(string key, string value)
    {
        var error = Single((key, S(value)));

        Assert.Equal($"matrix-rtc:{key}", error.Key);
        Assert.Contains($"\"{value}\"", error.Message);
        Assert.Contains("from 1 to", error.Message);
    }

    [Fact]
    public void A_user_quota_above_the_total_quota_is_refused()
    {
        var error = Single(("turnUserQuota", S("50")), ("turnTotalQuota", S("40")));

        Assert.Equal("matrix-rtc:turnUserQuota", error.Key);
        Assert.Contains("at most matrix-rtc:turnTotalQuota (40)", error.Message);
    }

    [Fact]
    public void Cert_manager_without_an_issuer_is_refused()
    {
        var error = Single(("tlsMode", S("cert-manager")));

        Assert.Equal("matrix-rtc:certManagerIssuer", error.Key);
        Assert.Contains("an issuer name when tlsMode is cert-manager", error.Message);
    }

    [Fact]
    public void Existing_secret_without_the_TURN_secret_name_is_refused()
    {
        var error = Single(("tlsMode", S("existing-secret")), ("rtcTlsSecret", S("rtc-cert")));

        Assert.Equal("matrix-rtc:turnTlsSecret", error.Key);
        Assert.Contains("a Secret name when tlsMode is existing-secret", error.Message);
    }

    [Theory]
    [InlineData("podCidrs", "10.244.0.0/33")]
    [InlineData("serviceCidrs", "10.96.0.1/12")]
    [InlineData("nodeCidrs", "ten.dot/8")]
    public void Malformed_cidrs_are_refused_with_the_value(string key, string value)
    {
        var error = Single((key, L(value)));

        Assert.Equal($"matrix-rtc:{key}", error.Key);
        Assert.Contains(value, error.Message);
        Assert.Contains("CIDRs such as 10.0.0.0/16", error.Message);
    }

    [Theory]
    [InlineData("coturn/coturn:latest", "whose tag starts with its release")]
    [InlineData("coturn/coturn:edge-alpine", "whose tag starts with its release")]
    [InlineData("coturn/coturn:4.5.2", "4.6.0 or newer")]
    public void A_coturn_image_without_a_usable_version_is_refused(string image, string allowed)
    {
        var error = Single(("coturnImage", S(image)));

        Assert.Equal("matrix-rtc:coturnImage", error.Key);
        Assert.Contains(image, error.Message);
        Assert.Contains(allowed, error.Message);
    }

    [Fact]
    public void A_bad_NAT_pair_is_refused()
    {
        var error = Single(("turnExternalIps", L("10.0.0.1=2001:db8::1")));

        Assert.Equal("matrix-rtc:turnExternalIps", error.Key);
        Assert.Contains("private=public address pairs of one family", error.Message);
    }
}
