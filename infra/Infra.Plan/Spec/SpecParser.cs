using Infra.Plan.Spec.Sections;

namespace Infra.Plan.Spec;

/// <summary>
/// The outcome of parsing (or of parsing and checking: Planner.Validate, a later layer): the spec and every mistake
/// found. With errors, <see cref="Spec"/> holds the defaults in place of the bad values: good enough to derive from and
/// run the other rules on, never to plan from.
/// </summary>
public sealed record SpecResult(EnvironmentSpec Spec, IReadOnlyList<ConfigError> Errors)
{
    public bool Ok => Errors.Count == 0;

    /// <summary>The spec, or a <see cref="ConfigException"/> listing every error.</summary>
    public EnvironmentSpec OrThrow() => Ok ? Spec : throw new ConfigException(Errors);
}

/// <summary>
/// Parses the stack's config entries, keyed as in Pulumi (<c>matrix-rtc:tier</c>), one key at a time: types, ranges,
/// formats and rules about a single key (each with its key, in Spec/Sections). Keys of other namespaces (e.g.
/// <c>kubernetes:</c>) are left alone; unknown keys of ours are errors, so a typo never passes silently. Rules that
/// involve several keys or derived values run afterwards (Checks/ConfigRules.cs, after derivation).
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

        var spec = EnvironmentSpec.Read(stack, new ConfigReader(ours, errors));
        return new SpecResult(spec, errors);
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
