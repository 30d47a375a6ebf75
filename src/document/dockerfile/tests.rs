use super::*;
use crate::source::SourceFile;

fn at(text: &str, span: Span) -> (usize, usize) {
    let f = SourceFile::in_memory("Dockerfile", text);
    let lc = f.line_col(span.start);
    (lc.line, lc.column)
}

fn errors(df: &Dockerfile, text: &str) -> Vec<(usize, usize, String)> {
    df.diagnostics
        .iter()
        .map(|d| {
            let (l, c) = at(text, d.span);
            (l, c, d.message.clone())
        })
        .collect()
}

fn kinds(df: &Dockerfile) -> Vec<Keyword> {
    df.instructions.iter().map(|i| i.keyword).collect()
}

#[test]
fn keywords_are_case_insensitive_and_located() {
    let text = "from alpine:3.20\n  Run echo hi\nuser app\n";
    let df = parse(text);
    assert!(df.diagnostics.is_empty(), "{:?}", df.diagnostics);
    assert_eq!(kinds(&df), vec![Keyword::From, Keyword::Run, Keyword::User]);
    assert_eq!(at(text, df.instructions[1].keyword_span), (2, 3));
    assert_eq!(df.instructions[1].keyword_text, "Run");
    assert_eq!(df.instructions[1].args_text(), "echo hi");
    assert_eq!(at(text, df.instructions[1].args_span()), (2, 7));
}

#[test]
fn backslash_continuations_skip_comments_and_empty_lines() {
    let text =
        "FROM alpine\nRUN apk add \\\n# a comment inside\n\n    curl \\\n    git\nUSER 1000\n";
    let df = parse(text);
    assert!(df.diagnostics.is_empty(), "{:?}", df.diagnostics);
    let run = &df.instructions[1];
    assert_eq!(run.logical.text, "RUN apk add     curl     git");
    assert_eq!(at(text, run.span), (2, 1));
    let Body::Command(Command::Shell { text: cmd, span }) = &run.body else {
        panic!("{:?}", run.body)
    };
    assert_eq!(cmd, "apk add     curl     git");
    assert_eq!(at(text, *span), (2, 5));
    // `git` is on line 6, column 5.
    let git = run.logical.text.find("git").unwrap();
    assert_eq!(at(text, run.logical.span(git..git + 3)), (6, 5));
    assert_eq!(&text[run.logical.span(git..git + 3).range()], "git");
    assert_eq!(at(text, df.instructions[2].span), (7, 1));
}

#[test]
fn backtick_escape_directive_changes_continuations() {
    let text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nRUN dir c:\\ `\n    && echo done\nUSER ContainerUser\n";
    let df = parse(text);
    assert!(df.diagnostics.is_empty(), "{:?}", df.diagnostics);
    assert_eq!(df.escape, '`');
    assert_eq!(df.directives[0].name, "escape");
    assert_eq!(df.instructions.len(), 3);
    assert_eq!(df.instructions[1].args_text(), "dir c:\\     && echo done");
    assert_eq!(at(text, df.instructions[2].span), (5, 1));
}

#[test]
fn with_default_escape_a_trailing_backtick_does_not_continue() {
    let text = "FROM alpine\nRUN echo `\nUSER 1\n";
    let df = parse(text);
    assert_eq!(kinds(&df), vec![Keyword::From, Keyword::Run, Keyword::User]);
}

#[test]
fn directives_stop_at_the_first_other_line() {
    let text = "# syntax=docker/dockerfile:1\n\n# escape=`\nFROM alpine\nRUN echo \\\n  more\n";
    let df = parse(text);
    assert_eq!(df.directives.len(), 1);
    assert_eq!(df.escape, '\\');
    assert_eq!(df.instructions[1].args_text(), "echo   more");
}

#[test]
fn invalid_and_duplicate_directives_are_errors() {
    let text = "# escape=x\n# escape=`\nFROM alpine\n";
    let df = parse(text);
    let e = errors(&df, text);
    assert_eq!(e.len(), 2, "{e:?}");
    assert_eq!((e[0].0, e[0].1), (1, 10));
    assert!(e[0].2.contains("invalid escape"));
    assert_eq!((e[1].0, e[1].1), (2, 1));
}

#[test]
fn heredocs_are_read_with_spans() {
    let text = "FROM debian\nRUN <<EOF\nset -e\napt-get update\nEOF\nCOPY <<-\"CONF\" /etc/app.conf\n\tkey=$VALUE\n\tCONF\nUSER app\n";
    let df = parse(text);
    assert!(df.diagnostics.is_empty(), "{:?}", df.diagnostics);
    assert_eq!(
        kinds(&df),
        vec![Keyword::From, Keyword::Run, Keyword::Copy, Keyword::User]
    );
    let run = &df.instructions[1];
    assert_eq!(run.heredocs.len(), 1);
    let h = &run.heredocs[0];
    assert_eq!(h.name, "EOF");
    assert!(!h.strip_tabs && !h.quoted && h.terminated);
    assert_eq!(h.content, "set -e\napt-get update\n");
    assert_eq!(at(text, h.marker), (2, 5));
    assert_eq!(at(text, h.body), (3, 1));
    assert_eq!(at(text, run.full_span), (2, 1));
    assert_eq!(&text[run.full_span.end - 3..run.full_span.end], "EOF");
    let copy = &df.instructions[2];
    let h = &copy.heredocs[0];
    assert_eq!(
        (h.name.as_str(), h.strip_tabs, h.quoted),
        ("CONF", true, true)
    );
    assert_eq!(h.content, "key=$VALUE\n");
    let Body::Copy { sources, dest } = &copy.body else {
        panic!()
    };
    assert_eq!(sources[0].raw, "<<-\"CONF\"");
    assert_eq!(dest.as_ref().unwrap().raw, "/etc/app.conf");
    assert_eq!(at(text, df.instructions[3].span), (9, 1));
}

#[test]
fn several_heredocs_on_one_line_are_read_in_order() {
    let text = "FROM alpine\nRUN <<A cat - <<'B' > /out\none\nA\ntwo $x\nB\nUSER 1\n";
    let df = parse(text);
    assert!(df.diagnostics.is_empty(), "{:?}", df.diagnostics);
    let hs = &df.instructions[1].heredocs;
    assert_eq!(hs.len(), 2);
    assert_eq!(
        (hs[0].content.as_str(), hs[1].content.as_str()),
        ("one\n", "two $x\n")
    );
    assert!(hs[1].quoted);
    assert_eq!(at(text, hs[1].body), (5, 1));
}

#[test]
fn heredoc_lines_that_look_like_instructions_are_body() {
    let text = "FROM alpine\nRUN <<EOF\n# not a comment\nUSER root\nEOF\n";
    let df = parse(text);
    assert_eq!(kinds(&df), vec![Keyword::From, Keyword::Run]);
    assert!(df.stages[0].users.is_empty());
}

#[test]
fn unterminated_heredoc_is_an_error_at_the_marker() {
    let text = "FROM alpine\nRUN  <<EOF\necho hi\n";
    let df = parse(text);
    let e = errors(&df, text);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!((e[0].0, e[0].1), (2, 6));
    assert!(e[0].2.contains("never terminated"));
}

#[test]
fn here_strings_and_quoted_markers_are_not_heredocs() {
    let text = "FROM alpine\nRUN cat <<<word && echo \"<<EOF\"\nUSER 1\n";
    let df = parse(text);
    assert!(df.diagnostics.is_empty(), "{:?}", df.diagnostics);
    assert!(df.instructions[1].heredocs.is_empty());
    assert_eq!(df.instructions.len(), 3);
}

#[test]
fn exec_and_shell_forms() {
    let text = "FROM alpine\nCMD [\"app\", \"--port\", \"80\"]\nENTRYPOINT [not json\nRUN [\"sh\",\"-c\",\"echo\"]\nSHELL /bin/bash -c\n";
    let df = parse(text);
    let Body::Command(Command::Exec(v)) = &df.instructions[1].body else {
        panic!()
    };
    assert_eq!(v, &vec!["app".to_string(), "--port".into(), "80".into()]);
    assert!(
        matches!(&df.instructions[2].body, Body::Command(Command::Shell { text, .. }) if text == "[not json")
    );
    assert!(matches!(
        &df.instructions[3].body,
        Body::Command(Command::Exec(_))
    ));
    let e = errors(&df, text);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!((e[0].0, e[0].1), (5, 7));
    assert!(e[0].2.contains("SHELL requires the JSON form"));
}

#[test]
fn flags_are_parsed_and_unknown_flags_reported() {
    let text = "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN --mount=type=secret,id=npm --network=none make\nCOPY --from=build --chown=app:app /out /app\nCOPY --form=build /a /b\n";
    let df = parse(text);
    let from = &df.instructions[0];
    assert_eq!(
        from.flag("platform").and_then(|f| f.value.as_deref()),
        Some("$BUILDPLATFORM")
    );
    let Body::From { image, alias } = &from.body else {
        panic!()
    };
    assert_eq!(image.raw, "golang:1.22");
    assert_eq!(at(text, image.span), (1, 32));
    assert_eq!(alias.as_ref().unwrap().raw, "build");
    let run = &df.instructions[1];
    assert_eq!(run.flags.len(), 2);
    assert_eq!(
        run.flag("mount").unwrap().value.as_deref(),
        Some("type=secret,id=npm")
    );
    assert_eq!(run.args_text(), "make");
    let copy = &df.instructions[2];
    assert_eq!(copy.flag("from").unwrap().value.as_deref(), Some("build"));
    assert_eq!(at(text, copy.flag("chown").unwrap().span), (3, 19));
    let e = errors(&df, text);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!((e[0].0, e[0].1), (4, 6));
    assert!(e[0].2.contains("--form"));
}

#[test]
fn env_arg_and_label_forms() {
    let text = "ARG VERSION=1.0 OTHER\nFROM alpine\nENV A=1 B=\"two words\" \\\n    C='$A'\nENV LEGACY value with  spaces\nLABEL org.opencontainers.image.title=\"app\"\nARG TOKEN\n";
    let df = parse(text);
    assert!(df.diagnostics.is_empty(), "{:?}", df.diagnostics);
    let Body::KeyValues(args) = &df.instructions[0].body else {
        panic!()
    };
    assert_eq!(args.len(), 2);
    assert_eq!(args[0].value.as_ref().unwrap().raw, "1.0");
    assert!(args[1].value.is_none());
    let Body::KeyValues(env) = &df.instructions[2].body else {
        panic!()
    };
    assert_eq!(
        env.iter().map(|kv| kv.key.as_str()).collect::<Vec<_>>(),
        vec!["A", "B", "C"]
    );
    assert_eq!(env[1].value.as_ref().unwrap().raw, "\"two words\"");
    assert_eq!(at(text, env[1].key_span), (3, 9));
    assert_eq!(at(text, env[1].value.as_ref().unwrap().span), (3, 11));
    assert_eq!(at(text, env[2].key_span), (4, 5));
    let Body::KeyValues(legacy) = &df.instructions[3].body else {
        panic!()
    };
    assert_eq!(legacy[0].key, "LEGACY");
    assert_eq!(legacy[0].value.as_ref().unwrap().raw, "value with  spaces");
    assert_eq!(at(text, legacy[0].value.as_ref().unwrap().span), (5, 12));
    assert_eq!(df.global_args, vec![0]);
    let env = &df.stages[0].env;
    assert_eq!(
        env.get("B"),
        Some(&words::Lookup::Known("two words".into()))
    );
    assert_eq!(env.get("C"), Some(&words::Lookup::Known("$A".into())));
}

#[test]
fn malformed_env_is_reported() {
    let text = "FROM alpine\nENV ONLYKEY\nENV =x\nENV A=1 B\nENV Q=\"open\n";
    let df = parse(text);
    let e = errors(&df, text);
    let lines: Vec<(usize, usize)> = e.iter().map(|e| (e.0, e.1)).collect();
    assert_eq!(lines, vec![(2, 5), (3, 5), (4, 9), (5, 5)], "{e:?}");
}

#[test]
fn unknown_instructions_and_missing_arguments() {
    let text = "FROM alpine\nRUNN echo\nWORKDIR\nCOPY onlyone\nFROM\nUSER a b\n";
    let df = parse(text);
    let e = errors(&df, text);
    let got: Vec<(usize, usize)> = e.iter().map(|e| (e.0, e.1)).collect();
    assert_eq!(got, vec![(2, 1), (3, 1), (4, 6), (5, 1), (6, 6)], "{e:?}");
    assert!(e[0].2.contains("unknown instruction `RUNN`"));
    assert_eq!(df.stages.len(), 2);
}

#[test]
fn instructions_before_from_and_empty_files() {
    let text = "ARG X=1\nRUN echo\nFROM alpine\n";
    let e = errors(&parse(text), text);
    assert_eq!(e.len(), 1);
    assert_eq!((e[0].0, e[0].1), (2, 1));
    let e = errors(&parse("# only a comment\n\n"), "");
    assert_eq!(e.len(), 1);
    assert!(e[0].2.contains("no instructions"));
    let text = "ARG X\n";
    let e = errors(&parse(text), text);
    assert!(e[0].2.contains("no FROM"), "{e:?}");
}

#[test]
fn stages_names_parents_and_scopes() {
    let text = "\
ARG BASE=python:3.12-slim
ARG RUNTIME
FROM ${BASE} AS Deps
ENV APP_USER=app
FROM deps AS build
RUN make
FROM build AS final
USER $APP_USER
FROM ${RUNTIME:-gcr.io/distroless/python3:nonroot}
FROM $RUNTIME
";
    let df = parse(text);
    assert!(df.diagnostics.is_empty(), "{:?}", df.diagnostics);
    assert_eq!(df.stages.len(), 5);
    assert_eq!(df.stages[0].image.name_and_tag(), "python:3.12-slim");
    assert_eq!(df.stages[0].name.as_deref(), Some("deps"));
    assert_eq!(df.stages[1].parent, Some(0));
    assert_eq!(df.stages[2].parent, Some(1));
    assert_eq!(df.stages[2].users[0].value, "app");
    assert_eq!(
        df.stages[3].image.name_and_tag(),
        "gcr.io/distroless/python3:nonroot"
    );
    assert_eq!(df.stages[4].image_unresolved, vec!["RUNTIME"]);
    assert_eq!(df.stages[1].instructions, 5..6);
}

#[test]
fn duplicate_stage_names_and_bad_names() {
    let text = "FROM alpine AS a\nFROM alpine AS A\nFROM alpine AS 1bad\nFROM alpine AS\n";
    let e = errors(&parse(text), text);
    let got: Vec<(usize, usize)> = e.iter().map(|e| (e.0, e.1)).collect();
    assert_eq!(got, vec![(2, 16), (3, 16), (4, 6)], "{e:?}");
}

fn allow(image: &ImageRef) -> bool {
    let s = image.name_and_tag();
    s.ends_with(":nonroot") || s.starts_with("cgr.dev/chainguard/")
}

fn principal(text: &str) -> (Principal, UserOrigin) {
    let df = parse(text);
    let u = df
        .effective_user(df.stages.len() - 1, &allow)
        .expect("a stage");
    (u.principal, u.origin)
}

#[test]
fn effective_user_follows_last_user_and_inheritance() {
    assert_eq!(principal("FROM alpine\n").0, Principal::Root);
    assert_eq!(principal("FROM alpine\nUSER app\n").0, Principal::NonRoot);
    assert_eq!(
        principal("FROM alpine\nUSER app\nUSER root\n").0,
        Principal::Root
    );
    for root in ["0", "0:0", "root:root", "root:app", "0:1000", "00"] {
        assert_eq!(
            principal(&format!("FROM alpine\nUSER {root}\n")).0,
            Principal::Root,
            "{root}"
        );
    }
    assert_eq!(
        principal("FROM alpine\nUSER 65532:65532\n").0,
        Principal::NonRoot
    );
    // Inheritance through FROM <stage>.
    let (p, origin) =
        principal("FROM alpine AS base\nUSER 10001\nFROM base AS app\nRUN true\nFROM app\n");
    assert_eq!(p, Principal::NonRoot);
    assert!(matches!(origin, UserOrigin::User { stage: 0, .. }));
    // Non-root base images, and a later USER root overriding them.
    assert_eq!(
        principal("FROM golang AS b\nFROM gcr.io/distroless/static:nonroot\n").0,
        Principal::NonRoot
    );
    assert_eq!(
        principal("FROM cgr.dev/chainguard/static\nUSER 0\n").0,
        Principal::Root
    );
    // A final stage built from an unrelated image does not inherit a builder's USER.
    assert_eq!(
        principal("FROM alpine AS b\nUSER app\nFROM alpine\n").0,
        Principal::Root
    );
    assert_eq!(principal("FROM scratch\n").0, Principal::Root);
}

#[test]
fn effective_user_through_variables() {
    assert_eq!(
        principal("FROM alpine\nARG UID=0\nUSER ${UID}\n").0,
        Principal::Root
    );
    assert_eq!(
        principal("FROM alpine\nENV RUN_AS=root\nUSER $RUN_AS:$RUN_AS\n").0,
        Principal::Root
    );
    assert_eq!(
        principal("FROM alpine\nARG UID\nUSER ${UID:-10001}\n").0,
        Principal::NonRoot
    );
    assert_eq!(
        principal("FROM alpine\nARG UID\nUSER $UID\n").0,
        Principal::Unresolved
    );
    assert_eq!(
        principal("FROM alpine\nUSER ${UNSET}\n").0,
        Principal::Unresolved
    );
    assert_eq!(
        principal("FROM alpine\nUSER ${UNSET:+root}app\n").0,
        Principal::NonRoot
    );
    // A global ARG is visible in a stage only when re-declared.
    assert_eq!(
        principal("ARG UID=0\nFROM alpine\nARG UID\nUSER $UID\n").0,
        Principal::Root
    );
    assert_eq!(
        principal("ARG UID=0\nFROM alpine\nUSER ${UID:-1000}\n").0,
        Principal::NonRoot
    );
    // ENV is inherited by a stage built from another.
    assert_eq!(
        principal("FROM alpine AS base\nENV U=0\nFROM base\nUSER $U\n").0,
        Principal::Root
    );
    // An unresolved base image is never allow-listed.
    assert_eq!(principal("ARG IMG\nFROM $IMG\n").0, Principal::Root);
}

#[test]
fn user_chain_lists_ancestors_first() {
    let df = parse("FROM alpine AS a\nUSER one\nFROM a\nUSER two\nUSER three\n");
    let chain: Vec<&str> = df
        .user_chain(1)
        .iter()
        .map(|(_, u)| u.value.as_str())
        .collect();
    assert_eq!(chain, vec!["one", "two", "three"]);
}

#[test]
fn crlf_and_unicode_are_handled() {
    let text = "FROM alpine\r\nRUN echo é \\\r\n  ü\r\nUSER app\r\n";
    let df = parse(text);
    assert!(df.diagnostics.is_empty(), "{:?}", df.diagnostics);
    assert_eq!(df.instructions[1].args_text(), "echo é   ü");
    assert_eq!(at(text, df.instructions[2].span), (4, 1));
    assert_eq!(df.stages[0].users[0].value, "app");
}

#[test]
fn adversarial_inputs_never_panic() {
    let samples = [
        "",
        "\\",
        "`",
        "FROM",
        "FROM \\",
        "RUN <<",
        "RUN <<-",
        "RUN <<''",
        "RUN <<\"\"\n\"\"",
        "# escape=`\nFROM a `",
        "FROM a\nENV a=${",
        "FROM a\nUSER ${a:-${b",
        "FROM a\nCOPY <<EOF",
        "FROM a\nHEALTHCHECK",
        "FROM a\nHEALTHCHECK CMD",
        "\u{feff}FROM a",
        "FROM a\nRUN é\\\n",
        "\r\r\n\r",
        "FROM a AS b\nFROM b AS a\nFROM a",
        "FROM a\nENV \"=\"",
        "FROM a\nRUN --",
        "FROM a\nRUN --mount",
        "FROM a\nONBUILD",
        "FROM a\nLABEL",
        "FROM a\nARG =",
    ];
    for s in samples {
        let df = parse(s);
        for d in &df.diagnostics {
            assert!(
                d.span.end <= s.len() && d.span.start <= d.span.end,
                "{s:?}: {d:?}"
            );
        }
    }
    let deep = format!("FROM a\nRUN {}\n", "\\\n".repeat(10_000));
    assert_eq!(parse(&deep).instructions.len(), 2);
    let nested = format!(
        "FROM a\nUSER {}x{}\n",
        "${a:-".repeat(2_000),
        "}".repeat(2_000)
    );
    let _ = parse(&nested);
}

/// A small deterministic fuzzer: random mixes of the tokens that drive the parser's state
/// machine. Every span must stay inside the text and on char boundaries.
#[test]
fn random_token_soup_never_panics() {
    const TOKENS: &[&str] = &[
        "FROM ",
        "RUN ",
        "USER ",
        "ENV ",
        "ARG ",
        "COPY ",
        "ADD ",
        "HEALTHCHECK ",
        "SHELL ",
        "CMD ",
        "ONBUILD ",
        "AS ",
        "\n",
        "\r\n",
        "\\",
        "`",
        "\\\n",
        "`\n",
        "# escape=`\n",
        "# syntax=x\n",
        "#",
        " ",
        "\t",
        "<<",
        "<<-",
        "EOF",
        "\tEOF",
        "'",
        "\"",
        "$",
        "${",
        "}",
        ":-",
        ":+",
        "=",
        "--mount=type=secret",
        "--from=",
        "[",
        "]",
        "\"a\",",
        "root",
        "0",
        ":",
        "é",
        "€",
        "alpine",
        "builder",
        "a=b",
        "NONE",
        "CMD",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3_000 {
        let len = (next() % 60) as usize;
        let text: String = (0..len)
            .map(|_| TOKENS[(next() % TOKENS.len() as u64) as usize])
            .collect();
        let df = parse(&text);
        let check = |span: Span| {
            assert!(
                span.start <= span.end && span.end <= text.len(),
                "{text:?}: {span:?}"
            );
            assert!(
                text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                "{text:?}: {span:?}"
            );
        };
        df.diagnostics.iter().for_each(|d| check(d.span));
        for i in &df.instructions {
            check(i.span);
            check(i.full_span);
            check(i.keyword_span);
            check(i.args_span());
            i.heredocs.iter().for_each(|h| check(h.body));
        }
        for s in 0..df.stages.len() {
            let _ = df.effective_user(s, &|_| false);
        }
    }
}
