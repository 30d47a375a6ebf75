//! What a scan produces, as data only: the [`Report`] every reporter renders, the baseline and
//! changed-files status recorded in it, and how a report maps to an exit code. No I/O and no
//! orchestration: the engine fills a report, `baseline` and `changed` narrow it, reporters read it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::document::FileKind;
use crate::finding::{Finding, Level};
use crate::source::Span;
use crate::suppress::Suppressed;

/// Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage, policy or I/O error.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// Everything reporters need.
#[derive(Debug, Clone)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
    /// Every file checked, with its kind, sorted by path.
    pub files: Vec<(String, FileKind)>,
    pub policy_name: String,
    pub policy_origin: String,
    pub policy_hash: String,
    /// The built-in default policy (no policy file) was used.
    pub policy_builtin: bool,
    /// How the policy is weaker than `recommended` (see `Policy::weakened`).
    pub policy_weakened: Vec<String>,
    /// Ids of the rules that were enabled somewhere, in registry order.
    pub rules: Vec<&'static str>,
    pub elapsed: Duration,
    /// Secret spans by path, from every finding (reported or not): blanked before any source is shown.
    pub redactions: HashMap<String, Vec<Span>>,
    /// File texts by path, for reporters that show source (blank `redactions` first).
    pub sources: HashMap<String, Arc<str>>,
    /// The baseline applied after the run, if any.
    pub baseline: Option<BaselineStatus>,
    /// Findings the baseline accepted (not reported; SARIF carries them as suppressed results).
    pub baselined: Vec<Finding>,
    /// Changed-files scope, if findings were limited to changed files.
    pub scope: Option<Scope>,
    /// Panics caught while checking (also reported as `tollgate/internal-error` findings when that
    /// rule is on); any makes the run a tool failure, exit 2.
    pub internal_errors: usize,
    /// Binary files (images, archives, fonts...) found by the catch-all text kind: not scanned.
    pub binary_skipped: usize,
}

impl Report {
    pub fn count(&self, level: Level) -> usize {
        self.findings.iter().filter(|f| f.level == level).count()
    }

    pub fn files_by_kind(&self) -> BTreeMap<FileKind, usize> {
        let mut counts = BTreeMap::new();
        for (_, kind) in &self.files {
            *counts.entry(*kind).or_insert(0) += 1;
        }
        counts
    }

    /// The highest level among the findings.
    pub fn max_level(&self) -> Option<Level> {
        self.findings.iter().map(|f| f.level).max()
    }

    /// A policy file made the run check nothing: no file matched its `[files]` settings, or every
    /// rule is off. That is a broken policy, not a pass (exit 2). The built-in default in a
    /// directory with nothing to check is not: nothing there is covered by any rule.
    pub fn checks_nothing(&self) -> bool {
        !self.policy_builtin && (self.files.is_empty() || self.rules.is_empty())
    }

    /// Why [`Report::checks_nothing`] holds, for every reporter and stderr.
    pub fn nothing_checked_message(&self) -> Option<String> {
        if !self.checks_nothing() {
            return None;
        }
        let what = if self.files.is_empty() {
            "no file matched its [files] include/exclude/kinds"
        } else {
            "every rule is off"
        };
        Some(format!(
            "policy {} ({}, hash {}) checks nothing: {what}; a policy that checks nothing fails the run (exit 2)",
            self.policy_name, self.policy_origin, self.policy_hash
        ))
    }

    /// The exit code of a finished run: a caught crash fails it whatever the fail level (some file
    /// was not checked), then findings at or above `fail_on`.
    pub fn exit_code(&self, fail_on: FailOn) -> u8 {
        if self.internal_errors > 0 || self.checks_nothing() {
            EXIT_ERROR
        } else if fail_on.fails(self.max_level()) {
            EXIT_FINDINGS
        } else {
            EXIT_CLEAN
        }
    }
}

/// One accepted finding of a baseline file. Field order is the sort order: path, rule, content,
/// fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    pub path: String,
    pub rule: String,
    /// SHA-256 (first 16 bytes, hex) of the rule id and the whitespace-normalised span text.
    pub content: String,
    /// `Finding::fingerprint` when the baseline was written.
    pub fingerprint: String,
}

/// What the reports say about the baseline in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaselineStatus {
    /// The baseline file as given or found.
    pub path: String,
    /// Entries in the file.
    pub entries: usize,
    /// Findings hidden because the baseline accepts them.
    pub matched: usize,
    /// Entries that matched no finding (fixed or changed beyond recognition): prune them.
    pub stale: Vec<BaselineEntry>,
}

/// What the reports say about a changed-files run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scope {
    pub description: String,
    /// Files git reports as changed (whether or not tollgate checks their kind).
    pub changed_files: usize,
    /// Scanned files among them.
    pub changed_scanned: usize,
    /// Findings left out because they are in unchanged files.
    pub hidden_findings: usize,
    /// Findings kept although they are in unchanged files, because the base commit did not have
    /// them: the change caused them (a new migration disabling RLS on an old table, say).
    pub new_in_unchanged_files: usize,
}

/// The lowest level that makes a run fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

impl FailOn {
    /// The threshold as a level (`None`: nothing fails).
    pub fn level(self) -> Option<Level> {
        match self {
            FailOn::Error => Some(Level::Error),
            FailOn::Warning => Some(Level::Warning),
            FailOn::Note => Some(Level::Note),
            FailOn::Never => None,
        }
    }

    pub fn fails(self, level: Option<Level>) -> bool {
        match (self.level(), level) {
            (Some(threshold), Some(level)) => level >= threshold,
            _ => false,
        }
    }
}
