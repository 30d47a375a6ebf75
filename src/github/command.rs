//! `tollgate github`: check the repository, then report on the pull request that triggered the
//! workflow. A separate subcommand (not `check --github`) because it reads the Actions environment,
//! talks to the GitHub API and writes `$GITHUB_STEP_SUMMARY`/`$GITHUB_OUTPUT`, none of which
//! `check` should ever do.
//!
//! Output contract: workflow-command annotations on stdout (the runner reads them there), log lines
//! on stderr, the exit code from the findings the filter mode keeps (0 clean, 1 findings at or above
//! `--fail-on`, 2 tool failure). The token comes from `GITHUB_TOKEN` only and is never printed.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::finding::{Finding, Level};
use crate::outcome::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, FailOn};
use crate::pipeline::{self, BaselineChoice, ScanOptions};
use crate::report;

use super::actions::{ActionsEnv, append_step_summary, pr_context, write_outputs};
use super::octo::{OctocrabApi, RetryPolicy};
use super::publish::{CommentMode, Outcome, PrContext, PublishOptions, plan, publish};
use super::render::{STEP_SUMMARY_LIMIT, render_summary};
use super::{FilterMode, PrRef};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Reads GITHUB_EVENT_PATH (uses pull_request.head.sha), GITHUB_REPOSITORY, GITHUB_API_URL, \
GITHUB_TOKEN (never printed), GITHUB_STEP_SUMMARY and GITHUB_OUTPUT (findings, errors, warnings, sarif-file).\n\
Annotations go to stdout, log lines to stderr. With a read-only token (pull requests from forks) it \
reports through annotations and the step summary only; the exit code still reflects the findings.\n\n\
Example (what the Action runs):\n  tollgate github --filter-mode added --comment review --check-run --sarif-file tollgate.sarif"
)]
pub struct GithubArgs {
    /// Files or directories to check (relative to the repository root, where the workflow runs).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Policy file (default: the nearest tollgate.toml, else the built-in `recommended` pack).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Lowest level that makes the run fail (exit 1); counts only findings the filter mode keeps.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Which findings count on the pull request: added, diff_context, file or nofilter.
    #[arg(long, default_value = "added", value_parser = parse_filter)]
    pub filter_mode: FilterMode,
    /// What to post: review (inline comments + summary), summary, or off.
    #[arg(long, default_value = "review", value_parser = parse_comment)]
    pub comment: CommentMode,
    /// Also create a check run with annotations (needs `checks: write`).
    #[arg(long)]
    pub check_run: bool,
    /// Name of the check run.
    #[arg(long, default_value = "tollgate")]
    pub check_name: String,
    /// Also write SARIF for code scanning to FILE (every finding, not only the filtered ones).
    #[arg(long, value_name = "FILE")]
    pub sarif_file: Option<PathBuf>,
    /// Baseline file of accepted findings (default: as `check` finds it); the pull request sees
    /// exactly what `check` reports, then filters by its diff.
    #[arg(long, value_name = "FILE", conflicts_with = "no_baseline")]
    pub baseline: Option<PathBuf>,
    /// Ignore any baseline file: report every finding.
    #[arg(long)]
    pub no_baseline: bool,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

fn parse_filter(s: &str) -> Result<FilterMode, String> {
    s.parse()
}

fn parse_comment(s: &str) -> Result<CommentMode, String> {
    s.parse()
}

fn log(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

pub fn run(args: &GithubArgs) -> ExitCode {
    let fail = |error: miette::Report| {
        log(&format!("{error:?}"));
        ExitCode::from(EXIT_ERROR)
    };
    let policy = match pipeline::load_policy(args.policy.as_deref()) {
        Ok(policy) => policy,
        Err(error) => return fail(error.into()),
    };
    let baseline = if args.no_baseline {
        BaselineChoice::Ignore
    } else if let Some(path) = &args.baseline {
        BaselineChoice::File(path.clone())
    } else {
        BaselineChoice::Discover
    };
    let scanned = pipeline::scan(
        &policy,
        &ScanOptions {
            paths: args.paths.clone(),
            threads: args.threads,
            baseline,
            since: None,
        },
    );
    let mut report = match scanned {
        Ok(report) => report,
        Err(error) => return fail(error.into()),
    };
    let env = ActionsEnv::from_env();

    // A caught crash (`tollgate/internal-error`) means some file was not checked.
    let mut tool_error = report.internal_errors > 0;
    // A policy that checks nothing is a broken policy, not a pass (issue 15, probe 10).
    if let Some(message) = report.nothing_checked_message() {
        log(&format!("error: {message}"));
        tool_error = true;
    }
    if let Some(path) = &args.sarif_file {
        if let Err(e) = std::fs::write(path, report::sarif::render(&report)) {
            log(&format!("error: cannot write {}: {e}", path.display()));
            tool_error = true;
        }
    }
    let governance = report::markdown::render(&report);
    let findings = std::mem::take(&mut report.findings);

    let opts = PublishOptions {
        filter: args.filter_mode,
        comment: args.comment,
        check_run: args.check_run,
        check_name: args.check_name.clone(),
        fail_level: args.fail_on.level(),
        max_inline: 50,
    };
    let docs = |id: &str| crate::rules::meta(id).map(|m| m.docs_url());
    let (ctx, outcome) = match pr_context(&env) {
        Ok(mut ctx) => {
            if env.token.is_none() && ctx.read_only.is_none() {
                ctx.read_only = Some("no GITHUB_TOKEN in the environment".into());
            }
            let client = OctocrabApi::new(
                &env.api_url,
                env.token.as_deref(),
                RetryPolicy::default(),
                Box::new(|l| log(&format!("tollgate: {l}"))),
            );
            let outcome = match &client {
                Ok(client) => publish(
                    client,
                    &ctx,
                    &findings,
                    Some(&governance),
                    &opts,
                    &docs,
                    &mut |l| log(l),
                ),
                Err(err) => {
                    log(&format!(
                        "tollgate: {err}; reporting through annotations and the step summary only"
                    ));
                    no_api_outcome(
                        &findings,
                        format!("The GitHub API could not be used: {err}"),
                    )
                }
            };
            (ctx, outcome)
        }
        Err(err) => {
            log(&format!(
                "tollgate: {err}; reporting every finding through annotations and the step summary"
            ));
            let ctx = PrContext {
                pr: PrRef {
                    owner: String::new(),
                    repo: String::new(),
                    number: 0,
                },
                head_sha: std::env::var("GITHUB_SHA").unwrap_or_default(),
                read_only: Some(err.to_string()),
                blob_base: None,
                run_url: env.run_url(),
            };
            (ctx, no_api_outcome(&findings, err.to_string()))
        }
    };

    // Annotations for the findings the filter keeps: the runner shows only 10 of each level per
    // step, so the most severe go first and one line points at the step summary for the rest.
    let max_level = outcome.plan.kept.iter().map(|f| f.level).max();
    let (shown, more) = annotation_preview(&outcome.plan.kept);
    report.findings = shown.into_iter().cloned().collect();
    let mut annotations = report::github::render(&report);
    if more > 0 {
        annotations.push_str(&more_line(more));
    }
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(annotations.as_bytes())
        .and_then(|()| stdout.flush())
    {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            log(&format!("error: cannot write annotations: {e}"));
            tool_error = true;
        }
    }

    let input = outcome.summary_input(&ctx, args.filter_mode, Some(&governance));
    if let Some(path) = &env.step_summary {
        let markdown = render_summary(&input, STEP_SUMMARY_LIMIT, false);
        if let Err(e) = append_step_summary(path, &markdown) {
            log(&format!(
                "error: cannot write the step summary {}: {e}",
                path.display()
            ));
            tool_error = true;
        }
    }
    if let Some(path) = &env.output {
        let count = |level: Level| {
            outcome
                .plan
                .kept
                .iter()
                .filter(|f| f.level == level)
                .count()
        };
        let outputs = [
            ("findings", outcome.plan.kept.len().to_string()),
            ("errors", count(Level::Error).to_string()),
            ("warnings", count(Level::Warning).to_string()),
            (
                "sarif-file",
                args.sarif_file
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
            ),
        ];
        if let Err(e) = write_outputs(path, &outputs) {
            log(&format!("error: cannot write {}: {e}", path.display()));
            tool_error = true;
        }
    }
    if tool_error {
        ExitCode::from(EXIT_ERROR)
    } else if args.fail_on.fails(max_level) {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::from(EXIT_CLEAN)
    }
}

/// Annotations the runner shows per level and step (error, warning and notice each).
pub const ANNOTATIONS_PER_LEVEL: usize = 10;

/// The findings to print as annotations, most severe first, at most
/// [`ANNOTATIONS_PER_LEVEL`] per level, and how many are left out. When any are left out, one
/// notice slot is kept for the line that says so.
pub fn annotation_preview<'a>(kept: &[&'a Finding]) -> (Vec<&'a Finding>, usize) {
    let mut sorted = kept.to_vec();
    sorted.sort_by_key(|f| std::cmp::Reverse(f.level));
    let per_level = |level: Level| sorted.iter().filter(|f| f.level == level).count();
    let overflow = [Level::Error, Level::Warning, Level::Note]
        .into_iter()
        .any(|level| per_level(level) > ANNOTATIONS_PER_LEVEL);
    let mut shown = Vec::new();
    let mut counts = [0usize; 3];
    for finding in sorted {
        let (slot, cap) = match finding.level {
            Level::Error => (0, ANNOTATIONS_PER_LEVEL),
            Level::Warning => (1, ANNOTATIONS_PER_LEVEL),
            Level::Note if overflow => (2, ANNOTATIONS_PER_LEVEL - 1),
            Level::Note => (2, ANNOTATIONS_PER_LEVEL),
        };
        if counts[slot] < cap {
            counts[slot] += 1;
            shown.push(finding);
        }
    }
    let more = kept.len() - shown.len();
    (shown, more)
}

/// The one notice that stands for the annotations left out.
pub fn more_line(more: usize) -> String {
    let text = if more == 1 {
        "tollgate: 1 more finding is listed in the step summary".to_string()
    } else {
        format!("tollgate: {more} more findings are listed in the step summary")
    };
    format!("::notice::{}\n", report::github::escape_data(&text))
}

/// Every finding kept, none inline: used when there is no pull request or no API.
fn no_api_outcome(findings: &[Finding], note: String) -> Outcome<'_> {
    let mut plan = plan(findings, None, true, FilterMode::NoFilter);
    plan.outside.extend(plan.inline.drain(..).map(|(f, _)| f));
    Outcome {
        plan,
        notes: vec![note],
        degraded: true,
        ..Outcome::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::test_support::finding;

    #[test]
    fn annotations_are_most_severe_first_and_capped_per_level() {
        let mut findings = Vec::new();
        for i in 0..20 {
            findings.push(finding("n.sql", i + 1, Level::Note, "sql/x", "note"));
        }
        for i in 0..12 {
            findings.push(finding("w.sql", i + 1, Level::Warning, "sql/x", "warning"));
        }
        for i in 0..15 {
            findings.push(finding("e.sql", i + 1, Level::Error, "sql/x", "error"));
        }
        let kept: Vec<&Finding> = findings.iter().collect();
        let (shown, more) = annotation_preview(&kept);
        let levels: Vec<Level> = shown.iter().map(|f| f.level).collect();
        let expect: Vec<Level> = std::iter::repeat_n(Level::Error, 10)
            .chain(std::iter::repeat_n(Level::Warning, 10))
            .chain(std::iter::repeat_n(Level::Note, 9))
            .collect();
        assert_eq!(levels, expect);
        assert_eq!(more, 47 - 29);
        // The first errors in report order are the ones shown.
        assert_eq!(shown[0].start.line, 1);
        assert_eq!(
            more_line(more),
            "::notice::tollgate: 18 more findings are listed in the step summary\n"
        );
        // Few findings: all shown, no pointer.
        let (shown, more) = annotation_preview(&kept[..10]);
        assert_eq!((shown.len(), more), (10, 0));
    }
}
