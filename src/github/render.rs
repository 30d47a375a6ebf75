//! Markdown bodies tollgate posts on a pull request: inline review comments, their "resolved"
//! update, the sticky summary comment, and check-run annotations. Pure functions, snapshot-tested.
//!
//! Nothing here shows source text: messages and help come from rules, which mask secrets, so no
//! secret can reach a request body.

use std::fmt::Write as _;

use crate::finding::{Finding, Level};

use super::api::Annotation;
use super::filter::FilterMode;

/// Marks the one summary comment tollgate keeps per pull request.
pub const SUMMARY_MARKER: &str = "<!-- tollgate:summary -->";
const FP_PREFIX: &str = "<!-- tollgate:fp=";
const RESOLVED_PREFIX: &str = "<!-- tollgate:resolved=";

/// GitHub rejects comment bodies over 65,536 characters; bytes are a conservative count.
pub const COMMENT_LIMIT: usize = 65_000;
/// `$GITHUB_STEP_SUMMARY` takes at most 1 MiB per step.
pub const STEP_SUMMARY_LIMIT: usize = 1_000_000;
/// Check-run `output.summary` / `output.text` maximum length.
pub const CHECK_SUMMARY_LIMIT: usize = 65_000;
/// Annotations per check-run request.
pub const ANNOTATIONS_PER_REQUEST: usize = 50;

fn level_badge(level: Level) -> &'static str {
    match level {
        Level::Error => "🔴 **error**",
        Level::Warning => "🟡 **warning**",
        Level::Note => "🔵 **note**",
    }
}

/// Escapes text for Markdown outside code spans: `<`/`>` so paths or messages cannot inject HTML or
/// fake our hidden markers. Text inside backticks is left alone (HTML is inert there).
pub fn escape_md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for c in text.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    // An unbalanced backtick would leave `<!--` live inside what GitHub renders as plain text.
    if in_code {
        out.replace("<!--", "&lt;!--")
    } else {
        out
    }
}

/// One table cell: escaped, single line, pipes escaped.
fn cell(text: &str) -> String {
    escape_md(text)
        .replace(['\r', '\n'], " ")
        .replace('|', "\\|")
}

/// The body of one inline review comment.
pub fn inline_body(finding: &Finding, docs_url: Option<&str>) -> String {
    let mut body = String::new();
    let _ = write!(
        body,
        "{} `{}`",
        level_badge(finding.level),
        finding.rule.replace('`', "")
    );
    if let Some(url) = docs_url {
        let _ = write!(body, " · [docs]({url})");
    }
    let _ = write!(body, "\n\n{}\n", escape_md(&finding.message));
    if let Some(help) = finding.help.as_deref().filter(|h| !h.trim().is_empty()) {
        body.push('\n');
        for (i, line) in help.lines().enumerate() {
            let _ = writeln!(
                body,
                "> {}{}",
                if i == 0 { "**Fix:** " } else { "" },
                escape_md(line)
            );
        }
    }
    let _ = write!(
        body,
        "\n<sub>tollgate</sub>\n{FP_PREFIX}{} -->",
        finding.fingerprint
    );
    body
}

/// The fingerprint in a body written by [`inline_body`], if any. The marker must start a line: a
/// reply quoting our comment (`> <!-- tollgate:fp=… -->`) is someone else's comment, which the
/// token could not edit anyway.
pub fn fingerprint_of(body: &str) -> Option<&str> {
    body.lines().find_map(|line| {
        let fp = line.strip_prefix(FP_PREFIX)?.strip_suffix(" -->")?;
        (!fp.is_empty() && fp.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(fp)
    })
}

/// Whether an inline comment was already marked resolved.
pub fn is_resolved(body: &str) -> bool {
    body.lines().any(|line| line.starts_with(RESOLVED_PREFIX))
}

/// Whether an issue comment is tollgate's sticky summary (the marker is its first line; a quote of
/// it in a reply is not).
pub fn is_summary(body: &str) -> bool {
    body.starts_with(SUMMARY_MARKER)
}

/// The new body of an inline comment whose finding is gone at `head_sha`: says so first, keeps the
/// original text folded away, and keeps the fingerprint so a later re-run recognises it.
pub fn resolved_body(previous: &str, head_sha: &str) -> String {
    let short: String = head_sha
        .chars()
        .take(12)
        .collect::<String>()
        .replace('`', "");
    let original: String = previous
        .lines()
        .filter(|line| !line.starts_with(FP_PREFIX) && !line.starts_with(RESOLVED_PREFIX))
        .collect::<Vec<_>>()
        .join("\n");
    let mut body = format!(
        "✅ **Resolved** in `{short}`: tollgate no longer reports this finding.\n\n<details><summary>Original comment</summary>\n\n{}\n\n</details>\n",
        original.trim()
    );
    if let Some(fp) = fingerprint_of(previous) {
        let _ = writeln!(body, "{FP_PREFIX}{fp} -->");
    }
    let _ = write!(body, "{RESOLVED_PREFIX}{short} -->");
    body
}

/// Why a finding is listed in the summary instead of (or besides) an inline comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListReason {
    /// Kept by the filter mode but not on a line inside a diff hunk.
    OutsideDiff,
    /// GitHub refused an inline comment on its line (422).
    Rejected,
    /// Inline comments are off (`comment: summary`) or over the per-pull-request cap.
    NotInline,
    /// GitHub did not show the file's changes (no patch, or a truncated file list).
    DiffIncomplete,
}

/// Everything the summary (sticky comment, step summary) shows.
#[derive(Debug, Clone)]
pub struct SummaryInput<'a> {
    pub head_sha: &'a str,
    pub filter: FilterMode,
    /// Findings the filter mode keeps: the counts and the exit code come from these.
    pub kept: Vec<&'a Finding>,
    /// Findings shown in the table, with why they are there.
    pub listed: Vec<(&'a Finding, ListReason)>,
    /// Findings dropped by the filter mode (on lines this PR does not touch).
    pub filtered_out: usize,
    pub inline_posted: usize,
    pub inline_existing: usize,
    pub inline_resolved: usize,
    /// The governance checklist from the markdown reporter.
    pub governance: Option<&'a str>,
    /// Lines explaining degraded modes (fork token, rate limit), shown verbatim.
    pub notes: Vec<String>,
    /// `https://github.com/o/r/blob/<sha>` for links to findings.
    pub blob_base: Option<String>,
    pub run_url: Option<String>,
}

fn counts(findings: &[&Finding]) -> (usize, usize, usize) {
    findings
        .iter()
        .fold((0, 0, 0), |(e, w, n), f| match f.level {
            Level::Error => (e + 1, w, n),
            Level::Warning => (e, w + 1, n),
            Level::Note => (e, w, n + 1),
        })
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One-line count of findings by level: "2 errors, 1 warning".
pub fn count_line(findings: &[&Finding]) -> String {
    let (e, w, n) = counts(findings);
    let mut parts = Vec::new();
    if e > 0 {
        parts.push(plural(e, "error", "errors"));
    }
    if w > 0 {
        parts.push(plural(w, "warning", "warnings"));
    }
    if n > 0 {
        parts.push(plural(n, "note", "notes"));
    }
    parts.join(", ")
}

/// The governance report's "Suppressions in effect" table, cut to `room` bytes with a count of the
/// rows left out.
fn suppressions_that_fit(governance: &str, room: usize) -> String {
    const HEADING: &str = "## Suppressions in effect";
    let Some(start) = governance.find(HEADING) else {
        return String::new();
    };
    let section = &governance[start + HEADING.len()..];
    let rows: Vec<&str> = section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .collect();
    let Some((header, body)) = rows.split_at_checked(2) else {
        return String::new();
    };
    let mut out = format!("### Suppressions in effect\n\n{}\n", header.join("\n"));
    let mut shown = 0;
    for row in body {
        if out.len() + row.len() + 1 > room {
            break;
        }
        out.push_str(row);
        out.push('\n');
        shown += 1;
    }
    if shown == 0 && body.is_empty() {
        return String::new();
    }
    if shown < body.len() {
        let _ = writeln!(
            out,
            "\n**{} more not shown here** (comment size limit); the workflow's step summary lists every one.",
            body.len() - shown
        );
    }
    out.push('\n');
    out
}

/// Renders the summary under `limit` bytes. With `marker`, starts with the hidden sticky marker.
/// Table rows are dropped from the end when they do not fit, saying how many were left out; the
/// governance checklist is folded in only when it fits.
pub fn render_summary(input: &SummaryInput<'_>, limit: usize, marker: bool) -> String {
    let mut head = String::new();
    if marker {
        head.push_str(SUMMARY_MARKER);
        head.push('\n');
    }
    let short: String = input
        .head_sha
        .chars()
        .take(12)
        .collect::<String>()
        .replace('`', "");
    if input.kept.is_empty() {
        let _ = writeln!(head, "## ✅ tollgate: no findings\n");
        let _ = write!(
            head,
            "Commit `{short}` passes the policy (filter mode `{}`).",
            input.filter.as_str()
        );
    } else {
        let _ = writeln!(
            head,
            "## ❌ tollgate: {}\n",
            plural(input.kept.len(), "finding", "findings")
        );
        let _ = write!(
            head,
            "Commit `{short}`: {} (filter mode `{}`).",
            count_line(&input.kept),
            input.filter.as_str()
        );
    }
    if let Some(url) = &input.run_url {
        let _ = write!(head, " [Workflow run]({url}).");
    }
    head.push_str("\n\n");
    if input.inline_posted + input.inline_existing + input.inline_resolved > 0 {
        let _ = writeln!(
            head,
            "Inline comments: {} new, {} already on this pull request, {} resolved.\n",
            input.inline_posted, input.inline_existing, input.inline_resolved
        );
    }
    for note in &input.notes {
        let _ = writeln!(head, "> [!WARNING]\n> {}\n", cell(note));
    }
    // Policy weakened, nothing checked, files not fully checked, suppression count: always shown.
    for line in input
        .governance
        .into_iter()
        .flat_map(crate::report::markdown::pinned)
    {
        let _ = writeln!(head, "{line}\n");
    }

    let mut tail = String::new();
    if input.filtered_out > 0 {
        let _ = writeln!(
            tail,
            "_{} on lines this pull request does not change {} not counted (filter mode `{}`)._\n",
            plural(input.filtered_out, "finding", "findings"),
            if input.filtered_out == 1 { "is" } else { "are" },
            input.filter.as_str()
        );
    }
    tail.push_str("<sub>Posted by tollgate. Fix the findings or add a `tollgate-ignore <rule-id> -- <reason>` waiver.</sub>\n");

    let mut out = head;
    if !input.listed.is_empty() {
        let mut section = String::from(
            "### Findings not commented inline\n\n| Level | Rule | Location | Message | Why here |\n|---|---|---|---|---|\n",
        );
        // Room kept for the "left out" line, the tail and a folded checklist header.
        let reserve = tail.len() + 400;
        let mut shown = 0;
        for (finding, reason) in &input.listed {
            let row = table_row(finding, *reason, input.blob_base.as_deref());
            if out.len() + section.len() + row.len() + reserve > limit {
                break;
            }
            section.push_str(&row);
            shown += 1;
        }
        let left_out = input.listed.len() - shown;
        if left_out > 0 {
            let _ = writeln!(
                section,
                "\n**{} not shown here** (comment size limit); the workflow's step summary and SARIF have all of them.",
                plural(left_out, "more finding", "more findings")
            );
        }
        out.push_str(&section);
        out.push('\n');
    }
    if let Some(governance) = input.governance.filter(|g| !g.trim().is_empty()) {
        let folded = format!(
            "<details><summary>Governance checklist</summary>\n\n{}\n\n</details>\n\n",
            governance.trim()
        );
        if out.len() + folded.len() + tail.len() <= limit {
            out.push_str(&folded);
        } else {
            out.push_str("_The governance checklist is too long for this comment; see the workflow's step summary._\n\n");
            // The waivers a pull request adds are what a reviewer must see: as many as fit.
            out.push_str(&suppressions_that_fit(
                governance,
                limit.saturating_sub(out.len() + tail.len() + 200),
            ));
        }
    }
    out.push_str(&tail);
    truncate_bytes(out, limit)
}

fn table_row(finding: &Finding, reason: ListReason, blob_base: Option<&str>) -> String {
    let location = format!(
        "{}:{}:{}",
        finding.path, finding.start.line, finding.start.column
    );
    let location = match blob_base {
        Some(base) => format!(
            "[`{}`]({base}/{}#L{})",
            location.replace('`', ""),
            encode_path(&finding.path),
            finding.start.line
        ),
        None => format!("`{}`", location.replace('`', "")),
    };
    let why = match reason {
        ListReason::OutsideDiff => "outside the diff",
        ListReason::Rejected => "GitHub rejected the inline comment",
        ListReason::NotInline => "not commented inline",
        ListReason::DiffIncomplete => "diff incomplete (GitHub showed no patch)",
    };
    format!(
        "| {} | `{}` | {} | {} | {} |\n",
        level_badge(finding.level),
        finding.rule.replace('`', ""),
        location.replace('|', "\\|"),
        cell(&finding.message),
        why
    )
}

/// Percent-encodes what would break a Markdown link target.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' | b'~' => {
                out.push(b as char)
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// Cuts `text` to at most `limit` bytes on a char boundary (only reached when notes alone are huge).
pub fn truncate_bytes(mut text: String, limit: usize) -> String {
    if text.len() <= limit {
        return text;
    }
    let mut cut = limit.saturating_sub(64);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.truncate(cut);
    text.push_str("\n\n_… truncated to fit GitHub's size limit._\n");
    text
}

/// Check-run annotations for findings, in finding order. Columns only on single-line findings,
/// as the Checks API requires.
pub fn annotations(findings: &[&Finding]) -> Vec<Annotation> {
    findings
        .iter()
        .map(|f| {
            let start_line = u32::try_from(f.start.line.max(1)).unwrap_or(u32::MAX);
            let end_line = u32::try_from(f.end.line.max(f.start.line).max(1)).unwrap_or(u32::MAX);
            let single = start_line == end_line;
            let start_column = u32::try_from(f.start.column).ok().filter(|_| single);
            let end_column = u32::try_from(f.end.column.max(f.start.column))
                .ok()
                .filter(|_| single);
            let mut message = f.message.clone();
            if let Some(help) = &f.help {
                message.push_str("\n\n");
                message.push_str(help);
            }
            Annotation {
                path: f.path.clone(),
                start_line,
                end_line,
                start_column,
                end_column,
                annotation_level: match f.level {
                    Level::Error => "failure",
                    Level::Warning => "warning",
                    Level::Note => "notice",
                },
                message: truncate_bytes(message, 60_000),
                title: Some(f.rule.chars().take(255).collect()),
            }
        })
        .collect()
}

/// The check run's `output.summary`.
pub fn check_summary(kept: &[&Finding], filter: FilterMode) -> String {
    if kept.is_empty() {
        return format!("No findings (filter mode `{}`).", filter.as_str());
    }
    format!(
        "{}: {} (filter mode `{}`). Each finding is annotated on its line.",
        plural(kept.len(), "finding", "findings"),
        count_line(kept),
        filter.as_str()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::test_support::{finding, finding_at};

    #[test]
    fn inline_body_snapshot() {
        let f = finding(
            "db/migrations/0003_users.sql",
            12,
            Level::Error,
            "sql/require-rls",
            "table `users` <b>has</b> no row level security",
        );
        let body = inline_body(&f, Some("https://example.test/docs/sql/require-rls.md"));
        insta::assert_snapshot!(body);
        assert_eq!(fingerprint_of(&body), Some(f.fingerprint.as_str()));
        assert!(!is_resolved(&body));
    }

    #[test]
    fn resolved_body_keeps_fingerprint_and_is_idempotent_to_detect() {
        let f = finding("db/1.sql", 3, Level::Warning, "sql/require-rls", "no RLS");
        let resolved = resolved_body(&inline_body(&f, None), "0123456789abcdef0123");
        insta::assert_snapshot!(resolved);
        assert!(is_resolved(&resolved));
        assert_eq!(fingerprint_of(&resolved), Some(f.fingerprint.as_str()));
    }

    #[test]
    fn forged_markers_in_messages_are_inert() {
        let f = finding(
            "a.sql",
            1,
            Level::Note,
            "sql/x",
            "<!-- tollgate:fp=deadbeef -->",
        );
        let body = inline_body(&f, None);
        assert_eq!(fingerprint_of(&body), Some(f.fingerprint.as_str()));
        assert_eq!(fingerprint_of("<!-- tollgate:fp=<script> -->"), None);
        let quoted = format!("> {}", body.replace('\n', "\n> "));
        assert_eq!(fingerprint_of(&quoted), None, "a quoting reply is not ours");
        assert!(
            !is_summary("> <!-- tollgate:summary -->\n> old")
                && is_summary("<!-- tollgate:summary -->\n## x")
        );
        assert_eq!(escape_md("a `<b>` <c> `x"), "a `<b>` &lt;c&gt; `x");
    }

    fn summary_input<'a>(
        kept: &'a [Finding],
        listed: Vec<(&'a Finding, ListReason)>,
    ) -> SummaryInput<'a> {
        SummaryInput {
            head_sha: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
            filter: FilterMode::Added,
            kept: kept.iter().collect(),
            listed,
            filtered_out: 2,
            inline_posted: 1,
            inline_existing: 0,
            inline_resolved: 1,
            governance: Some(
                "### Pre-merge checklist\n- [x] RLS on every table\n- [ ] No secrets in env files",
            ),
            notes: vec![],
            blob_base: Some(
                "https://github.com/o/r/blob/a1b2c3d4e5f60718293a4b5c6d7e8f9012345678".into(),
            ),
            run_url: Some("https://github.com/o/r/actions/runs/1".into()),
        }
    }

    #[test]
    fn summary_snapshot() {
        let kept = vec![
            finding(
                "db/1.sql",
                2,
                Level::Error,
                "sql/require-rls",
                "table `t` has no RLS",
            ),
            finding(
                "deploy/app.yaml",
                9,
                Level::Warning,
                "k8s/require-resource-limits",
                "container | web has no limits",
            ),
        ];
        let input = summary_input(&kept, vec![(&kept[1], ListReason::OutsideDiff)]);
        insta::assert_snapshot!(render_summary(&input, COMMENT_LIMIT, true));
    }

    #[test]
    fn clean_summary_snapshot() {
        let mut input = summary_input(&[], vec![]);
        input.inline_posted = 0;
        input.inline_resolved = 3;
        input.filtered_out = 0;
        input.governance = None;
        input.notes = vec!["GitHub token cannot write to this pull request (fork?)".into()];
        insta::assert_snapshot!(render_summary(&input, COMMENT_LIMIT, true));
    }

    #[test]
    fn huge_summaries_are_truncated_and_say_how_many_were_left_out() {
        let long = "x".repeat(900);
        let kept: Vec<Finding> = (1..=400)
            .map(|i| finding("db/big.sql", i, Level::Error, "sql/require-rls", &long))
            .collect();
        let listed = kept.iter().map(|f| (f, ListReason::OutsideDiff)).collect();
        let checklist = "- [ ] item\n".repeat(200);
        let mut input = summary_input(&kept, listed);
        input.governance = Some(&checklist);
        let body = render_summary(&input, COMMENT_LIMIT, true);
        assert!(
            body.len() <= COMMENT_LIMIT && body.chars().count() < 65_536,
            "{}",
            body.len()
        );
        let shown = body.matches("| 🔴 **error** |").count();
        assert!(shown > 10 && shown < 400);
        assert!(
            body.contains(&format!("**{} more findings not shown here**", 400 - shown)),
            "{}",
            &body[body.len() - 600..]
        );
        assert!(body.starts_with(SUMMARY_MARKER));
        assert!(body.contains("governance checklist is too long"));
        let step = render_summary(&input, STEP_SUMMARY_LIMIT, false);
        assert_eq!(step.matches("| 🔴 **error** |").count(), 400);
        assert!(!step.contains(SUMMARY_MARKER));
    }

    #[test]
    fn annotations_follow_the_checks_api_rules() {
        let mut multi = finding_at("a.sql", 3);
        multi.end.line = 5;
        let single = finding("b.yaml", 7, Level::Note, "k8s/x", "m");
        let notes = annotations(&[&multi, &single]);
        assert_eq!(
            (
                notes[0].start_line,
                notes[0].end_line,
                notes[0].start_column
            ),
            (3, 5, None)
        );
        assert_eq!(
            (
                notes[1].annotation_level,
                notes[1].start_column,
                notes[1].end_column
            ),
            ("notice", Some(1), Some(4))
        );
        insta::assert_json_snapshot!(notes);
    }

    #[test]
    fn suppressions_are_listed_as_far_as_they_fit() {
        let mut governance = String::from(
            "## Suppressions in effect\n\n| Rule | Location | Reason | Owner | Until |\n|---|---|---|---|---|\n",
        );
        for i in 0..400 {
            governance.push_str(&format!(
                "| `sql/require-rls` | `m/{i}.sql:1` | staging | — | — |\n"
            ));
        }
        let listed = suppressions_that_fit(&governance, 4000);
        assert!(listed.starts_with("### Suppressions in effect\n\n| Rule |"));
        assert!(listed.len() <= 4000 + 200, "{}", listed.len());
        let shown = listed.lines().filter(|l| l.starts_with("| `sql")).count();
        assert!(shown > 20, "{shown}");
        assert!(listed.contains(&format!("**{} more not shown here**", 400 - shown)));
    }
}
