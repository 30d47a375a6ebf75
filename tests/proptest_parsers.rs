//! Property tests over every parser's public API, in the normal suite: no panic on arbitrary input,
//! spans always inside the file and on char boundaries, and the SQL lexer/splitter lose nothing but
//! whitespace, comments and empty statements.
//!
//! Inputs are arbitrary bytes (read lossily, as the engine would after its UTF-8 check) and "token
//! soups" of each language's significant fragments, which reach much deeper than random bytes.

use proptest::prelude::*;
use tollgate::document::sql::lexer::{self, TokenKind};
use tollgate::document::{FileKind, dockerfile, sql::SqlFile};
use tollgate::policy::Policy;
use tollgate::source::{LineIndex, Span};

fn config() -> ProptestConfig {
    ProptestConfig {
        // `PROPTEST_CASES=20000 cargo test --release --test proptest_parsers` for a longer run.
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(256),
        // Failures are reproduced from the printed seed; no regression files in the tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn assert_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what}: span {span:?} outside a {}-byte file",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: span {span:?} not on char boundaries of {text:?}"
    );
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Concatenations of fragments, so inputs are dense in what the parser reacts to.
fn soup(fragments: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(fragments).prop_map(str::to_string),
            1 => "[ -~\\n\\té€😀\\u{0}]{0,4}",
        ],
        0..max,
    )
    .prop_map(|parts| parts.concat())
}

const SQL_FRAGMENTS: &[&str] = &[
    "create table ",
    "alter table ",
    " enable row level security",
    "create policy p on ",
    "t",
    " public.",
    "(",
    ")",
    ";",
    ";\n",
    " ",
    "\n",
    "'",
    "''",
    "E'\\''",
    "$$",
    "$tag$",
    "$tag",
    "\"",
    "\"\"",
    "--",
    "/*",
    "*/",
    "\\c db\n",
    "do $$ begin ",
    " end $$",
    "execute '",
    "create function f() returns trigger as ",
    " language plpgsql",
    "grant select on ",
    " to anon",
    "insert into t values (1)",
    "1e5",
    "$1",
    "::",
    "é",
    "😀",
    "\r\n",
    "-- tollgate-ignore sql/require-rls -- why\n",
    "set search_path = x",
    ",",
];

const DOCKER_FRAGMENTS: &[&str] = &[
    "FROM ",
    "alpine:3.19",
    " AS build",
    "RUN ",
    "USER ",
    "root",
    "1000:1000",
    "COPY ",
    "--from=build ",
    "--chown=a:b ",
    "ADD ",
    "http://x/y ",
    "ENV ",
    "A=B ",
    "ARG ",
    "V=1",
    "${V}",
    "$V",
    "${V:-d}",
    "\\\n",
    "`\n",
    "# escape=`\n",
    "# syntax=docker/dockerfile:1\n",
    "<<EOF\n",
    "EOF\n",
    "<<-EOT",
    "[\"sh\", \"-c\"]",
    "[",
    "\"",
    "HEALTHCHECK ",
    "CMD ",
    "NONE",
    "ONBUILD ",
    "curl x | sh",
    "sudo ",
    "\n",
    " ",
    "#",
    "é",
    "ENTRYPOINT ",
    "WORKDIR /",
    "SHELL [\"bash\"]",
    "\t",
    "\r\n",
];

const POLICY_FRAGMENTS: &[&str] = &[
    "[files]\n",
    "[limits]\n",
    "[rules.sql]\n",
    "[rules.docker]\n",
    "[[overrides]]\n",
    "[suppressions]\n",
    "extends = [\"recommended\"]\n",
    "extends = [\"strict\"]\n",
    "extends = [\"./x.toml\"]\n",
    "require-rls = \"error\"\n",
    "require-rls = { level = \"warning\", options = { schemas = [\"a\"] } }\n",
    "max-file-size = 10\n",
    "max-findings-per-file = 1\n",
    "files = [\"**\"]\n",
    "include = [\"[\"]\n",
    "exclude = [\"**/x\"]\n",
    "[files.kinds]\nsql = [\"*.sql\"]\n",
    "name = \"x\"\n",
    "=",
    "\"",
    "[",
    "]",
    "\n",
    "{",
    "}",
    "bogus = 1\n",
    "level = \"off\"\n",
    "require-reason = false\n",
];

const SUPPRESS_FRAGMENTS: &[&str] = &[
    "-- ",
    "# ",
    "/* ",
    "*/",
    "tollgate-ignore ",
    "tollgate-ignore-file ",
    "sql/require-rls",
    "docker/no-sudo",
    ",",
    " -- ",
    "reason",
    "until=2026-01-01 ",
    "until=2026-13-45 ",
    "owner=me ",
    "\n",
    " ",
    "é",
    "😀",
    "tollgate-ignore",
    "nope/x",
];

fn check_sql(text: &str) {
    let file = SqlFile::parse(text);
    for s in &file.statements {
        assert_span(text, s.span, "statement");
    }
    for d in &file.diagnostics {
        assert_span(text, d.span, d.rule);
    }
}

fn check_lexer(text: &str) {
    let (tokens, errors) = lexer::tokenize(text);
    for e in &errors {
        assert_span(text, e.span, "lex error");
    }
    // Tokens are ordered, non-overlapping, non-empty; everything between them is whitespace.
    let mut at = 0;
    for t in &tokens {
        assert_span(text, t.span, "token");
        assert!(
            t.span.start >= at,
            "token {t:?} overlaps the previous one in {text:?}"
        );
        assert!(!t.span.is_empty(), "empty token {t:?} in {text:?}");
        let gap = &text[at..t.span.start];
        assert!(
            gap.bytes()
                .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c)),
            "non-whitespace {gap:?} dropped before {t:?} in {text:?}"
        );
        at = t.span.end;
    }
    let tail = &text[at..];
    assert!(
        tail.bytes()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c)),
        "non-whitespace tail {tail:?} dropped in {text:?}"
    );

    // The splitter is a partition: statements are ordered and disjoint, every significant token is
    // inside exactly one statement, and all that lies outside statements and meta-commands is
    // whitespace, comments and stray `;`.
    let (statements, meta) = lexer::split(&tokens);
    let mut regions: Vec<Span> = statements
        .iter()
        .map(|s| s.span)
        .chain(meta.iter().copied())
        .collect();
    regions.sort();
    for pair in regions.windows(2) {
        assert!(
            pair[0].end <= pair[1].start,
            "overlapping statements {pair:?} in {text:?}"
        );
    }
    for s in &statements {
        assert_span(text, s.span, "statement");
        assert_eq!(s.tokens.first().map(|t| t.span.start), Some(s.span.start));
        assert_eq!(s.tokens.last().map(|t| t.span.end), Some(s.span.end));
    }
    for t in &tokens {
        let inside = regions
            .iter()
            .filter(|r| r.start <= t.span.start && t.span.end <= r.end)
            .count();
        match t.kind {
            TokenKind::Comment => assert!(inside <= 1),
            TokenKind::Semicolon => assert!(inside <= 1, "{t:?} in {text:?}"),
            _ => assert_eq!(
                inside, 1,
                "token {t:?} not in exactly one statement of {text:?}"
            ),
        }
    }
}

fn check_docker(text: &str) {
    let file = dockerfile::parse(text);
    for i in &file.instructions {
        assert_span(text, i.keyword_span, "keyword");
        assert_span(text, i.span, "instruction");
        assert_span(text, i.full_span, "instruction (full)");
        assert!(
            i.span.start <= i.full_span.start.max(i.span.start) && i.span.end <= i.full_span.end
        );
        assert_span(text, i.args_span(), "arguments");
    }
    for d in &file.directives {
        assert_span(text, d.span, "directive");
    }
    for d in &file.diagnostics {
        assert_span(text, d.span, "docker diagnostic");
    }
}

fn check_suppress(text: &str) {
    let lines = LineIndex::new(text);
    for kind in FileKind::ALL {
        for require_reason in [true, false] {
            for d in tollgate::suppress::scan(text, *kind, &lines, require_reason) {
                assert_span(text, d.span, "suppression");
            }
        }
    }
}

fn check_policy(text: &str) {
    // Either a policy or a located error; never a panic.
    if let Err(e) = Policy::from_str("fuzz.toml", text, None) {
        let _ = format!("{:?}", miette::Report::new(e));
    }
}

/// The whole pipeline after reading (parse, every rule of the strict pack, suppressions).
fn check_engine(text: &str) {
    let policy = Policy::from_str("p.toml", "extends = [\"strict\"]\n", None).expect("strict pack");
    let files = [
        ("db/migrations/0001.sql", FileKind::Sql, text),
        ("Dockerfile", FileKind::Docker, text),
    ];
    for f in tollgate::engine::check_sources(&policy, &files) {
        assert_span(text, f.span, f.rule);
        for r in &f.redactions {
            assert_span(text, *r, "redaction");
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn sql_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = lossy(&bytes);
        check_sql(&text);
        check_lexer(&text);
    }

    #[test]
    fn sql_soup_keeps_spans_and_partition(text in soup(SQL_FRAGMENTS, 40)) {
        check_sql(&text);
        check_lexer(&text);
    }

    #[test]
    fn dockerfile_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400), text in soup(DOCKER_FRAGMENTS, 40)) {
        check_docker(&lossy(&bytes));
        check_docker(&text);
    }

    #[test]
    fn policy_loader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200), text in soup(POLICY_FRAGMENTS, 12)) {
        check_policy(&lossy(&bytes));
        check_policy(&text);
    }

    #[test]
    fn suppression_scanner_never_panics(text in soup(SUPPRESS_FRAGMENTS, 30)) {
        check_suppress(&text);
    }

    #[test]
    fn whole_pipeline_never_panics(sql in soup(SQL_FRAGMENTS, 30), docker in soup(DOCKER_FRAGMENTS, 30)) {
        check_engine(&sql);
        check_engine(&docker);
    }
}
