using System.Globalization;
using System.Text.RegularExpressions;

namespace Infra.Servers.Redis;

/// <summary>
/// One event a sentinel logged (sentinel.c sentinelEvent: "+sdown master mymaster 127.0.0.11 17379"), with the
/// log line's millisecond time stamp (local time, as the server writes it) turned into UTC.
/// </summary>
public sealed partial record SentinelEvent(int Sentinel, DateTime At, string Type, string Detail)
{
    /// <summary>True when the event is about the master itself (not a replica or another sentinel).</summary>
    public bool OnMaster => Detail.StartsWith("master ", StringComparison.Ordinal);

    public static IEnumerable<SentinelEvent> Parse(int sentinel, string log)
    {
        foreach (var line in log.Split('\n'))
        {
            var m = LogLine().Match(line.TrimEnd('\r'));
            if (m.Success && DateTime.TryParseExact(m.Groups["at"].Value, "dd MMM yyyy HH:mm:ss.fff", CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeLocal | DateTimeStyles.AdjustToUniversal, out var at))
            {
                yield return new SentinelEvent(sentinel, at, m.Groups["type"].Value, m.Groups["detail"].Value);
            }
        }
    }

    // "4711:X 07 Dec 2026 11:23:45.678 # +sdown master mymaster 127.0.0.11 17379"
    [GeneratedRegex(@"^\d+:X (?<at>\d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2}\.\d{3}) [#*.-] (?<type>[+-][a-z-]+) ?(?<detail>.*)$")]
    private static partial Regex LogLine();
}
