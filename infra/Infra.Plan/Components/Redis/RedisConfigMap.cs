using System.Security.Cryptography;
using System.Text;
using k8s.Models;
using Infra.Plan.Kubernetes;

namespace Infra.Plan.Components.Redis;

/// <summary>The config templates and scripts, mounted read-only at <see cref="RedisLayout.ScriptDir"/>. No secret is in it.</summary>
public static class RedisConfigMap
{
    public const string RedisConfKey = "redis.conf";
    public const string SentinelConfKey = "sentinel.conf";

    /// <summary>Every file, by name; sorted so the ConfigMap and its checksum are deterministic.</summary>
    public static SortedDictionary<string, string> Files(RedisLayout l) => new(StringComparer.Ordinal)
    {
        [RedisConfKey] = RedisConfigFiles.RedisConf(l),
        [SentinelConfKey] = RedisConfigFiles.SentinelConf(l),
        [RedisScripts.Common] = RedisScripts.CommonSh(l),
        [RedisScripts.RedisStart] = RedisScripts.RedisStartSh(l),
        [RedisScripts.SentinelStart] = RedisScripts.SentinelStartSh(l),
        [RedisScripts.PreStop] = RedisScripts.PreStopSh(l),
        [RedisScripts.Probe] = RedisScripts.ProbeSh(l),
    };

    public static V1ConfigMap Build(RedisLayout l) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = Meta.Object(RedisLayout.ConfigMapName, l.Namespace, Names.Redis),
        Data = new Dictionary<string, string>(Files(l), StringComparer.Ordinal),
    };

    /// <summary>
    /// SHA-256 of the files, put on the pod template: a changed script or config rolls the pods (one at a
    /// time, behind the PDB and preStop), instead of waiting for a restart that may never come.
    /// </summary>
    public static string Checksum(RedisLayout l)
    {
        var sb = new StringBuilder();
        foreach (var (name, content) in Files(l))
        {
            sb.Append(name).Append('\0').Append(content).Append('\0');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }
}
