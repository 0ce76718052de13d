using Infra.Servers.Coturn;

namespace Infra.Plan.Tests.Coturn;

public class TurnCredentialsTests
{
    [Fact]
    public void Password_matches_an_independent_HMAC_SHA1_computation()
    {
        // GIVEN a secret and username whose password was computed with openssl:
        //   printf %s "1700000000:@alice:example.org" | openssl dgst -sha1 -hmac north-wind -binary | base64
        // WHEN our implementation computes it
        var password = TurnCredentials.Password("north-wind", "1700000000:@alice:example.org");

        // THEN it is the same
        Assert.Equal("hjWiCaSSaIU8/8lCvMbcLYKN7nU=", password);
    }

    [Fact]
    public void Username_is_expiry_colon_user_and_the_password_is_derived_from_it()
    {
        var expires = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

        var credential = TurnCredentials.Create("north-wind", "@alice:example.org", expires);

        Assert.Equal("1700000000:@alice:example.org", credential.Username);
        Assert.Equal(TurnCredentials.Password("north-wind", credential.Username), credential.Password);
        Assert.Equal(expires, credential.Expires);
    }

    [Fact]
    public void Ttl_sets_the_expiry_in_whole_seconds_and_secret_and_user_change_the_password()
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_900);

        var a = TurnCredentials.ForTtl("s1", "bob", now, TimeSpan.FromHours(1));
        var otherSecret = TurnCredentials.ForTtl("s2", "bob", now, TimeSpan.FromHours(1));
        var otherUser = TurnCredentials.ForTtl("s1", "carol", now, TimeSpan.FromHours(1));

        Assert.Equal($"{1_700_000_000 + 3600}:bob", a.Username);
        Assert.NotEqual(a.Password, otherSecret.Password);
        Assert.NotEqual(a.Password, otherUser.Password);
        Assert.DoesNotContain(a.Password, a.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad\nuser")]
    public void A_user_coturn_could_not_parse_is_refused(string user)
    {
        Assert.Throws<ArgumentException>(() => TurnCredentials.Create("s", user, DateTimeOffset.UnixEpoch.AddDays(1)));
    }
}
