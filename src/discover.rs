//! Finding the files to check: one parallel, .gitignore-aware walk (the `ignore` crate, as ripgrep),
//! classified by the policy's globs. Symlinks are not followed, so loops cannot hang the walk.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::{WalkBuilder, WalkState};

use crate::document::FileKind;
use crate::fsread;
use crate::policy::FileSettings;

/// A file to check.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Input {
    /// Path relative to the scan root, `/`-separated: what reports show.
    pub path: String,
    pub disk_path: PathBuf,
    pub kind: FileKind,
    /// The walk saw a regular file (not a symlink, FIFO or device), so it can be opened without
    /// a `stat` first; explicitly named paths are checked when read.
    pub walked_regular: bool,
}

/// A problem met while walking (an unreadable directory, say); reported, never fatal.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct WalkProblem {
    pub path: String,
    pub message: String,
}

/// Walks `roots` and returns the classified inputs, sorted by path, plus walk problems.
pub fn discover(
    roots: &[PathBuf],
    files: &FileSettings,
    threads: usize,
) -> (Vec<Input>, Vec<WalkProblem>) {
    let found = Mutex::new(Vec::new());
    let problems = Arc::new(Mutex::new(Vec::new()));
    let push_problem = |problem: WalkProblem| {
        problems
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(problem);
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    for root in roots {
        // The walk never follows symlinks; one named on the command line is followed only while it
        // stays inside the repository (the working directory, where the CLI and the Action run),
        // so `tollgate check $(git diff --name-only)` cannot be pointed at `~/.ssh/id_rsa`.
        if std::fs::symlink_metadata(root).is_ok_and(|m| m.file_type().is_symlink()) {
            if let Err(e) = fsread::resolve_within(root, &cwd) {
                let reason = match e {
                    fsread::ReadError::Outside { .. } => {
                        "symbolic link to a path outside the repository (the working directory); \
                         not followed, not checked"
                            .to_string()
                    }
                    other => format!("cannot resolve this symbolic link: {}", other.reason()),
                };
                push_problem(WalkProblem {
                    path: shown_path(root),
                    message: reason,
                });
                continue;
            }
        }
        if root.is_file() {
            let name = shown_path(root);
            let rel = name.rsplit('/').next().unwrap_or(&name).to_string();
            // An explicitly named file is checked if its name classifies, whatever its directory.
            let in_migrations = format!("migrations/{rel}");
            let kind = files.classify_best([name.as_str(), rel.as_str(), in_migrations.as_str()]);
            if let Some(kind) = kind {
                found.lock().unwrap_or_else(|e| e.into_inner()).push(Input {
                    path: name,
                    disk_path: root.clone(),
                    kind,
                    walked_regular: false,
                });
            }
            continue;
        }
        if files.gitignore {
            let canonical = root.canonicalize().unwrap_or_else(|_| root.clone());
            // The root's own ignore files and its parents' are read when the walk is built.
            let unsafe_file = std::iter::once(root.as_path())
                .chain(canonical.ancestors())
                .find_map(unsafe_ignore_file);
            if let Some((file, why)) = unsafe_file {
                push_problem(WalkProblem {
                    path: display_path(&file, root),
                    message: format!(
                        "ignore file not read ({why}); {} was not checked",
                        shown_path(root)
                    ),
                });
                continue;
            }
        }
        let filter_problems = Arc::clone(&problems);
        let filter_root = root.clone();
        let check_ignore_files = files.gitignore;
        let mut builder = WalkBuilder::new(root);
        builder
            .threads(threads)
            .hidden(!files.hidden)
            .git_ignore(files.gitignore)
            .git_global(files.gitignore)
            .git_exclude(files.gitignore)
            .ignore(files.gitignore)
            .parents(files.gitignore)
            .require_git(false)
            .follow_links(false)
            .filter_entry(move |entry| {
                if entry.file_name() == ".git" {
                    return false;
                }
                // Runs before the walk enters a directory, so before the crate reads its ignore files.
                if check_ignore_files && entry.file_type().is_some_and(|t| t.is_dir()) {
                    if let Some((file, why)) = unsafe_ignore_file(entry.path()) {
                        let problem = WalkProblem {
                            path: display_path(&file, &filter_root),
                            message: format!(
                                "ignore file not read ({why}); the directory {} was not checked",
                                display_path(entry.path(), &filter_root)
                            ),
                        };
                        filter_problems
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(problem);
                        return false;
                    }
                }
                true
            });
        builder.build_parallel().run(|| {
            let found = &found;
            let problems = &problems;
            Box::new(move |entry| {
                match entry {
                    Ok(entry) => {
                        if entry.file_type().is_some_and(|t| t.is_file()) {
                            let rel = display_path(entry.path(), root);
                            let absolute = || {
                                let abs = std::path::absolute(entry.path());
                                abs.map(|p| p.to_string_lossy().replace('\\', "/"))
                                    .unwrap_or_default()
                            };
                            if let Some(kind) = files.classify_in(&rel, absolute) {
                                let path = shown_path(entry.path());
                                let input = Input {
                                    path,
                                    disk_path: entry.path().to_path_buf(),
                                    kind,
                                    walked_regular: true,
                                };
                                found.lock().unwrap_or_else(|e| e.into_inner()).push(input);
                            }
                        }
                    }
                    Err(error) => {
                        let path = error_path(&error)
                            .map(|p| display_path(&p, root))
                            .unwrap_or_default();
                        let problem = WalkProblem {
                            path,
                            message: error.to_string(),
                        };
                        problems
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(problem);
                    }
                }
                WalkState::Continue
            })
        });
    }
    let mut found = found.into_inner().unwrap_or_else(|e| e.into_inner());
    found.sort();
    found.dedup_by(|a, b| a.disk_path == b.disk_path);
    let mut problems = std::mem::take(&mut *problems.lock().unwrap_or_else(|e| e.into_inner()));
    problems.sort();
    (found, problems)
}

/// Ignore files the `ignore` crate reads by itself in each directory it enters (and in the root's
/// parents) when `.gitignore` support is on.
const IGNORE_FILES: &[&str] = &[".gitignore", ".ignore", ".git/info/exclude"];

/// Ignore files are a few KiB; anything bigger is not a real one.
const MAX_IGNORE_FILE_SIZE: u64 = 1024 * 1024;

/// The `ignore` crate opens each directory's ignore files itself and reads them line by line with
/// no size cap: a `.gitignore` that is a FIFO blocks the walk forever, one linked to `/dev/zero`
/// grows memory without bound. Rather than re-implementing gitignore precedence, the walk lstat()s
/// a directory's ignore files before the crate enters it (`filter_entry` runs first; the root and
/// its parents are checked before the walk) and does not enter a directory whose ignore file is a
/// symlink (git does not follow those either), not a regular file, or oversized. That directory
/// becomes a walk problem, a `tollgate/read-error` that fails the run and names the file.
fn unsafe_ignore_file(dir: &Path) -> Option<(PathBuf, String)> {
    IGNORE_FILES.iter().find_map(|name| {
        let path = dir.join(name);
        fsread::check_plain_file(&path, MAX_IGNORE_FILE_SIZE)
            .err()
            .map(|why| (path, why))
    })
}

fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

/// How a path is shown in reports: as walked from the given root (so relative roots give paths
/// relative to the working directory, as GitHub annotations need), `/`-separated, without `./`.
fn shown_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut text = text.as_str();
    while let Some(rest) = text.strip_prefix("./") {
        text = rest;
    }
    text.to_string()
}

/// `path` relative to `root`, with `/` separators; non-UTF-8 bytes are shown lossily.
fn display_path(path: &Path, root: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let text = rel.to_string_lossy().replace('\\', "/");
    if text.is_empty() {
        path.to_string_lossy().into_owned()
    } else {
        text
    }
}
