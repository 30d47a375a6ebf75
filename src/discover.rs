//! Finding the files to check: one parallel, .gitignore-aware walk (the `ignore` crate, as ripgrep),
//! classified by the policy's globs. Symlinks are not followed, so loops cannot hang the walk.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

use crate::document::FileKind;
use crate::policy::FileSettings;

/// A file to check.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Input {
    /// Path relative to the scan root, `/`-separated: what reports show.
    pub path: String,
    pub disk_path: PathBuf,
    pub kind: FileKind,
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
    let problems = Mutex::new(Vec::new());
    for root in roots {
        if root.is_file() {
            let name = shown_path(root);
            let rel = name.rsplit('/').next().unwrap_or(&name).to_string();
            // An explicitly named file is checked if its name classifies, whatever its directory.
            let kind = files
                .classify(&name)
                .or_else(|| files.classify(&rel))
                .or_else(|| files.classify(&format!("migrations/{rel}")));
            if let Some(kind) = kind {
                found.lock().unwrap_or_else(|e| e.into_inner()).push(Input {
                    path: name,
                    disk_path: root.clone(),
                    kind,
                });
            }
            continue;
        }
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
            .filter_entry(|entry| entry.file_name() != ".git");
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
    let mut problems = problems.into_inner().unwrap_or_else(|e| e.into_inner());
    problems.sort();
    (found, problems)
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
