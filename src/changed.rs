//! Changed-files mode (`--changed-since <ref>`, `--staged`): asks the `git` CLI which files changed and
//! keeps only findings in them. The engine still reads and parses every file, so whole-set context
//! (the migration replay) is unchanged: a new migration is judged against the state built from all
//! migrations, and a table whose RLS is enabled in an unchanged file is not reported.

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use serde::Serialize;

use crate::engine::Report;

/// Which change set to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Since {
    /// Changes since the merge base of the ref and `HEAD`, including uncommitted and untracked files.
    Ref(String),
    /// Files in the index (what `git commit` would record).
    Staged,
}

/// Files that changed, as repository-relative `/`-separated paths.
#[derive(Debug, Clone)]
pub struct ChangedFiles {
    /// Canonical repository root (`git rev-parse --show-toplevel`).
    pub root: PathBuf,
    pub paths: BTreeSet<String>,
    /// How the set was computed, for reports ("staged files", "changed since origin/main (merge base 1a2b3c4)").
    pub description: String,
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
}

#[derive(Debug, thiserror::Error)]
pub enum ChangedError {
    #[error("{option} needs a git repository, but {} is not inside one", dir.display())]
    NotARepository { option: &'static str, dir: PathBuf },
    #[error("{option} needs the `git` command: {source}")]
    GitMissing {
        option: &'static str,
        source: std::io::Error,
    },
    #[error("`git {args}` failed: {stderr}")]
    Git { args: String, stderr: String },
    #[error("unknown git ref `{0}` (try a branch, tag or commit, e.g. `origin/main`)")]
    UnknownRef(String),
}

impl Since {
    pub fn option(&self) -> &'static str {
        match self {
            Since::Ref(_) => "--changed-since",
            Since::Staged => "--staged",
        }
    }
}

/// Asks git, in the repository containing `dir`, which files changed.
pub fn collect(dir: &Path, since: &Since) -> Result<ChangedFiles, ChangedError> {
    let option = since.option();
    let toplevel = git(dir, &["rev-parse", "--show-toplevel"], option).map_err(|e| match e {
        ChangedError::Git { .. } => ChangedError::NotARepository {
            option,
            dir: dir.to_path_buf(),
        },
        other => other,
    })?;
    let root = PathBuf::from(toplevel.trim_end_matches(['\n', '\r']));
    let root = root.canonicalize().unwrap_or(root);
    let mut paths = BTreeSet::new();
    let description = match since {
        Since::Staged => {
            paths.extend(split_z(&git(
                &root,
                &["diff", "--cached", "--name-only", "-z", "--no-ext-diff"],
                option,
            )?));
            "staged files".to_string()
        }
        Since::Ref(reference) => {
            let spec = format!("{reference}^{{commit}}");
            let Ok(commit) = git(&root, &["rev-parse", "--verify", "--quiet", &spec], option)
            else {
                return Err(ChangedError::UnknownRef(reference.clone()));
            };
            let commit = commit.trim();
            // The merge base, so files changed on the other side since the fork are not "ours".
            let base = git(&root, &["merge-base", reference, "HEAD"], option)
                .map(|b| b.trim().to_string())
                .unwrap_or_else(|_| reference.clone());
            paths.extend(split_z(&git(
                &root,
                &["diff", "--name-only", "-z", "--no-ext-diff", &base, "--"],
                option,
            )?));
            paths.extend(split_z(&git(
                &root,
                &["ls-files", "--others", "--exclude-standard", "-z"],
                option,
            )?));
            let short: String = base.chars().take(7).collect();
            if base == commit {
                format!("files changed since {reference}")
            } else {
                format!("files changed since {reference} (merge base {short})")
            }
        }
    };
    Ok(ChangedFiles {
        root,
        paths,
        description,
    })
}

fn git(dir: &Path, args: &[&str], option: &'static str) -> Result<String, ChangedError> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .output()
        .map_err(|source| ChangedError::GitMissing { option, source })?;
    if !output.status.success() {
        return Err(ChangedError::Git {
            args: args.join(" "),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn split_z(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split('\0')
        .filter(|p| !p.is_empty())
        .map(|p| p.replace('\\', "/"))
}

/// Maps a report path (as shown: relative to `cwd`, or absolute) to a `/`-separated path relative to
/// `root`, or `None` when it lies outside `root`. Symlinked directories are resolved where the file
/// exists, so `/tmp/x` and `/private/tmp/x` agree.
pub fn relative_to(shown: &str, cwd: &Path, root: &Path) -> Option<String> {
    let joined = cwd.join(shown);
    let full = joined.canonicalize().unwrap_or_else(|_| normalise(&joined));
    let rel = full.strip_prefix(root).ok()?;
    let text = rel.to_string_lossy().replace('\\', "/");
    (!text.is_empty()).then_some(text)
}

/// Removes `.` and resolves `..` lexically (for paths that no longer exist).
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Keeps only findings (and suppressions) in changed files. A finding in an unchanged file is kept
/// when one of its related locations is in a changed file: the change caused it.
pub fn apply(report: &mut Report, changed: &ChangedFiles, cwd: &Path) {
    let mut cache: HashMap<String, bool> = HashMap::new();
    let mut is_changed = |path: &str| -> bool {
        *cache.entry(path.to_string()).or_insert_with(|| {
            relative_to(path, cwd, &changed.root).is_some_and(|rel| changed.paths.contains(&rel))
        })
    };
    let before = report.findings.len();
    report
        .findings
        .retain(|f| is_changed(&f.path) || f.related.iter().any(|r| is_changed(&r.path)));
    report.suppressed.retain(|s| is_changed(&s.path));
    let changed_scanned = report
        .files
        .iter()
        .filter(|(path, _)| is_changed(path))
        .count();
    report.scope = Some(Scope {
        description: changed.description.clone(),
        changed_files: changed.paths.len(),
        changed_scanned,
        hidden_findings: before - report.findings.len(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_resolve_against_cwd_and_root() {
        let root = Path::new("/repo");
        assert_eq!(
            relative_to("db/migrations/1.sql", Path::new("/repo"), root).as_deref(),
            Some("db/migrations/1.sql")
        );
        assert_eq!(
            relative_to("migrations/1.sql", Path::new("/repo/db"), root).as_deref(),
            Some("db/migrations/1.sql")
        );
        assert_eq!(
            relative_to("../db/./m.sql", Path::new("/repo/app"), root).as_deref(),
            Some("db/m.sql")
        );
        assert_eq!(
            relative_to("/repo/x/Dockerfile", Path::new("/elsewhere"), root).as_deref(),
            Some("x/Dockerfile")
        );
        assert_eq!(
            relative_to("../other/m.sql", Path::new("/repo"), root),
            None
        );
    }

    #[test]
    fn nul_separated_output_keeps_odd_names() {
        let names: Vec<String> = split_z("a b.sql\0dir/ü\n.sql\0\0").collect();
        assert_eq!(names, ["a b.sql", "dir/ü\n.sql"]);
    }

    #[test]
    fn outside_a_repository_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = collect(dir.path(), &Since::Staged).unwrap_err();
        assert!(matches!(err, ChangedError::NotARepository { .. }), "{err}");
        assert!(err.to_string().contains("--staged needs a git repository"));
    }
}
