//! Invariants every parser must keep on any input, shared by the fuzz targets (`fuzz/`), the
//! property tests (`tests/proptest_parsers.rs`) and the crash regressions
//! (`tests/robust_fuzz_regressions.rs`), which include this file with `#[path]`.
//! Each `check_*` panics when an invariant breaks; a parser panic propagates the same way.
#![allow(dead_code)]

use tollgate::document::sql::lexer::{self, TokenKind};
use tollgate::document::yaml::{self, Node, NodeKind};
use tollgate::document::{FileKind, dockerfile, k8s, sql::SqlFile};
use tollgate::policy::Policy;
use tollgate::source::{LineIndex, Span};

pub fn assert_span(text: &str, span: Span, what: &str) {
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

pub fn check_sql(text: &str) {
    let file = SqlFile::parse(text);
    for s in &file.statements {
        assert_span(text, s.span, "statement");
    }
    for d in &file.diagnostics {
        assert_span(text, d.span, d.rule);
    }
}

pub fn check_lexer(text: &str) {
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
    // Linear: tokens and regions are both ordered by start and the regions are disjoint (checked
    // above), so the only region that can hold a (non-empty) token is the last one starting at or
    // before it. (The old per-token scan of every region was quadratic and dominated the target.)
    let mut r = 0;
    for t in &tokens {
        while r + 1 < regions.len() && regions[r + 1].start <= t.span.start {
            r += 1;
        }
        let inside = regions
            .get(r)
            .filter(|g| g.start <= t.span.start && t.span.end <= g.end)
            .map_or(0, |_| 1);
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

pub fn check_docker(text: &str) {
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

fn check_node(text: &str, node: &Node, budget: &mut usize) {
    // Aliased nodes share the anchor's spans; the budget bounds the walk of expanded trees.
    if *budget == 0 {
        return;
    }
    *budget -= 1;
    assert_span(text, node.span, "yaml node");
    match &node.kind {
        NodeKind::Scalar { .. } => {}
        NodeKind::Seq(items) => items.iter().for_each(|n| check_node(text, n, budget)),
        NodeKind::Map(entries) => {
            for e in entries {
                check_node(text, &e.key, budget);
                check_node(text, &e.value, budget);
            }
        }
    }
}

/// The YAML loader (with small budgets, so alias and depth limits are exercised) and the manifest
/// model on top of it.
pub fn check_yaml(text: &str) {
    let small = yaml::Limits {
        max_depth: 16,
        max_alias_nodes: 1_000,
    };
    // With aliases, the default limits let one input expand (clone) 100,000 nodes per document,
    // which made this target spend most of its time in `Vec::clone`; the small limits exercise the
    // same expansion and limit code at a hundredth of the cost. Alias-free text is loaded with the
    // default limits too (deeper nesting); the default alias budget stays covered by `engine`,
    // which every regression input also goes through.
    let aliases = text.contains('*');
    let passes: &[yaml::Limits] = if aliases {
        &[small]
    } else {
        &[small, yaml::Limits::default()]
    };
    for &limits in passes {
        let stream = yaml::load_with(text, limits);
        for e in &stream.errors {
            assert_span(text, e.span, "yaml error");
        }
        let mut budget = 200_000;
        for d in &stream.documents {
            check_node(text, &d.root, &mut budget);
        }
    }
    let file = if aliases {
        k8s::parse_with("deploy/app.yaml", text, small)
    } else {
        k8s::parse("deploy/app.yaml", text)
    };
    for o in &file.objects {
        assert_span(text, o.kind_span, "k8s kind");
    }
    if let Some(span) = file.helm_template {
        assert_span(text, span, "helm marker");
    }
}

pub fn check_suppress(text: &str) {
    let lines = LineIndex::new(text);
    // One kind per comment syntax: the scanner treats Docker, Compose, Env and K8s alike (`#`
    // comments), so scanning all seven kinds twice redid identical work (the did-you-mean matching
    // of rule names dominated the target).
    for kind in &[
        FileKind::Sql,
        FileKind::Docker,
        FileKind::Code,
        FileKind::Text,
    ] {
        for require_reason in [true, false] {
            for d in tollgate::suppress::scan(text, *kind, &lines, require_reason) {
                assert_span(text, d.span, "suppression");
            }
        }
    }
}

pub fn check_policy(text: &str) {
    // Either a policy or a located error; never a panic.
    if let Err(e) = Policy::from_str("fuzz.toml", text, None) {
        let _ = format!("{:?}", miette::Report::new(e));
    }
}

/// The whole pipeline after reading: every kind's parser, every rule of the strict pack, including the rules of the strict pack and suppressions.
pub fn check_engine(text: &str) {
    static STRICT: std::sync::LazyLock<Policy> = std::sync::LazyLock::new(|| {
        Policy::from_str("p.toml", "extends = [\"strict\"]\n", None).expect("strict pack")
    });
    let policy = &*STRICT;
    let files = [
        ("db/migrations/0001.sql", FileKind::Sql, text),
        ("Dockerfile", FileKind::Docker, text),
        ("deploy/app.yaml", FileKind::K8s, text),
    ];
    for f in tollgate::engine::check_sources(policy, &files) {
        assert_span(text, f.span, f.rule);
        for r in &f.redactions {
            assert_span(text, *r, "redaction");
        }
    }
}

/// The dotenv parser, env reads in code (and `next.config` `env`), and Compose interpolations:
/// spans in the file, values inside their entries.
pub fn check_env(text: &str) {
    use tollgate::document::{compose, env};
    let file = env::EnvFile::parse(text);
    for e in &file.entries {
        assert_span(text, e.span, "env entry");
        assert_span(text, e.key_span, "env key");
        assert_span(text, e.value_span, "env value");
        assert_span(text, e.inner_span, "env inner value");
        assert!(
            e.span.start <= e.key_span.start && e.value_span.end <= e.span.end,
            "entry {e:?} does not contain its key and value"
        );
        if let Some(c) = e.comment {
            assert_span(text, c, "env comment");
        }
        let whole = e.value_range_span(0..e.value.len(), text);
        assert_span(text, whole, "env value range");
    }
    for d in &file.diagnostics {
        assert_span(text, d.span, "env diagnostic");
        assert_span(text, d.sensitive, "env sensitive");
    }
    for path in ["src/app.ts", "web/next.config.mjs", "compose.yaml"] {
        let code = env::CodeFile::parse(path, text);
        for r in &code.reads {
            assert_span(text, r.span, "env read");
            assert_eq!(&text[r.span.range()], r.name, "read name");
        }
        for m in &code.config_env {
            assert_span(text, m.key_span, "next.config key");
            if let Some((value, span)) = &m.value {
                assert_span(text, *span, "next.config value");
                assert_eq!(&text[span.range()], value, "next.config value text");
            }
        }
    }
    let compose = compose::parse(text);
    for s in &compose.services {
        assert_span(text, s.name_span, "compose service");
        for e in &s.environment {
            assert_span(text, e.key_span, "compose env key");
            if let Some(span) = e.value_span {
                assert_span(text, span, "compose env value");
            }
        }
    }
}
