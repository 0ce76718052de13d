using System.Net;
using System.Net.Sockets;

namespace Infra.Plan.Net;

/// <summary>An IPv4 or IPv6 network in CIDR notation, with no host bits set.</summary>
public sealed record Cidr(IPAddress Network, int PrefixLength)
{
    public AddressFamily Family => Network.AddressFamily;

    private int Bits => Family == AddressFamily.InterNetwork ? 32 : 128;

    public IpRange Range
    {
        get
        {
            var first = IpRange.ToNumber(Network);
            var hostBits = Bits - PrefixLength;
            var size = hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
            return new IpRange(Network, IpRange.FromNumber(first + size, Family));
        }
    }

    public bool Overlaps(Cidr other) => Range.Overlaps(other.Range);

    public bool Contains(IPAddress address) => Range.Contains(address);

    public override string ToString() => $"{Network}/{PrefixLength}";

    /// <summary>Strict parse: the address part must be the network address (no host bits set).</summary>
    public static bool TryParse(string? text, out Cidr cidr)
    {
        cidr = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var slash = text.IndexOf('/');
        if (slash <= 0 || !IPAddress.TryParse(text[..slash], out var address) ||
            !int.TryParse(text[(slash + 1)..], out var prefix))
        {
            return false;
        }
        // IPAddress.TryParse accepts legacy IPv4 shorthands ("10.10.0" = 10.10.0.0, "10" = 0.0.0.10, octal
        // "010"): an operator who typed those did not mean them, so IPv4 must be four plain decimal octets.
        if (address.AddressFamily == AddressFamily.InterNetwork && address.ToString() != text[..slash])
        {
            return false;
        }
        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefix < 0 || prefix > bits || text[..slash].Contains('%'))
        {
            return false;
        }
        var value = IpRange.ToNumber(address);
        var hostBits = bits - prefix;
        var hostMask = hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
        if ((value & hostMask) != 0)
        {
            return false;
        }
        cidr = new Cidr(address, prefix);
        return true;
    }

    public static Cidr Parse(string text) =>
        TryParse(text, out var cidr) ? cidr : throw new FormatException($"not a CIDR: {text}");
}
