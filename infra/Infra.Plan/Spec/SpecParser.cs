using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Spec;

/// <summary>The outcome of parsing: a spec, or every mistake found.</summary>
public sealed record SpecResult(EnvironmentSpec? Spec, IReadOnlyList<ConfigError> Errors)
{
    public bool Ok => Errors.Count == 0;

    /// <summary>The spec, or a <see cref="ConfigException"/> listing every error.</summary>
    public EnvironmentSpec OrThrow() => Ok ? Spec! : throw new ConfigException(Errors);
}

/// <summary>
/// The one parser both front ends use. Input: the stack's config entries, keyed as in Pulumi
/// (<c>matrix-rtc:tier</c>); keys of other namespaces (e.g. <c>kubernetes:</c>) are left alone, unknown
/// keys of ours are errors, so a typo never passes silently.
/// </summary>
public static class SpecParser
{
    public static SpecResult Parse(string stack, IEnumerable<KeyValuePair<string, ConfigValue>> config)
    {
        var errors = new List<ConfigError>();
        var ours = new Dictionary<string, ConfigValue>(StringComparer.Ordinal);
        foreach (var (fullKey, value) in config)
        {
            var colon = fullKey.IndexOf(':');
            var (ns, name) = colon < 0 ? (ConfigKey.Project, fullKey) : (fullKey[..colon], fullKey[(colon + 1)..]);
            if (ns != ConfigKey.Project)
            {
                continue;
            }
            if (ConfigSchema.Find(name) is null)
            {
                errors.Add(new ConfigError($"{ConfigKey.Project}:{name}", "is not a known key" + Suggest(name)));
                continue;
            }
            ours[name] = value;
        }

        var r = new ConfigReader(ours, errors);
        var spec = new EnvironmentSpec(
            stack,
            SiteSection.Read(r),
            LoadSection.Read(r),
            ImagesSection.Read(r),
            NodesSection.Read(r),
            PortsSection.Read(r),
            TlsSection.Read(r),
            RedisSection.Read(r),
            SfuSection.Read(r),
            TurnSection.Read(r),
            SynapseSection.Read(r),
            ClusterSection.Read(r),
            ObservabilitySection.Read(r));
        // Cross-key rules run even when single keys failed (those fall back to defaults), so one run
        // reports every mistake.
        errors.AddRange(SpecValidation.Check(spec));
        return errors.Count == 0 ? new SpecResult(spec, []) : new SpecResult(null, errors);
    }

    private static string Suggest(string name)
    {
        var best = ConfigSchema.AllKeys
            .Select(k => (k.Name, Distance: Levenshtein(name.ToLowerInvariant(), k.Name.ToLowerInvariant())))
            .OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal).First();
        return best.Distance <= Math.Max(2, name.Length / 4)
            ? $"; did you mean {ConfigKey.Project}:{best.Name}?"
            : "; see the config reference in README.md";
    }

    private static int Levenshtein(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
        }
        return d[a.Length, b.Length];
    }
}
