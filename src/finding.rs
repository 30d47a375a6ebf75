//! Findings: what a rule reports, stamped by the engine with identity, level and location.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::source::{LineCol, SourceFile, Span};

/// Severity of a finding, ordered so `Error > Warning > Note`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Note,
    Warning,
    Error,
}

impl Level {
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule's configured level: a [`Level`] or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    Off,
    Note,
    Warning,
    Error,
}

impl RuleLevel {
    pub const fn level(self) -> Option<Level> {
        match self {
            RuleLevel::Off => None,
            RuleLevel::Note => Some(Level::Note),
            RuleLevel::Warning => Some(Level::Warning),
            RuleLevel::Error => Some(Level::Error),
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            RuleLevel::Off => "off",
            RuleLevel::Note => "note",
            RuleLevel::Warning => "warning",
            RuleLevel::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "off" => Some(RuleLevel::Off),
            "note" | "info" => Some(RuleLevel::Note),
            "warning" | "warn" => Some(RuleLevel::Warning),
            "error" => Some(RuleLevel::Error),
            _ => None,
        }
    }
}

/// Index of a file in the engine's file list.
pub type FileId = usize;

/// What a rule (or a parser) reports: facts only. The engine adds rule id, level and location.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub file: FileId,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    /// Other places that explain this finding ("RLS was enabled here").
    pub related: Vec<(FileId, Span, String)>,
    /// Byte spans of this file holding secret material: no output may print them.
    pub redactions: Vec<Span>,
    /// Extra text mixed into the fingerprint, for findings whose span text is not distinctive.
    pub fingerprint_salt: Option<String>,
}

impl Diagnostic {
    pub fn new(file: FileId, span: Span, message: impl Into<String>) -> Self {
        Self {
            file,
            span,
            message: message.into(),
            help: None,
            related: Vec::new(),
            redactions: Vec::new(),
            fingerprint_salt: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn related(mut self, file: FileId, span: Span, message: impl Into<String>) -> Self {
        self.related.push((file, span, message.into()));
        self
    }

    pub fn redact(mut self, span: Span) -> Self {
        self.redactions.push(span);
        self
    }

    pub fn salt(mut self, salt: impl Into<String>) -> Self {
        self.fingerprint_salt = Some(salt.into());
        self
    }
}

/// A place mentioned by a finding besides its primary location.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Related {
    pub path: String,
    pub span: Span,
    pub start: LineCol,
    pub end: LineCol,
    pub message: String,
}

/// A finding as every reporter sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub level: Level,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub path: String,
    pub span: Span,
    pub start: LineCol,
    pub end: LineCol,
    pub fingerprint: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    /// Secret spans in `path`: reporters replace these bytes before showing any source.
    #[serde(skip)]
    pub redactions: Vec<Span>,
}

impl Finding {
    /// Sort key giving deterministic output: path, position, rule, message.
    pub fn sort_key(&self) -> (&str, usize, usize, &str, &str) {
        (
            &self.path,
            self.span.start,
            self.span.end,
            self.rule,
            &self.message,
        )
    }
}

/// A stable identity for a finding that survives line shifts: rule, path and the whitespace-normalised
/// text of the span (secrets are hashed, never stored). `occurrence` separates identical findings
/// in one file.
pub fn fingerprint(
    rule: &str,
    file: &SourceFile,
    span: Span,
    salt: Option<&str>,
    occurrence: usize,
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(rule.as_bytes());
    hasher.update([0]);
    hasher.update(file.path.as_bytes());
    hasher.update([0]);
    for word in file.slice(span).split_whitespace() {
        hasher.update(word.as_bytes());
        hasher.update([b' ']);
    }
    hasher.update([0]);
    if let Some(salt) = salt {
        hasher.update(salt.as_bytes());
    }
    hasher.update(occurrence.to_le_bytes());
    let digest = hasher.finalize();
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_ignores_line_shifts_and_whitespace() {
        let a = SourceFile::in_memory("m.sql", "create table  t (id int);");
        let b = SourceFile::in_memory("m.sql", "\n\n-- moved\ncreate table t\n(id int);");
        let fa = fingerprint("sql/require-rls", &a, Span::new(0, 25), None, 0);
        let fb = fingerprint("sql/require-rls", &b, Span::new(11, 35), None, 0);
        assert_eq!(fa, fb);
        assert_ne!(
            fa,
            fingerprint("sql/require-rls", &a, Span::new(0, 25), None, 1)
        );
        assert_eq!(fa.len(), 32);
    }

    #[test]
    fn levels_order_and_parse() {
        assert!(Level::Error > Level::Warning && Level::Warning > Level::Note);
        assert_eq!(RuleLevel::parse("warn"), Some(RuleLevel::Warning));
        assert_eq!(RuleLevel::parse("fatal"), None);
    }
}
