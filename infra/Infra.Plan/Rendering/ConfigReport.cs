using System.Text;
using Infra.Plan.Spec;

namespace Infra.Plan.Rendering;

/// <summary>
/// <c>report/config.md</c>: every key with the value the stack sets or the default it gets. Secure values
/// are reported as set, never shown (render does not decrypt them).
/// </summary>
public static class ConfigReport
{
    public static string Build(string stack, IEnumerable<KeyValuePair<string, ConfigValue>> config)
    {
        var given = new Dictionary<string, ConfigValue>();
        foreach (var (key, value) in config)
        {
            var name = key.StartsWith(ConfigKey.Project + ":", StringComparison.Ordinal) ? key[(ConfigKey.Project.Length + 1)..] : key;
            given[name] = value;
        }
        var sb = new StringBuilder();
        sb.AppendLine($"# Config: stack `{stack}`");
        sb.AppendLine();
        sb.AppendLine("| key | value | from |");
        sb.AppendLine("|---|---|---|");
        foreach (var key in ConfigSchema.AllKeys)
        {
            if (given.TryGetValue(key.Name, out var value))
            {
                var shown = value is ConfigValue.Secret ? "(secret: set)" : Escape(value.Display);
                sb.AppendLine($"| `{key.FullName}` | {shown} | stack |");
            }
            else
            {
                var shown = key.Secret ? "(secret: not set)" : ConfigDocs.DefaultText(key);
                sb.AppendLine($"| `{key.FullName}` | {Escape(shown)} | default |");
            }
        }
        return sb.ToString();
    }

    private static string Escape(string text) => text.Replace("|", "\\|").Replace("\n", " ");
}
