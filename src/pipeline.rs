//! The one orchestrator of a scan: policy lookup, then paths → engine (discover, read, parse,
//! check, suppress) → baseline → changed-files scope. `check`, `baseline`, `github` and the git
//! hooks (which run `check`) all go through [`scan`], so every mode reports the same findings:
//! a pull request sees exactly what `check` would, then filters by its diff.

use std::path::{Path, PathBuf};

use crate::baseline::{self, Baseline, BaselineError};
use crate::changed::{self, ChangedError, ChangedFiles, Since};
use crate::engine;
use crate::outcome::Report;
use crate::paths::shown;
use crate::policy::{Policy, PolicyError, PolicySource};

/// Which baseline of accepted findings a scan applies.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum BaselineChoice {
    /// `.tollgate-baseline.json` beside the first path or in an ancestor up to the repository root.
    #[default]
    Discover,
    /// This file (it must exist).
    File(PathBuf),
    /// None: report every finding (what `tollgate baseline` needs to write one).
    Ignore,
}

#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Files or directories to check (none: the working directory).
    pub paths: Vec<PathBuf>,
    /// Worker threads; 0 means one per core.
    pub threads: usize,
    pub baseline: BaselineChoice,
    /// Report only what changed since a ref, or what is staged.
    pub since: Option<Since>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ScanError {
    #[error("path not found: {path}")]
    #[diagnostic(help("paths are relative to the working directory"))]
    PathNotFound { path: String },
    #[error(transparent)]
    Changed(#[from] ChangedError),
    #[error(transparent)]
    Baseline(#[from] BaselineError),
}

/// The policy a command runs with: `explicit` (from `--policy`), else the nearest `tollgate.toml`
/// upwards from the working directory, else the built-in `recommended` pack.
pub fn load_policy(explicit: Option<&Path>) -> Result<Policy, PolicyError> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => std::env::current_dir()
            .ok()
            .and_then(|dir| Policy::discover(&dir)),
    };
    match path {
        Some(path) => {
            // Shown relative to the working directory when it is below it, as users typed it.
            let shown = std::env::current_dir()
                .ok()
                .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
                .unwrap_or(path);
            Policy::load_from(&shown, PolicySource::of(explicit))
        }
        None => Ok(Policy::recommended()),
    }
}

/// Runs one scan. Git and the baseline are consulted before any file is read, so a bad ref or a
/// broken baseline stops the run (exit 2) instead of producing a partial report.
pub fn scan(policy: &Policy, options: &ScanOptions) -> Result<Report, ScanError> {
    let paths = if options.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        options.paths.clone()
    };
    if let Some(missing) = paths.iter().find(|p| std::fs::symlink_metadata(p).is_err()) {
        return Err(ScanError::PathNotFound {
            path: missing.display().to_string(),
        });
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let first = paths[0].as_path();
    let changed = match &options.since {
        Some(since) => Some(changed::collect(&directory_of(first, &cwd), since)?),
        None => None,
    };
    let baseline_path = match &options.baseline {
        BaselineChoice::Discover => baseline::discover(first, &cwd),
        BaselineChoice::File(path) => Some(path.clone()),
        BaselineChoice::Ignore => None,
    };
    let loaded = match baseline_path {
        Some(path) => {
            let accepted = Baseline::load(&path)?;
            Some((path, accepted))
        }
        None => None,
    };

    let mut report = engine::run(
        policy,
        &engine::Options {
            paths: paths.clone(),
            threads: options.threads,
        },
    );
    // The baseline sees every finding (so entries for unchanged files are not called stale), then
    // the changed-files filter narrows what is reported.
    if let Some((path, accepted)) = &loaded {
        let full = cwd.join(path);
        let full = full.canonicalize().unwrap_or(full);
        let base_dir = full.parent().map_or_else(|| cwd.clone(), Path::to_path_buf);
        accepted.apply(&mut report, &shown(path, &cwd), &base_dir, &cwd);
    }
    if let Some(changed) = &changed {
        let base = base_findings(policy, changed, &paths, &cwd, options.threads);
        changed::apply(&mut report, changed, &cwd, base.as_ref());
    }
    Ok(report)
}

/// The directory git is asked about: the first path if it is one, else its parent.
fn directory_of(first: &Path, cwd: &Path) -> PathBuf {
    let dir = cwd.join(first);
    if dir.is_dir() {
        dir
    } else {
        dir.parent()
            .map_or_else(|| cwd.to_path_buf(), Path::to_path_buf)
    }
}

/// The same policy over the base commit's tree, as a baseline: what it accepts was there before
/// the change. `None` when there is no base commit or it cannot be exported.
fn base_findings(
    policy: &Policy,
    changed: &ChangedFiles,
    paths: &[PathBuf],
    cwd: &Path,
    threads: usize,
) -> Option<Baseline> {
    let tree = changed::base_tree(changed, paths, cwd)?;
    if tree.roots.is_empty() {
        return Some(Baseline::default());
    }
    let report = engine::run(
        policy,
        &engine::Options {
            paths: tree.roots.clone(),
            threads,
        },
    );
    Some(Baseline::from_report(&report, &tree.root, &tree.root))
}
