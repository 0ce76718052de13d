using System.Text.Json;

namespace Infra.Plan.Tests.Image;

/// <summary>An instruction with the build variables (ARG and ENV) in effect where it stands.</summary>
public sealed record ResolvedInstruction(DockerInstruction Source, IReadOnlyDictionary<string, string> Variables);

/// <summary>ENTRYPOINT / CMD / RUN: the JSON exec form, or the shell form that runs under <c>/bin/sh -c</c>.</summary>
public abstract record CommandForm
{
    public sealed record Exec(IReadOnlyList<string> Argv) : CommandForm;

    public sealed record Shell(string Command) : CommandForm;

    /// <summary>The reference: a JSON array of strings is the exec form, anything else the shell form.</summary>
    public static CommandForm Of(string arguments)
    {
        var text = arguments.Trim();
        if (text.StartsWith('['))
        {
            try
            {
                if (JsonSerializer.Deserialize<string[]>(text) is { } argv)
                {
                    return new Exec(argv);
                }
            }
            catch (JsonException)
            {
                // not JSON: the shell form, as Docker falls back
            }
        }
        return new Shell(text);
    }
}

/// <summary>A COPY or ADD: <c>--from</c> (a stage name or index, or an image), sources and destination, expanded.</summary>
public sealed record CopyInstruction(string? From, IReadOnlyList<string> Sources, string Destination, int Line);

/// <summary>One build stage: its base (expanded), name, platform flag and instructions.</summary>
public sealed record DockerStage(int Index, string Base, string? Name, string? Platform, IReadOnlyList<ResolvedInstruction> Instructions, char Escape)
{
    public IEnumerable<ResolvedInstruction> Of(DockerKeyword keyword) => Instructions.Where(i => i.Source.Keyword == keyword);

    /// <summary>LABEL key=value pairs, later ones overriding earlier ones (legacy <c>LABEL key value</c> too).</summary>
    public IReadOnlyDictionary<string, string> Labels
    {
        get
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var label in Of(DockerKeyword.Label))
            {
                foreach (var (key, value) in Pairs(label, Escape))
                {
                    labels[key] = value;
                }
            }
            return labels;
        }
    }

    /// <summary>The last USER (the one the image runs as), expanded; null when the stage sets none.</summary>
    public string? User => Of(DockerKeyword.User).Select(u => DockerWords.ExpandAll(u.Source.Arguments, u.Variables, Escape)).LastOrDefault();

    /// <summary>
    /// The working directory the stage leaves: its last WORKDIR, a relative one joined to the WORKDIR before it (Dockerfile
    /// reference "WORKDIR"); null when the stage sets none, so the base image's applies.
    /// </summary>
    public string? Workdir => Of(DockerKeyword.Workdir)
        .Select(w => DockerWords.ExpandAll(w.Source.Arguments, w.Variables, Escape).Trim())
        .Aggregate((string?)null, (previous, dir) => dir.StartsWith('/') || previous is null ? dir : $"{previous.TrimEnd('/')}/{dir}");

    public CommandForm? Entrypoint => Of(DockerKeyword.Entrypoint).Select(e => CommandForm.Of(e.Source.Arguments)).LastOrDefault();

    public CommandForm? Cmd => Of(DockerKeyword.Cmd).Select(e => CommandForm.Of(e.Source.Arguments)).LastOrDefault();

    public IReadOnlyList<CopyInstruction> Copies => Instructions
        .Where(i => i.Source.Keyword is DockerKeyword.Copy or DockerKeyword.Add)
        .Select(i =>
        {
            var words = CommandForm.Of(i.Source.Arguments) is CommandForm.Exec exec
                ? exec.Argv.Select(a => DockerWords.Expand(a.Replace("\"", "\\\""), i.Variables, Escape)).ToList()
                : DockerWords.Split(i.Source.Arguments, Escape).Select(w => DockerWords.Expand(w, i.Variables, Escape)).ToList();
            if (words.Count < 2)
            {
                throw new FormatException($"line {i.Source.Line}: COPY needs a source and a destination");
            }
            return new CopyInstruction(i.Source.Flags.GetValueOrDefault("from"), words[..^1], words[^1], i.Source.Line);
        })
        .ToList();

    /// <summary>Expanded key=value pairs of a LABEL or ENV (the legacy one-pair <c>KEY value</c> form included).</summary>
    public static IEnumerable<(string Key, string Value)> Pairs(ResolvedInstruction instruction, char escape)
    {
        var arguments = instruction.Source.Arguments.Trim();
        var words = DockerWords.Split(arguments, escape);
        if (words.Count > 0 && !words[0].Contains('='))
        {
            // LABEL key value with spaces / ENV KEY value with spaces: the first word is the key, the rest the value.
            var rest = arguments[words[0].Length..].Trim();
            yield return (DockerWords.Expand(words[0], instruction.Variables, escape), DockerWords.Expand(rest, instruction.Variables, escape));
            yield break;
        }
        foreach (var word in words)
        {
            var eq = word.IndexOf('=');
            if (eq <= 0)
            {
                throw new FormatException($"line {instruction.Source.Line}: {word} is not key=value");
            }
            yield return (DockerWords.Expand(word[..eq], instruction.Variables, escape), DockerWords.Expand(word[(eq + 1)..], instruction.Variables, escape));
        }
    }
}

/// <summary>
/// A parsed Dockerfile with its build variables resolved as BuildKit does (docs/reference.md "ARG", "Scope",
/// "Automatic platform ARGs in the global scope"): ARGs before the first FROM are global and usable only in FROM
/// lines; inside a stage an <c>ARG name</c> without a value takes the global default (or the build argument); a
/// build argument overrides any declared default; ENV adds variables for later instructions of the stage.
/// </summary>
public sealed record Dockerfile(IReadOnlyDictionary<string, string> Directives, char Escape, IReadOnlyList<DockerInstruction> Instructions,
    IReadOnlyDictionary<string, string> GlobalArgs, IReadOnlyList<DockerStage> Stages)
{
    /// <summary>What the automatic platform ARGs hold when resolving for one target (BuildKit sets them per build).</summary>
    public static readonly IReadOnlyDictionary<string, string> LinuxAmd64 = new Dictionary<string, string>
    {
        ["BUILDPLATFORM"] = "linux/amd64", ["BUILDOS"] = "linux", ["BUILDARCH"] = "amd64", ["BUILDVARIANT"] = "",
        ["TARGETPLATFORM"] = "linux/amd64", ["TARGETOS"] = "linux", ["TARGETARCH"] = "amd64", ["TARGETVARIANT"] = "",
    };

    public DockerStage Final => Stages[^1];

    public DockerStage Stage(string nameOrIndex) =>
        Stages.SingleOrDefault(s => s.Name == nameOrIndex || s.Index.ToString(System.Globalization.CultureInfo.InvariantCulture) == nameOrIndex)
        ?? throw new InvalidOperationException($"no stage {nameOrIndex}");

    public bool IsStage(string nameOrIndex) => Stages.Any(s => s.Name == nameOrIndex || s.Index.ToString(System.Globalization.CultureInfo.InvariantCulture) == nameOrIndex);

    public static Dockerfile Load(string path, IReadOnlyDictionary<string, string>? buildArgs = null) => Parse(File.ReadAllText(path), buildArgs);

    public static Dockerfile Parse(string text, IReadOnlyDictionary<string, string>? buildArgs = null)
    {
        buildArgs ??= new Dictionary<string, string>();
        var (directives, escape, instructions) = DockerfileSyntax.Parse(text);
        var globals = new Dictionary<string, string>(StringComparer.Ordinal);
        var stages = new List<DockerStage>();
        List<ResolvedInstruction>? body = null;
        Dictionary<string, string>? vars = null;
        (string Base, string? Name, string? Platform) header = ("", null, null);

        void Close()
        {
            if (body is not null)
            {
                stages.Add(new DockerStage(stages.Count, header.Base, header.Name, header.Platform, body, escape));
            }
        }

        foreach (var instruction in instructions)
        {
            if (instruction.Keyword == DockerKeyword.From)
            {
                Close();
                var scope = new Dictionary<string, string>(LinuxAmd64);
                foreach (var (k, v) in globals)
                {
                    scope[k] = v;
                }
                var words = DockerWords.Split(instruction.Arguments, escape);
                if (words.Count is not (1 or 3) || (words.Count == 3 && !words[1].Equals("AS", StringComparison.OrdinalIgnoreCase)))
                {
                    throw new FormatException($"line {instruction.Line}: FROM image [AS name], not: {instruction.Arguments}");
                }
                var platform = instruction.Flags.GetValueOrDefault("platform");
                header = (DockerWords.Expand(words[0], scope, escape), words.Count == 3 ? words[2] : null,
                    platform is null ? null : DockerWords.Expand(platform, scope, escape));
                body = [new ResolvedInstruction(instruction, scope)];
                vars = new Dictionary<string, string>(StringComparer.Ordinal);
                continue;
            }
            if (body is null)
            {
                if (instruction.Keyword != DockerKeyword.Arg)
                {
                    throw new FormatException($"line {instruction.Line}: only ARG may come before the first FROM, not {instruction.Keyword}");
                }
                Declare(instruction, globals, globals, buildArgs, escape);
                continue;
            }
            body.Add(new ResolvedInstruction(instruction, new Dictionary<string, string>(vars!)));
            switch (instruction.Keyword)
            {
                case DockerKeyword.Arg:
                    Declare(instruction, vars!, globals, buildArgs, escape);
                    break;
                case DockerKeyword.Env:
                    foreach (var (k, v) in DockerStage.Pairs(body[^1], escape))
                    {
                        vars![k] = v;
                    }
                    break;
            }
        }
        Close();
        if (stages.Count == 0)
        {
            throw new FormatException("no FROM instruction");
        }
        return new Dockerfile(directives, escape, instructions, globals, stages);
    }

    // ARG name[=default] ...: a build argument wins; else the default; else (in a stage) the global default.
    private static void Declare(DockerInstruction instruction, Dictionary<string, string> into, IReadOnlyDictionary<string, string> globals,
        IReadOnlyDictionary<string, string> buildArgs, char escape)
    {
        foreach (var word in DockerWords.Split(instruction.Arguments, escape))
        {
            var eq = word.IndexOf('=');
            var name = eq < 0 ? word : word[..eq];
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                throw new FormatException($"line {instruction.Line}: bad ARG name in {word}");
            }
            if (buildArgs.TryGetValue(name, out var given))
            {
                into[name] = given;
            }
            else if (eq >= 0)
            {
                into[name] = DockerWords.Expand(word[(eq + 1)..], into, escape);
            }
            else if (globals.TryGetValue(name, out var global))
            {
                into[name] = global;
            }
            else if (LinuxAmd64.TryGetValue(name, out var automatic))
            {
                into[name] = automatic;
            }
        }
    }

    /// <summary>The value of a global ARG: its declared default, or the build argument when one was given; null if unset.</summary>
    public string? Global(string name) => GlobalArgs.GetValueOrDefault(name);
}
