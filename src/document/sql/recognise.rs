//! Turning a statement's tokens into [`Fact`]s. One recogniser for every statement, so spans are exact
//! byte ranges and quoted identifiers, DO-block bodies and EXECUTE strings are read the same way.

use std::sync::LazyLock;

use regex::Regex;

use super::lexer::{self, Token, TokenKind};
use super::normalise_ident;
use super::types::*;
use crate::source::Span;

/// What the recogniser made of one statement.
#[derive(Debug, Default)]
pub(super) struct Recognised {
    pub facts: Vec<Fact>,
    /// False when the statement kind is unknown or a schema-relevant statement could not be read.
    pub understood: bool,
    /// Parts that could not be analysed (dynamic SQL in a DO block), as notes.
    pub notes: Vec<(Span, String)>,
}

pub(super) fn statement(text: &str, tokens: &[Token]) -> Recognised {
    let mut out = Recognised {
        understood: true,
        ..Recognised::default()
    };
    read(text, tokens, &mut out, 0);
    out
}

/// Statement kinds that change nothing the rules look at.
const HARMLESS: &[&str] = &[
    "insert",
    "update",
    "delete",
    "merge",
    "copy",
    "comment",
    "truncate",
    "analyze",
    "analyse",
    "vacuum",
    "notify",
    "listen",
    "unlisten",
    "lock",
    "refresh",
    "reindex",
    "cluster",
    "checkpoint",
    "discard",
    "prepare",
    "deallocate",
    "execute",
    "explain",
    "call",
    "security",
    "import",
    "declare",
    "fetch",
    "close",
    "move",
    "savepoint",
    "release",
    "values",
    "table",
    "show",
    "load",
    "reset",
    "perform",
    "raise",
    "null",
    "return",
];

const MAX_DEPTH: usize = 4;

fn read(text: &str, tokens: &[Token], out: &mut Recognised, depth: usize) {
    let tokens = match tokens.split_last() {
        Some((last, rest)) if last.kind == TokenKind::Semicolon => rest,
        _ => tokens,
    };
    let mut c = Cur::new(text, tokens);
    let Some(first) = c.word(0) else {
        out.understood = false;
        return;
    };
    match first.as_str() {
        "create" => create(&mut c, out),
        "alter" => alter(&mut c, out),
        "drop" => drop(&mut c, out),
        "grant" | "revoke" => grant(&mut c, out),
        "set" => set(&mut c, out),
        "select" | "with" => select(&mut c, out),
        "do" => {
            do_block(&mut c, out, depth);
            // PL/pgSQL is not executed: conditions and loops are not evaluated, so a top-level DO
            // block is always worth a note, with the facts read from its SQL commands.
            if depth == 0 {
                out.understood = false;
            }
        }
        "begin" | "start" => {
            if depth == 0 {
                out.facts.push(Fact::Transaction { begin: true });
            }
        }
        "commit" | "end" | "abort" => {
            if depth == 0 {
                out.facts.push(Fact::Transaction { begin: false });
            }
        }
        "rollback" => {
            if depth == 0 && !c.is_at(1, "to") {
                out.facts.push(Fact::Transaction { begin: false });
            }
        }
        w if HARMLESS.contains(&w) => {}
        _ => out.understood = false,
    }
}

/// A cursor over one statement's tokens.
struct Cur<'a> {
    text: &'a str,
    toks: &'a [Token],
    i: usize,
    /// For each `(`, its matching `)`: computed once, on the first `group`, so that skipping
    /// many unclosed parentheses stays linear (a fuzzer found the quadratic rescan).
    closes: std::cell::OnceCell<Vec<Option<usize>>>,
}

impl<'a> Cur<'a> {
    fn new(text: &'a str, toks: &'a [Token]) -> Self {
        Self {
            text,
            toks,
            i: 0,
            closes: std::cell::OnceCell::new(),
        }
    }

    fn tok(&self, k: usize) -> Option<&'a Token> {
        self.toks.get(self.i + k)
    }

    fn src(&self, t: &Token) -> &'a str {
        &self.text[t.span.range()]
    }

    /// The lower-cased word `k` tokens ahead.
    fn word(&self, k: usize) -> Option<String> {
        self.tok(k)
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| self.src(t).to_ascii_lowercase())
    }

    fn is_at(&self, k: usize, w: &str) -> bool {
        self.tok(k)
            .is_some_and(|t| t.kind == TokenKind::Word && self.src(t).eq_ignore_ascii_case(w))
    }

    fn is(&self, w: &str) -> bool {
        self.is_at(0, w)
    }

    fn eat(&mut self, w: &str) -> bool {
        let hit = self.is(w);
        if hit {
            self.i += 1;
        }
        hit
    }

    fn eat_all(&mut self, words: &[&str]) -> bool {
        let hit = words.iter().enumerate().all(|(k, w)| self.is_at(k, w));
        if hit {
            self.i += words.len();
        }
        hit
    }

    fn punct(&self, p: &str) -> bool {
        self.tok(0)
            .is_some_and(|t| t.kind == TokenKind::Punct && self.src(t) == p)
    }

    fn eat_punct(&mut self, p: &str) -> bool {
        let hit = self.punct(p);
        if hit {
            self.i += 1;
        }
        hit
    }

    fn done(&self) -> bool {
        self.i >= self.toks.len() || self.tok(0).is_some_and(|t| t.kind == TokenKind::Semicolon)
    }

    /// One identifier part.
    fn ident(&mut self) -> Option<(String, Span)> {
        let t = self
            .tok(0)
            .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent))?;
        self.i += 1;
        Some((normalise_ident(self.src(t)), t.span))
    }

    /// `a`, `"A"`, `s.a`, `db.s.a`.
    fn name(&mut self) -> Option<(QualName, Span)> {
        let (first, mut span) = self.ident()?;
        let mut parts = vec![first];
        while self.punct(".") {
            let save = self.i;
            self.i += 1;
            match self.ident() {
                Some((part, s)) => {
                    parts.push(part);
                    span = span.cover(s);
                }
                None => {
                    self.i = save;
                    break;
                }
            }
        }
        let name = parts.pop()?;
        Some((
            QualName {
                schema: parts.pop(),
                name,
            },
            span,
        ))
    }

    /// At `(`: the tokens inside the matching `)`, moving past it.
    fn group(&mut self) -> Option<&'a [Token]> {
        if !self.punct("(") {
            return None;
        }
        let open = self.i;
        let closes = self
            .closes
            .get_or_init(|| matching_parens(self.text, self.toks));
        let close = closes.get(open).copied().flatten()?;
        self.i = close + 1;
        Some(&self.toks[open + 1..close])
    }

    /// Skips one token, or a whole parenthesised group.
    fn skip(&mut self) {
        if self.group().is_none() {
            self.i += 1;
        }
    }

    fn rest(&self) -> &'a [Token] {
        self.toks.get(self.i..).unwrap_or(&[])
    }
}

/// The matching `)` of every `(` (by token index), in one pass.
fn matching_parens(text: &str, toks: &[Token]) -> Vec<Option<usize>> {
    let mut closes = vec![None; toks.len()];
    let mut open = Vec::new();
    for (k, t) in toks.iter().enumerate() {
        if t.kind != TokenKind::Punct {
            continue;
        }
        match &text[t.span.range()] {
            "(" => open.push(k),
            ")" => {
                if let Some(o) = open.pop() {
                    closes[o] = Some(k);
                }
            }
            _ => {}
        }
    }
    closes
}

/// Splits tokens at depth-0 commas.
fn split_commas<'t>(text: &str, toks: &'t [Token]) -> Vec<&'t [Token]> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (k, t) in toks.iter().enumerate() {
        if t.kind != TokenKind::Punct {
            continue;
        }
        match &text[t.span.range()] {
            "(" | "[" => depth += 1,
            ")" | "]" => depth = depth.saturating_sub(1),
            "," if depth == 0 => {
                parts.push(&toks[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    parts.push(&toks[start..]);
    parts.retain(|p| !p.is_empty());
    parts
}

fn span_of(toks: &[Token]) -> Option<Span> {
    Some(toks.first()?.span.cover(toks.last()?.span))
}

/// Source text of a token run, whitespace collapsed.
fn squash(text: &str, toks: &[Token]) -> String {
    span_of(toks)
        .map(|s| {
            text[s.range()]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

/// The content of a string token (without quotes; `''` unescaped), and whether it maps 1:1 onto
/// the source (no escapes), in which case the content span is exact.
fn string_content(text: &str, t: &Token) -> Option<(String, Span, bool)> {
    let raw = &text[t.span.range()];
    match t.kind {
        TokenKind::String => {
            let (prefix, quoted) = match raw.as_bytes().first() {
                Some(b'e' | b'E') => (1, &raw[1..]),
                _ => (0, raw),
            };
            let inner = quoted.strip_prefix('\'')?.strip_suffix('\'')?;
            let span = Span::new(t.span.start + prefix + 1, t.span.end - 1);
            let exact = prefix == 0 && !inner.contains("''");
            Some((inner.replace("''", "'"), span, exact))
        }
        TokenKind::DollarString => {
            let tag_len = raw.get(1..)?.find('$')? + 2;
            // An unterminated dollar string has no closing tag; its end may sit inside a
            // multi-byte character, so check the tag rather than slicing blindly.
            if raw.len() < tag_len * 2 || !raw.ends_with(raw.get(..tag_len)?) {
                return None;
            }
            let inner = raw.get(tag_len..raw.len() - tag_len)?;
            let span = Span::new(t.span.start + tag_len, t.span.end - tag_len);
            Some((inner.to_string(), span, true))
        }
        _ => None,
    }
}

fn roles(text: &str, toks: &[Token]) -> Vec<String> {
    split_commas(text, toks)
        .iter()
        .filter_map(|part| {
            let t = part
                .iter()
                .rev()
                .find(|t| matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent))?;
            Some(normalise_ident(&text[t.span.range()]))
        })
        .collect()
}

// ---------------------------------------------------------------- CREATE

fn create(c: &mut Cur, out: &mut Recognised) {
    c.eat("create");
    c.eat_all(&["or", "replace"]);
    let mut temporary = false;
    loop {
        if c.eat("global") || c.eat("local") || c.eat("unlogged") {
            continue;
        }
        if c.eat("temp") || c.eat("temporary") {
            temporary = true;
            continue;
        }
        break;
    }
    let Some(what) = c.word(0) else {
        out.understood = false;
        return;
    };
    match what.as_str() {
        "table" => create_table(c, out, temporary, RelKind::Table),
        "foreign" if c.is_at(1, "table") => {
            c.i += 1;
            create_table(c, out, false, RelKind::Foreign);
        }
        "view" | "materialized" | "recursive" => create_view(c, out, temporary),
        "function" | "procedure" => create_function(c, out),
        "policy" => create_policy(c, out),
        "schema" => {
            c.i += 1;
            c.eat_all(&["if", "not", "exists"]);
            if c.is("authorization") {
                // `CREATE SCHEMA AUTHORIZATION role` names the schema after the role.
                c.i += 1;
            }
            match c.ident() {
                Some((name, _)) => out.facts.push(Fact::CreateSchema { name }),
                None => out.understood = false,
            }
        }
        "extension" => {
            c.i += 1;
            c.eat_all(&["if", "not", "exists"]);
            let Some((name, name_span)) = c.ident() else {
                out.understood = false;
                return;
            };
            let mut schema = None;
            while !c.done() {
                if c.eat("schema") {
                    schema = c.ident().map(|(s, _)| s);
                } else {
                    c.i += 1;
                }
            }
            out.facts.push(Fact::CreateExtension {
                name,
                name_span,
                schema,
            });
        }
        "role" | "user" | "group" => role_password(c, out),
        "trigger" | "constraint" | "index" | "unique" | "type" | "domain" | "sequence"
        | "aggregate" | "operator" | "cast" | "collation" | "publication" | "subscription"
        | "event" | "rule" | "server" | "foreign" | "text" | "statistics" | "conversion"
        | "language" | "trusted" | "procedural" | "access" | "transform" | "tablespace"
        | "database" | "default" => {}
        _ => out.understood = false,
    }
}

fn create_table(c: &mut Cur, out: &mut Recognised, temporary: bool, mut kind: RelKind) {
    c.eat("table");
    c.eat_all(&["if", "not", "exists"]);
    let Some((name, name_span)) = c.name() else {
        out.understood = false;
        return;
    };
    let mut columns = Some(Vec::new());
    let mut partition_of = None;
    if c.eat_all(&["partition", "of"]) {
        partition_of = c.name().map(|(n, _)| n);
        columns = None;
        c.group();
    } else if c.eat("of") {
        columns = None;
    } else if c.punct("(") {
        let before = c.i;
        let inner = c.group().unwrap_or(&[]);
        if c.is("as") || c.is("with") && has_word_at_depth0(c.text, c.rest(), "as") {
            // `CREATE TABLE t (a, b) AS SELECT …`: a column name list.
            columns = None;
        } else {
            c.i = before;
            c.group();
            columns = column_defs(c.text, inner);
        }
    }
    if has_word_at_depth0(c.text, c.rest(), "as") {
        columns = None;
    }
    let rest = c.rest();
    let mut k = 0;
    while k + 1 < rest.len() {
        if word_is(c.text, &rest[k], "partition") && word_is(c.text, &rest[k + 1], "by") {
            kind = RelKind::Partitioned;
        }
        k += 1;
    }
    out.facts.push(Fact::CreateTable(CreateTable {
        name,
        name_span,
        temporary,
        kind,
        columns,
        partition_of,
    }));
}

fn word_is(text: &str, t: &Token, w: &str) -> bool {
    t.kind == TokenKind::Word && text[t.span.range()].eq_ignore_ascii_case(w)
}

fn has_word_at_depth0(text: &str, toks: &[Token], w: &str) -> bool {
    let mut depth = 0usize;
    for t in toks {
        match (t.kind, &text[t.span.range()]) {
            (TokenKind::Punct, "(") => depth += 1,
            (TokenKind::Punct, ")") => depth = depth.saturating_sub(1),
            _ if depth == 0 && word_is(text, t, w) => return true,
            _ => {}
        }
    }
    false
}

const CONSTRAINT_STARTS: &[&str] = &[
    "constraint",
    "primary",
    "unique",
    "check",
    "foreign",
    "exclude",
];
const COLUMN_STOPS: &[&str] = &[
    "not",
    "null",
    "default",
    "primary",
    "references",
    "unique",
    "check",
    "constraint",
    "generated",
    "collate",
    "compression",
    "storage",
];

/// Column definitions inside `CREATE TABLE ( … )`; `None` when `LIKE` copies unknown columns.
fn column_defs(text: &str, inner: &[Token]) -> Option<Vec<Column>> {
    let mut columns = Vec::new();
    for item in split_commas(text, inner) {
        let Some(first) = item.first() else { continue };
        let head = text[first.span.range()].to_ascii_lowercase();
        if first.kind == TokenKind::Word && head == "like" {
            return None;
        }
        if first.kind == TokenKind::Word && CONSTRAINT_STARTS.contains(&head.as_str()) {
            continue;
        }
        if let Some(column) = column_def(text, item) {
            columns.push(column);
        }
    }
    Some(columns)
}

fn column_def(text: &str, item: &[Token]) -> Option<Column> {
    let first = item
        .first()
        .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent))?;
    let ty_end = item
        .iter()
        .skip(1)
        .position(|t| {
            t.kind == TokenKind::Word
                && COLUMN_STOPS.contains(&text[t.span.range()].to_ascii_lowercase().as_str())
        })
        .map_or(item.len(), |p| p + 1);
    Some(Column {
        name: normalise_ident(&text[first.span.range()]),
        name_span: first.span,
        ty: squash(text, &item[1..ty_end]).to_lowercase(),
    })
}

fn create_view(c: &mut Cur, out: &mut Recognised, temporary: bool) {
    let materialized = c.eat("materialized");
    c.eat("recursive");
    if !c.eat("view") {
        out.understood = false;
        return;
    }
    c.eat_all(&["if", "not", "exists"]);
    let Some((name, name_span)) = c.name() else {
        out.understood = false;
        return;
    };
    c.group();
    let mut security_invoker = false;
    if c.eat("with")
        && let Some(options) = c.group()
    {
        security_invoker = option_flag(c.text, options, "security_invoker").unwrap_or(false);
    }
    let reads = qualified_names(c.text, c.rest());
    out.facts.push(Fact::CreateView(CreateView {
        name,
        name_span,
        materialized,
        temporary,
        security_invoker,
        reads,
    }));
}

/// Reads `name = value` (or bare `name`) in a reloptions list.
fn option_flag(text: &str, options: &[Token], option: &str) -> Option<bool> {
    for part in split_commas(text, options) {
        let Some(first) = part.first() else { continue };
        if !text[first.span.range()].eq_ignore_ascii_case(option) {
            continue;
        }
        let value = part
            .iter()
            .skip(1)
            .find(|t| t.kind != TokenKind::Punct)
            .map(|t| text[t.span.range()].trim_matches('\'').to_ascii_lowercase());
        return Some(match value.as_deref() {
            None => true,
            Some(v) => matches!(v, "true" | "on" | "1" | "yes" | "t" | "y"),
        });
    }
    None
}

/// Schema-qualified relations a query reads: names after `FROM`/`JOIN` (and in FROM lists).
fn qualified_names(text: &str, toks: &[Token]) -> Vec<QualName> {
    let mut names = Vec::new();
    let mut c = Cur::new(text, toks);
    while !c.done() {
        if !(c.eat("from") || c.eat("join")) {
            c.i += 1;
            continue;
        }
        loop {
            c.eat("only");
            c.eat("lateral");
            let Some((name, _)) = c.name() else { break };
            if name.schema.is_some() && !c.punct("(") && !names.contains(&name) {
                names.push(name);
            }
            c.eat("as");
            if c.word(0)
                .is_some_and(|w| !SQL_CLAUSES.contains(&w.as_str()))
            {
                c.i += 1;
            }
            if !c.eat_punct(",") {
                break;
            }
        }
    }
    names
}

const SQL_CLAUSES: &[&str] = &[
    "where",
    "join",
    "left",
    "right",
    "inner",
    "full",
    "cross",
    "on",
    "group",
    "order",
    "limit",
    "union",
    "having",
    "window",
    "natural",
    "using",
    "except",
    "intersect",
    "offset",
    "fetch",
    "for",
];

const TYPE_PREFIXES: &[&str] = &[
    "double",
    "character",
    "char",
    "national",
    "bit",
    "timestamp",
    "time",
    "interval",
    "varchar",
];

/// Normalised argument types of a function signature (names, modes, defaults and OUT args dropped).
fn arg_types(text: &str, inner: &[Token]) -> Vec<String> {
    let mut types = Vec::new();
    for part in split_commas(text, inner) {
        let mut part: &[Token] = part;
        let mut out_arg = false;
        while let Some(first) = part.first() {
            let w = text[first.span.range()].to_ascii_lowercase();
            if first.kind == TokenKind::Word
                && matches!(w.as_str(), "in" | "out" | "inout" | "variadic")
            {
                out_arg |= w == "out";
                part = &part[1..];
            } else {
                break;
            }
        }
        if out_arg {
            continue;
        }
        let end = part
            .iter()
            .position(|t| {
                word_is(text, t, "default")
                    || (t.kind == TokenKind::Punct && &text[t.span.range()] == "=")
            })
            .unwrap_or(part.len());
        let mut part = &part[..end];
        if part.len() >= 2
            && matches!(part[0].kind, TokenKind::Word | TokenKind::QuotedIdent)
            && matches!(part[1].kind, TokenKind::Word | TokenKind::QuotedIdent)
            && !TYPE_PREFIXES.contains(&text[part[0].span.range()].to_ascii_lowercase().as_str())
        {
            part = &part[1..];
        }
        types.push(normalise_type(text, part));
    }
    types
}

/// A type name as PostgreSQL identifies it in signatures: aliases resolved, typmods dropped.
fn normalise_type(text: &str, toks: &[Token]) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut depth = 0usize;
    for t in toks {
        let s = &text[t.span.range()];
        match (t.kind, s) {
            (TokenKind::Punct, "(") => depth += 1,
            (TokenKind::Punct, ")") => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            (TokenKind::Punct, "]") => words.push("[]".into()),
            (TokenKind::Punct, "[") => {}
            (TokenKind::Punct, ".") => words.push(".".into()),
            (TokenKind::Word | TokenKind::QuotedIdent, _) => words.push(normalise_ident(s)),
            _ => {}
        }
    }
    let mut joined = String::new();
    for w in &words {
        if !(joined.is_empty() || w == "." || w == "[]" || joined.ends_with('.')) {
            joined.push(' ');
        }
        joined.push_str(w);
    }
    let joined = joined
        .strip_prefix("pg_catalog.")
        .map(str::to_string)
        .unwrap_or(joined);
    let (base, array) = match joined.strip_suffix("[]") {
        Some(b) => (b.to_string(), "[]"),
        None => (joined.clone(), ""),
    };
    let base = match base.as_str() {
        "int" | "int4" => "integer",
        "int8" => "bigint",
        "int2" => "smallint",
        "bool" => "boolean",
        "varchar" => "character varying",
        "char" => "character",
        "float8" | "float" => "double precision",
        "float4" => "real",
        "decimal" => "numeric",
        "timestamptz" => "timestamp with time zone",
        "timestamp" => "timestamp without time zone",
        "timetz" => "time with time zone",
        other => other,
    };
    format!("{base}{array}")
}

fn create_function(c: &mut Cur, out: &mut Recognised) {
    let procedure = c.is("procedure");
    c.i += 1;
    let Some((name, name_span)) = c.name() else {
        out.understood = false;
        return;
    };
    let args = c.group().map(|g| arg_types(c.text, g)).unwrap_or_default();
    let mut security_definer = false;
    let mut search_path = None;
    let mut returns = String::new();
    while !c.done() {
        if c.eat("returns") {
            returns = c.word(0).unwrap_or_default();
            c.i += 1;
        } else if c.eat("security") {
            security_definer = c.eat("definer");
        } else if c.eat("set") {
            if c.is("search_path") {
                c.i += 1;
                search_path = Some(setting_value(c));
            }
        } else {
            c.skip();
        }
    }
    out.facts.push(Fact::CreateFunction(CreateFunction {
        name,
        name_span,
        args,
        security_definer,
        search_path,
        procedure,
        returns,
    }));
}

/// After `SET name`: `TO|= a, b` or `FROM CURRENT`; returns the value list as written.
fn setting_value(c: &mut Cur) -> String {
    if c.eat_all(&["from", "current"]) {
        return "from current".into();
    }
    if !c.eat("to") {
        c.eat_punct("=");
    }
    let mut values = Vec::new();
    while let Some(t) = c.tok(0) {
        let v = match t.kind {
            TokenKind::String | TokenKind::DollarString => string_content(c.text, t)
                .map(|(s, _, _)| s)
                .unwrap_or_default(),
            TokenKind::Word | TokenKind::QuotedIdent => normalise_ident(c.src(t)),
            _ => break,
        };
        values.push(v);
        c.i += 1;
        if !c.eat_punct(",") {
            break;
        }
    }
    values.join(", ")
}

fn create_policy(c: &mut Cur, out: &mut Recognised) {
    c.eat("policy");
    let Some((name, name_span)) = c.ident() else {
        out.understood = false;
        return;
    };
    if !c.eat("on") {
        out.understood = false;
        return;
    }
    let Some((table, _)) = c.name() else {
        out.understood = false;
        return;
    };
    let mut policy = CreatePolicy {
        name,
        name_span,
        table,
        permissive: true,
        command: PolicyCommand::All,
        roles: vec!["public".into()],
        using: None,
        with_check: None,
    };
    let (roles, using, with_check) = policy_clauses(c, Some(&mut policy));
    if let Some(roles) = roles {
        policy.roles = roles;
    }
    policy.using = using;
    policy.with_check = with_check;
    out.facts.push(Fact::CreatePolicy(policy));
}

type Clauses = (Option<Vec<String>>, Option<Expr>, Option<Expr>);

/// `AS …`, `FOR …`, `TO roles`, `USING (…)`, `WITH CHECK (…)`.
fn policy_clauses(c: &mut Cur, mut policy: Option<&mut CreatePolicy>) -> Clauses {
    let mut roles = None;
    let mut using = None;
    let mut with_check = None;
    let expr = |c: &mut Cur| -> Option<Expr> {
        let inner = c.group()?;
        let span = span_of(inner)?;
        Some(Expr {
            text: c.text[span.range()].to_string(),
            span,
        })
    };
    while !c.done() {
        if c.eat("as") {
            if let Some(p) = policy.as_deref_mut() {
                p.permissive = !c.is("restrictive");
            }
            c.i += 1;
        } else if c.eat("for") {
            if let Some(p) = policy.as_deref_mut() {
                p.command = match c.word(0).as_deref() {
                    Some("select") => PolicyCommand::Select,
                    Some("insert") => PolicyCommand::Insert,
                    Some("update") => PolicyCommand::Update,
                    Some("delete") => PolicyCommand::Delete,
                    _ => PolicyCommand::All,
                };
            }
            c.i += 1;
        } else if c.eat("to") {
            let start = c.i;
            while !c.done() && !c.is("using") && !c.is("with") {
                c.i += 1;
            }
            roles = Some(self::roles(c.text, &c.toks[start..c.i]));
        } else if c.eat("using") {
            using = expr(c);
        } else if c.eat_all(&["with", "check"]) {
            with_check = expr(c);
        } else {
            c.skip();
        }
    }
    (roles, using, with_check)
}

fn role_password(c: &mut Cur, out: &mut Recognised) {
    c.i += 1;
    let Some((role, _)) = c.ident() else {
        out.understood = false;
        return;
    };
    while !c.done() {
        if c.eat("password") {
            if let Some(t) = c.tok(0)
                && let Some((value, span, _)) = string_content(c.text, t)
                && !is_password_hash(&value)
                && !value.is_empty()
            {
                out.facts.push(Fact::LiteralSecret {
                    kind: LiteralSecretKind::RolePassword,
                    value_span: span,
                    context: format!("role `{role}`"),
                });
            }
        } else {
            c.i += 1;
        }
    }
}

/// Already-hashed role passwords (md5 or SCRAM verifiers) are not plaintext.
fn is_password_hash(value: &str) -> bool {
    value.starts_with("SCRAM-SHA-256$")
        || (value.len() == 35
            && value.starts_with("md5")
            && value[3..].bytes().all(|b| b.is_ascii_hexdigit()))
}

// ---------------------------------------------------------------- ALTER

fn alter(c: &mut Cur, out: &mut Recognised) {
    c.eat("alter");
    let Some(what) = c.word(0) else {
        out.understood = false;
        return;
    };
    match what.as_str() {
        "table" => alter_table(c, out),
        "foreign" if c.is_at(1, "table") => {
            c.i += 1;
            alter_table(c, out);
        }
        "view" | "materialized" => alter_view(c, out),
        "function" | "procedure" | "routine" => alter_function(c, out),
        "policy" => alter_policy(c, out),
        "extension" => {
            c.i += 1;
            if let Some((name, _)) = c.ident()
                && c.eat_all(&["set", "schema"])
                && let Some((schema, _)) = c.ident()
            {
                out.facts.push(Fact::SetExtensionSchema { name, schema });
            }
        }
        "default" => default_privileges(c, out),
        "role" | "user" | "group" => role_password(c, out),
        _ => {}
    }
}

fn alter_table(c: &mut Cur, out: &mut Recognised) {
    c.eat("table");
    c.eat_all(&["if", "exists"]);
    c.eat("only");
    let Some((table, _)) = c.name() else {
        out.understood = false;
        return;
    };
    c.eat_punct("*");
    if c.eat("rename") {
        if c.eat("to") {
            if let Some((to, _)) = c.ident() {
                out.facts.push(Fact::RenameTable { from: table, to });
            }
        } else if !c.is("constraint") {
            c.eat("column");
            if let Some((from, _)) = c.ident()
                && c.eat("to")
                && let Some((to, _)) = c.ident()
            {
                out.facts.push(Fact::RenameColumn { table, from, to });
            }
        }
        return;
    }
    if c.eat_all(&["set", "schema"]) {
        if let Some((schema, _)) = c.ident() {
            out.facts.push(Fact::SetTableSchema { table, schema });
        }
        return;
    }
    if c.eat_all(&["attach", "partition"]) {
        if let Some((child, _)) = c.name() {
            out.facts.push(Fact::AttachPartition {
                parent: table,
                child,
            });
        }
        return;
    }
    if c.eat_all(&["detach", "partition"]) {
        if let Some((child, _)) = c.name() {
            out.facts.push(Fact::DetachPartition { child });
        }
        return;
    }
    let text = c.text;
    for action in split_commas(text, c.rest()) {
        let mut a = Cur::new(text, action);
        if a.eat_all(&["enable", "row", "level", "security"]) {
            out.facts.push(Fact::SetRls {
                table: table.clone(),
                enabled: true,
            });
        } else if a.eat_all(&["disable", "row", "level", "security"]) {
            out.facts.push(Fact::SetRls {
                table: table.clone(),
                enabled: false,
            });
        } else if a.eat_all(&["force", "row", "level", "security"]) {
            out.facts.push(Fact::ForceRls {
                table: table.clone(),
                forced: true,
            });
        } else if a.eat_all(&["no", "force", "row", "level", "security"]) {
            out.facts.push(Fact::ForceRls {
                table: table.clone(),
                forced: false,
            });
        } else if a.eat("add") {
            if a.word(0)
                .is_some_and(|w| CONSTRAINT_STARTS.contains(&w.as_str()))
            {
                continue;
            }
            a.eat("column");
            a.eat_all(&["if", "not", "exists"]);
            if let Some(column) = column_def(text, a.rest()) {
                out.facts.push(Fact::AddColumn {
                    table: table.clone(),
                    column,
                });
            }
        } else if a.eat("drop") {
            if a.is("constraint")
                || a.is("default")
                || a.is("not")
                || a.is("expression")
                || a.is("identity")
            {
                continue;
            }
            a.eat("column");
            a.eat_all(&["if", "exists"]);
            if let Some((name, _)) = a.ident() {
                out.facts.push(Fact::DropColumn {
                    table: table.clone(),
                    name,
                });
            }
        } else if a.eat("alter") {
            a.eat("column");
            let Some((name, _)) = a.ident() else { continue };
            a.eat_all(&["set", "data"]);
            if a.eat("type") {
                let start = a.i;
                while !a.done() && !a.is("using") && !a.is("collate") {
                    a.i += 1;
                }
                let ty = squash(text, &action[start..a.i]).to_lowercase();
                out.facts.push(Fact::AlterColumnType {
                    table: table.clone(),
                    name,
                    ty,
                });
            }
        }
    }
}

fn alter_view(c: &mut Cur, out: &mut Recognised) {
    c.eat("materialized");
    c.eat("view");
    c.eat_all(&["if", "exists"]);
    let Some((name, _)) = c.name() else {
        out.understood = false;
        return;
    };
    if c.eat_all(&["rename", "to"]) {
        if let Some((to, _)) = c.ident() {
            out.facts.push(Fact::RenameView { from: name, to });
        }
    } else if c.eat_all(&["set", "schema"]) {
        if let Some((schema, _)) = c.ident() {
            out.facts.push(Fact::SetViewSchema { name, schema });
        }
    } else if c.eat("set") {
        if let Some(options) = c.group()
            && let Some(invoker) = option_flag(c.text, options, "security_invoker")
        {
            out.facts.push(Fact::SetViewInvoker { name, invoker });
        }
    } else if c.eat("reset")
        && let Some(options) = c.group()
        && option_flag(c.text, options, "security_invoker").is_some()
    {
        out.facts.push(Fact::SetViewInvoker {
            name,
            invoker: false,
        });
    }
}

fn func_ref(c: &mut Cur) -> Option<FuncRef> {
    let (name, _) = c.name()?;
    let args = c.group().map(|g| arg_types(c.text, g));
    Some(FuncRef { name, args })
}

fn alter_function(c: &mut Cur, out: &mut Recognised) {
    c.i += 1;
    let Some(func) = func_ref(c) else {
        out.understood = false;
        return;
    };
    let mut alter = AlterFunction {
        func,
        security_definer: None,
        search_path: None,
        rename_to: None,
        set_schema: None,
    };
    while !c.done() {
        if c.eat_all(&["external", "security"]) || c.eat("security") {
            alter.security_definer = Some(c.is("definer"));
            c.i += 1;
        } else if c.eat_all(&["rename", "to"]) {
            alter.rename_to = c.ident().map(|(n, _)| n);
        } else if c.eat_all(&["set", "schema"]) {
            alter.set_schema = c.ident().map(|(n, _)| n);
        } else if c.eat("set") {
            if c.eat("search_path") {
                alter.search_path = Some(Some(setting_value(c)));
            }
        } else if c.eat("reset") {
            if c.eat("search_path") || c.eat("all") {
                alter.search_path = Some(None);
            }
        } else {
            c.skip();
        }
    }
    out.facts.push(Fact::AlterFunction(alter));
}

fn alter_policy(c: &mut Cur, out: &mut Recognised) {
    c.eat("policy");
    let (Some((name, _)), true, Some((table, _))) = (c.ident(), c.eat("on"), c.name()) else {
        out.understood = false;
        return;
    };
    let mut alter = AlterPolicy {
        name,
        table,
        rename_to: None,
        roles: None,
        using: None,
        with_check: None,
    };
    if c.eat_all(&["rename", "to"]) {
        alter.rename_to = c.ident().map(|(n, _)| n);
    } else {
        let (roles, using, with_check) = policy_clauses(c, None);
        alter.roles = roles;
        alter.using = using;
        alter.with_check = with_check;
    }
    out.facts.push(Fact::AlterPolicy(alter));
}

// ---------------------------------------------------------------- DROP

fn drop(c: &mut Cur, out: &mut Recognised) {
    c.eat("drop");
    let Some(what) = c.word(0) else {
        out.understood = false;
        return;
    };
    let cascade = c.rest().iter().any(|t| word_is(c.text, t, "cascade"));
    match what.as_str() {
        "table" | "foreign" | "view" | "materialized" => {
            let view = matches!(what.as_str(), "view" | "materialized");
            c.eat("foreign");
            c.eat("materialized");
            c.i += 1;
            c.eat_all(&["if", "exists"]);
            while let Some((name, _)) = c.name() {
                out.facts.push(if view {
                    Fact::DropView { name }
                } else {
                    Fact::DropTable { name, cascade }
                });
                if !c.eat_punct(",") {
                    break;
                }
            }
        }
        "function" | "procedure" | "routine" => {
            c.i += 1;
            c.eat_all(&["if", "exists"]);
            let mut funcs = Vec::new();
            while let Some(f) = func_ref(c) {
                funcs.push(f);
                if !c.eat_punct(",") {
                    break;
                }
            }
            out.facts.push(Fact::DropFunction { funcs });
        }
        "policy" => {
            c.i += 1;
            c.eat_all(&["if", "exists"]);
            if let (Some((name, _)), true, Some((table, _))) = (c.ident(), c.eat("on"), c.name()) {
                out.facts.push(Fact::DropPolicy { name, table });
            } else {
                out.understood = false;
            }
        }
        "schema" | "extension" => {
            c.i += 1;
            c.eat_all(&["if", "exists"]);
            while let Some((name, _)) = c.ident() {
                out.facts.push(if what == "schema" {
                    Fact::DropSchema { name, cascade }
                } else {
                    Fact::DropExtension { name }
                });
                if !c.eat_punct(",") {
                    break;
                }
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------- GRANT / REVOKE

const TABLE_PRIVILEGES: &[&str] = &[
    "select",
    "insert",
    "update",
    "delete",
    "truncate",
    "references",
    "trigger",
];

fn privileges(text: &str, toks: &[Token], all: &[&str]) -> Vec<String> {
    let mut privs = Vec::new();
    for part in split_commas(text, toks) {
        let Some(first) = part.first() else { continue };
        // Column privileges (`select (a, b)`) do not grant the table.
        if part
            .get(1)
            .is_some_and(|t| t.kind == TokenKind::Punct && &text[t.span.range()] == "(")
        {
            continue;
        }
        let p = text[first.span.range()].to_ascii_lowercase();
        if p == "all" {
            privs.extend(all.iter().map(|s| s.to_string()));
        } else {
            privs.push(p);
        }
    }
    privs
}

fn grant(c: &mut Cur, out: &mut Recognised) {
    let start_span = c.tok(0).map(|t| t.span).unwrap_or_default();
    let revoke = c.is("revoke");
    c.i += 1;
    if revoke {
        c.eat_all(&["grant", "option", "for"]);
    }
    let priv_start = c.i;
    while !c.done() && !c.is("on") {
        c.skip();
    }
    if !c.eat("on") {
        // Role membership (`GRANT role TO user`): nothing the rules model.
        return;
    }
    let priv_toks = &c.toks[priv_start..c.i - 1];
    let target = if c.eat_all(&["all", "tables", "in", "schema"]) {
        GrantTarget::AllTablesIn(ident_list(c))
    } else if c.eat("all")
        && (c.eat("functions") || c.eat("routines") || c.eat("procedures"))
        && c.eat_all(&["in", "schema"])
    {
        GrantTarget::AllFunctionsIn(ident_list(c))
    } else if c.eat("function") || c.eat("procedure") || c.eat("routine") {
        let mut funcs = Vec::new();
        while let Some(f) = func_ref(c) {
            funcs.push(f);
            if !c.eat_punct(",") {
                break;
            }
        }
        GrantTarget::Functions(funcs)
    } else if c.word(0).is_some_and(|w| {
        matches!(
            w.as_str(),
            "all"
                | "sequence"
                | "schema"
                | "database"
                | "domain"
                | "type"
                | "language"
                | "large"
                | "tablespace"
                | "foreign"
                | "parameter"
        )
    }) {
        GrantTarget::Other
    } else {
        c.eat("table");
        let mut tables = Vec::new();
        while let Some((name, _)) = c.name() {
            tables.push(name);
            if !c.eat_punct(",") {
                break;
            }
        }
        GrantTarget::Tables(tables)
    };
    let all: &[&str] = match target {
        GrantTarget::Functions(_) | GrantTarget::AllFunctionsIn(_) => &["execute"],
        _ => TABLE_PRIVILEGES,
    };
    let privileges = privileges(c.text, priv_toks, all);
    while !c.done() && !c.is("to") && !c.is("from") {
        c.i += 1;
    }
    c.i += 1;
    let grantees = grantee_list(c);
    let span = start_span.cover(c.toks.last().map_or(start_span, |t| t.span));
    out.facts.push(Fact::Grant(Grant {
        revoke,
        privileges,
        target,
        grantees,
        span,
    }));
}

fn ident_list(c: &mut Cur) -> Vec<String> {
    let mut names = Vec::new();
    while let Some((n, _)) = c.ident() {
        names.push(n);
        if !c.eat_punct(",") {
            break;
        }
    }
    names
}

fn grantee_list(c: &mut Cur) -> Vec<String> {
    let mut names = Vec::new();
    loop {
        c.eat("group");
        let Some((n, _)) = c.ident() else { break };
        names.push(n);
        if !c.eat_punct(",") {
            break;
        }
    }
    names
}

fn default_privileges(c: &mut Cur, out: &mut Recognised) {
    if !c.eat_all(&["default", "privileges"]) {
        return;
    }
    let mut schemas = Vec::new();
    loop {
        if c.eat("for") {
            c.i += 1;
            ident_list(c);
        } else if c.eat_all(&["in", "schema"]) {
            schemas = ident_list(c);
        } else {
            break;
        }
    }
    let revoke = c.is("revoke");
    if !(c.eat("grant") || c.eat("revoke")) {
        out.understood = false;
        return;
    }
    if revoke {
        c.eat_all(&["grant", "option", "for"]);
    }
    let priv_start = c.i;
    while !c.done() && !c.is("on") {
        c.skip();
    }
    let priv_toks = &c.toks[priv_start..c.i];
    c.eat("on");
    let objects = match c.word(0).as_deref() {
        Some("tables") => DefaultObjects::Tables,
        Some("functions" | "routines") => DefaultObjects::Functions,
        _ => DefaultObjects::Other,
    };
    c.i += 1;
    let all: &[&str] = if objects == DefaultObjects::Functions {
        &["execute"]
    } else {
        TABLE_PRIVILEGES
    };
    let privileges = privileges(c.text, priv_toks, all);
    c.i += 1;
    let grantees = grantee_list(c);
    out.facts.push(Fact::DefaultPrivileges(DefaultPrivileges {
        schemas,
        objects,
        revoke,
        privileges,
        grantees,
    }));
}

// ---------------------------------------------------------------- SET / SELECT

fn set(c: &mut Cur, out: &mut Recognised) {
    c.eat("set");
    let local = c.eat("local");
    c.eat("session");
    if c.eat("search_path") {
        let value = setting_value(c);
        out.facts.push(Fact::SetSearchPath {
            schemas: split_path(&value),
            local,
        });
    }
}

fn split_path(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .map(|p| {
            if p.starts_with('"') {
                normalise_ident(p)
            } else {
                p.to_string()
            }
        })
        .collect()
}

static BEARER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bbearer\s+([A-Za-z0-9\-_.~+/]{16,}=*)").expect("static regex")
});

fn select(c: &mut Cur, out: &mut Recognised) {
    let text = c.text;
    let toks = c.toks;
    let mut depth = 0usize;
    let mut seen_from = false;
    let mut mentions_http = false;
    for (k, t) in toks.iter().enumerate() {
        let s = &text[t.span.range()];
        match t.kind {
            TokenKind::Punct if s == "(" => depth += 1,
            TokenKind::Punct if s == ")" => depth = depth.saturating_sub(1),
            TokenKind::Word => {
                let w = s.to_ascii_lowercase();
                if depth == 0 && w == "from" {
                    seen_from = true;
                }
                if w == "into" && depth == 0 && !seen_from && toks[0].kind == TokenKind::Word {
                    select_into(text, &toks[k + 1..], out);
                }
                if w == "http_post" || w == "http_get" || w == "schedule" {
                    mentions_http = true;
                }
                if w == "set_config" {
                    set_config(text, &toks[k + 1..], out);
                }
                if w == "create_secret" || w == "update_secret" {
                    vault_secret(text, &toks[k + 1..], out, &w);
                }
            }
            _ => {}
        }
    }
    if mentions_http {
        for t in toks {
            let Some((content, span, exact)) = string_content(text, t) else {
                continue;
            };
            if !(content.contains("http_post")
                || content.contains("Authorization")
                || content.to_ascii_lowercase().contains("bearer"))
            {
                continue;
            }
            for m in BEARER.captures_iter(&content).filter_map(|cap| cap.get(1)) {
                let value_span = if exact {
                    Span::new(span.start + m.start(), span.start + m.end())
                } else {
                    t.span
                };
                out.facts.push(Fact::LiteralSecret {
                    kind: LiteralSecretKind::BearerToken,
                    value_span,
                    context: "an HTTP request header".into(),
                });
            }
        }
    }
}

fn select_into(text: &str, toks: &[Token], out: &mut Recognised) {
    let mut c = Cur::new(text, toks);
    let temporary = c.eat("temp") || c.eat("temporary");
    c.eat("unlogged");
    c.eat("table");
    if let Some((name, name_span)) = c.name() {
        out.facts.push(Fact::CreateTable(CreateTable {
            name,
            name_span,
            temporary,
            kind: RelKind::Table,
            columns: None,
            partition_of: None,
        }));
    }
}

/// `set_config('search_path', 'a, b', is_local)`.
fn set_config(text: &str, toks: &[Token], out: &mut Recognised) {
    let mut c = Cur::new(text, toks);
    let Some(args) = c.group() else { return };
    let args = split_commas(text, args);
    let arg = |k: usize| {
        args.get(k)
            .and_then(|a| a.first())
            .and_then(|t| string_content(text, t))
            .map(|(s, _, _)| s)
    };
    if arg(0).as_deref() != Some("search_path") {
        return;
    }
    let Some(value) = arg(1) else { return };
    let local = args
        .get(2)
        .and_then(|a| a.first())
        .is_some_and(|t| word_is(text, t, "true"));
    out.facts.push(Fact::SetSearchPath {
        schemas: split_path(&value),
        local,
    });
}

fn vault_secret(text: &str, toks: &[Token], out: &mut Recognised, function: &str) {
    let mut c = Cur::new(text, toks);
    let Some(args) = c.group() else { return };
    // `update_secret(id, new_secret, …)`: the secret is the second argument.
    let index = usize::from(function == "update_secret");
    let Some(arg) = split_commas(text, args).get(index).copied() else {
        return;
    };
    if let [t] = arg
        && let Some((value, span, _)) = string_content(text, t)
        && !value.is_empty()
    {
        out.facts.push(Fact::LiteralSecret {
            kind: LiteralSecretKind::VaultSecret,
            value_span: span,
            context: format!("vault.{function}"),
        });
    }
}

// ---------------------------------------------------------------- DO blocks

/// Words after which a PL/pgSQL body may start an SQL command.
const PLPGSQL_LEADS: &[&str] = &["begin", "then", "else", "loop"];
const DDL_STARTS: &[&str] = &[
    "create", "alter", "drop", "grant", "revoke", "execute", "set", "select", "perform",
];

fn do_block(c: &mut Cur, out: &mut Recognised, depth: usize) {
    c.eat("do");
    let mut body = None;
    while let Some(t) = c.tok(0) {
        if c.eat("language") {
            if !(c.is("plpgsql")
                || c.tok(0)
                    .is_some_and(|t| c.src(t).eq_ignore_ascii_case("'plpgsql'")))
            {
                out.understood = false;
                return;
            }
            c.i += 1;
        } else if matches!(t.kind, TokenKind::String | TokenKind::DollarString) {
            body = Some(*t);
            c.i += 1;
        } else {
            c.i += 1;
        }
    }
    let Some(body) = body else {
        out.understood = false;
        return;
    };
    if depth >= MAX_DEPTH {
        return;
    }
    let Some((content, span, exact)) = string_content(c.text, &body) else {
        return;
    };
    if exact {
        plpgsql(c.text, span, out, depth);
    } else {
        nested(&content, body.span, out, depth, plpgsql);
    }
}

/// Tokenises `text[span]` as a PL/pgSQL body and reads the SQL commands it runs.
fn plpgsql(text: &str, span: Span, out: &mut Recognised, depth: usize) {
    let (tokens, _) = lexer::tokenize(&text[span.range()]);
    let tokens: Vec<Token> = tokens
        .into_iter()
        .map(|t| Token {
            kind: t.kind,
            span: t.span.offset(span.start),
        })
        .collect();
    let (pieces, _) = lexer::split(&tokens);
    for piece in &pieces {
        let toks = &piece.tokens;
        let lowered: Vec<Option<String>> = toks
            .iter()
            .map(|t| (t.kind == TokenKind::Word).then(|| text[t.span.range()].to_ascii_lowercase()))
            .collect();
        for (k, w) in lowered.iter().enumerate() {
            let Some(w) = w else { continue };
            let leads = k == 0
                || lowered[k - 1]
                    .as_deref()
                    .is_some_and(|p| PLPGSQL_LEADS.contains(&p));
            if !leads || !DDL_STARTS.contains(&w.as_str()) {
                continue;
            }
            if w == "execute" {
                execute(text, &toks[k + 1..], out, depth);
            } else {
                let mut inner = Recognised {
                    understood: true,
                    ..Recognised::default()
                };
                read(text, &toks[k..], &mut inner, depth + 1);
                // In PL/pgSQL, `SELECT ... INTO v` assigns a variable: it creates no table.
                if w == "select" {
                    inner.facts.retain(|f| !matches!(f, Fact::CreateTable(_)));
                }
                out.facts.extend(inner.facts);
                out.notes.extend(inner.notes);
            }
            break;
        }
    }
}

/// `EXECUTE 'sql'`, `EXECUTE $q$sql$q$`, `EXECUTE format('sql', …)`.
fn execute(text: &str, toks: &[Token], out: &mut Recognised, depth: usize) {
    let mut c = Cur::new(text, toks);
    let string = if c.eat("format") || c.eat_all(&["pg_catalog", "."]) && c.eat("format") {
        c.group().and_then(|args| args.first().copied())
    } else {
        c.tok(0).copied()
    };
    let anchor = span_of(toks).unwrap_or_default();
    let Some((content, span, exact)) = string.as_ref().and_then(|t| string_content(text, t)) else {
        out.notes.push((
            anchor,
            "dynamic SQL in EXECUTE is built at run time and was not analysed".into(),
        ));
        return;
    };
    if ["%I", "%s", "%L"].iter().any(|p| content.contains(p)) {
        out.notes.push((
            anchor,
            "EXECUTE format(…) with placeholders names objects at run time; not analysed".into(),
        ));
        return;
    }
    let reader = |text: &str, span: Span, out: &mut Recognised, depth: usize| {
        let (tokens, _) = lexer::tokenize(&text[span.range()]);
        let tokens: Vec<Token> = tokens
            .into_iter()
            .map(|t| Token {
                kind: t.kind,
                span: t.span.offset(span.start),
            })
            .collect();
        let (statements, _) = lexer::split(&tokens);
        for statement in &statements {
            read(text, &statement.tokens, out, depth + 1);
        }
    };
    let mut inner = Recognised {
        understood: true,
        ..Recognised::default()
    };
    if exact {
        reader(text, span, &mut inner, depth);
    } else {
        nested(
            &content,
            string.map_or(anchor, |t| t.span),
            &mut inner,
            depth,
            reader,
        );
    }
    if !inner.understood && inner.facts.is_empty() {
        out.notes
            .push((anchor, "SQL in EXECUTE not understood; not analysed".into()));
    }
    out.facts.extend(inner.facts);
    out.notes.extend(inner.notes);
}

/// Reads SQL held in an owned string (an unescaped literal); every span found is mapped onto
/// `anchor`, the literal in the file.
fn nested(
    content: &str,
    anchor: Span,
    out: &mut Recognised,
    depth: usize,
    reader: impl Fn(&str, Span, &mut Recognised, usize),
) {
    let mut inner = Recognised {
        understood: true,
        ..Recognised::default()
    };
    reader(content, Span::new(0, content.len()), &mut inner, depth);
    for mut fact in inner.facts {
        remap(&mut fact, anchor);
        out.facts.push(fact);
    }
    out.notes
        .extend(inner.notes.into_iter().map(|(_, m)| (anchor, m)));
}

fn remap(fact: &mut Fact, to: Span) {
    let expr = |e: &mut Option<Expr>| {
        if let Some(e) = e {
            e.span = to;
        }
    };
    match fact {
        Fact::CreateTable(t) => {
            t.name_span = to;
            for col in t.columns.iter_mut().flatten() {
                col.name_span = to;
            }
        }
        Fact::AddColumn { column, .. } => column.name_span = to,
        Fact::CreateView(v) => v.name_span = to,
        Fact::CreatePolicy(p) => {
            p.name_span = to;
            expr(&mut p.using);
            expr(&mut p.with_check);
        }
        Fact::AlterPolicy(p) => {
            expr(&mut p.using);
            expr(&mut p.with_check);
        }
        Fact::Grant(g) => g.span = to,
        Fact::CreateFunction(f) => f.name_span = to,
        Fact::CreateExtension { name_span, .. } => *name_span = to,
        Fact::LiteralSecret { value_span, .. } => *value_span = to,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(text: &str) -> Vec<Fact> {
        let (tokens, _) = lexer::tokenize(text);
        let (statements, _) = lexer::split(&tokens);
        statements
            .iter()
            .flat_map(|s| statement(text, &s.tokens).facts)
            .collect()
    }

    fn q(schema: Option<&str>, name: &str) -> QualName {
        QualName::new(schema, name)
    }

    #[test]
    fn parentheses_match_innermost_first_and_unclosed_ones_have_no_group() {
        let text = "( ( a ) b";
        let (toks, _) = lexer::tokenize(text);
        let closes = matching_parens(text, &toks);
        assert_eq!(closes[0], None);
        assert_eq!(closes[1], Some(3));
        let mut c = Cur::new(text, &toks);
        assert_eq!(c.group(), None);
        c.skip();
        assert_eq!(c.group().map(|g| g.len()), Some(1));
        assert_eq!(c.i, 4);
    }

    #[test]
    fn unterminated_dollar_string_with_multibyte_content_has_no_content() {
        // Found by tests/proptest_parsers.rs: slicing off a "closing tag" that is not there
        // landed inside a multi-byte character.
        for text in ["$a$ééé", "$$é", "$a$x$b$"] {
            let t = Token {
                kind: TokenKind::DollarString,
                span: Span::new(0, text.len()),
            };
            assert_eq!(string_content(text, &t), None, "{text}");
        }
        let text = "$a$é$a$";
        let t = Token {
            kind: TokenKind::DollarString,
            span: Span::new(0, text.len()),
        };
        assert_eq!(
            string_content(text, &t),
            Some(("é".to_string(), Span::new(3, 5), true))
        );
    }

    #[test]
    fn create_table_variants() {
        let text = "CREATE UNLOGGED TABLE IF NOT EXISTS app.\"Logs\" (LIKE x INCLUDING ALL)";
        match &facts(text)[0] {
            Fact::CreateTable(t) => {
                assert_eq!(t.name, q(Some("app"), "Logs"));
                assert_eq!(&text[t.name_span.range()], "app.\"Logs\"");
                assert_eq!(t.columns, None);
            }
            other => panic!("{other:?}"),
        }
        let text = "create table t (id uuid primary key, \"API_Key\" varchar(64) not null, constraint c check (id is not null), n numeric(10, 2)) partition by range (id)";
        match &facts(text)[0] {
            Fact::CreateTable(t) => {
                assert_eq!(t.kind, RelKind::Partitioned);
                let cols: Vec<(&str, &str)> = t
                    .columns
                    .iter()
                    .flatten()
                    .map(|c| (c.name.as_str(), c.ty.as_str()))
                    .collect();
                assert_eq!(
                    cols,
                    vec![
                        ("id", "uuid"),
                        ("API_Key", "varchar(64)"),
                        ("n", "numeric(10, 2)")
                    ]
                );
            }
            other => panic!("{other:?}"),
        }
        match &facts("create table p1 partition of p for values from (1) to (10)")[0] {
            Fact::CreateTable(t) => assert_eq!(t.partition_of, Some(q(None, "p"))),
            other => panic!("{other:?}"),
        }
        for ctas in [
            "create table s.c as select * from t",
            "create table c (a, b) as select 1, 2",
            "select a, b into temp c from t",
        ] {
            match &facts(ctas)[0] {
                Fact::CreateTable(t) => assert_eq!(t.columns, None, "{ctas}"),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn alter_table_actions() {
        assert_eq!(
            facts("alter table only Foo disable row level security, force row level security"),
            vec![
                Fact::SetRls {
                    table: q(None, "foo"),
                    enabled: false
                },
                Fact::ForceRls {
                    table: q(None, "foo"),
                    forced: true
                }
            ]
        );
        assert_eq!(facts("drop table if exists a, s.b cascade").len(), 2);
        assert_eq!(
            facts(
                "alter table a rename to b; alter table a rename column x to y; alter table a set schema s"
            ),
            vec![
                Fact::RenameTable {
                    from: q(None, "a"),
                    to: "b".into()
                },
                Fact::RenameColumn {
                    table: q(None, "a"),
                    from: "x".into(),
                    to: "y".into()
                },
                Fact::SetTableSchema {
                    table: q(None, "a"),
                    schema: "s".into()
                }
            ]
        );
        let f = facts(
            "alter table t add column if not exists secret text, drop column old, add constraint k unique (a), alter column n type bigint using n::bigint",
        );
        assert_eq!(f.len(), 3, "{f:?}");
        assert!(matches!(&f[2], Fact::AlterColumnType { ty, .. } if ty == "bigint"));
    }

    #[test]
    fn policies() {
        let text = "create policy \"Own rows\" on public.todos as restrictive for update to authenticated, anon using (auth.uid() = user_id) with check (true);";
        match &facts(text)[0] {
            Fact::CreatePolicy(p) => {
                assert_eq!(p.name, "Own rows");
                assert_eq!(p.table, q(Some("public"), "todos"));
                assert!(!p.permissive);
                assert_eq!(p.command, PolicyCommand::Update);
                assert_eq!(p.roles, vec!["authenticated", "anon"]);
                assert_eq!(
                    p.using.as_ref().map(|e| e.text.as_str()),
                    Some("auth.uid() = user_id")
                );
                assert_eq!(p.with_check.as_ref().map(|e| e.text.as_str()), Some("true"));
            }
            other => panic!("{other:?}"),
        }
        match &facts("create policy p on t using (true)")[0] {
            Fact::CreatePolicy(p) => {
                assert_eq!(p.roles, vec!["public"]);
                assert_eq!(p.command, PolicyCommand::All);
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(&facts("alter policy p on t rename to q")[0], Fact::AlterPolicy(a) if a.rename_to.as_deref() == Some("q"))
        );
        assert!(
            matches!(&facts("drop policy if exists \"P\" on s.t")[0], Fact::DropPolicy { name, .. } if name == "P")
        );
    }

    #[test]
    fn functions_and_grants() {
        let text = "create or replace function public.f(uid uuid, n int default 1, out r text) returns text language plpgsql security definer set search_path = '' as $$ begin return 'x'; end $$;";
        match &facts(text)[0] {
            Fact::CreateFunction(f) => {
                assert_eq!(f.args, vec!["uuid", "integer"]);
                assert!(f.security_definer);
                assert_eq!(f.search_path.as_deref(), Some(""));
            }
            other => panic!("{other:?}"),
        }
        match &facts("create function g() returns void security definer language sql as 'select 1'")
            [0]
        {
            Fact::CreateFunction(f) => assert_eq!(f.search_path, None),
            other => panic!("{other:?}"),
        }
        match &facts("revoke all on function public.f(uuid, integer) from public, anon")[0] {
            Fact::Grant(g) => {
                assert!(g.revoke);
                assert_eq!(g.privileges, vec!["execute"]);
                assert_eq!(g.grantees, vec!["public", "anon"]);
                assert!(
                    matches!(&g.target, GrantTarget::Functions(f) if f[0].args.as_deref() == Some(&["uuid".to_string(), "integer".to_string()][..]))
                );
            }
            other => panic!("{other:?}"),
        }
        match &facts("grant select, insert on table a, b to anon")[0] {
            Fact::Grant(g) => assert!(matches!(&g.target, GrantTarget::Tables(t) if t.len() == 2)),
            other => panic!("{other:?}"),
        }
        match &facts("grant all on all tables in schema public to anon, authenticated")[0] {
            Fact::Grant(g) => assert_eq!(g.privileges.len(), 7),
            other => panic!("{other:?}"),
        }
        match &facts(
            "alter default privileges for role postgres in schema public grant select on tables to anon",
        )[0]
        {
            Fact::DefaultPrivileges(d) => {
                assert_eq!(d.schemas, vec!["public"]);
                assert_eq!(d.objects, DefaultObjects::Tables);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn search_path_forms() {
        assert_eq!(
            facts("set search_path to app, \"X\", public; select pg_catalog.set_config('search_path', '', false); set local search_path = x")
                .into_iter()
                .map(|f| match f {
                    Fact::SetSearchPath { schemas, local } => (schemas, local),
                    other => panic!("{other:?}"),
                })
                .collect::<Vec<_>>(),
            vec![
                (vec!["app".to_string(), "X".to_string(), "public".to_string()], false),
                (vec![], false),
                (vec!["x".to_string()], true)
            ]
        );
    }

    #[test]
    fn views() {
        let text =
            "create view public.v with (security_invoker = on) as select u.email from auth.users u";
        match &facts(text)[0] {
            Fact::CreateView(v) => {
                assert!(v.security_invoker);
                assert_eq!(v.reads, vec![q(Some("auth"), "users")]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            facts("alter view v set (security_invoker = true)"),
            vec![Fact::SetViewInvoker {
                name: q(None, "v"),
                invoker: true
            }]
        );
    }

    #[test]
    fn do_block_bodies_and_execute_strings() {
        let text = "do $$\nbegin\n  create table a (id int);\n  execute 'create table b (x text default ''y'')';\n  execute format('create table %I (id int)', 'c');\nend\n$$;";
        let (tokens, _) = lexer::tokenize(text);
        let (statements, _) = lexer::split(&tokens);
        let r = statement(text, &statements[0].tokens);
        let names: Vec<String> = r
            .facts
            .iter()
            .filter_map(|f| match f {
                Fact::CreateTable(t) => Some(format!("{}@{}", t.name, &text[t.name_span.range()])),
                _ => None,
            })
            .collect();
        assert_eq!(
            names,
            vec!["a@a", "b@'create table b (x text default ''y'')'"]
        );
        // The placeholder EXECUTE; the block itself is noted by the caller.
        assert_eq!(r.notes.len(), 1, "{:?}", r.notes);
        assert!(!r.understood);
    }

    #[test]
    fn literal_secrets() {
        let text = "create role app login password 'hunter2hunter2'; alter user x with encrypted password 'SCRAM-SHA-256$4096:abc'; select vault.create_secret('sk_live_abcdefghijklmnop', 'stripe');";
        let found: Vec<&str> = facts(text)
            .iter()
            .filter_map(|f| match f {
                Fact::LiteralSecret { value_span, .. } => Some(&text[value_span.range()]),
                _ => None,
            })
            .collect();
        assert_eq!(found, vec!["hunter2hunter2", "sk_live_abcdefghijklmnop"]);
        let cron = "select cron.schedule('job', '* * * * *', $$ select net.http_post(url := 'https://x.supabase.co/functions/v1/f', headers := '{\"Authorization\": \"Bearer eyJhbGciOiJIUzI1NiJ9.abcdefghijk\"}'::jsonb) $$);";
        let found: Vec<&str> = facts(cron)
            .iter()
            .filter_map(|f| match f {
                Fact::LiteralSecret { value_span, .. } => Some(&cron[value_span.range()]),
                _ => None,
            })
            .collect();
        assert_eq!(found, vec!["eyJhbGciOiJIUzI1NiJ9.abcdefghijk"]);
    }
}
