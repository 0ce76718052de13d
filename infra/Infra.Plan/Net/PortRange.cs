namespace Infra.Plan.Net;

public enum Protocol
{
    Tcp,
    Udp,
}

/// <summary>An inclusive range of port numbers; a single port has First == Last.</summary>
public sealed record PortRange(int First, int Last)
{
    public static PortRange Single(int port) => new(port, port);

    public int Count => Last - First + 1;

    public bool Overlaps(PortRange other) => First <= other.Last && other.First <= Last;

    public bool Contains(int port) => port >= First && port <= Last;

    public override string ToString() => First == Last ? First.ToString() : $"{First}-{Last}";

    /// <summary>Parses <c>N</c> or <c>N-M</c> with 1 ≤ N ≤ M ≤ 65535.</summary>
    public static bool TryParse(string? text, out PortRange range)
    {
        range = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var parts = text.Trim().Split('-');
        if (parts.Length is < 1 or > 2 || !int.TryParse(parts[0], out var first))
        {
            return false;
        }
        var last = first;
        if (parts.Length == 2 && !int.TryParse(parts[1], out last))
        {
            return false;
        }
        if (first < 1 || last > 65535 || first > last)
        {
            return false;
        }
        range = new PortRange(first, last);
        return true;
    }
}
