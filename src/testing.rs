//! Helpers for rule unit tests.

use crate::document::FileKind;
use crate::engine::check_sources;
use crate::policy::Policy;

/// Runs only `rule` (at its default level, or `error` if off by default) over in-memory SQL files and
/// returns `path:line:col message` lines.
pub fn check_sql(rule: &str, files: &[(&str, &str)]) -> Vec<String> {
    check_kind(rule, FileKind::Sql, files)
}

pub fn check_kind(rule: &str, kind: FileKind, files: &[(&str, &str)]) -> Vec<String> {
    let policy = only_rule(rule);
    let inputs: Vec<(&str, FileKind, &str)> = files.iter().map(|(p, t)| (*p, kind, *t)).collect();
    check_sources(&policy, &inputs)
        .into_iter()
        .filter(|f| f.rule == rule)
        .map(|f| {
            format!(
                "{}:{}:{} {}",
                f.path, f.start.line, f.start.column, f.message
            )
        })
        .collect()
}

/// A policy with every rule off except `rule`.
pub fn only_rule(rule: &str) -> Policy {
    let mut text = String::from("[rules]\n");
    let mut kinds: Vec<&str> = crate::rules::REGISTRY
        .iter()
        .map(|e| e.meta.kind())
        .collect();
    kinds.dedup();
    text.clear();
    for kind in kinds {
        text.push_str(&format!("[rules.{kind}]\n"));
        for e in crate::rules::REGISTRY
            .iter()
            .filter(|e| e.meta.kind() == kind)
        {
            let level = if e.meta.id == rule { "error" } else { "off" };
            text.push_str(&format!("{} = \"{level}\"\n", e.meta.name()));
        }
    }
    Policy::from_str("test.toml", &text, None).unwrap_or_else(|e| panic!("test policy: {e}"))
}
