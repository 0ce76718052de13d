namespace Infra.Plan.Tests.Image;

/// <summary>The Dockerfile reader the image checks rely on, against the grammar of BuildKit's parser and lexer.</summary>
public class DockerfileParserTests
{
    [Fact]
    public void Continuations_join_lines_and_skip_comments_and_blank_lines_inside_them()
    {
        var d = Dockerfile.Parse("""
            # a comment before anything
            FROM alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000 AS build
            RUN set -eu; \
                # a comment inside the continuation is dropped
                echo one; \   

                echo two
            run echo lower-case keyword
            """);

        var runs = d.Stages[0].Of(DockerKeyword.Run).Select(r => r.Source).ToList();
        Assert.Equal(2, runs.Count);
        // the escape and newline go, the next line is appended as written (its indent included)
        Assert.Equal("set -eu;     echo one;     echo two", runs[0].Arguments);
        Assert.Equal(3, runs[0].Line);
        Assert.Equal("echo lower-case keyword", runs[1].Arguments);
        Assert.Equal(8, runs[1].Line);
    }

    [Fact]
    public void The_escape_directive_changes_the_continuation_character_and_directives_end_at_the_first_comment()
    {
        var d = Dockerfile.Parse("# escape=`\n# syntax=docker/dockerfile:1\n\n# not=a-directive-any-more\nFROM a\nRUN dir `\n  c:\\\n");
        Assert.Equal('`', d.Escape);
        Assert.Equal("docker/dockerfile:1", d.Directives["syntax"]);
        Assert.False(d.Directives.ContainsKey("not"));
        Assert.Equal("dir   c:\\", d.Final.Of(DockerKeyword.Run).Single().Source.Arguments);
    }

    [Fact]
    public void Global_args_reach_FROM_and_reach_a_stage_only_when_declared_there()
    {
        const string text = """
            ARG REGISTRY=docker.io
            ARG NAME=library/alpine TAG=3.24
            FROM --platform=$BUILDPLATFORM ${REGISTRY}/${NAME}:${TAG} AS build
            LABEL undeclared="${NAME}" fallback="${MISSING:-default}" unset="${TAG:+set}"
            ARG TAG
            ARG LOCAL=x-${TAG}
            LABEL declared="${TAG}" local="$LOCAL" alt="${TAG:+set}"
            FROM build
            """;

        var d = Dockerfile.Parse(text);
        var build = d.Stages[0];
        Assert.Equal("docker.io/library/alpine:3.24", build.Base);
        Assert.Equal("linux/amd64", build.Platform);
        Assert.Equal("build", build.Name);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["undeclared"] = "", ["fallback"] = "default", ["unset"] = "", ["declared"] = "3.24", ["local"] = "x-3.24", ["alt"] = "set",
            },
            build.Labels);
        Assert.Equal("build", d.Final.Base);

        // a build argument overrides the default, globally and where the stage declares it
        var overridden = Dockerfile.Parse(text, new Dictionary<string, string> { ["TAG"] = "edge" });
        Assert.Equal("docker.io/library/alpine:edge", overridden.Stages[0].Base);
        Assert.Equal("x-edge", overridden.Stages[0].Labels["local"]);
        Assert.Equal("edge", overridden.Global("TAG"));
    }

    [Fact]
    public void Labels_keep_quoted_blanks_and_escaped_quotes_and_read_the_legacy_form()
    {
        var d = Dockerfile.Parse("""
            FROM scratch
            ARG V=1.2
            LABEL a="x y" b='single $V' c=plain\ word d="say \"hi\" $V" \
                  e=${V}
            LABEL legacy value with spaces
            LABEL a=overridden
            """);

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["a"] = "overridden", ["b"] = "single $V", ["c"] = "plain word", ["d"] = "say \"hi\" 1.2", ["e"] = "1.2",
                ["legacy"] = "value with spaces",
            },
            d.Final.Labels);
    }

    [Fact]
    public void Entrypoint_is_exec_form_only_as_a_json_array_of_strings()
    {
        static CommandForm? Entry(string line) => Dockerfile.Parse($"FROM scratch\n{line}\n").Final.Entrypoint;

        Assert.Equal(["/livekit-server", "--dev"], Assert.IsType<CommandForm.Exec>(Entry("ENTRYPOINT [\"/livekit-server\", \"--dev\"]")).Argv);
        Assert.Equal("/livekit-server --dev", Assert.IsType<CommandForm.Shell>(Entry("ENTRYPOINT /livekit-server --dev")).Command);
        // single quotes are not JSON: Docker runs this through /bin/sh -c
        Assert.IsType<CommandForm.Shell>(Entry("ENTRYPOINT ['/livekit-server']"));
        Assert.Null(Entry("USER 1:1"));
    }

    [Fact]
    public void Copy_reads_flags_sources_and_destination()
    {
        var d = Dockerfile.Parse("""
            FROM scratch AS build
            FROM scratch
            ARG BIN=/out/server
            COPY --from=build --chown=0:0 ${BIN} /usr/local/bin/
            COPY ["a b", "/dst/"]
            """);

        Assert.Collection(d.Final.Copies,
            c =>
            {
                Assert.Equal("build", c.From);
                Assert.Equal(["/out/server"], c.Sources);
                Assert.Equal("/usr/local/bin/", c.Destination);
            },
            c =>
            {
                Assert.Null(c.From);
                Assert.Equal(["a b"], c.Sources);
            });
        Assert.True(d.IsStage("build") && d.IsStage("0") && !d.IsStage("alpine"));
    }

    [Fact]
    public void Env_sets_variables_for_later_instructions_of_its_stage()
    {
        var d = Dockerfile.Parse("FROM scratch\nENV CGO_ENABLED=0 GOFLAGS=\"-trimpath -a\"\nRUN go build\nFROM scratch\nRUN x\n");
        Assert.Equal("0", d.Stages[0].Of(DockerKeyword.Run).Single().Variables["CGO_ENABLED"]);
        Assert.Equal("-trimpath -a", d.Stages[0].Of(DockerKeyword.Run).Single().Variables["GOFLAGS"]);
        Assert.False(d.Stages[1].Of(DockerKeyword.Run).Single().Variables.ContainsKey("CGO_ENABLED"));
    }

    [Theory]
    [InlineData("RUN echo before FROM\nFROM a", "only ARG may come before the first FROM")]
    [InlineData("FROM a\nFETCH b", "unknown instruction FETCH")]
    [InlineData("FROM a\nRUN <<EOF\necho\nEOF", "here-documents are not supported")]
    [InlineData("FROM a b", "FROM image [AS name]")]
    [InlineData("ARG X=\"open\nFROM a", "unterminated")]
    [InlineData("# nothing but a comment", "no FROM")]
    public void Malformed_dockerfiles_are_refused_with_the_reason(string text, string reason)
    {
        var e = Assert.ThrowsAny<Exception>(() => Dockerfile.Parse(text));
        Assert.True(e is FormatException or NotSupportedException, e.ToString());
        Assert.Contains(reason, e.Message);
    }
}
