using System.Security.Cryptography;
using System.Text;

namespace Infra.Servers.Coturn;

/// <summary>A TURN REST credential: what a client sends as TURN username and password (test and bench client side; the product only deploys the shared secret).</summary>
/// <param name="Username"><c>&lt;unix-expiry&gt;:&lt;user&gt;</c>; coturn refuses it after the expiry.</param>
/// <param name="Password">base64(HMAC-SHA1(shared secret, Username)).</param>
public sealed record TurnCredential(string Username, string Password, DateTimeOffset Expires)
{
    // The password is a secret derived from the shared secret: never print it.
    public override string ToString() => $"TurnCredential({Username}, expires {Expires:u})";
}

/// <summary>
/// The one implementation of TURN REST ("use-auth-secret") credentials in this project, as coturn checks
/// them and as LiveKit (<c>rtc.turn_servers[].secret</c>) and Synapse (<c>turn_shared_secret</c>) mint them
/// from the same shared secret.
/// </summary>
public static class TurnCredentials
{
    /// <summary>A credential for <paramref name="user"/> that expires at <paramref name="expires"/> (whole seconds).</summary>
    public static TurnCredential Create(string sharedSecret, string user, DateTimeOffset expires)
    {
        ArgumentException.ThrowIfNullOrEmpty(sharedSecret);
        if (string.IsNullOrEmpty(user) || user.Any(char.IsControl))
        {
            throw new ArgumentException("a TURN user name must be non-empty and free of control characters", nameof(user));
        }
        var expiry = expires.ToUnixTimeSeconds();
        var username = $"{expiry}:{user}";
        return new TurnCredential(username, Password(sharedSecret, username), DateTimeOffset.FromUnixTimeSeconds(expiry));
    }

    /// <summary>A credential valid for <paramref name="ttl"/> from <paramref name="now"/>.</summary>
    public static TurnCredential ForTtl(string sharedSecret, string user, DateTimeOffset now, TimeSpan ttl) =>
        Create(sharedSecret, user, now + ttl);

    /// <summary>base64(HMAC-SHA1(secret, username)): coturn's <c>use-auth-secret</c> password.</summary>
    public static string Password(string sharedSecret, string username)
    {
        var mac = HMACSHA1.HashData(Encoding.UTF8.GetBytes(sharedSecret), Encoding.UTF8.GetBytes(username));
        return Convert.ToBase64String(mac);
    }
}
