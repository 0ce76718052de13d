using System.Text;

namespace Infra.Plan.Tests.Image;

/// <summary>
/// Words and variables of instruction arguments as BuildKit's shell lexer treats them (moby/buildkit
/// frontend/dockerfile/shell/lex.go; docs/reference.md "Environment replacement"): words split on unquoted blanks;
/// single quotes are literal; in double quotes <c>$</c> expands and the escape character escapes only
/// <c>" $ \</c> and the escape character; outside quotes it escapes any character; <c>$name</c>, <c>${name}</c>,
/// <c>${name:-word}</c>, <c>${name-word}</c>, <c>${name:+word}</c>, <c>${name+word}</c>; an unset variable is empty.
/// </summary>
public static class DockerWords
{
    /// <summary>Splits on unquoted blanks, keeping quotes and escapes in each word for <see cref="Expand"/>.</summary>
    public static IReadOnlyList<string> Split(string text, char escape)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        char? quote = null;
        var inWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is null && c is ' ' or '\t')
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            word.Append(c);
            if (c == escape && quote != '\'' && i + 1 < text.Length)
            {
                word.Append(text[++i]);
            }
            else if (quote is null && c is '"' or '\'')
            {
                quote = c;
            }
            else if (quote == c)
            {
                quote = null;
            }
        }
        if (quote is not null)
        {
            throw new FormatException($"unterminated {quote} quote in: {text}");
        }
        if (inWord)
        {
            words.Add(word.ToString());
        }
        return words;
    }

    /// <summary>Removes quotes and escapes and replaces variables from <paramref name="vars"/>.</summary>
    public static string Expand(string word, IReadOnlyDictionary<string, string> vars, char escape)
    {
        var result = new StringBuilder();
        char? quote = null;
        for (var i = 0; i < word.Length; i++)
        {
            var c = word[i];
            if (quote == '\'')
            {
                if (c == '\'')
                {
                    quote = null;
                }
                else
                {
                    result.Append(c);
                }
            }
            else if (c == escape && i + 1 < word.Length)
            {
                var next = word[i + 1];
                if (quote == '"' && next is not ('"' or '$') && next != escape)
                {
                    result.Append(c); // inside double quotes only " $ and the escape character are escaped
                }
                else
                {
                    result.Append(next);
                    i++;
                }
            }
            else if (c == '$')
            {
                i = Variable(word, i, vars, escape, result);
            }
            else if (quote is null && c is '"' or '\'')
            {
                quote = c;
            }
            else if (quote == '"' && c == '"')
            {
                quote = null;
            }
            else
            {
                result.Append(c);
            }
        }
        return result.ToString();
    }

    /// <summary>Expands every word of <paramref name="text"/> and joins them with single spaces.</summary>
    public static string ExpandAll(string text, IReadOnlyDictionary<string, string> vars, char escape) =>
        string.Join(' ', Split(text, escape).Select(w => Expand(w, vars, escape)));

    // Appends the value of the variable that starts at word[dollar]; returns the index of its last character.
    private static int Variable(string word, int dollar, IReadOnlyDictionary<string, string> vars, char escape, StringBuilder result)
    {
        var i = dollar + 1;
        if (i < word.Length && word[i] == '{')
        {
            var close = ClosingBrace(word, i);
            var inner = word[(i + 1)..close];
            var name = new string(inner.TakeWhile(IsNameChar).ToArray());
            if (name.Length == 0)
            {
                throw new FormatException($"bad substitution in: {word}");
            }
            var op = inner[name.Length..];
            var set = vars.TryGetValue(name, out var value);
            result.Append(op switch
            {
                "" => value ?? "",
                _ when op.StartsWith(":-", StringComparison.Ordinal) => string.IsNullOrEmpty(value) ? Expand(op[2..], vars, escape) : value,
                _ when op.StartsWith(":+", StringComparison.Ordinal) => string.IsNullOrEmpty(value) ? "" : Expand(op[2..], vars, escape),
                _ when op.StartsWith('-') => set ? value : Expand(op[1..], vars, escape),
                _ when op.StartsWith('+') => set ? Expand(op[1..], vars, escape) : "",
                _ => throw new NotSupportedException($"substitution {op} is not supported by this parser: {word}"),
            });
            return close;
        }
        var length = word[i..].TakeWhile(IsNameChar).Count();
        if (length == 0)
        {
            result.Append('$');
            return dollar;
        }
        result.Append(vars.TryGetValue(word.Substring(i, length), out var v) ? v : "");
        return i + length - 1;
    }

    private static int ClosingBrace(string word, int open)
    {
        var depth = 0;
        for (var k = open; k < word.Length; k++)
        {
            depth += word[k] switch { '{' => 1, '}' => -1, _ => 0 };
            if (depth == 0)
            {
                return k;
            }
        }
        throw new FormatException($"missing }} in: {word}");
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
