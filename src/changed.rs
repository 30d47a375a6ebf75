//! Changed-files mode (`--changed-since <ref>`, `--staged`): asks the `git` CLI which files changed and
//! keeps only findings in them. The engine still reads and parses every file, so whole-set context
//! (the migration replay) is unchanged: a new migration is judged against the state built from all
//! migrations, and a table whose RLS is enabled in an unchanged file is not reported.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::baseline::Baseline;
use crate::outcome::{Report, Scope};
use crate::paths::relative_to;

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
    /// The commit the change is measured from (the merge base, or `HEAD` for `--staged`), if any.
    pub base: Option<String>,
    /// Files that differ from the base but are not part of the change (unstaged or untracked files
    /// under `--staged`): their findings are never attributed to the change.
    pub excluded: BTreeSet<String>,
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
    let mut excluded = BTreeSet::new();
    let base_commit;
    let description = match since {
        Since::Staged => {
            base_commit = git(
                &root,
                &["rev-parse", "--verify", "--quiet", "HEAD^{commit}"],
                option,
            )
            .ok()
            .map(|c| c.trim().to_string());
            paths.extend(split_z(&git(
                &root,
                &["diff", "--cached", "--name-only", "-z", "--no-ext-diff"],
                option,
            )?));
            excluded.extend(split_z(&git(
                &root,
                &["diff", "--name-only", "-z", "--no-ext-diff"],
                option,
            )?));
            excluded.extend(split_z(&git(
                &root,
                &["ls-files", "--others", "--exclude-standard", "-z"],
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
            base_commit = git(
                &root,
                &[
                    "rev-parse",
                    "--verify",
                    "--quiet",
                    &format!("{base}^{{commit}}"),
                ],
                option,
            )
            .ok()
            .map(|c| c.trim().to_string());
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
        base: base_commit,
        excluded,
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
/// `root`, or `None` when it lies outside `root`. Symlinked directories are resolved where the file/// The base commit's tree for the scanned paths, exported with `git archive` to a temporary
/// directory (removed when the returned [`BaseTree`] drops), so the same policy can be run over it
/// and findings the change introduced in unchanged files told from old ones. `None` when there is
/// no base or it cannot be exported.
pub fn base_tree(changed: &ChangedFiles, paths: &[PathBuf], cwd: &Path) -> Option<BaseTree> {
    let base = changed.base.as_deref()?;
    // The scan roots relative to the repository: only they are exported (`""` is the whole tree).
    let relative: Vec<PathBuf> = paths
        .iter()
        .filter_map(|p| {
            let full = cwd.join(p);
            let full = full.canonicalize().unwrap_or(full);
            full.strip_prefix(&changed.root).ok().map(Path::to_path_buf)
        })
        .collect();
    let pathspecs: Vec<String> = if relative.iter().any(|r| r.as_os_str().is_empty()) {
        Vec::new()
    } else {
        relative
            .iter()
            .map(|r| format!(":(literal){}", r.to_string_lossy().replace('\\', "/")))
            .collect()
    };
    let dir = TempTree::new()?;
    export(&changed.root, base, &pathspecs, &dir.0).ok()?;
    let root = dir.0.canonicalize().ok()?;
    let roots = relative
        .iter()
        .map(|r| root.join(r))
        .filter(|inside| inside.exists())
        .collect();
    Some(BaseTree {
        _dir: dir,
        root,
        roots,
    })
}

/// An exported base tree: scan `roots` (the scanned paths as they were at the base, those that
/// existed) and make paths relative to `root`.
pub struct BaseTree {
    _dir: TempTree,
    pub root: PathBuf,
    pub roots: Vec<PathBuf>,
}

/// `git archive <commit> -- <pathspecs> | tar -x -C <dir>`.
fn export(root: &Path, commit: &str, pathspecs: &[String], dir: &Path) -> std::io::Result<()> {
    let mut archive = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["archive", "--format=tar", commit, "--"])
        .args(pathspecs)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = archive
        .stdout
        .take()
        .ok_or_else(|| std::io::Error::other("no archive output"))?;
    let tar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(dir)
        .stdin(stdout)
        .stderr(Stdio::null())
        .status()?;
    let archived = archive.wait()?;
    if tar.success() && archived.success() {
        Ok(())
    } else {
        Err(std::io::Error::other("git archive | tar failed"))
    }
}

/// A temporary directory removed on drop.
struct TempTree(PathBuf);

impl TempTree {
    fn new() -> Option<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir =
            std::env::temp_dir().join(format!("tollgate-base-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&dir).ok()?;
        Some(Self(dir))
    }
}

impl Drop for TempTree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Keeps only findings (and suppressions) in changed files. A finding in an unchanged file is kept
/// when one of its related locations is in a changed file, or when `base` (the base commit's
/// findings) does not have it: either way the change caused it.
pub fn apply(report: &mut Report, changed: &ChangedFiles, cwd: &Path, base: Option<&Baseline>) {
    let new_vs_base: Vec<bool> = match base {
        Some(base) => base
            .accepts(report, &changed.root, cwd)
            .into_iter()
            .map(|old| !old)
            .collect(),
        None => vec![false; report.findings.len()],
    };
    let mut cache: HashMap<String, bool> = HashMap::new();
    let mut is_changed = |path: &str| -> bool {
        *cache.entry(path.to_string()).or_insert_with(|| {
            relative_to(path, cwd, &changed.root).is_some_and(|rel| changed.paths.contains(&rel))
        })
    };
    let mut excluded_cache: HashMap<String, bool> = HashMap::new();
    let mut is_excluded = |path: &str| -> bool {
        *excluded_cache.entry(path.to_string()).or_insert_with(|| {
            relative_to(path, cwd, &changed.root).is_none_or(|rel| changed.excluded.contains(&rel))
        })
    };
    let before = report.findings.len();
    let mut new_in_unchanged_files = 0;
    let mut is_new = new_vs_base.into_iter();
    report.findings.retain(|f| {
        let new = is_new.next().unwrap_or(false);
        if is_changed(&f.path) || f.related.iter().any(|r| is_changed(&r.path)) {
            true
        } else if new && !is_excluded(&f.path) {
            new_in_unchanged_files += 1;
            true
        } else {
            false
        }
    });
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
        new_in_unchanged_files,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

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
