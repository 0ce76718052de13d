using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Infra.Plan.Spec.Sections;

/// <summary>A STUN server as LiveKit's <c>rtc.stun_servers</c> takes it: <c>host:port</c> (IPv6 as <c>[addr]:port</c>).</summary>
public sealed partial record StunServer(string Host, int Port)
{
    public override string ToString() =>
        IPAddress.TryParse(Host, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    public static bool TryParse(string text, out StunServer server)
    {
        server = null!;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return false;
        }
        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            if (!IPAddress.TryParse(host[1..^1], out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }
            server = new StunServer(v6.ToString(), port);
            return true;
        }
        // A bare IPv4 address must be four plain octets (IPAddress.TryParse accepts "10.1" too); anything else is a DNS name.
        if (IPAddress.TryParse(host, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork && v4.ToString() == host)
        {
            server = new StunServer(host, port);
            return true;
        }
        if (!DnsName().IsMatch(host) || Ipv4Like().IsMatch(host))
        {
            return false;
        }
        server = new StunServer(host, port);
        return true;
    }

    [GeneratedRegex(@"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")]
    private static partial Regex DnsName();

    [GeneratedRegex(@"^[0-9.]+$")]
    private static partial Regex Ipv4Like();
}
