//! SARIF 2.1.0 for code scanning: rule metadata from the registry (help, `security-severity`),
//! regions in Unicode code points, and `partialFingerprints`.

use serde_json::{Value, json};

use std::path::Path;

use crate::finding::{Finding, Level, RuleLevel};
use crate::outcome::Report;
use crate::rules::{self, RuleMeta};

/// GitHub code scanning rejects a run with more results than this.
pub const MAX_RESULTS: usize = 25_000;

/// Rules whose findings mean a file was not (fully) checked: also tool notifications.
const NOT_CHECKED: &[&str] = &[
    "tollgate/read-error",
    "tollgate/file-too-large",
    "tollgate/too-many-statements",
    "tollgate/too-many-findings",
    "tollgate/internal-error",
];

pub fn render(report: &Report) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut rule_ids: Vec<&'static str> = report.rules.clone();
    for f in report.findings.iter().chain(&report.baselined) {
        if !rule_ids.contains(&f.rule) {
            rule_ids.push(f.rule);
        }
    }
    let metas: Vec<&RuleMeta> = rule_ids.iter().filter_map(|id| rules::meta(id)).collect();
    let index_of = |id: &str| metas.iter().position(|m| m.id == id);
    let result_of = |f: &Finding| {
        let mut result = json!({
            "ruleId": f.rule,
            "level": f.level.as_str(),
            "message": { "text": message_text(&f.message, f.help.as_deref()) },
            "locations": [location(&cwd, &f.path, Some((f.start.line, f.start.column, f.end.line, f.end.column)))],
            "partialFingerprints": { "tollgate/v1": f.fingerprint },
        });
        if let Some(i) = index_of(f.rule) {
            result["ruleIndex"] = i.into();
        }
        if !f.related.is_empty() {
            result["relatedLocations"] = f
                .related
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut loc = location(
                        &cwd,
                        &r.path,
                        Some((r.start.line, r.start.column, r.end.line, r.end.column)),
                    );
                    loc["id"] = i.into();
                    loc["message"] = json!({ "text": r.message });
                    loc
                })
                .collect();
        }
        result
    };
    let mut results: Vec<Value> = report.findings.iter().map(result_of).collect();
    // Accepted findings stay in the log as suppressed results, so code scanning shows them as
    // dismissed rather than fixed.
    for f in &report.baselined {
        let mut result = result_of(f);
        result["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": format!("accepted by the baseline {}", report.baseline.as_ref().map_or("", |b| b.path.as_str())),
        }]);
        results.push(result);
    }
    for s in &report.suppressed {
        let mut result = json!({
            "ruleId": s.rule,
            "level": "note",
            "message": { "text": s.message },
            "locations": [location(&cwd, &s.path, Some((s.line, s.column.max(1), s.line, s.column.max(1))))],
            "partialFingerprints": { "tollgate/v1": s.fingerprint },
            "suppressions": [{
                "kind": "inSource",
                "status": "accepted",
                "justification": s.reason.clone().unwrap_or_else(|| "tollgate-ignore directive".into()),
            }],
        });
        if let Some(i) = index_of(s.rule) {
            result["ruleIndex"] = i.into();
        }
        results.push(result);
    }
    let mut notifications: Vec<Value> = report
        .findings
        .iter()
        .filter(|f| NOT_CHECKED.contains(&f.rule))
        .map(|f| {
            json!({
                "level": "error",
                "message": { "text": f.message },
                "locations": [location(&cwd, &f.path, None)],
                "descriptor": { "id": f.rule },
            })
        })
        .collect();
    if results.len() > MAX_RESULTS {
        let left_out = results.len() - MAX_RESULTS;
        results.truncate(MAX_RESULTS);
        notifications.push(json!({
            "level": "error",
            "message": { "text": format!(
                "{left_out} results were left out: GitHub code scanning accepts at most {MAX_RESULTS} results per run; `--format json` lists every finding"
            ) },
        }));
    }
    let root = file_uri(&cwd);
    let value = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "tollgate",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/tollgate-dev/tollgate",
                "rules": metas.iter().map(|m| rule_descriptor(m)).collect::<Vec<_>>(),
            }},
            // The category: several tollgate runs (one per policy, say) can be uploaded side by side.
            "automationDetails": { "id": "tollgate/" },
            "originalUriBaseIds": { "%SRCROOT%": { "uri": root } },
            "invocations": [{
                "executionSuccessful": report.internal_errors == 0,
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&value).unwrap_or_default();
    out.push('\n');
    out
}

fn message_text(message: &str, help: Option<&str>) -> String {
    match help {
        Some(help) => format!("{message}\nhelp: {help}"),
        None => message.to_string(),
    }
}

/// A location relative to `%SRCROOT%` (the working directory, where paths are shown from); a path
/// outside it is an absolute `file://` URI, never an absolute path posing as a relative reference.
fn location(cwd: &Path, path: &str, region: Option<(usize, usize, usize, usize)>) -> Value {
    let artifact = if Path::new(path).is_absolute() {
        match Path::new(path).strip_prefix(cwd) {
            Ok(rel) => {
                json!({ "uri": uri_encode(&rel.to_string_lossy().replace('\\', "/")), "uriBaseId": "%SRCROOT%" })
            }
            Err(_) => json!({ "uri": file_uri(Path::new(path)) }),
        }
    } else {
        json!({ "uri": uri_encode(path), "uriBaseId": "%SRCROOT%" })
    };
    let mut physical = json!({ "artifactLocation": artifact });
    if let Some((line, column, end_line, end_column)) = region {
        physical["region"] = json!({ "startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column });
    }
    json!({ "physicalLocation": physical })
}

/// `file:///a/b/` for a directory (trailing slash: a base URI), `file:///a/b.sql` for a file.
fn file_uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut uri = format!("file://{}", uri_encode(&text));
    if path.is_dir() && !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

fn rule_descriptor(meta: &RuleMeta) -> Value {
    let level = match meta.default_level {
        RuleLevel::Error => "error",
        RuleLevel::Warning => "warning",
        RuleLevel::Note => "note",
        RuleLevel::Off => "none",
    };
    let security_severity = match meta.default_level.level() {
        Some(Level::Error) => "8.0",
        Some(Level::Warning) => "5.0",
        _ => "2.0",
    };
    json!({
        "id": meta.id,
        "name": meta.id.replace(['/', '-'], "_"),
        "shortDescription": { "text": meta.summary },
        "fullDescription": { "text": meta.docs.lines().next().unwrap_or(meta.summary).trim() },
        "help": { "text": meta.docs, "markdown": meta.docs },
        "helpUri": meta.docs_url(),
        "defaultConfiguration": { "level": level, "enabled": meta.default_level != RuleLevel::Off },
        "properties": { "tags": ["security", meta.kind()], "security-severity": security_severity },
    })
}

/// Percent-encodes what a relative URI reference cannot carry literally.
fn uri_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn uri_encoding() {
        assert_eq!(super::uri_encode("a b/é#1.sql"), "a%20b/%C3%A9%231.sql");
    }
}
