using k8s.Models;

namespace Infra.Servers.Coturn;

/// <summary>
/// The capability sets and no_new_privs a container's process gets from its securityContext, as the kubelet, containerd
/// and runc give them, and a <c>setpriv</c> command line that puts a process on this machine into exactly that state
/// before it execs the program (so the kernel's exec rules for file capabilities run as they would in the pod).
/// <list type="bullet">
/// <item><c>capabilities.drop: [ALL]</c> empties bounding, effective and permitted; each <c>add</c> goes into bounding,
/// effective and permitted (containerd <c>internal/cri/opts/spec_opts.go</c> <c>WithCapabilities</c>: "ALL" in drop →
/// <c>oci.WithCapabilities(nil)</c>, then <c>oci.WithAddedCapabilities</c>; <c>pkg/oci/spec_opts.go</c>
/// <c>WithAddedCapabilities</c> appends to Bounding, Effective and Permitted, and no longer to Inheritable since the
/// fix of CVE-2022-24769, GHSA-c9cp-9c75-9v8c).</item>
/// <item>Ambient: only from the CRI field <c>add_ambient_capabilities</c>, which the kubelet does not fill from
/// <c>capabilities.add</c>: empty. So for a non-root user an added capability survives exec only through a file
/// capability on the binary (capabilities(7), "Transformation of capabilities during execve()":
/// P'(permitted) = (P(inheritable) &amp; F(inheritable)) | (F(permitted) &amp; P(bounding)) | P'(ambient)).</item>
/// <item><c>allowPrivilegeEscalation: false</c> sets no_new_privs (kubelet → CRI <c>no_new_privs</c> → runc
/// <c>prctl(PR_SET_NO_NEW_PRIVS)</c> before the exec). Under it the kernel keeps a file capability only within the
/// permitted set the process already has (security/commoncap.c <c>cap_bprm_creds_from_file</c>:
/// <c>new->cap_permitted = cap_intersect(new->cap_permitted, old->cap_permitted)</c> when
/// <c>bprm->unsafe &amp; LSM_UNSAFE_NO_NEW_PRIVS</c>).</item>
/// </list>
/// </summary>
public sealed record ContainerCapabilities(
    IReadOnlyList<string> Bounding,
    IReadOnlyList<string> Permitted,
    IReadOnlyList<string> Effective,
    IReadOnlyList<string> Inheritable,
    IReadOnlyList<string> Ambient,
    bool NoNewPrivs)
{
    /// <summary>What the runtime gives a non-privileged container with <paramref name="context"/>.</summary>
    public static ContainerCapabilities For(V1SecurityContext context)
    {
        if (context.Privileged == true)
        {
            throw new ArgumentException("a privileged container gets every capability: not modelled", nameof(context));
        }
        var dropAll = context.Capabilities?.Drop?.Contains("ALL") ?? false;
        if (!dropAll)
        {
            throw new ArgumentException("only containers that drop ALL are modelled (the runtime's default set is not)", nameof(context));
        }
        var added = (context.Capabilities?.Add ?? []).Select(c => c.ToLowerInvariant().Replace("cap_", "")).Distinct().ToList();
        return new ContainerCapabilities(added, added, added, [], [], NoNewPrivs: context.AllowPrivilegeEscalation != true);
    }

    /// <summary>
    /// <c>setpriv</c> arguments that exec <paramref name="program"/> as <paramref name="uid"/>:<paramref name="gid"/> (plus
    /// <paramref name="groups"/>) with these sets. Two steps, because setpriv cannot set the permitted set directly: the
    /// first (as root) limits the bounding set, changes the user and raises the permitted capabilities as inheritable and
    /// ambient, so the second setpriv starts with exactly them permitted and effective (ambient ones survive the exec); the
    /// second sets inheritable and ambient to what the runtime gives, sets no_new_privs, and execs the program.
    /// </summary>
    public IReadOnlyList<string> SetprivArgs(string setpriv, long uid, long gid, IReadOnlyList<long> groups, string program, IEnumerable<string> args)
    {
        static string Caps(IReadOnlyList<string> caps) => string.Join(',', new[] { "-all" }.Concat(caps.Select(c => "+" + c)));
        var result = new List<string>
        {
            "--bounding-set", Caps(Bounding),
            "--reuid", uid.ToString(), "--regid", gid.ToString(),
        };
        result.AddRange(groups.Count == 0 ? ["--clear-groups"] : ["--groups", string.Join(',', groups)]);
        result.AddRange(["--inh-caps", Caps(Permitted), "--ambient-caps", Caps(Permitted), "--", setpriv]);
        if (NoNewPrivs)
        {
            result.Add("--no-new-privs");
        }
        result.AddRange(["--inh-caps", Caps(Inheritable), "--ambient-caps", Caps(Ambient), "--", program]);
        result.AddRange(args);
        return result;
    }

    /// <summary>The capability bit of a name, for reading <c>/proc/&lt;pid&gt;/status</c> (linux/capability.h).</summary>
    public static readonly IReadOnlyDictionary<string, int> Bits = new Dictionary<string, int> { ["net_bind_service"] = 10 };

    /// <summary>The capability lines and NoNewPrivs of <c>/proc/&lt;pid&gt;/status</c>: CapInh, CapPrm, CapEff, CapBnd, CapAmb as masks.</summary>
    public static IReadOnlyDictionary<string, ulong> ProcStatus(int pid) =>
        File.ReadAllLines($"/proc/{pid}/status")
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2 && (p[0].StartsWith("Cap", StringComparison.Ordinal) || p[0] == "NoNewPrivs"))
            .ToDictionary(p => p[0], p => p[0] == "NoNewPrivs" ? ulong.Parse(p[1].Trim()) : Convert.ToUInt64(p[1].Trim(), 16));

    public static ulong Mask(IEnumerable<string> caps) => caps.Aggregate(0UL, (m, c) => m | (1UL << Bits[c]));
}
