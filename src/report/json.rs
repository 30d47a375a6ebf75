//! JSON report, schema version 1 (documented in docs/json-format.md). Stable key order; no timings,
//! so the same input gives the same bytes.

use serde_json::json;

use crate::outcome::Report;
use crate::rules;

pub const SCHEMA_VERSION: u32 = 1;

pub fn render(report: &Report) -> String {
    let findings: Vec<_> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "rule": f.rule,
                "level": f.level,
                "message": f.message,
                "help": f.help,
                "path": f.path,
                "span": { "start": f.span.start, "end": f.span.end },
                "start": { "line": f.start.line, "column": f.start.column },
                "end": { "line": f.end.line, "column": f.end.column },
                "fingerprint": f.fingerprint,
                "docs": rules::meta(f.rule).map(|m| m.docs_url()),
                "related": f.related.iter().map(|r| json!({
                    "path": r.path,
                    "start": { "line": r.start.line, "column": r.start.column },
                    "message": r.message,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let by_kind: serde_json::Map<String, serde_json::Value> = report
        .files_by_kind()
        .into_iter()
        .map(|(kind, n)| (kind.as_str().to_string(), n.into()))
        .collect();
    let value = json!({
        "version": SCHEMA_VERSION,
        "tool": { "name": "tollgate", "version": env!("CARGO_PKG_VERSION") },
        "policy": { "name": report.policy_name, "origin": report.policy_origin, "hash": report.policy_hash },
        "summary": {
            "files": report.files.len(),
            "files_by_kind": by_kind,
            "errors": report.count(crate::finding::Level::Error),
            "warnings": report.count(crate::finding::Level::Warning),
            "notes": report.count(crate::finding::Level::Note),
            "suppressed": report.suppressed.len(),
        },
        "findings": findings,
        "suppressed": report.suppressed,
    });
    let mut value = value;
    // Present only when used, so reports of plain runs keep their shape.
    if let Some(baseline) = &report.baseline {
        value["baseline"] = json!({
            "path": baseline.path,
            "entries": baseline.entries,
            "matched": baseline.matched,
            "stale": baseline.stale.iter().map(|e| json!({
                "path": e.path,
                "rule": e.rule,
                "fingerprint": e.fingerprint,
            })).collect::<Vec<_>>(),
        });
    }
    if let Some(scope) = &report.scope {
        value["scope"] = serde_json::to_value(scope).unwrap_or_default();
    }
    let mut out = serde_json::to_string_pretty(&value).unwrap_or_default();
    out.push('\n');
    out
}
