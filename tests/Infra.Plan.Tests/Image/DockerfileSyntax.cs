using System.Text;
using System.Text.RegularExpressions;

namespace Infra.Plan.Tests.Image;

/// <summary>The Dockerfile instructions (the reference's list; anything else is an error, as in BuildKit).</summary>
public enum DockerKeyword
{
    From, Arg, Run, Copy, Add, Env, Label, User, Entrypoint, Cmd, Workdir, Shell, Expose, Volume, Healthcheck,
    Onbuild, Stopsignal, Maintainer,
}

/// <summary>One instruction after line continuations are joined and comments dropped.</summary>
/// <param name="Flags">Leading <c>--name=value</c> options (FROM, COPY, ADD, RUN); a bare <c>--name</c> has value "true".</param>
/// <param name="Arguments">The rest of the line, unexpanded.</param>
/// <param name="Line">1-based line where the instruction starts.</param>
public sealed record DockerInstruction(DockerKeyword Keyword, IReadOnlyDictionary<string, string> Flags, string Arguments, int Line);

/// <summary>
/// The Dockerfile grammar as BuildKit's parser implements it (moby/buildkit frontend/dockerfile/parser/parser.go and
/// docs/reference.md "Format", "Parser directives"): parser directives (<c># syntax=</c>, <c># escape=</c>,
/// <c># check=</c>) only before the first comment, blank line or instruction; <c>#</c> lines are comments, also in the
/// middle of a continued instruction; an escape character (default <c>\</c>) followed only by spaces or tabs continues
/// the line, and the next line is appended as it is; blank lines inside a continuation are skipped; keywords are
/// case-insensitive. Here-documents (<c>&lt;&lt;EOF</c>) are refused rather than misread.
/// </summary>
public static partial class DockerfileSyntax
{
    public static readonly string[] KnownDirectives = ["syntax", "escape", "check"];

    public static (IReadOnlyDictionary<string, string> Directives, char Escape, IReadOnlyList<DockerInstruction> Instructions) Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var directives = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        for (; i < lines.Length; i++)
        {
            var m = Directive().Match(lines[i]);
            if (!m.Success || !KnownDirectives.Contains(m.Groups[1].Value.ToLowerInvariant()))
            {
                break;
            }
            if (!directives.TryAdd(m.Groups[1].Value.ToLowerInvariant(), m.Groups[2].Value.Trim()))
            {
                throw new FormatException($"line {i + 1}: parser directive {m.Groups[1].Value} given twice");
            }
        }
        var escape = directives.TryGetValue("escape", out var e) ? e switch
        {
            "\\" => '\\',
            "`" => '`',
            _ => throw new FormatException($"escape directive must be \\ or `, not {e}"),
        } : '\\';

        var instructions = new List<DockerInstruction>();
        var current = new StringBuilder();
        var start = 0;
        for (; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.TrimStart(' ', '\t');
            if (trimmed.StartsWith('#') || (current.Length > 0 && trimmed.Length == 0))
            {
                continue; // a comment, or a blank line inside a continuation
            }
            if (current.Length == 0)
            {
                if (trimmed.Length == 0)
                {
                    continue;
                }
                start = i + 1;
            }
            var body = line.TrimEnd(' ', '\t');
            if (body.EndsWith(escape) && !EndsWithEscapedEscape(body, escape))
            {
                current.Append(body[..^1]);
                continue;
            }
            current.Append(current.Length == 0 ? trimmed : line);
            instructions.Add(Instruction(current.ToString().Trim(), start));
            current.Clear();
        }
        if (current.Length > 0)
        {
            instructions.Add(Instruction(current.ToString().Trim(), start));
        }
        return (directives, escape, instructions);
    }

    // "a \\" ends with an escaped escape character: not a continuation.
    private static bool EndsWithEscapedEscape(string body, char escape)
    {
        var n = 0;
        for (var k = body.Length - 1; k >= 0 && body[k] == escape; k--)
        {
            n++;
        }
        return n % 2 == 0;
    }

    private static DockerInstruction Instruction(string text, int line)
    {
        var space = text.IndexOfAny([' ', '\t']);
        var word = space < 0 ? text : text[..space];
        var rest = space < 0 ? "" : text[(space + 1)..].TrimStart(' ', '\t');
        if (!Enum.TryParse<DockerKeyword>(word, ignoreCase: true, out var keyword) || !word.All(char.IsLetter))
        {
            throw new FormatException($"line {line}: unknown instruction {word}");
        }
        if (keyword is DockerKeyword.Run or DockerKeyword.Copy or DockerKeyword.Add && HereDoc().IsMatch(rest))
        {
            throw new NotSupportedException($"line {line}: here-documents are not supported by this parser");
        }
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (keyword is DockerKeyword.From or DockerKeyword.Copy or DockerKeyword.Add or DockerKeyword.Run)
        {
            while (FlagPattern().Match(rest) is { Success: true } f)
            {
                flags[f.Groups[1].Value] = f.Groups[2].Success ? f.Groups[2].Value : "true";
                rest = rest[f.Length..].TrimStart(' ', '\t');
            }
        }
        return new DockerInstruction(keyword, flags, rest, line);
    }

    [GeneratedRegex(@"^#\s*([A-Za-z]+)\s*=\s*(.*)$")]
    private static partial Regex Directive();

    [GeneratedRegex(@"^--([a-z][a-z-]*)(?:=(\S*))?(?:\s+|$)")]
    private static partial Regex FlagPattern();

    [GeneratedRegex(@"<<-?[""']?[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex HereDoc();
}
