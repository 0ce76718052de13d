using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Components.Coturn;

/// <summary>
/// The nftables rule every media node needs next to coturn. With <c>external-ip=public/private</c> coturn adds the
/// private part to its allowed peers (coturn <c>src/apps/relay/mainrelay.c</c>, "Whitelisting external-ip private part",
/// since coturn#584), and allowed peers win over every <c>denied-peer-ip</c> rule. It must: a relay to its own public
/// address (the SFU on the same node, or another TURN allocation there) is turned into the private address
/// (<c>map_addr_from_public_to_private</c>) before the peer check. But coturn cannot limit peers by port, so without this
/// rule a TURN client could send UDP to every port of coturn's own node (a CNI's VXLAN port, say) from the node's own
/// address. The rule lets coturn's user (uid 65534, the official image's nobody) reach the node's own addresses on the
/// SFU's UDP port and coturn's relay range only. Install it like the sysctls (README "Node preparation").
/// </summary>
public static class CoturnNodeFirewall
{
    public const string Table = "matrix_rtc_coturn";

    public static string Nftables(PortsSpec ports)
    {
        return $$"""
            table inet {{Table}} {
              chain output {
                type filter hook output priority filter; policy accept;
                # coturn (uid {{CoturnDaemonSet.Nobody}}) reaches its own node only on the SFU's UDP port and its relay ports
                meta skuid {{CoturnDaemonSet.Nobody}} fib daddr type local udp dport != { {{ports.SfuRtcUdp}}, {{ports.TurnRelay.First}}-{{ports.TurnRelay.Last}} } drop
              }
            }

            """;
    }
}
