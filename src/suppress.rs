//! Inline suppressions: `tollgate-ignore <rule>[,<rule>] [until=YYYY-MM-DD] [owner=NAME] -- <reason>` in
//! the file's comment syntax, on the line before a finding or at the end of its line, and
//! `tollgate-ignore-file <rule> -- <reason>` for a whole file. Applied in one pass after the rules run.

use serde::Serialize;

use crate::document::FileKind;
use crate::rules;
use crate::source::{LineIndex, Span};

const MARKER: &str = "tollgate-ignore";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// 0-based line the directive applies to.
    Line(usize),
    File,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub span: Span,
    pub scope: Scope,
    pub rules: Vec<String>,
    pub reason: Option<String>,
    /// `(year, month, day)`.
    pub until: Option<(i32, u32, u32)>,
    pub owner: Option<String>,
    /// Why the directive cannot take effect, if it cannot.
    pub problem: Option<String>,
}

impl Directive {
    pub fn until_text(&self) -> Option<String> {
        self.until.map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
    }

    pub fn is_expired(&self, today: (i32, u32, u32)) -> bool {
        self.until.is_some_and(|until| until < today)
    }
}

/// A finding that a directive suppressed; listed in JSON and markdown reports.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Suppressed {
    pub rule: &'static str,
    pub path: String,
    pub line: usize,
    pub fingerprint: String,
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// The suppressed finding's column and message, for SARIF `suppressions`.
    #[serde(skip)]
    pub column: usize,
    #[serde(skip)]
    pub message: String,
}

/// Whether `text` may hold a directive (cheap: a substring search).
pub fn mentions_directive(text: &str) -> bool {
    text.contains(MARKER)
}

/// Reads every directive in `text`. Malformed directives are returned with `problem` set.
pub fn scan(text: &str, kind: FileKind, lines: &LineIndex, require_reason: bool) -> Vec<Directive> {
    let mut directives = Vec::new();
    if !text.contains(MARKER) {
        return directives;
    }
    let comments = Comments::of(text, kind);
    for line_no in 0..lines.line_count() {
        let line_span = lines.line_span(line_no, text);
        let line = &text[line_span.range()];
        // The first marker on the line that sits inside a comment; one inside a string literal
        // (`'-- tollgate-ignore-file …'`) is data, not a directive.
        let Some((at, marker_at)) = comments.directive(kind, line, line_span.start) else {
            continue;
        };
        let own_line = line[..marker_at].trim().is_empty();
        let mut rest = &line[at + MARKER.len()..];
        let file_scope = rest.starts_with("-file");
        if file_scope {
            rest = &rest["-file".len()..];
        }
        if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
            continue; // `tollgate-ignored` or similar prose, not a directive
        }
        let scope = if file_scope {
            Scope::File
        } else if own_line {
            Scope::Line(next_code_line(text, lines, line_no))
        } else {
            Scope::Line(line_no)
        };
        let span = Span::new(line_span.start + at, line_span.end);
        directives.push(parse_body(rest, span, scope, require_reason));
    }
    directives
}

/// Where comments are, as each kind's lexer sees them: a directive counts only inside one.
enum Comments {
    /// SQL: the comment tokens of the statement lexer (so strings, dollar quotes and quoted
    /// identifiers are skipped exactly as the parser skips them).
    Sql(Vec<Span>),
    /// YAML, Dockerfile, Compose and env files: `#` at the line start or after whitespace, outside
    /// single and double quotes on that line, and for YAML outside every scalar the loader read
    /// (so a `#` line inside a `|` block scalar is text, not a comment).
    Hash(Vec<Span>),
    /// Code: a comment marker outside single, double and backtick quotes on that line (strings
    /// spanning lines, such as template literals, are not followed).
    Code,
    /// Text files: a comment marker anywhere before the directive (prose has no strings).
    Markers,
}

impl Comments {
    fn of(text: &str, kind: FileKind) -> Self {
        match kind {
            FileKind::Sql => {
                let (tokens, _) = crate::document::sql::lexer::tokenize(text);
                Self::Sql(
                    tokens
                        .iter()
                        .filter(|t| t.kind == crate::document::sql::lexer::TokenKind::Comment)
                        .map(|t| t.span)
                        .collect(),
                )
            }
            FileKind::Compose | FileKind::K8s => Self::Hash(yaml_scalars(text)),
            FileKind::Docker | FileKind::Env => Self::Hash(Vec::new()),
            FileKind::Code => Self::Code,
            FileKind::Text => Self::Markers,
        }
    }

    /// The first directive marker of `line` that sits inside a comment opened on this line, as
    /// (marker offset, comment-opener offset). Linear in the line (one pass, or one binary search
    /// per marker occurrence for SQL), however many markers and quotes it holds.
    fn directive(&self, kind: FileKind, line: &str, line_start: usize) -> Option<(usize, usize)> {
        let (opener, body) = match self {
            Self::Sql(spans) => {
                return line.match_indices(MARKER).find_map(|(at, _)| {
                    let abs = line_start + at;
                    let i = spans.partition_point(|s| s.end <= abs);
                    let comment = spans.get(i).filter(|s| s.start <= abs)?;
                    Some((at, comment.start.checked_sub(line_start)?))
                });
            }
            Self::Markers => kind
                .comment_markers()
                .iter()
                .filter_map(|m| line.find(m).map(|at| (at, at + m.len())))
                .min()?,
            Self::Hash(scalars) => {
                let at = hash_comment(line)?;
                let abs = line_start + at;
                let i = scalars.partition_point(|s| s.end <= abs);
                if scalars.get(i).is_some_and(|s| s.start <= abs) {
                    return None;
                }
                (at, at + 1)
            }
            Self::Code => code_comment(line, kind.comment_markers())?,
        };
        line[body..].find(MARKER).map(|at| (body + at, opener))
    }
}

/// The offset of the `#` opening a comment: at the line start or after whitespace, outside single
/// and double quotes. A quote opens a string only where a value can start (so `it's` in a plain
/// YAML scalar or env value does not), and closes at its match.
fn hash_comment(line: &str) -> Option<usize> {
    let (mut single, mut double, mut escaped) = (false, false, false);
    let mut prev: Option<char> = None;
    for (i, c) in line.char_indices() {
        let value_start = prev.is_none_or(|p| p.is_whitespace() || "=:[{,(".contains(p));
        match c {
            _ if escaped => escaped = false,
            '\\' if double => escaped = true,
            '\'' if single => single = false,
            '"' if double => double = false,
            '\'' if !double && value_start => single = true,
            '"' if !single && value_start => double = true,
            '#' if !single && !double && prev.is_none_or(char::is_whitespace) => return Some(i),
            _ => {}
        }
        prev = Some(c);
    }
    None
}

/// Spans of the scalars of a YAML file, sorted (scalars never overlap; copies made by aliases
/// keep their anchor's span and are dropped as duplicates).
fn yaml_scalars(text: &str) -> Vec<Span> {
    use crate::document::yaml::{self, NodeKind};
    let stream = yaml::load(text);
    let mut spans = Vec::new();
    let mut pending: Vec<&yaml::Node> = stream.documents.iter().map(|d| &d.root).collect();
    while let Some(node) = pending.pop() {
        match &node.kind {
            NodeKind::Scalar { .. } => spans.push(node.span),
            NodeKind::Seq(items) => pending.extend(items),
            NodeKind::Map(entries) => {
                for entry in entries {
                    pending.push(&entry.key);
                    pending.push(&entry.value);
                }
            }
        }
    }
    spans.sort();
    spans.dedup();
    spans
}

/// The first comment marker of a code line outside `'`, `"` and `` ` `` strings, as (opener
/// offset, body offset). One pass over the line.
fn code_comment(line: &str, markers: &[&str]) -> Option<(usize, usize)> {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if matches!(c, '"' | '\'' | '`') => quote = Some(c),
            None => {
                if let Some(m) = markers.iter().find(|m| line[i..].starts_with(**m)) {
                    return Some((i, i + m.len()));
                }
            }
        }
    }
    None
}

fn next_code_line(text: &str, lines: &LineIndex, from: usize) -> usize {
    (from + 1..lines.line_count())
        .find(|&l| {
            let line = &text[lines.line_span(l, text).range()];
            !line.trim().is_empty() && !line.contains(MARKER)
        })
        .unwrap_or(from + 1)
}

fn parse_body(body: &str, span: Span, scope: Scope, require_reason: bool) -> Directive {
    let body = body.trim().trim_end_matches("*/").trim();
    let (head, reason) = match body.split_once("--") {
        Some((head, reason)) => (
            head,
            Some(reason.trim().to_string()).filter(|r| !r.is_empty()),
        ),
        None => (body, None),
    };
    let mut d = Directive {
        span,
        scope,
        rules: Vec::new(),
        reason,
        until: None,
        owner: None,
        problem: None,
    };
    for word in head
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
    {
        if let Some(date) = word.strip_prefix("until=") {
            match parse_date(date) {
                Some(date) => d.until = Some(date),
                None => d.problem = Some(format!("`until={date}` is not a date (YYYY-MM-DD)")),
            }
        } else if let Some(owner) = word.strip_prefix("owner=") {
            d.owner = Some(owner.to_string());
        } else if rules::meta(word).is_some() {
            d.rules.push(word.to_string());
        } else if d.problem.is_none() {
            // Only the first problem is kept: the "did you mean" search (every rule id, per
            // unknown word) runs once, not for each word of a line full of them.
            let hint = rules::suggest(word)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            d.problem = Some(format!("unknown rule `{word}`{hint}"));
        }
    }
    if d.rules.is_empty() && d.problem.is_none() {
        d.problem = Some("no rule id given: write `tollgate-ignore <rule-id> -- <reason>`".into());
    }
    if require_reason && d.reason.is_none() && d.problem.is_none() {
        d.problem =
            Some("a suppression needs a reason: append `-- <why this is acceptable>`".into());
    }
    d
}

fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let mut parts = s.splitn(3, '-');
    let y: i32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d) && s.len() == 10).then_some((y, m, d))
}

/// Today's date (UTC); `TOLLGATE_TODAY=YYYY-MM-DD` fixes it for reproducible reports and tests.
pub fn today() -> (i32, u32, u32) {
    if let Some(date) = std::env::var("TOLLGATE_TODAY")
        .ok()
        .and_then(|s| parse_date(&s))
    {
        return date;
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_from_days((secs / 86_400) as i64)
}

/// Howard Hinnant's days-to-civil conversion.
fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = (yoe + era * 400 + i64::from(m <= 2)) as i32;
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_sql(text: &str) -> Vec<Directive> {
        scan(text, FileKind::Sql, &LineIndex::new(text), true)
    }

    #[test]
    fn line_before_and_same_line() {
        let text = "-- tollgate-ignore sql/require-rls -- lookup table\n\ncreate table a ();\ncreate table b (); -- tollgate-ignore sql/require-rls until=2099-01-01 owner=@db -- ok";
        let d = scan_sql(text);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].scope, Scope::Line(2));
        assert_eq!(d[0].reason.as_deref(), Some("lookup table"));
        assert_eq!(d[1].scope, Scope::Line(3));
        assert_eq!(d[1].until, Some((2099, 1, 1)));
        assert_eq!(d[1].owner.as_deref(), Some("@db"));
        assert!(d.iter().all(|d| d.problem.is_none()));
    }

    #[test]
    fn problems_are_reported() {
        let d = scan_sql(
            "-- tollgate-ignore sql/require-rsl -- x\n-- tollgate-ignore sql/require-rls\n/* tollgate-ignore-file sql/require-rls until=2020-13-01 -- y */",
        );
        assert_eq!(
            d[0].problem.as_deref(),
            Some("unknown rule `sql/require-rsl` (did you mean `sql/require-rls`?)")
        );
        assert!(
            d[1].problem
                .as_deref()
                .unwrap()
                .starts_with("a suppression needs a reason")
        );
        assert_eq!(d[2].scope, Scope::File);
        assert!(d[2].problem.as_deref().unwrap().contains("is not a date"));
        assert!(scan_sql("select 'tollgate-ignore sql/require-rls';").is_empty());
    }

    #[test]
    fn directives_inside_strings_are_data() {
        for text in [
            "select '-- tollgate-ignore-file sql/require-rls -- x';",
            "select $$\n-- tollgate-ignore-file sql/require-rls -- x\n$$;",
            "select $tag$ /* tollgate-ignore-file sql/require-rls -- x */ $tag$;",
            "select E'\\' -- tollgate-ignore-file sql/require-rls -- x';",
            "select \"-- tollgate-ignore-file sql/require-rls -- x\";",
        ] {
            assert!(scan_sql(text).is_empty(), "{text}");
        }
        let d = scan_sql("select '--' ; -- tollgate-ignore sql/require-rls -- real comment");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].reason.as_deref(), Some("real comment"));

        let hash = |text: &str, kind| scan(text, kind, &LineIndex::new(text), true);
        for (text, kind) in [
            (
                "A=\"x # tollgate-ignore-file env/no-secret-value -- y\"\n",
                FileKind::Env,
            ),
            (
                "a: 'x # tollgate-ignore-file k8s/no-privileged -- y'\n",
                FileKind::K8s,
            ),
            (
                "RUN echo \"# tollgate-ignore-file docker/require-non-root-user -- y\"\n",
                FileKind::Docker,
            ),
            (
                "A=x#tollgate-ignore-file env/no-secret-value -- y\n",
                FileKind::Env,
            ),
        ] {
            assert!(hash(text, kind).is_empty(), "{text}");
        }
        let d = hash(
            "A=\"it's\" # tollgate-ignore env/no-secret-value -- ok\n",
            FileKind::Env,
        );
        assert_eq!(d.len(), 1);
        assert!(d[0].problem.is_none(), "{:?}", d[0].problem);

        // YAML: a `#` line inside a block scalar is the scalar's text.
        let block = "data:\n  script: |\n    # tollgate-ignore-file k8s/no-privileged -- y\n    echo hi\n# tollgate-ignore k8s/no-privileged -- real\nkind: Pod\n";
        let d = hash(block, FileKind::K8s);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].reason.as_deref(), Some("real"));

        // Code: a comment opener inside a string literal opens nothing.
        for text in [
            "const s = \"// tollgate-ignore-file secret/no-plaintext-secret -- y\";\n",
            "x = '# tollgate-ignore-file secret/no-plaintext-secret -- y'\n",
            "const t = `/* tollgate-ignore-file secret/no-plaintext-secret -- y */`;\n",
            "const e = \"\\\" // tollgate-ignore-file secret/no-plaintext-secret -- y\";\n",
        ] {
            assert!(hash(text, FileKind::Code).is_empty(), "{text}");
        }
        let d = hash(
            "const url = \"http://x\"; // tollgate-ignore secret/no-plaintext-secret -- docs url\n",
            FileKind::Code,
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].reason.as_deref(), Some("docs url"));
    }

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_597), (2026, 5, 24));
        let d = scan_sql("-- tollgate-ignore sql/require-rls until=2026-11-24 -- x\nx");
        assert!(d[0].is_expired((2026, 11, 25)));
        assert!(!d[0].is_expired((2026, 11, 24)));
    }
}
