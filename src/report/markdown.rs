//! The governance report: one checklist line per policy area (✅/❌), counts, findings grouped by
//! area, and the suppressions in effect with their reasons — the "governance checks green" line of a
//! pre-merge checklist.

use std::collections::BTreeMap;

use super::{AREAS, area_of};
use crate::finding::{Finding, Level};
use crate::outcome::Report;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    out.push_str("# tollgate governance report\n\n");
    out.push_str(&format!(
        "Policy **{}** (`{}`, hash `{}`) · tollgate {} · ",
        md(&report.policy_name),
        md(&report.policy_origin),
        report.policy_hash,
        env!("CARGO_PKG_VERSION")
    ));
    let kinds: Vec<String> = report
        .files_by_kind()
        .iter()
        .map(|(k, n)| format!("{n} {}", k.as_str()))
        .collect();
    out.push_str(&format!(
        "{} files scanned{}\n\n",
        report.files.len(),
        if kinds.is_empty() {
            String::new()
        } else {
            format!(" ({})", kinds.join(", "))
        }
    ));

    out.push_str(&pinned_lines(report));
    out.push_str(&adoption_lines(report));

    let mut by_area: BTreeMap<usize, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        let area = AREAS
            .iter()
            .position(|a| *a == area_of(f.rule))
            .unwrap_or(AREAS.len() - 1);
        by_area.entry(area).or_default().push(f);
    }
    out.push_str("## Checklist\n\n");
    for (i, area) in AREAS.iter().enumerate() {
        let findings = by_area.get(&i).map_or(&[][..], Vec::as_slice);
        let errors = findings.iter().filter(|f| f.level == Level::Error).count();
        let warnings = findings
            .iter()
            .filter(|f| f.level == Level::Warning)
            .count();
        let scanned = report
            .files
            .iter()
            .any(|(_, kind)| area_applies(area, kind.rule_kind()));
        if errors + warnings == 0 && !scanned && findings.is_empty() {
            out.push_str(&format!(
                "- [x] ➖ {area}: not applicable, no files of this kind scanned\n"
            ));
        } else if errors + warnings == 0 {
            out.push_str(&format!("- [x] ✅ {area}\n"));
        } else {
            out.push_str(&format!(
                "- [ ] ❌ {area}: {errors} errors, {warnings} warnings\n"
            ));
        }
    }
    let (e, w, n) = (
        report.count(Level::Error),
        report.count(Level::Warning),
        report.count(Level::Note),
    );
    let nothing = report.checks_nothing();
    let green = e + w == 0 && !nothing;
    out.push_str(&format!(
        "\n**{}** — {}, {}, {}, {} suppressed{}.\n",
        if nothing {
            "Governance checks failing: nothing was checked"
        } else if green {
            "Governance checks green"
        } else {
            "Governance checks failing"
        },
        plural(e, "error"),
        plural(w, "warning"),
        plural(n, "note"),
        report.suppressed.len(),
        match report.policy_weakened.len() {
            0 => String::new(),
            n => format!(" · policy weakened ({})", plural(n, "change")),
        }
    ));

    if !report.findings.is_empty() {
        out.push_str("\n## Findings\n");
        for (i, findings) in &by_area {
            out.push_str(&format!(
                "\n### {}\n\n| Level | Rule | Location | Message |\n|---|---|---|---|\n",
                AREAS[*i]
            ));
            for f in findings {
                out.push_str(&format!(
                    "| {} | `{}` | `{}:{}:{}` | {} |\n",
                    f.level,
                    f.rule,
                    md_code(&f.path),
                    f.start.line,
                    f.start.column,
                    md(&f.message)
                ));
            }
        }
    }
    if !report.suppressed.is_empty() {
        out.push_str("\n## Suppressions in effect\n\n| Rule | Location | Reason | Owner | Until |\n|---|---|---|---|---|\n");
        for s in &report.suppressed {
            out.push_str(&format!(
                "| `{}` | `{}:{}` | {} | {} | {} |\n",
                s.rule,
                md_code(&s.path),
                s.line,
                md(s.reason.as_deref().unwrap_or("—")),
                md(s.owner.as_deref().unwrap_or("—")),
                s.until.as_deref().unwrap_or("—")
            ));
        }
    }
    out.push_str(&stale_section(report));
    out
}

/// Ends every line the PR summary must show even when the governance report is too long to fold
/// in (`github::render` hoists them). Escaped text cannot produce it: [`md`] escapes `<`.
pub const PINNED: &str = " <!-- tollgate:pinned -->";

/// The governance report's lines that the PR summary always shows.
pub fn pinned(governance: &str) -> impl Iterator<Item = &str> {
    governance
        .lines()
        .filter(|l| l.starts_with("> ") && l.ends_with(PINNED))
}

/// What a reviewer must see whatever else is cut: a policy that checks nothing, a policy weaker
/// than `recommended`, files not fully checked, and how many suppressions are in effect.
fn pinned_lines(report: &Report) -> String {
    let mut out = String::new();
    let origin = format!(
        "policy **{}** (`{}`, hash `{}`)",
        md(&report.policy_name),
        md_code(&report.policy_origin),
        report.policy_hash
    );
    if report.checks_nothing() {
        out.push_str(&format!(
            "> ❌ **Nothing checked**: {origin} {}.{PINNED}\n",
            if report.files.is_empty() {
                "matched no file (`[files]` include, exclude and kinds)"
            } else {
                "turns every rule off"
            }
        ));
    }
    let (weakened, more) = super::weakened_listed(report);
    if !weakened.is_empty() {
        let items: Vec<String> = weakened.iter().map(|w| md(w)).collect();
        out.push_str(&format!(
            "> ⚠️ **Policy weakened** against `recommended` by {origin}: {}{}.{PINNED}\n",
            items.join("; "),
            match more {
                0 => String::new(),
                n => format!(" and {n} more"),
            }
        ));
    }
    let unchecked = super::not_fully_checked(report);
    if !unchecked.is_empty() {
        out.push_str(&format!(
            "> ⚠️ **{} not fully checked**: findings in them may be missing (listed below).{PINNED}\n",
            plural(unchecked.len(), "file")
        ));
    }
    if !report.suppressed.is_empty() {
        out.push_str(&format!(
            "> 🔕 **{} in effect** (listed under \"Suppressions in effect\").{PINNED}\n",
            plural(report.suppressed.len(), "suppression")
        ));
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// Baseline size (always, so a reviewer sees whether findings were accepted) and the
/// changed-files scope (when used).
fn adoption_lines(report: &Report) -> String {
    let mut out = String::new();
    let unchecked = super::not_fully_checked(report);
    if !unchecked.is_empty() {
        let listed: Vec<String> = unchecked
            .iter()
            .take(super::MAX_UNCHECKED_LISTED)
            .map(|(path, rule)| format!("`{}` (`{rule}`)", md_code(path)))
            .collect();
        out.push_str(&format!(
            "**Not fully checked:** {}: {}{}; findings in them may be missing.\n\n",
            plural(unchecked.len(), "file"),
            listed.join(", "),
            match unchecked.len().saturating_sub(super::MAX_UNCHECKED_LISTED) {
                0 => String::new(),
                n => format!(" and {n} more"),
            }
        ));
    }
    match &report.baseline {
        None => out.push_str("Baseline: none, every finding is reported.\n"),
        Some(b) => out.push_str(&format!(
            "Baseline: `{}` with {}; {} not shown; {} stale.\n",
            md_code(&b.path),
            plural(b.entries, "accepted finding"),
            plural(b.matched, "known finding"),
            match b.stale.len() {
                1 => "1 entry".to_string(),
                n => format!("{n} entries"),
            }
        )),
    }
    if let Some(scope) = &report.scope {
        out.push_str(&format!(
            "\nScope: only findings in {} ({} of {} checked files changed; {} in unchanged files not shown{}).\n",
            md(&scope.description),
            scope.changed_scanned,
            report.files.len(),
            plural(scope.hidden_findings, "finding"),
            match scope.new_in_unchanged_files {
                0 => String::new(),
                n => format!("; {} in unchanged files shown because this change caused them", plural(n, "finding")),
            }
        ));
    }
    out.push('\n');
    out
}

/// Entries of the baseline that no longer match, so the reviewer can ask for a prune.
fn stale_section(report: &Report) -> String {
    let Some(b) = report.baseline.as_ref().filter(|b| !b.stale.is_empty()) else {
        return String::new();
    };
    let mut out = String::from(
        "\n## Stale baseline entries\n\nThese accepted findings no longer occur; remove them with `tollgate baseline --prune`.\n\n| Rule | Path |\n|---|---|\n",
    );
    for e in &b.stale {
        out.push_str(&format!(
            "| `{}` | `{}` |\n",
            md_code(&e.rule),
            md_code(&e.path)
        ));
    }
    out
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Whether files whose rules have prefix `rule_kind` fall under `area`.
fn area_applies(area: &str, rule_kind: &str) -> bool {
    match rule_kind {
        // Secret scanning and scan integrity cover every file.
        _ if area == AREAS[1] || area == AREAS[5] => true,
        "env" => area == AREAS[2],
        kind => area_of(&format!("{kind}/x")) == area,
    }
}

/// Escapes text for a markdown table cell.
pub fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '\\' | '[' | ']' | '<' | '>' => {
                out.push('\\');
                out.push(c);
            }
            // Unbalanced backticks would swallow the rest of the table row.
            '`' if s.matches('`').count() % 2 == 1 => out.push('\''),
            // A mention would notify someone; a word joiner keeps the text and drops the ping.
            '@' => out.push_str("@\u{2060}"),
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => out.push_str(&super::visible(&c.to_string())),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text for a code span in a table: no backtick (it would close the span), no pipe, no
/// line break or other control character.
fn md_code(s: &str) -> String {
    super::visible(s).replace('`', "'").replace('|', "\\|")
}
