using System.Text.Json.Nodes;

namespace Infra.Plan.Tests.Chart;

/// <summary>
/// Pod Security Standards "restricted" (kubernetes.io/docs/concepts/security/pod-security-standards), point by point, on a
/// rendered pod spec and its container: what a namespace labelled <c>enforce: restricted</c> admits.
/// </summary>
public static class PodSecurityRestricted
{
    private static readonly string[] AllowedVolumes = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

    public static void Holds(JsonNode pod, JsonNode container)
    {
        Assert.Null(pod["hostNetwork"]);
        Assert.Null(pod["hostPID"]);
        Assert.Null(pod["hostIPC"]);
        Assert.True((bool)pod.At("securityContext.runAsNonRoot")!);
        Assert.True((long)pod.At("securityContext.runAsUser")! > 0);
        Assert.Equal("RuntimeDefault", (string)pod.At("securityContext.seccompProfile.type")!);
        Assert.False((bool)container.At("securityContext.allowPrivilegeEscalation")!);
        Assert.Equal(["ALL"], container.At("securityContext.capabilities.drop")!.AsArray().Select(c => (string)c!));
        Assert.Null(container.At("securityContext.capabilities.add"));
        Assert.Null(container.At("securityContext.privileged"));
        Assert.Null(container["ports"]!.AsArray().FirstOrDefault(p => p!["hostPort"] is not null));
        Assert.All(pod["volumes"]!.AsArray(), v => Assert.Contains(v!.AsObject().Select(kv => kv.Key).Single(k => k != "name"), AllowedVolumes));
    }
}
