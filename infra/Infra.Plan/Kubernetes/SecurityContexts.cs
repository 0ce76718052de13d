using k8s.Models;

namespace Infra.Plan.Kubernetes;

/// <summary>Container security contexts shared by the components.</summary>
public static class SecurityContexts
{
    /// <summary>Pod Security "restricted", plus a read-only root filesystem: every written path is a volume.</summary>
    public static V1SecurityContext Restricted() => new()
    {
        RunAsNonRoot = true,
        AllowPrivilegeEscalation = false,
        ReadOnlyRootFilesystem = true,
        Capabilities = new V1Capabilities { Drop = ["ALL"] },
        SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
    };
}
