namespace Infra.Plan.Tests.Livekit;

/// <summary>
/// How livekit-server finds the address it advertises before it serves anything, re-stated from
/// livekit/mediatransportutil (commit 77f742a, used by LiveKit v1.13.x):
/// <list type="bullet">
/// <item><c>pkg/rtcconfig/config.go</c> <c>Validate</c>: when <c>node_ip</c> is empty <em>or</em> <c>use_external_ip</c>
/// is true it calls <c>determineIP</c>; an error there fails config validation and the server exits.</item>
/// <item><c>pkg/rtcconfig/ip.go</c> <c>determineIP</c>: with <c>use_external_ip</c>, the STUN servers are
/// <c>stun_servers</c> (LiveKit's <c>DefaultStunServers</c> only when that list is empty); up to three rounds of
/// <c>GetExternalIP</c>, 500 ms apart; the first answer wins, three failed rounds are "could not resolve external IP".</item>
/// <item><c>GetExternalIP</c> asks the servers one after another in list order (<c>findExternalIP</c>, 5 s each).</item>
/// <item>Without <c>use_external_ip</c> and without <c>node_ip</c> it takes the first local IPv4 address (no STUN).</item>
/// </list>
/// </summary>
public static class LivekitStartModel
{
    public const int Rounds = 3;

    public sealed record Outcome(bool Starts, string? NodeIp, IReadOnlyList<string> Asked);

    /// <param name="ask">A STUN binding request to one server: the reflexive address, or null when it does not answer.</param>
    public static Outcome Start(bool useExternalIp, IReadOnlyList<string> stunServers, string? nodeIp, Func<string, string?> ask,
        IReadOnlyList<string> defaultStunServers)
    {
        var asked = new List<string>();
        if (!string.IsNullOrEmpty(nodeIp) && !useExternalIp)
        {
            return new Outcome(true, nodeIp, asked);
        }
        if (!useExternalIp)
        {
            return new Outcome(true, "first local IPv4 address", asked);
        }
        var servers = stunServers.Count == 0 ? defaultStunServers : stunServers;
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var server in servers)
            {
                asked.Add(server);
                if (ask(server) is { } address)
                {
                    return new Outcome(true, address, asked);
                }
            }
        }
        return new Outcome(false, null, asked);
    }
}
