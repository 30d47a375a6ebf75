//! JSON report, schema version 1 (documented in docs/json-format.md). Stable key order; no timings,
//! so the same input gives the same bytes.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::finding::Level;
use crate::source::LineCol;

use crate::outcome::Report;
use crate::rules;

pub const SCHEMA_VERSION: u32 = 1;

// Typed, borrowed views serialized straight to text: no `serde_json::Value` tree of the whole
// report (it cost several times the output's size in memory on large repositories). Fields are
// declared in alphabetical order, the order the format has always had.

#[derive(Serialize)]
struct Document<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<BaselineView<'a>>,
    findings: Vec<FindingView<'a>>,
    policy: PolicyView<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<ScopeView<'a>>,
    summary: Summary,
    suppressed: Vec<SuppressedView<'a>>,
    tool: Tool,
    version: u32,
}

#[derive(Serialize)]
struct FindingView<'a> {
    docs: Option<String>,
    end: Position,
    fingerprint: &'a str,
    help: Option<&'a str>,
    level: Level,
    message: &'a str,
    path: &'a str,
    related: Vec<RelatedView<'a>>,
    rule: &'a str,
    span: SpanView,
    start: Position,
}

#[derive(Serialize)]
struct Position {
    column: usize,
    line: usize,
}

impl From<LineCol> for Position {
    fn from(lc: LineCol) -> Self {
        Self {
            column: lc.column,
            line: lc.line,
        }
    }
}

#[derive(Serialize)]
struct SpanView {
    end: usize,
    start: usize,
}

#[derive(Serialize)]
struct RelatedView<'a> {
    message: &'a str,
    path: &'a str,
    start: Position,
}

#[derive(Serialize)]
struct PolicyView<'a> {
    hash: &'a str,
    name: &'a str,
    origin: &'a str,
}

#[derive(Serialize)]
struct Summary {
    /// Present only when binary files were skipped, so plain reports keep their shape.
    #[serde(skip_serializing_if = "is_zero")]
    binary_skipped: usize,
    errors: usize,
    files: usize,
    files_by_kind: BTreeMap<&'static str, usize>,
    notes: usize,
    suppressed: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct SuppressedView<'a> {
    fingerprint: &'a str,
    line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<&'a str>,
    path: &'a str,
    reason: Option<&'a str>,
    rule: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    until: Option<&'a str>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct BaselineView<'a> {
    entries: usize,
    matched: usize,
    path: &'a str,
    stale: Vec<StaleView<'a>>,
}

#[derive(Serialize)]
struct StaleView<'a> {
    fingerprint: &'a str,
    path: &'a str,
    rule: &'a str,
}

#[derive(Serialize)]
struct ScopeView<'a> {
    changed_files: usize,
    changed_scanned: usize,
    description: &'a str,
    hidden_findings: usize,
    new_in_unchanged_files: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

pub fn render(report: &Report) -> String {
    let findings = report
        .findings
        .iter()
        .map(|f| FindingView {
            docs: rules::meta(f.rule).map(|m| m.docs_url()),
            end: f.end.into(),
            fingerprint: &f.fingerprint,
            help: f.help.as_deref(),
            level: f.level,
            message: &f.message,
            path: &f.path,
            related: f
                .related
                .iter()
                .map(|r| RelatedView {
                    message: &r.message,
                    path: &r.path,
                    start: r.start.into(),
                })
                .collect(),
            rule: f.rule,
            span: SpanView {
                end: f.span.end,
                start: f.span.start,
            },
            start: f.start.into(),
        })
        .collect();
    let document = Document {
        baseline: report.baseline.as_ref().map(|b| BaselineView {
            entries: b.entries,
            matched: b.matched,
            path: &b.path,
            stale: b
                .stale
                .iter()
                .map(|e| StaleView {
                    fingerprint: &e.fingerprint,
                    path: &e.path,
                    rule: &e.rule,
                })
                .collect(),
        }),
        findings,
        policy: PolicyView {
            hash: &report.policy_hash,
            name: &report.policy_name,
            origin: &report.policy_origin,
        },
        scope: report.scope.as_ref().map(|s| ScopeView {
            changed_files: s.changed_files,
            changed_scanned: s.changed_scanned,
            description: &s.description,
            hidden_findings: s.hidden_findings,
            new_in_unchanged_files: s.new_in_unchanged_files,
        }),
        summary: Summary {
            binary_skipped: report.binary_skipped,
            errors: report.count(Level::Error),
            files: report.files.len(),
            files_by_kind: report
                .files_by_kind()
                .into_iter()
                .map(|(kind, n)| (kind.as_str(), n))
                .collect(),
            notes: report.count(Level::Note),
            suppressed: report.suppressed.len(),
            warnings: report.count(Level::Warning),
        },
        suppressed: report
            .suppressed
            .iter()
            .map(|s| SuppressedView {
                fingerprint: &s.fingerprint,
                line: s.line,
                owner: s.owner.as_deref(),
                path: &s.path,
                reason: s.reason.as_deref(),
                rule: s.rule,
                until: s.until.as_deref(),
            })
            .collect(),
        tool: Tool {
            name: "tollgate",
            version: env!("CARGO_PKG_VERSION"),
        },
        version: SCHEMA_VERSION,
    };
    // Serialising borrowed strings and numbers cannot fail.
    let mut out = serde_json::to_string_pretty(&document).unwrap_or_default();
    out.push('\n');
    out
}
