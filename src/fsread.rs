//! The one audited place that reads config-like files: the policy, the files it `extends`, the
//! baseline, and checks on paths named on the command line.
//!
//! Invariants, whatever the repository contains:
//! - only regular files are read (a FIFO would block, `/dev/zero` never ends);
//! - when a [`Confine`] root is given, the file's canonical path (every symlink resolved) must lie
//!   inside it, so `tollgate.toml -> /proc/self/environ` or `extends = ["../../secret.toml"]` is
//!   refused before a byte is read;
//! - at most `max` bytes are read, even if the file grows while being read;
//! - errors name the path and the reason, never the content (a TOML parse error of a file that was
//!   allowed to be read is the caller's business: that file is part of the repository).

use std::io::Read;
use std::path::{Path, PathBuf};

/// Config files larger than this are refused: policies and baselines are small.
pub const MAX_CONFIG_SIZE: u64 = 4 * 1024 * 1024;

/// Baselines list every accepted finding of a repository: allow more.
pub const MAX_BASELINE_SIZE: u64 = 64 * 1024 * 1024;

/// Where a file may resolve to.
#[derive(Debug, Clone, Copy)]
pub enum Confine<'a> {
    /// Anywhere: the user named the file on the command line.
    Anywhere,
    /// Inside this directory (canonicalised before comparing).
    Within(&'a Path),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    #[error("cannot read {}: {reason}", path.display())]
    Io { path: PathBuf, reason: String },
    #[error(
        "refusing to read {}: it resolves outside the repository ({}); not followed",
        path.display(),
        root.display()
    )]
    Outside { path: PathBuf, root: PathBuf },
    #[error("refusing to read {}: not a regular file", path.display())]
    NotRegular { path: PathBuf },
    #[error("refusing to read {}: larger than {limit} bytes", path.display())]
    TooLarge { path: PathBuf, limit: u64 },
    #[error("refusing to read {}: its size changed while it was read (a pseudo-file?)", path.display())]
    Changed { path: PathBuf },
    #[error("cannot read {}: not valid UTF-8 (invalid byte at offset {offset})", path.display())]
    NotUtf8 { path: PathBuf, offset: usize },
}

impl ReadError {
    /// The reason alone, for callers whose message already names the path.
    pub fn reason(&self) -> String {
        match self {
            Self::Io { reason, .. } => reason.clone(),
            Self::Outside { root, .. } => format!(
                "it resolves outside the repository ({}); not followed",
                root.display()
            ),
            Self::NotRegular { .. } => "not a regular file".into(),
            Self::TooLarge { limit, .. } => format!("larger than {limit} bytes"),
            Self::Changed { .. } => "its size changed while it was read (a pseudo-file?)".into(),
            Self::NotUtf8 { offset, .. } => {
                format!("not valid UTF-8 (invalid byte at offset {offset})")
            }
        }
    }

    fn io(path: &Path, e: &std::io::Error) -> Self {
        // `io::Error`'s Display is the OS message ("No such file or directory"), never content.
        Self::Io {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    }
}

/// Checks that `path` resolves inside `root` (both canonicalised). Returns the canonical path.
pub fn resolve_within(path: &Path, root: &Path) -> Result<PathBuf, ReadError> {
    let real = path.canonicalize().map_err(|e| ReadError::io(path, &e))?;
    let root_real = root.canonicalize().map_err(|e| ReadError::io(root, &e))?;
    if real.starts_with(&root_real) {
        Ok(real)
    } else {
        Err(ReadError::Outside {
            path: path.to_path_buf(),
            root: root.to_path_buf(),
        })
    }
}

/// Whether `path` stays inside `root` by its components alone (`..` applied lexically, no
/// filesystem access): rejects `/etc/x.toml` and `../../x.toml` with a clear message before any
/// symlink is resolved.
pub fn lexically_inside(root: &Path, path: &Path) -> bool {
    let (Ok(root), Ok(path)) = (std::path::absolute(root), std::path::absolute(path)) else {
        return false;
    };
    normalise(&path).starts_with(normalise(&root))
}

fn normalise(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Reads a config-like file as UTF-8 text under the module's invariants.
pub fn read_config(path: &Path, confine: Confine<'_>, max: u64) -> Result<String, ReadError> {
    let real = match confine {
        Confine::Within(root) => resolve_within(path, root)?,
        Confine::Anywhere => path.to_path_buf(),
    };
    // Opening the canonical path means a symlink swapped in after the check is not followed
    // out of the root (only a race on a parent directory could still do that).
    let meta = std::fs::metadata(&real).map_err(|e| ReadError::io(path, &e))?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular {
            path: path.to_path_buf(),
        });
    }
    if meta.len() > max {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            limit: max,
        });
    }
    let file = std::fs::File::open(&real).map_err(|e| ReadError::io(path, &e))?;
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::io(path, &e))?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            limit: max,
        });
    }
    // Pseudo-files (`/proc/self/environ`, `/sys/...`) report size 0 and then yield content: a
    // length that differs from the one stat gave is refused too, even for `--policy`.
    if bytes.len() as u64 != meta.len() {
        return Err(ReadError::Changed {
            path: path.to_path_buf(),
        });
    }
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        path: path.to_path_buf(),
        offset: e.utf8_error().valid_up_to(),
    })
}

/// Whether `path` (as seen without following a final symlink) is an ignore-style file that is safe
/// for a library to read on its own: a regular file, not a symlink, at most `max` bytes. `Ok(false)`
/// when it cannot be stat()ed at all (absent, or in an unreadable directory): then no one can open
/// it either.
pub fn check_plain_file(path: &Path, max: u64) -> Result<bool, String> {
    match std::fs::symlink_metadata(path) {
        Err(_) => Ok(false),
        Ok(meta) if meta.file_type().is_symlink() => Err("it is a symbolic link".into()),
        Ok(meta) if !meta.is_file() => Err("it is not a regular file".into()),
        Ok(meta) if meta.len() > max => Err(format!("it is larger than {max} bytes")),
        Ok(_) => Ok(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confines_and_refuses_special_files() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("s.toml");
        std::fs::write(&secret, "token = \"ghp_marker\"").unwrap();
        let inside = dir.path().join("ok.toml");
        std::fs::write(&inside, "a = 1").unwrap();
        std::os::unix::fs::symlink(&secret, dir.path().join("leak.toml")).unwrap();
        let within = Confine::Within(dir.path());
        assert_eq!(read_config(&inside, within, 100).unwrap(), "a = 1");
        let e = read_config(&dir.path().join("leak.toml"), within, 100).unwrap_err();
        assert!(matches!(e, ReadError::Outside { .. }), "{e}");
        assert!(!e.to_string().contains("ghp_marker"));
        assert!(read_config(&secret, Confine::Anywhere, 100).is_ok());
        assert!(matches!(
            read_config(&inside, within, 2),
            Err(ReadError::TooLarge { .. })
        ));
        assert!(matches!(
            read_config(Path::new("/dev/zero"), Confine::Anywhere, 100),
            Err(ReadError::NotRegular { .. })
        ));
        assert!(matches!(
            read_config(Path::new("/proc/self/environ"), Confine::Anywhere, 100_000),
            Err(ReadError::Changed { .. })
        ));
        assert_eq!(check_plain_file(&inside, 100), Ok(true));
        assert_eq!(check_plain_file(&dir.path().join("nope"), 100), Ok(false));
        assert!(check_plain_file(&dir.path().join("leak.toml"), 100).is_err());
    }
}
