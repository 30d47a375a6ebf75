//! SARIF 2.1.0 for code scanning: rule metadata from the registry (help, `security-severity`),
//! regions in Unicode code points, and `partialFingerprints`.

use serde_json::{Value, json};

use crate::finding::{Level, RuleLevel};
use crate::outcome::Report;
use crate::rules::{self, RuleMeta};

pub fn render(report: &Report) -> String {
    let mut rule_ids: Vec<&'static str> = report.rules.clone();
    for f in &report.findings {
        if !rule_ids.contains(&f.rule) {
            rule_ids.push(f.rule);
        }
    }
    let metas: Vec<&RuleMeta> = rule_ids.iter().filter_map(|id| rules::meta(id)).collect();
    let index_of = |id: &str| metas.iter().position(|m| m.id == id);
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut result = json!({
                "ruleId": f.rule,
                "level": f.level.as_str(),
                "message": { "text": message_text(&f.message, f.help.as_deref()) },
                "locations": [location(&f.path, f.start.line, f.start.column, f.end.line, f.end.column)],
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
                        let mut loc = location(&r.path, r.start.line, r.start.column, r.end.line, r.end.column);
                        loc["id"] = i.into();
                        loc["message"] = json!({ "text": r.message });
                        loc
                    })
                    .collect();
            }
            result
        })
        .collect();
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

fn location(path: &str, line: usize, column: usize, end_line: usize, end_column: usize) -> Value {
    json!({ "physicalLocation": {
        "artifactLocation": { "uri": uri_encode(path) },
        "region": { "startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column },
    }})
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
