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
    [InlineData("turnUserQuota", "-1")]
    [InlineData("turnUserQuota", "-3")]
    [InlineData("turnTotalQuota", "-1")]
    [InlineData("turnTotalQuota", "2000000")]
    [InlineData("turnTotalQuota", "many")]
    public void Quotas_below_zero_or_not_a_number_are_refused(string key, string value)
    {
        var error = Single((key, S(value)));

        Assert.Equal($"matrix-rtc:{key}", error.Key);
        Assert.Contains($"\"{value}\"", error.Message);
        Assert.Contains("from 1 to", error.Message);
        Assert.Contains("0 for the tier's quota", error.Message);
    }

    [Fact]
    public void Quota_zero_means_the_tier_so_coturn_never_gets_a_quota_of_zero_or_less()
    {
        var spec = Parse(With(("turnUserQuota", S("0")), ("turnTotalQuota", S("0")), ("tier", S("medium")), ("mediaNodeCount", S("2")))).OrThrow();
        var quotas = Derived.From(spec).TurnQuotas;
        var tier = Infra.Plan.Sizing.TierCatalog.Get(Infra.Plan.Spec.Sections.Tier.Medium);

        Assert.Equal(tier.TurnUserQuota, quotas.User);
        Assert.Equal(tier.TurnTotalQuota, quotas.Total);
        Assert.Null(quotas.TotalSetBy);
        Assert.True(quotas.User >= 1 && quotas.Total >= 1);
        var conf = Infra.Plan.Components.Coturn.CoturnPlan.Build(Infra.Plan.Components.Coturn.CoturnInput.From(Derived.From(spec))).TurnServerConfText;
        Assert.Contains($"\nuser-quota={tier.TurnUserQuota}\n", conf);
        Assert.Contains($"\ntotal-quota={tier.TurnTotalQuota}\n", conf);
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
        // routing gateway (the default): the RTC host's certificate is the listener's, only the TURN Secret is needed
        var error = Single(("tlsMode", S("existing-secret")));

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

public class TurnNatPairTests
{
    [Fact]
    public void A_NAT_pair_whose_private_address_is_no_node_address_is_refused()
    {
        var errors = Parse(With(("nodeCidrs", L("10.10.0.0/24")), ("turnExternalIps", L("10.10.0.5=203.0.113.10", "192.168.1.5=203.0.113.11")))).Errors;

        var error = Assert.Single(errors);
        Assert.Equal("matrix-rtc:turnExternalIps", error.Key);
        Assert.Contains("\"192.168.1.5=203.0.113.11\"", error.Message);
        Assert.Contains("inside matrix-rtc:nodeCidrs (10.10.0.0/24)", error.Message);
    }

    [Fact]
    public void A_private_address_listed_twice_is_refused()
    {
        var error = Assert.Single(Parse(With(("turnExternalIps", L("10.10.0.5=203.0.113.10", "10.10.0.5=203.0.113.11")))).Errors);

        Assert.Equal("matrix-rtc:turnExternalIps", error.Key);
        Assert.Contains("each private address at most once", error.Message);
    }
}
