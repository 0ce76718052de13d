namespace Infra.Plan.Components.Coturn;

/// <summary>Where the coturn pod's files live. The scripts take these as defaults and accept overrides (tests run them in a temp dir).</summary>
public static class CoturnPaths
{
    /// <summary>The ConfigMap: turnserver.conf without secrets, the scripts, the NAT map.</summary>
    public const string TemplateDir = "/etc/coturn/template";
    /// <summary>The TURN shared-secret Secret (keys <c>secret</c>, optional <c>previous</c>).</summary>
    public const string SecretDir = "/etc/coturn/secret";
    /// <summary>The kubernetes.io/tls Secret for the TURN name.</summary>
    public const string TlsDir = "/etc/coturn/tls";
    /// <summary>
    /// The projected service-account token and the cluster CA, mounted into the init container only (the pod keeps
    /// <c>automountServiceAccountToken: false</c>): the discovery step reads the Node's ExternalIP with them.
    /// </summary>
    public const string KubeApiDir = "/etc/coturn/kube-api";
    /// <summary>Memory-backed emptyDir holding the final config (it contains the secret: never on disk).</summary>
    public const string RunDir = "/run/coturn";
    /// <summary>emptyDir shared with the reloader: only the pid file, so the reloader never sees the config.</summary>
    public const string PidDir = "/run/coturn-pid";

    public const string ConfigFile = RunDir + "/turnserver.conf";
    public const string PidFile = PidDir + "/turnserver.pid";
    public const string CertFile = TlsDir + "/tls.crt";
    public const string KeyFile = TlsDir + "/tls.key";
    public const string KubeTokenFile = KubeApiDir + "/token";
    public const string KubeCaFile = KubeApiDir + "/ca.crt";

    public const string TemplateConf = "turnserver.conf";
    public const string InitScript = "init.sh";
    public const string ReloadScript = "reload-on-cert-change.sh";
    public const string ExternalIps = "external-ips";
}
