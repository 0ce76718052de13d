using System.Text.Json.Nodes;

namespace Infra.Plan.Tests.Image;

/// <summary>
/// Whether the SFU container the chart renders starts the image's ENTRYPOINT with arguments the server accepts.
/// The server's own flags, restated from livekit/livekit cmd/server/main.go at v1.13.5 (<c>baseFlags</c>; the
/// generated per-config-key flags are not used by the chart), since the server cannot run here.
/// </summary>
public static class ChartArgsRules
{
    public static readonly string[] LivekitServerFlags =
    [
        "bind", "config", "config-body", "key-file", "keys", "region", "node-ip", "udp-port", "redis-host",
        "redis-password", "turn-cert", "turn-key", "cpuprofile", "memprofile", "dev", "disable-strict-config",
        // urfave/cli adds these to every command
        "help", "version",
    ];

    /// <param name="container">The SFU container of the rendered Deployment.</param>
    public static IEnumerable<string> Check(JsonNode container)
    {
        if (container["command"] is JsonArray command && command.Count > 0)
        {
            yield return $"the chart sets command {command.ToJsonString()}: it would replace the image's ENTRYPOINT";
        }
        var args = container["args"] as JsonArray ?? [];
        foreach (var arg in args.Select(a => a?.GetValue<string>() ?? ""))
        {
            var name = arg.TrimStart('-').Split('=')[0];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || !LivekitServerFlags.Contains(name))
            {
                yield return $"the chart passes {arg}, which livekit-server v1.13.5 does not define as a flag";
            }
        }
    }
}
