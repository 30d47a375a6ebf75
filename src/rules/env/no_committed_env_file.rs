use std::path::Path;
use std::process::{Command, Stdio};

use crate::declare_rule;
use crate::document::Project;
use crate::document::env::EnvRole;
use crate::finding::{Diagnostic, FileId};
use crate::rules::env::env_file;
use crate::rules::{Rule, RuleMeta, Sink};
use crate::source::Span;

declare_rule! {
    /// A real env file (`.env`, `.env.local`, `.env.production`, `env/.env`, …) is in the repository.
    ///
    /// ## Why it matters
    /// Real env files hold the credentials of a running environment. Once committed they are in
    /// every clone, fork and CI cache, and stay in history after deletion: the only fix is to
    /// rotate every value. Commit a template (`.env.example`) with names and placeholders instead,
    /// and list the real file in `.gitignore`.
    ///
    /// Inside a git repository the file is reported only when git tracks it or would track it
    /// (it is not ignored); outside one, always. The finding sits on the file's first variable.
    ///
    /// ## Violating example
    /// ```text
    /// env/.env            (tracked, or not in .gitignore)
    /// ```
    ///
    /// ## Compliant example
    /// ```text
    /// env/.env.example    (names and placeholders)
    /// .gitignore:  .env  .env.*  !.env.example
    /// ```
    ///
    /// ## Options
    /// - `use-git` (bool, default `true`): ask `git` whether the file is tracked or ignored.
    ///
    /// ## References
    /// - OWASP Secrets Management Cheat Sheet, "Detection".
    /// - The Twelve-Factor App, III. Config.
    pub struct NoCommittedEnvFile {
        /// Ask git whether the file is tracked or ignored.
        use_git: bool,
    }
    id: "env/no-committed-env-file",
    level: Error,
    summary: "Real env files must not be committed",
}

impl Default for NoCommittedEnvFile {
    fn default() -> Self {
        Self { use_git: true }
    }
}

/// What git says about a path.
#[derive(Debug, PartialEq, Eq)]
enum GitStatus {
    Tracked,
    Ignored,
    /// Neither tracked nor ignored: the next `git add .` commits it.
    Untracked,
    /// Not in a repository, or git is unavailable.
    Unknown,
}

fn git(dir: &Path, args: &[&str]) -> Option<bool> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()
        .and_then(|status| match status.code() {
            Some(0) => Some(true),
            Some(1) => Some(false),
            _ => None,
        })
}

fn git_status(disk_path: &Path) -> GitStatus {
    let (Some(dir), Some(name)) = (
        disk_path.parent(),
        disk_path.file_name().and_then(|n| n.to_str()),
    ) else {
        return GitStatus::Unknown;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    if !dir.is_dir() {
        return GitStatus::Unknown;
    }
    match git(dir, &["ls-files", "--error-unmatch", "--", name]) {
        Some(true) => GitStatus::Tracked,
        // Exit 1 both for "not tracked" and "not a repository": ask check-ignore to tell them apart.
        _ => match git(dir, &["check-ignore", "-q", "--", name]) {
            Some(true) => GitStatus::Ignored,
            Some(false) => GitStatus::Untracked,
            None => GitStatus::Unknown,
        },
    }
}

impl Rule for NoCommittedEnvFile {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some((env, source, EnvRole::Real)) = env_file(project, file) else {
            return;
        };
        let status = if self.use_git {
            git_status(&source.disk_path)
        } else {
            GitStatus::Unknown
        };
        let message = match status {
            GitStatus::Ignored => return,
            GitStatus::Tracked => format!("`{}` is a real env file and git tracks it", source.path),
            GitStatus::Untracked => format!(
                "`{}` is a real env file and is not git-ignored",
                source.path
            ),
            GitStatus::Unknown => {
                format!("`{}` is a real env file inside the repository", source.path)
            }
        };
        let anchor = env
            .entries
            .first()
            .map_or_else(|| source.lines().line_span(0, &source.text), |e| e.key_span);
        let help = match status {
            GitStatus::Tracked => {
                "remove it with `git rm --cached`, add it to .gitignore, rotate every value it held, and commit a `.env.example` with placeholders"
            }
            _ => {
                "add it to .gitignore and commit a `.env.example` with names and placeholders instead"
            }
        };
        // Every value in a real env file is sensitive: blank them all in snippets.
        let mut diag = Diagnostic::new(
            file,
            if anchor.is_empty() {
                Span::new(0, 0)
            } else {
                anchor
            },
            message,
        )
        .help(help);
        for entry in &env.entries {
            diag = diag.redact(entry.inner_span);
        }
        sink.push(diag);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::env::check;

    const RULE: &str = "env/no-committed-env-file";

    #[test]
    fn real_env_files_are_reported_on_their_first_key() {
        // In-memory paths are not on disk, so git cannot vouch for them.
        let found = check(
            RULE,
            &[
                ("env/.env", "# runtime\nAPI_TOKEN=x\n"),
                (".env.example", "API_TOKEN=\n"),
            ],
        );
        assert_eq!(
            found,
            ["env/.env:2:1 `env/.env` is a real env file inside the repository"]
        );
    }

    #[test]
    fn git_tracked_and_ignored_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let run = |args: &[&str]| {
            Command::new("git")
                .arg("-C")
                .arg(root)
                .args(args)
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false)
        };
        if !run(&["init", "-q"]) {
            return; // no git on this machine: the Unknown path is covered above
        }
        std::fs::write(root.join(".gitignore"), ".env.local\n").unwrap();
        for name in [".env", ".env.local", ".env.production"] {
            std::fs::write(root.join(name), "A=1\n").unwrap();
        }
        assert!(run(&["add", ".env"]));
        assert_eq!(git_status(&root.join(".env")), GitStatus::Tracked);
        assert_eq!(git_status(&root.join(".env.local")), GitStatus::Ignored);
        assert_eq!(
            git_status(&root.join(".env.production")),
            GitStatus::Untracked
        );
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join(".env"), "A=1\n").unwrap();
        // A temp dir may itself sit inside a repository; only assert when it does not.
        if !run(&["-C", outside.path().to_str().unwrap(), "rev-parse"]) {
            assert_eq!(git_status(&outside.path().join(".env")), GitStatus::Unknown);
        }
    }
}
