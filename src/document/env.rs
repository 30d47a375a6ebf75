//! Dotenv files: `KEY=value` entries with spans for key, value and comment.
//!
//! Accepted syntax (dotenv / docker-compose / dotenv-linter conventions): `KEY=value`,
//! `export KEY=value`, spaces around `=`, unquoted values ending at ` #` comments, single-quoted
//! (literal), double-quoted (escapes `\n \r \t \\ \" \$`, may span lines) and backtick-quoted
//! (literal, may span lines) values, `${VAR}`, `${VAR:-default}` and `$VAR` references (not in
//! single quotes), empty values, CRLF line ends and a leading BOM. A malformed line becomes a
//! diagnostic and parsing resumes on the next line.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::source::Span;

/// How a value was quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    None,
    Single,
    Double,
    Backtick,
}

/// A `${VAR}`, `${VAR:-default}` or `$VAR` inside a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarRef {
    pub name: String,
    /// Text after `:-`/`-`/`:=`/`=`, if any.
    pub default: Option<String>,
    /// The whole reference, `${…}` or `$NAME`.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvEntry {
    pub key: String,
    pub key_span: Span,
    /// The value after unquoting and unescaping.
    pub value: String,
    /// The value as written, quotes included (empty span right after `=` for `KEY=`).
    pub value_span: Span,
    /// The value as written, inside the quotes.
    pub inner_span: Span,
    pub quote: Quote,
    pub exported: bool,
    /// A trailing `# comment` on the entry's last line.
    pub comment: Option<Span>,
    /// From the first character of the line to the end of the value or comment.
    pub span: Span,
    pub references: Vec<VarRef>,
}

impl EnvEntry {
    /// Maps a byte range within [`EnvEntry::value`] to the file. Exact when the value has no
    /// escapes; otherwise the whole quoted content, which still covers the range.
    pub fn value_range_span(&self, range: std::ops::Range<usize>, text: &str) -> Span {
        let raw = text.get(self.inner_span.range()).unwrap_or("");
        if raw == self.value && range.end <= raw.len() {
            Span::new(
                self.inner_span.start + range.start,
                self.inner_span.start + range.end,
            )
        } else {
            self.inner_span
        }
    }
}

/// A malformed line. The message never quotes the line, which may hold a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvDiagnostic {
    pub span: Span,
    pub message: String,
    /// The rest of the line after the key, where a secret could sit: rules redact it.
    pub sensitive: Span,
}

/// A key assigned more than once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    pub key: String,
    /// Index in `entries` of the first assignment.
    pub first: usize,
    /// Index in `entries` of this repeated assignment.
    pub again: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvFile {
    pub entries: Vec<EnvEntry>,
    /// Whole-line comments (`# …`), without the line end.
    pub comments: Vec<Span>,
    pub diagnostics: Vec<EnvDiagnostic>,
    pub duplicates: Vec<Duplicate>,
}

impl EnvFile {
    pub fn get(&self, key: &str) -> Option<&EnvEntry> {
        self.entries.iter().find(|e| e.key == key)
    }

    pub fn parse(text: &str) -> EnvFile {
        let mut parser = Parser {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            file: EnvFile::default(),
        };
        if text.starts_with('\u{feff}') {
            parser.pos = '\u{feff}'.len_utf8();
        }
        while parser.pos < parser.bytes.len() {
            parser.line();
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut duplicates = Vec::new();
        for (index, entry) in parser.file.entries.iter().enumerate() {
            match seen.get(entry.key.as_str()) {
                Some(&first) => duplicates.push(Duplicate {
                    key: entry.key.clone(),
                    first,
                    again: index,
                }),
                None => {
                    seen.insert(&entry.key, index);
                }
            }
        }
        parser.file.duplicates = duplicates;
        parser.file
    }
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    file: EnvFile,
}

fn is_key_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_key_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

impl Parser<'_> {
    /// End of the current line (index of `\n`, or the text length), and the content end before `\r`.
    fn line_end(&self, from: usize) -> (usize, usize) {
        let end = self.bytes[from..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.bytes.len(), |i| from + i);
        let content_end = if end > from && self.bytes[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        (end, content_end)
    }

    fn skip_blanks(&self, mut at: usize, limit: usize) -> usize {
        while at < limit && matches!(self.bytes[at], b' ' | b'\t') {
            at += 1;
        }
        at
    }

    fn error(&mut self, span: Span, message: impl Into<String>, sensitive: Span) {
        self.file.diagnostics.push(EnvDiagnostic {
            span,
            message: message.into(),
            sensitive,
        });
    }

    /// Parses one logical line (a quoted value may extend it) and moves past it.
    fn line(&mut self) {
        let line_start = self.pos;
        let (end, content_end) = self.line_end(line_start);
        let mut at = self.skip_blanks(line_start, content_end);
        if at == content_end || self.bytes[at] == b'#' {
            if at < content_end {
                self.file.comments.push(Span::new(at, content_end));
            }
            self.pos = if end == self.bytes.len() {
                end
            } else {
                end + 1
            };
            return;
        }
        let mut exported = false;
        if self.text[at..content_end].starts_with("export")
            && self
                .bytes
                .get(at + 6)
                .is_some_and(|b| matches!(b, b' ' | b'\t'))
        {
            exported = true;
            at = self.skip_blanks(at + 6, content_end);
        }
        let key_start = at;
        let line_rest = Span::new(key_start, content_end);
        self.pos = if end == self.bytes.len() {
            end
        } else {
            end + 1
        };
        if at >= content_end {
            self.error(
                Span::new(line_start, content_end),
                "`export` without a variable",
                line_rest,
            );
            return;
        }
        if !is_key_start(self.bytes[at]) {
            let ch_end = self.text[at..]
                .chars()
                .next()
                .map_or(at + 1, |c| at + c.len_utf8());
            self.error(
                Span::new(at, ch_end),
                "expected a variable name (a letter or `_`, then letters, digits, `_`, `.` or `-`)",
                line_rest,
            );
            return;
        }
        while at < content_end && is_key_char(self.bytes[at]) {
            at += 1;
        }
        let key_span = Span::new(key_start, at);
        let key = self.text[key_span.range()].to_string();
        let eq = self.skip_blanks(at, content_end);
        if eq >= content_end || self.bytes[eq] != b'=' {
            let (span, message) = if eq >= content_end {
                (key_span, format!("`{key}` has no `=` and no value"))
            } else {
                let ch_end = self.text[eq..]
                    .chars()
                    .next()
                    .map_or(eq + 1, |c| eq + c.len_utf8());
                (Span::new(eq, ch_end), format!("expected `=` after `{key}`"))
            };
            self.error(span, message, Span::new(at, content_end));
            return;
        }
        let value_start = self.skip_blanks(eq + 1, content_end);
        let entry = match self
            .bytes
            .get(value_start)
            .copied()
            .filter(|_| value_start < content_end)
        {
            Some(q @ (b'"' | b'\'' | b'`')) => {
                self.quoted(q, value_start, key, key_span, exported, line_start)
            }
            _ => Some(self.unquoted(
                value_start,
                content_end,
                key,
                key_span,
                exported,
                line_start,
            )),
        };
        if let Some(entry) = entry {
            self.file.entries.push(entry);
        }
    }

    fn unquoted(
        &mut self,
        start: usize,
        content_end: usize,
        key: String,
        key_span: Span,
        exported: bool,
        line_start: usize,
    ) -> EnvEntry {
        // An unquoted value ends at a `#` preceded by whitespace (or at the line end).
        let mut end = start;
        let mut comment = None;
        while end < content_end {
            if self.bytes[end] == b'#'
                && (end == start || matches!(self.bytes[end - 1], b' ' | b'\t'))
            {
                comment = Some(Span::new(end, content_end));
                break;
            }
            end += 1;
        }
        let mut value_end = end;
        while value_end > start && matches!(self.bytes[value_end - 1], b' ' | b'\t') {
            value_end -= 1;
        }
        let span = Span::new(start, value_end);
        let value = self.text[span.range()].to_string();
        let references = references(&self.text[span.range()], span.start);
        EnvEntry {
            key,
            key_span,
            value,
            value_span: span,
            inner_span: span,
            quote: Quote::None,
            exported,
            comment,
            span: Span::new(line_start, comment.map_or(value_end, |c| c.end)),
            references,
        }
    }

    fn quoted(
        &mut self,
        q: u8,
        open: usize,
        key: String,
        key_span: Span,
        exported: bool,
        line_start: usize,
    ) -> Option<EnvEntry> {
        let quote = match q {
            b'"' => Quote::Double,
            b'\'' => Quote::Single,
            _ => Quote::Backtick,
        };
        let (_, first_content_end) = self.line_end(open);
        let multiline = quote != Quote::Single;
        let limit = if multiline {
            self.bytes.len()
        } else {
            first_content_end
        };
        let mut i = open + 1;
        let mut close = None;
        while i < limit {
            match self.bytes[i] {
                b'\\' if quote == Quote::Double => i += 2,
                b if b == q => {
                    close = Some(i);
                    break;
                }
                _ => i += 1,
            }
        }
        let Some(close) = close else {
            let name = match quote {
                Quote::Double => "double",
                Quote::Single => "single",
                _ => "backtick",
            };
            self.error(
                Span::new(open, open + 1),
                format!("unterminated {name}-quoted value for `{key}`"),
                Span::new(open, first_content_end),
            );
            return None;
        };
        let inner = Span::new(open + 1, close);
        let raw = &self.text[inner.range()];
        let value = if quote == Quote::Double {
            unescape(raw)
        } else {
            raw.to_string()
        };
        let references = if quote == Quote::Single {
            Vec::new()
        } else {
            references(raw, inner.start)
        };
        // After the closing quote: blanks, then an optional comment, then the line end.
        let (end, content_end) = self.line_end(close);
        let after = self.skip_blanks(close + 1, content_end);
        let mut comment = None;
        if after < content_end {
            if self.bytes[after] == b'#' {
                comment = Some(Span::new(after, content_end));
            } else {
                self.error(
                    Span::new(after, content_end),
                    format!("unexpected text after the closing quote of `{key}`"),
                    Span::new(after, content_end),
                );
            }
        }
        self.pos = if end == self.bytes.len() {
            end
        } else {
            end + 1
        };
        let value_span = Span::new(open, close + 1);
        Some(EnvEntry {
            key,
            key_span,
            value,
            value_span,
            inner_span: inner,
            quote,
            exported,
            comment,
            span: Span::new(line_start, comment.map_or(value_span.end, |c| c.end)),
            references,
        })
    }
}

fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some(e @ ('\\' | '"' | '$' | '\'' | '`')) => out.push(e),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// `${NAME}`, `${NAME:-default}` (also `-`, `:=`, `=`, `:?`, `?`) and `$NAME` references in `raw`,
/// whose first byte is at file offset `base`.
fn references(raw: &str, base: usize) -> Vec<VarRef> {
    let bytes = raw.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let start = i;
        if bytes.get(i + 1) == Some(&b'{') {
            let Some(close) = raw[i + 2..].find('}').map(|c| i + 2 + c) else {
                i += 1;
                continue;
            };
            let body = &raw[i + 2..close];
            let name_len = body
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count();
            if name_len > 0 {
                let rest = &body[name_len..];
                let default = [":-", ":=", ":?", "-", "=", "?"]
                    .iter()
                    .find_map(|op| rest.strip_prefix(op))
                    .map(str::to_string);
                out.push(VarRef {
                    name: body[..name_len].to_string(),
                    default,
                    span: Span::new(base + start, base + close + 1),
                });
            }
            i = close + 1;
        } else {
            let name_len = bytes[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
            if name_len > 0 && !bytes[i + 1].is_ascii_digit() {
                out.push(VarRef {
                    name: raw[i + 1..i + 1 + name_len].to_string(),
                    default: None,
                    span: Span::new(base + start, base + i + 1 + name_len),
                });
            }
            i += 1 + name_len;
        }
    }
    out
}

/// Whether an env file is a committed template or a real environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvRole {
    /// `.env.example`, `.env.sample`, `.env.template`, `.env.dist`, `env.example`, `example.env`, …
    Example,
    /// `.env`, `.env.local`, `.env.production`, `env/.env`, `prod.env`, …
    Real,
}

const TEMPLATE_WORDS: &[&str] = &[
    "example", "sample", "template", "dist", "tpl", "defaults", "default", "schema",
];

/// Classifies a path by its file name, or `None` if it is not an env file.
pub fn env_role(path: &str) -> Option<EnvRole> {
    let name = path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
        .to_ascii_lowercase();
    let parts: Vec<&str> = name.split('.').filter(|p| !p.is_empty()).collect();
    let is_env = name == ".env"
        || name.starts_with(".env.")
        || name.ends_with(".env")
        || name.starts_with("env.");
    if !is_env || parts.is_empty() {
        return None;
    }
    if parts.iter().any(|p| TEMPLATE_WORDS.contains(p)) {
        Some(EnvRole::Example)
    } else {
        Some(EnvRole::Real)
    }
}

/// A place where code or a Compose file reads an environment variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvRead {
    pub name: String,
    /// The variable name inside the expression.
    pub span: Span,
}

/// Environment reads found in a source file (`process.env.X`, `import.meta.env.X`,
/// `os.environ["X"]`, `std::env::var("X")`, `os.Getenv("X")`, `ENV["X"]`, …) or a Compose file
/// (`${X}`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeFile {
    pub reads: Vec<EnvRead>,
    /// For `next.config.*`: the members of its `env: { … }` object, which Next.js inlines into
    /// the client bundle.
    pub config_env: Vec<ConfigEnv>,
}

/// One `KEY: value` member of the `env` object of `next.config.*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigEnv {
    pub key: String,
    pub key_span: Span,
    /// A string literal's content and its span (inside the quotes); `None` for an expression
    /// such as `process.env.X` or a template with `${…}`.
    pub value: Option<(String, Span)>,
}

fn is_next_config(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.strip_prefix("next.config.")
        .is_some_and(|ext| matches!(ext, "js" | "mjs" | "cjs" | "ts" | "mts"))
}

/// The members of every `env: { … }` object in a Next.js config. A small scanner, not a JS
/// parser: keys are identifiers or string literals, values are string literals or skipped
/// expressions (brackets and strings balanced).
fn next_config_env(text: &str) -> Vec<ConfigEnv> {
    static ENV_OBJECT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\benv\s*:\s*\{").expect("static regex"));
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for m in ENV_OBJECT.find_iter(text) {
        let mut at = m.end();
        loop {
            at = skip_blank(bytes, at);
            let Some(&c) = bytes.get(at) else { break };
            if c == b'}' {
                break;
            }
            if c == b',' {
                at += 1;
                continue;
            }
            let (key, key_span, after_key) = if matches!(c, b'"' | b'\'') {
                let Some((content, span, next)) = string_literal(text, at) else {
                    break;
                };
                (content, span, next)
            } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
                let end = (at..bytes.len())
                    .find(|&i| {
                        !(bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'$'))
                    })
                    .unwrap_or(bytes.len());
                (text[at..end].to_string(), Span::new(at, end), end)
            } else {
                break;
            };
            at = skip_blank(bytes, after_key);
            let mut value = None;
            if bytes.get(at) == Some(&b':') {
                at = skip_blank(bytes, at + 1);
                let literal = string_literal(text, at)
                    .filter(|(content, _, _)| !(bytes[at] == b'`' && content.contains("${")));
                match literal {
                    // only a whole literal: `'a' + b` is an expression
                    Some((content, span, next))
                        if matches!(bytes.get(skip_blank(bytes, next)), Some(b',' | b'}')) =>
                    {
                        value = Some((content, span));
                        at = next;
                    }
                    _ => at = skip_expression(text, at),
                }
            }
            out.push(ConfigEnv {
                key,
                key_span,
                value,
            });
        }
    }
    out
}

/// Skips whitespace and comments.
fn skip_blank(bytes: &[u8], mut at: usize) -> usize {
    loop {
        while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        match (bytes.get(at), bytes.get(at + 1)) {
            (Some(b'/'), Some(b'/')) => {
                at = (at..bytes.len())
                    .find(|&i| bytes[i] == b'\n')
                    .unwrap_or(bytes.len());
            }
            (Some(b'/'), Some(b'*')) => {
                at = (at + 2..bytes.len().saturating_sub(1))
                    .find(|&i| bytes[i] == b'*' && bytes[i + 1] == b'/')
                    .map_or(bytes.len(), |i| i + 2);
            }
            _ => return at,
        }
    }
}

/// A `'…'`, `"…"` or `` `…` `` literal at `at`: its content (escapes kept as written), the span
/// of the content, and the offset after the closing quote.
fn string_literal(text: &str, at: usize) -> Option<(String, Span, usize)> {
    let bytes = text.as_bytes();
    let quote = *bytes.get(at).filter(|c| matches!(c, b'"' | b'\'' | b'`'))?;
    let mut i = at + 1;
    while let Some(&c) = bytes.get(i) {
        if c == b'\\' {
            i += 2;
            continue;
        }
        if c == quote {
            let content = text.get(at + 1..i)?;
            return Some((content.to_string(), Span::new(at + 1, i), i + 1));
        }
        if c == b'\n' && quote != b'`' {
            return None;
        }
        i += 1;
    }
    None
}

/// Skips an expression up to the `,` or `}` that ends an object member.
fn skip_expression(text: &str, mut at: usize) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    while let Some(&c) = bytes.get(at) {
        match c {
            b'"' | b'\'' | b'`' => {
                // an unterminated string ends the scan
                match string_literal(text, at) {
                    Some((_, _, next)) => at = next,
                    None => return bytes.len(),
                }
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' => depth = depth.saturating_sub(1),
            b'}' if depth == 0 => return at,
            b'}' => depth -= 1,
            b',' if depth == 0 => return at,
            _ => {}
        }
        at += 1;
    }
    at
}

/// Is this path a Docker Compose file (whose `${VAR}` references are environment reads)?
pub fn is_compose_file(path: &str) -> bool {
    let name = path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
        .to_ascii_lowercase();
    (name.starts_with("docker-compose") || name.starts_with("compose"))
        && (name.ends_with(".yml") || name.ends_with(".yaml"))
}

/// `${VAR}`, `${VAR:-default}` and `$VAR` interpolations, as in Compose files (`$$` escapes).
pub fn interpolations(text: &str) -> Vec<EnvRead> {
    static INTERPOLATION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:[:?=-][^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)",
        )
        .expect("static regex")
    });
    captured_names(&INTERPOLATION, text)
}

/// The first capture group that matched, for each match.
fn captured_names(regex: &Regex, text: &str) -> Vec<EnvRead> {
    regex
        .captures_iter(text)
        .filter_map(|caps| caps.iter().skip(1).flatten().next())
        .map(|m| EnvRead {
            name: m.as_str().to_string(),
            span: Span::new(m.start(), m.end()),
        })
        .collect()
}

impl CodeFile {
    pub fn parse(path: &str, text: &str) -> CodeFile {
        static CODE: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(concat!(
                r#"(?:\b(?:process\.env|import\.meta\.env|Bun\.env)\.([A-Za-z_][A-Za-z0-9_]*))"#,
                r#"|(?:\b(?:process\.env|os\.environ|ENV)\[\s*["'`]([A-Za-z_][A-Za-z0-9_]*)["'`]\s*\])"#,
                r#"|(?:(?:\bDeno\.env\.get|\bos\.getenv|\bos\.environ\.get|\bos\.Getenv|\bos\.LookupEnv|\benv::var(?:_os)?|\benv!|\boption_env!|\bENV\.fetch|\bgetenv)\(\s*["'`]([A-Za-z_][A-Za-z0-9_]*)["'`])"#,
            ))
            .expect("static regex")
        });
        let reads = if is_compose_file(path) {
            interpolations(text)
        } else {
            captured_names(&CODE, text)
        };
        let config_env = if is_next_config(path) {
            next_config_env(text)
        } else {
            Vec::new()
        };
        CodeFile { reads, config_env }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::LineIndex;

    fn lc(text: &str, offset: usize) -> (usize, usize) {
        let at = LineIndex::new(text).line_col(offset, text);
        (at.line, at.column)
    }

    #[test]
    fn plain_export_and_spaces() {
        let text = "# header\nA=1\nexport B = two words  # note\n  C=\n";
        let env = EnvFile::parse(text);
        assert!(env.diagnostics.is_empty(), "{:?}", env.diagnostics);
        let keys: Vec<_> = env
            .entries
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_str(), e.exported))
            .collect();
        assert_eq!(
            keys,
            [
                ("A", "1", false),
                ("B", "two words", true),
                ("C", "", false)
            ]
        );
        let b = &env.entries[1];
        assert_eq!(lc(text, b.key_span.start), (3, 8));
        assert_eq!(lc(text, b.value_span.start), (3, 12));
        assert_eq!(&text[b.value_span.range()], "two words");
        assert_eq!(&text[b.comment.unwrap().range()], "# note");
        assert_eq!(env.comments, [Span::new(0, 8)]);
        assert_eq!(lc(text, env.entries[2].key_span.start), (4, 3));
        assert!(env.entries[2].value_span.is_empty());
    }

    #[test]
    fn quotes_escapes_and_comments() {
        let text = "S='a # b \\n'\nD=\"x\\ny \\\"q\\\" $HOME\" # c\nT=`tick`\nU=a#b\n";
        let env = EnvFile::parse(text);
        assert!(env.diagnostics.is_empty(), "{:?}", env.diagnostics);
        assert_eq!(env.entries[0].value, "a # b \\n");
        assert_eq!(env.entries[0].quote, Quote::Single);
        assert!(env.entries[0].references.is_empty());
        assert_eq!(env.entries[1].value, "x\ny \"q\" $HOME");
        assert_eq!(env.entries[1].references[0].name, "HOME");
        assert_eq!(lc(text, env.entries[1].comment.unwrap().start), (2, 22));
        assert_eq!(env.entries[2].value, "tick");
        // `#` without a preceding blank belongs to the value.
        assert_eq!(env.entries[3].value, "a#b");
    }

    #[test]
    fn multiline_double_quoted_value() {
        let text = "KEY=\"-----BEGIN X-----\nline2\n-----END X-----\"\nNEXT=1\n";
        let env = EnvFile::parse(text);
        assert!(env.diagnostics.is_empty());
        assert_eq!(
            env.entries[0].value,
            "-----BEGIN X-----\nline2\n-----END X-----"
        );
        assert_eq!(lc(text, env.entries[0].value_span.end), (3, 17));
        assert_eq!(env.entries[1].key, "NEXT");
        assert_eq!(lc(text, env.entries[1].key_span.start), (4, 1));
    }

    #[test]
    fn references_with_defaults() {
        let text = "URL=postgres://${DB_USER:-app}:${DB_PASSWORD}@${HOST}/db\n";
        let env = EnvFile::parse(text);
        let refs: Vec<_> = env.entries[0]
            .references
            .iter()
            .map(|r| (r.name.as_str(), r.default.as_deref()))
            .collect();
        assert_eq!(
            refs,
            [
                ("DB_USER", Some("app")),
                ("DB_PASSWORD", None),
                ("HOST", None)
            ]
        );
        let r = &env.entries[0].references[1];
        assert_eq!(&text[r.span.range()], "${DB_PASSWORD}");
        assert_eq!(lc(text, r.span.start), (1, 32));
    }

    #[test]
    fn crlf_and_bom() {
        let text = "\u{feff}A=1\r\nB=\"two\"\r\n# c\r\n";
        let env = EnvFile::parse(text);
        assert!(env.diagnostics.is_empty(), "{:?}", env.diagnostics);
        assert_eq!(env.entries[0].value, "1");
        assert_eq!(env.entries[1].value, "two");
        assert_eq!(lc(text, env.entries[1].key_span.start), (2, 1));
        assert_eq!(&text[env.comments[0].range()], "# c");
    }

    #[test]
    fn malformed_lines_are_diagnostics() {
        let text = "GOOD=1\n1BAD=x\nNOEQUALS\nKEY value\nQ=\"open\nS='x' trailing\nAFTER=ok\n";
        let env = EnvFile::parse(text);
        let diags: Vec<_> = env
            .diagnostics
            .iter()
            .map(|d| (lc(text, d.span.start), d.message.as_str()))
            .collect();
        assert_eq!(
            diags,
            [
                (
                    (2, 1),
                    "expected a variable name (a letter or `_`, then letters, digits, `_`, `.` or `-`)"
                ),
                ((3, 1), "`NOEQUALS` has no `=` and no value"),
                ((4, 5), "expected `=` after `KEY`"),
                ((5, 3), "unterminated double-quoted value for `Q`"),
                ((6, 7), "unexpected text after the closing quote of `S`"),
            ]
        );
        let keys: Vec<_> = env.entries.iter().map(|e| e.key.as_str()).collect();
        // The unterminated quote does not swallow the rest of the file.
        assert_eq!(keys, ["GOOD", "S", "AFTER"]);
        // Messages never quote values.
        assert!(
            env.diagnostics
                .iter()
                .all(|d| !d.message.contains("open") && !d.message.contains("trailing"))
        );
    }

    #[test]
    fn duplicates_are_reported() {
        let env = EnvFile::parse("A=1\nB=2\nA=3\nA=4\n");
        let dups: Vec<_> = env
            .duplicates
            .iter()
            .map(|d| (d.key.as_str(), d.first, d.again))
            .collect();
        assert_eq!(dups, [("A", 0, 2), ("A", 0, 3)]);
    }

    #[test]
    fn value_ranges_map_to_the_file() {
        let text = "A=\"pre-SECRETVALUE\"\nB=\"x\\ty-SECRET\"\n";
        let env = EnvFile::parse(text);
        let a = &env.entries[0];
        assert_eq!(
            &text[a.value_range_span(4..15, text).range()],
            "SECRETVALUE"
        );
        let b = &env.entries[1];
        assert_eq!(b.value_range_span(5..11, text), b.inner_span);
    }

    #[test]
    fn never_panics_on_odd_input() {
        for text in [
            "",
            "\n",
            "=",
            "export",
            "export ",
            "A",
            "A=\"",
            "A='",
            "A=`",
            "A=\"\\",
            "é=1",
            "A=${",
            "A=$",
            "\r",
            "A=\"x\"\r",
        ] {
            let env = EnvFile::parse(text);
            for e in &env.entries {
                let _ = &text[e.span.range()];
            }
        }
    }

    #[test]
    fn spans_stay_in_bounds_on_random_input() {
        let alphabet: Vec<char> = "AB_=\"'`#$ {}:-\\\n\r\té€x1".chars().collect();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..2000 {
            let len = (state % 40) as usize;
            let text: String = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    alphabet[(state % alphabet.len() as u64) as usize]
                })
                .collect();
            let env = EnvFile::parse(&text);
            let spans = env
                .entries
                .iter()
                .flat_map(|e| [e.key_span, e.value_span, e.inner_span, e.span])
                .chain(env.diagnostics.iter().flat_map(|d| [d.span, d.sensitive]))
                .chain(env.comments.iter().copied());
            for span in spans {
                assert!(
                    text.get(span.range()).is_some(),
                    "{span:?} out of bounds in {text:?}"
                );
            }
        }
    }

    #[test]
    fn code_reads() {
        let text = "const a = process.env.API_URL;\nconst b = import.meta.env.VITE_KEY;\nx = os.environ[\"DB_URL\"]\ny = os.getenv('REDIS_URL')\nlet z = std::env::var(\"TOKEN\");\nprocess.env['SECRET_X']\n";
        let code = CodeFile::parse("src/app.ts", text);
        let names: Vec<_> = code
            .reads
            .iter()
            .map(|r| (r.name.as_str(), lc(text, r.span.start)))
            .collect();
        assert_eq!(
            names,
            [
                ("API_URL", (1, 23)),
                ("VITE_KEY", (2, 27)),
                ("DB_URL", (3, 17)),
                ("REDIS_URL", (4, 16)),
                ("TOKEN", (5, 24)),
                ("SECRET_X", (6, 14))
            ]
        );
        let compose = "services:\n  api:\n    environment:\n      DB: ${DATABASE_URL:?required}\n      X: $PLAIN\n";
        let reads = CodeFile::parse("docker-compose.yml", compose).reads;
        assert_eq!(
            reads.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["DATABASE_URL", "PLAIN"]
        );
        assert!(
            CodeFile::parse("notes.ts", "// no env here")
                .reads
                .is_empty()
        );
    }

    #[test]
    fn roles_from_file_names() {
        for p in [
            ".env.example",
            "backend/.env.sample",
            ".env.template",
            ".env.dist",
            ".env.local.example",
            "env.example",
            "example.env",
        ] {
            assert_eq!(env_role(p), Some(EnvRole::Example), "{p}");
        }
        for p in [
            ".env",
            ".env.local",
            ".env.production",
            "env/.env",
            "prod.env",
        ] {
            assert_eq!(env_role(p), Some(EnvRole::Real), "{p}");
        }
        for p in ["src/environment.ts", "README.md", "envoy.yaml"] {
            assert_eq!(env_role(p), None, "{p}");
        }
    }
}

#[cfg(test)]
mod next_config_tests {
    use super::*;

    #[test]
    fn env_object_members_with_literal_values() {
        let text = "/** @type {import('next').NextConfig} */\nmodule.exports = {\n  reactStrictMode: true,\n  env: {\n    NEXT_PUBLIC_SITE: 'https://example.com', // fine\n    STRIPE_KEY: \"sk_live_x\",\n    API_SECRET: process.env.API_SECRET,\n    'QUOTED': `${Date.now()}`,\n    JOINED: 'a' + 'b',\n    SHORT,\n    /* c */ NESTED: fn({ a: [1, '}'] }),\n    LAST: `plain`\n  },\n};\n";
        let env = CodeFile::parse("web/next.config.js", text).config_env;
        let got: Vec<_> = env
            .iter()
            .map(|m| {
                assert_eq!(&text[m.key_span.range()].trim_matches('\''), &m.key);
                if let Some((v, span)) = &m.value {
                    assert_eq!(&text[span.range()], v);
                }
                (m.key.as_str(), m.value.as_ref().map(|(v, _)| v.as_str()))
            })
            .collect();
        assert_eq!(
            got,
            [
                ("NEXT_PUBLIC_SITE", Some("https://example.com")),
                ("STRIPE_KEY", Some("sk_live_x")),
                ("API_SECRET", None),
                ("QUOTED", None),
                ("JOINED", None),
                ("SHORT", None),
                ("NESTED", None),
                ("LAST", Some("plain")),
            ]
        );
        assert!(
            CodeFile::parse("web/app.config.js", text)
                .config_env
                .is_empty()
        );
        // truncated input ends the scan without panicking
        for cut in 0..text.len() {
            if text.is_char_boundary(cut) {
                let _ = CodeFile::parse("next.config.mjs", &text[..cut]);
            }
        }
    }
}
