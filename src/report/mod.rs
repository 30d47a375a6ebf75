//! Reporters: pure renderers from one [`Report`] to text. Only the CLI writes their output.

use crate::finding::Finding;
use crate::outcome::Report;

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
    Markdown,
    Junit,
}

#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    pub color: bool,
    pub width: usize,
    pub quiet: bool,
}

pub fn render(report: &Report, format: Format, options: RenderOptions) -> String {
    match format {
        Format::Human => human::render(report, options),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
        Format::Markdown => markdown::render(report),
        Format::Junit => junit::render(report),
    }
}

/// A reporter panicked: the report could not be rendered.
#[derive(Debug, thiserror::Error)]
#[error(
    "internal error while rendering the {format:?} report (panic at {place}); no report was \
     written. Please report it as a tollgate bug"
)]
pub struct RenderError {
    pub format: Format,
    pub place: String,
}

/// [`render`], with a panic in the renderer caught (it names the place in tollgate's code, never
/// the payload, which may quote file content) so the CLI can exit 2 instead of crashing.
pub fn render_guarded(
    report: &Report,
    format: Format,
    options: RenderOptions,
) -> Result<String, RenderError> {
    crate::engine::guard::catch(|| render(report, format, options))
        .map_err(|place| RenderError { format, place })
}

/// The source text of the finding's file with every secret span of that file blanked (not only
/// this finding's), so no snippet can show a secret.
pub fn redacted_source(report: &Report, finding: &Finding) -> String {
    let text = report.sources.get(&finding.path).map_or("", |t| t.as_ref());
    let mut spans = finding.redactions.clone();
    if let Some(all) = report.redactions.get(&finding.path) {
        spans.extend_from_slice(all);
    }
    redact(text, &spans)
}

/// Replaces each byte of each span with `*`, keeping byte offsets valid.
pub fn redact(text: &str, spans: &[crate::source::Span]) -> String {
    if spans.is_empty() {
        return text.to_string();
    }
    let mut out = text.to_string();
    for span in spans {
        let span = span.clamp_to(&out);
        out.replace_range(span.range(), &"*".repeat(span.len()));
    }
    out
}

/// Rules whose finding means part of a file, or all of it, was not checked.
pub const NOT_FULLY_CHECKED: [&str; 5] = [
    "tollgate/file-too-large",
    "tollgate/too-many-statements",
    "tollgate/too-many-findings",
    "tollgate/read-error",
    "tollgate/internal-error",
];

/// Files listed by name in a "not fully checked" note; the rest are counted.
pub const MAX_UNCHECKED_LISTED: usize = 10;

/// The files that were not fully checked, each once with the first reason found, in report order.
pub fn not_fully_checked(report: &Report) -> Vec<(&str, &'static str)> {
    let mut out: Vec<(&str, &'static str)> = Vec::new();
    for f in &report.findings {
        if NOT_FULLY_CHECKED.contains(&f.rule) && !out.iter().any(|(p, _)| *p == f.path) {
            out.push((f.path.as_str(), f.rule));
        }
    }
    out
}

/// Text from the repository (a path, a name) made safe for a terminal or a CI log: control
/// characters (newlines, ANSI escapes, DEL, C1) are shown escaped, so a file name can neither start
/// a new line (a fake `::workflow-command::`) nor drive the terminal.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Changes from `recommended` listed by name in a "policy weakened" note; the rest are counted.
pub const MAX_WEAKENED_LISTED: usize = 20;

/// The "policy weakened" items to show, and how many more there are.
pub fn weakened_listed(report: &Report) -> (&[String], usize) {
    let all = &report.policy_weakened;
    let shown = &all[..all.len().min(MAX_WEAKENED_LISTED)];
    (shown, all.len() - shown.len())
}

/// Lines under the human summary about the policy, files not fully checked, the changed-files
/// scope and the baseline, each indented.
pub fn adoption_notes(report: &Report) -> String {
    let mut out = String::new();
    if let Some(message) = report.nothing_checked_message() {
        out.push_str(&format!("  ✖ {}\n", visible(&message)));
    }
    let (weakened, more) = weakened_listed(report);
    if !weakened.is_empty() {
        out.push_str(&format!(
            "  policy weakened: {}{} (policy {} from {}, hash {})\n",
            visible(&weakened.join("; ")),
            match more {
                0 => String::new(),
                n => format!(" and {n} more"),
            },
            visible(&report.policy_name),
            visible(&report.policy_origin),
            report.policy_hash
        ));
    }
    let unchecked = not_fully_checked(report);
    if !unchecked.is_empty() {
        let listed: Vec<String> = unchecked
            .iter()
            .take(MAX_UNCHECKED_LISTED)
            .map(|(path, rule)| format!("{} ({rule})", visible(path)))
            .collect();
        out.push_str(&format!(
            "  not fully checked: {} file{}: {}{}\n",
            unchecked.len(),
            if unchecked.len() == 1 { "" } else { "s" },
            listed.join(", "),
            match unchecked.len().saturating_sub(MAX_UNCHECKED_LISTED) {
                0 => String::new(),
                n => format!(" and {n} more"),
            }
        ));
    }
    if let Some(scope) = &report.scope {
        out.push_str(&format!(
            "  scope: {} — {} of {} checked files changed; {} findings in unchanged files not shown{}\n",
            scope.description,
            scope.changed_scanned,
            report.files.len(),
            scope.hidden_findings,
            match scope.new_in_unchanged_files {
                0 => String::new(),
                n => format!("; {n} shown in unchanged files because this change caused them"),
            }
        ));
    }
    if let Some(baseline) = &report.baseline {
        out.push_str(&format!(
            "  baseline {}: {} entries, {} known findings not shown",
            baseline.path, baseline.entries, baseline.matched
        ));
        if baseline.stale.is_empty() {
            out.push('\n');
        } else {
            out.push_str(&format!(
                "; {} stale entries no longer match (remove them with `tollgate baseline --prune`)\n",
                baseline.stale.len()
            ));
        }
    }
    out
}

/// Policy areas of the governance checklist, by rule id.
pub fn area_of(rule: &str) -> &'static str {
    match rule.split_once('/').map_or(rule, |(kind, _)| kind) {
        _ if rule == "env/no-public-secret" => AREAS[2],
        "sql" => AREAS[0],
        "secret" | "env" => AREAS[1],
        "docker" => AREAS[3],
        "k8s" => AREAS[4],
        _ => AREAS[5],
    }
}

pub const AREAS: [&str; 6] = [
    "Row level security and database policies",
    "Secrets and credentials",
    "Client-exposed variables (NEXT_PUBLIC_ audit)",
    "Containers run as non-root",
    "Kubernetes pod security",
    "Scan integrity and suppressions",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    #[test]
    fn redaction_keeps_offsets() {
        assert_eq!(
            redact("KEY=sécret\nX", &[Span::new(4, 11)]),
            "KEY=*******\nX"
        );
        assert_eq!(redact("abc", &[Span::new(2, 99)]), "ab*");
    }
}
