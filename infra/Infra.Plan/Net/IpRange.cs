using System.Net;
using System.Net.Sockets;

namespace Infra.Plan.Net;

/// <summary>
/// An inclusive range of addresses of one family. coturn's <c>denied-peer-ip</c> takes exactly this
/// shape (one address or <c>first-last</c>), never CIDR, so every CIDR is turned into one of these.
/// </summary>
public sealed record IpRange(IPAddress First, IPAddress Last)
{
    public AddressFamily Family => First.AddressFamily;

    public UInt128 FirstValue => ToNumber(First);

    public UInt128 LastValue => ToNumber(Last);

    public bool Contains(IPAddress address) =>
        address.AddressFamily == Family && ToNumber(address) >= FirstValue && ToNumber(address) <= LastValue;

    public bool Contains(IpRange other) =>
        other.Family == Family && other.FirstValue >= FirstValue && other.LastValue <= LastValue;

    public bool Overlaps(IpRange other) =>
        other.Family == Family && other.FirstValue <= LastValue && FirstValue <= other.LastValue;

    /// <summary>coturn's form: a single address, or <c>first-last</c>.</summary>
    public string ToCoturnString() => First.Equals(Last) ? First.ToString() : $"{First}-{Last}";

    public override string ToString() => ToCoturnString();

    /// <summary>Parses coturn's form (<c>ip</c> or <c>ip-ip</c>) the way coturn reads it; null when it would not.</summary>
    public static IpRange? ParseCoturn(string text)
    {
        var parts = text.Trim().Split('-');
        if (parts.Length is < 1 or > 2 || !IPAddress.TryParse(parts[0], out var first))
        {
            return null;
        }
        var last = first;
        if (parts.Length == 2 && !IPAddress.TryParse(parts[1], out last))
        {
            return null;
        }
        if (first.AddressFamily != last!.AddressFamily || ToNumber(first) > ToNumber(last))
        {
            return null;
        }
        return new IpRange(first, last);
    }

    public static UInt128 ToNumber(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        UInt128 value = 0;
        foreach (var b in bytes)
        {
            value = (value << 8) | b;
        }
        return value;
    }

    public static IPAddress FromNumber(UInt128 value, AddressFamily family)
    {
        var length = family == AddressFamily.InterNetwork ? 4 : 16;
        var bytes = new byte[length];
        for (var i = length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(value & 0xFF);
            value >>= 8;
        }
        return new IPAddress(bytes);
    }
}
