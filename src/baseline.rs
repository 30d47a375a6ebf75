//! The baseline: a checked-in list of accepted findings (`.tollgate-baseline.json`), so a repository
//! with existing findings can turn tollgate on and have `check` report only what is new.
//!
//! Each entry stores the rule, the path (relative to the baseline file's directory), the finding's
//! fingerprint and a path-independent content hash; never source text, so secrets appear as hashes
//! only. Findings are matched to entries in three passes, each entry used at most once:
//! 1. fingerprint (rule + path + whitespace-normalised span text + occurrence): survives line shifts
//!    and whitespace changes;
//! 2. rule + path + content hash: survives a new identical finding inserted earlier in the file and
//!    running from another directory;
//! 3. rule + content hash among the leftovers: survives moving or renaming a file.
//!
//! The format is documented in docs/baseline.md.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::finding::Finding;
use crate::outcome::{BaselineStatus, Report};
use crate::paths::relative_to;

pub const FILE_NAME: &str = ".tollgate-baseline.json";
pub const VERSION: u32 = 1;

pub use crate::outcome::BaselineEntry as Entry;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Baseline {
    pub entries: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBaseline {
    version: u32,
    #[serde(default)]
    #[expect(
        dead_code,
        reason = "informational; written for humans reading the file"
    )]
    tool: Option<String>,
    entries: Vec<Entry>,
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read baseline {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid baseline {}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

impl Baseline {
    pub fn parse(path: &Path, text: &str) -> Result<Self, BaselineError> {
        // Some Windows editors save JSON with a byte-order mark.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let raw: RawBaseline = serde_json::from_str(text).map_err(|e| BaselineError::Invalid {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        if raw.version != VERSION {
            return Err(BaselineError::Invalid {
                path: path.to_path_buf(),
                message: format!(
                    "version {} is not supported (this tollgate reads version {VERSION})",
                    raw.version
                ),
            });
        }
        let mut entries = raw.entries;
        entries.sort();
        Ok(Self { entries })
    }

    pub fn load(path: &Path) -> Result<Self, BaselineError> {
        let text = crate::fsread::read_config(
            path,
            crate::fsread::Confine::Anywhere,
            crate::fsread::MAX_BASELINE_SIZE,
        )
        .map_err(|e| BaselineError::Read {
            path: path.to_path_buf(),
            source: std::io::Error::other(e.reason()),
        })?;
        Self::parse(path, &text)
    }

    /// The file's text: sorted, one entry per line, so adding or fixing a finding is a one-line diff.
    pub fn render(&self) -> String {
        let mut entries = self.entries.clone();
        entries.sort();
        let mut out =
            format!("{{\n  \"version\": {VERSION},\n  \"tool\": \"tollgate\",\n  \"entries\": [");
        for (i, entry) in entries.iter().enumerate() {
            out.push_str(if i == 0 { "\n    " } else { ",\n    " });
            // Serialising four strings cannot fail.
            out.push_str(&serde_json::to_string(entry).unwrap_or_default());
        }
        out.push_str(if entries.is_empty() {
            "]\n}\n"
        } else {
            "\n  ]\n}\n"
        });
        out
    }

    /// Entries accepting every finding of `report`; paths are made relative to `base_dir`.
    pub fn from_report(report: &Report, base_dir: &Path, cwd: &Path) -> Self {
        let mut entries = entries_for(report, base_dir, cwd);
        entries.sort();
        Self { entries }
    }

    /// Keeps the entries that match a finding of `report` (for `tollgate baseline --prune`).
    pub fn pruned(&self, report: &Report, base_dir: &Path, cwd: &Path) -> Self {
        let used = self.match_findings(report, base_dir, cwd).1;
        Self {
            entries: self
                .entries
                .iter()
                .zip(used)
                .filter(|(_, used)| *used)
                .map(|(e, _)| e.clone())
                .collect(),
        }
    }

    /// For each finding, whether an entry accepts it; and for each entry, whether it was used.
    fn match_findings(
        &self,
        report: &Report,
        base_dir: &Path,
        cwd: &Path,
    ) -> (Vec<bool>, Vec<bool>) {
        let keys = entries_for(report, base_dir, cwd);
        let mut by_fingerprint: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_path: HashMap<(&str, &str, &str), Vec<usize>> = HashMap::new();
        let mut by_content: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
        // Reversed so `pop` hands out entries in file order.
        for (i, e) in self.entries.iter().enumerate().rev() {
            by_fingerprint.entry(&e.fingerprint).or_default().push(i);
            by_path
                .entry((&e.rule, &e.path, &e.content))
                .or_default()
                .push(i);
            by_content.entry((&e.rule, &e.content)).or_default().push(i);
        }
        let mut used = vec![false; self.entries.len()];
        let mut accepted = vec![false; keys.len()];
        let take = |candidates: Option<&mut Vec<usize>>, used: &mut Vec<bool>| -> bool {
            let Some(candidates) = candidates else {
                return false;
            };
            while let Some(i) = candidates.pop() {
                if !used[i] {
                    used[i] = true;
                    return true;
                }
            }
            false
        };
        for (k, key) in keys.iter().enumerate() {
            accepted[k] = take(by_fingerprint.get_mut(key.fingerprint.as_str()), &mut used);
        }
        for (k, key) in keys.iter().enumerate() {
            if !accepted[k] {
                let slot =
                    by_path.get_mut(&(key.rule.as_str(), key.path.as_str(), key.content.as_str()));
                accepted[k] = take(slot, &mut used);
            }
        }
        for (k, key) in keys.iter().enumerate() {
            if !accepted[k] {
                let slot = by_content.get_mut(&(key.rule.as_str(), key.content.as_str()));
                accepted[k] = take(slot, &mut used);
            }
        }
        (accepted, used)
    }

    /// For each finding of `report`, whether an entry accepts it (no entry accepts two findings).
    pub fn accepts(&self, report: &Report, base_dir: &Path, cwd: &Path) -> Vec<bool> {
        self.match_findings(report, base_dir, cwd).0
    }

    /// Removes accepted findings from `report` and records the baseline's status in it.
    pub fn apply(&self, report: &mut Report, shown_path: &str, base_dir: &Path, cwd: &Path) {
        let (accepted, used) = self.match_findings(report, base_dir, cwd);
        let before = report.findings.len();
        let (baselined, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut report.findings)
            .into_iter()
            .zip(accepted)
            .partition(|(_, accepted)| *accepted);
        report.findings = kept.into_iter().map(|(f, _)| f).collect();
        report.baselined = baselined.into_iter().map(|(f, _)| f).collect();
        report.baseline = Some(BaselineStatus {
            path: shown_path.to_string(),
            entries: self.entries.len(),
            matched: before - report.findings.len(),
            stale: self
                .entries
                .iter()
                .zip(used)
                .filter(|(_, used)| !used)
                .map(|(e, _)| e.clone())
                .collect(),
        });
    }
}

/// One entry per finding, in finding order; each distinct path is resolved once.
fn entries_for(report: &Report, base_dir: &Path, cwd: &Path) -> Vec<Entry> {
    let mut paths: HashMap<&str, String> = HashMap::new();
    report
        .findings
        .iter()
        .map(|f| {
            let path = paths
                .entry(&f.path)
                .or_insert_with(|| {
                    relative_to(&f.path, cwd, base_dir).unwrap_or_else(|| f.path.clone())
                })
                .clone();
            entry_for(report, f, path)
        })
        .collect()
}

fn entry_for(report: &Report, finding: &Finding, path: String) -> Entry {
    let text = report.sources.get(&finding.path).map_or("", |t| t.as_ref());
    let span = finding.span.clamp_to(text);
    Entry {
        path,
        rule: finding.rule.to_string(),
        content: content_hash(finding.rule, &text[span.range()]),
        fingerprint: finding.fingerprint.clone(),
    }
}

/// Path-independent identity of a finding: its rule and whitespace-normalised span text, hashed.
pub fn content_hash(rule: &str, span_text: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(rule.as_bytes());
    hasher.update([0]);
    for word in span_text.split_whitespace() {
        hasher.update(word.as_bytes());
        hasher.update([b' ']);
    }
    hasher
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The baseline `check` uses by default: `.tollgate-baseline.json` in the directory of the first
/// scanned path or an ancestor, stopping at the repository root (the first directory with `.git`).
pub fn discover(first_path: &Path, cwd: &Path) -> Option<PathBuf> {
    let start = cwd.join(first_path);
    let start = start.canonicalize().unwrap_or(start);
    let start = if start.is_dir() {
        start
    } else {
        start.parent()?.to_path_buf()
    };
    for dir in start.ancestors() {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    None
}

/// Where `tollgate baseline` writes when no file is named: an existing baseline, else the repository
/// root above the first path, else the first path's directory.
pub fn default_location(first_path: &Path, cwd: &Path) -> PathBuf {
    if let Some(found) = discover(first_path, cwd) {
        return found;
    }
    let start = cwd.join(first_path);
    let start = start.canonicalize().unwrap_or(start);
    let start = if start.is_dir() {
        start
    } else {
        start
            .parent()
            .map_or_else(|| cwd.to_path_buf(), Path::to_path_buf)
    };
    let root = start
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .unwrap_or(&start);
    root.join(FILE_NAME)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, rule: &str, content: &str, fp: &str) -> Entry {
        Entry {
            path: path.into(),
            rule: rule.into(),
            content: content.into(),
            fingerprint: fp.into(),
        }
    }

    #[test]
    fn renders_sorted_one_entry_per_line_and_parses_back() {
        let baseline = Baseline {
            entries: vec![
                entry("b.sql", "sql/require-rls", "c2", "f2"),
                entry("a.sql", "sql/require-rls", "c1", "f1"),
            ],
        };
        let text = baseline.render();
        assert_eq!(
            text,
            "{\n  \"version\": 1,\n  \"tool\": \"tollgate\",\n  \"entries\": [\n    \
             {\"path\":\"a.sql\",\"rule\":\"sql/require-rls\",\"content\":\"c1\",\"fingerprint\":\"f1\"},\n    \
             {\"path\":\"b.sql\",\"rule\":\"sql/require-rls\",\"content\":\"c2\",\"fingerprint\":\"f2\"}\n  ]\n}\n"
        );
        let back = Baseline::parse(Path::new("x"), &text).unwrap();
        assert_eq!(back.entries[0].path, "a.sql");
        assert_eq!(back.render(), text);
        assert_eq!(
            Baseline::default().render(),
            "{\n  \"version\": 1,\n  \"tool\": \"tollgate\",\n  \"entries\": []\n}\n"
        );
    }

    #[test]
    fn rejects_other_versions_and_unknown_fields() {
        let err = Baseline::parse(Path::new("b.json"), r#"{"version": 2, "entries": []}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("version 2 is not supported"), "{err}");
        let err = Baseline::parse(
            Path::new("b.json"),
            r#"{"version": 1, "entries": [{"path":"a","rule":"r","content":"c","fingerprint":"f","text":"x"}]}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("unknown field `text`"), "{err}");
        assert!(Baseline::parse(Path::new("b.json"), "{").is_err());
    }

    #[test]
    fn hostile_files_are_errors_not_panics() {
        let deep = "[".repeat(100_000);
        for text in [
            "",
            "null",
            "[]",
            "{\"version\": 1}",
            "{\"version\": -1, \"entries\": []}",
            "{\"version\": 1, \"entries\": [{\"path\": 1}]}",
            deep.as_str(),
        ] {
            assert!(
                Baseline::parse(Path::new("b.json"), text).is_err(),
                "{text:.40}"
            );
        }
        let big = format!(
            "{{\"version\": 1, \"entries\": [{}]}}",
            vec![r#"{"path":"p","rule":"r","content":"c","fingerprint":"f"}"#; 20_000].join(",")
        );
        assert_eq!(
            Baseline::parse(Path::new("b.json"), &big)
                .unwrap()
                .entries
                .len(),
            20_000
        );
        let bom = "\u{feff}{\"version\": 1, \"entries\": []}";
        assert!(Baseline::parse(Path::new("b.json"), bom).is_ok());
    }

    #[test]
    fn content_hash_ignores_whitespace_but_not_rule_or_text() {
        let a = content_hash("sql/require-rls", "create table  t\n(id int)");
        assert_eq!(
            a,
            content_hash("sql/require-rls", "create table t (id int)")
        );
        assert_ne!(a, content_hash("sql/other", "create table t (id int)"));
        assert_ne!(
            a,
            content_hash("sql/require-rls", "create table u (id int)")
        );
        assert_eq!(a.len(), 32);
    }
}
