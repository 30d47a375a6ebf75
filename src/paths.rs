//! Path arithmetic shared by the baseline, changed-files mode and the CLI: how a report path (as
//! shown to the user) relates to a repository or baseline directory. Pure, apart from resolving
//! symlinked directories of paths that exist.

use std::path::{Component, Path, PathBuf};

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

/// A path as the user would type it: relative to the working directory (with `..` when above it).
pub fn shown(path: &Path, cwd: &Path) -> String {
    let full = cwd.join(path);
    let full = full.canonicalize().unwrap_or(full);
    let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
    let common = full
        .components()
        .zip(cwd.components())
        .take_while(|(a, b)| a == b)
        .count();
    // Only the root in common: an absolute path reads better than a chain of `..`.
    if common <= 1 {
        return path.display().to_string().replace('\\', "/");
    }
    let ups = cwd.components().count() - common;
    let mut parts: Vec<String> = vec!["..".to_string(); ups];
    parts.extend(
        full.components()
            .skip(common)
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
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
}
