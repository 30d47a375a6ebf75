//! The GitHub Actions side: environment variables, the `pull_request` event payload, and the
//! `$GITHUB_OUTPUT` / `$GITHUB_STEP_SUMMARY` files.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::api::PrRef;
use super::publish::PrContext;

/// What tollgate reads from the Actions environment.
#[derive(Debug, Clone, Default)]
pub struct ActionsEnv {
    pub actions: bool,
    pub api_url: String,
    pub server_url: String,
    pub repository: Option<String>,
    pub event_name: Option<String>,
    pub event_path: Option<PathBuf>,
    pub step_summary: Option<PathBuf>,
    pub output: Option<PathBuf>,
    pub run_id: Option<String>,
    /// `GITHUB_TOKEN` (the Action passes its `github-token` input here). Never printed.
    pub token: Option<String>,
}

impl ActionsEnv {
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        Self {
            actions: get("GITHUB_ACTIONS").as_deref() == Some("true"),
            api_url: get("GITHUB_API_URL").unwrap_or_else(|| "https://api.github.com".into()),
            server_url: get("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".into()),
            repository: get("GITHUB_REPOSITORY"),
            event_name: get("GITHUB_EVENT_NAME"),
            event_path: get("GITHUB_EVENT_PATH").map(PathBuf::from),
            step_summary: get("GITHUB_STEP_SUMMARY").map(PathBuf::from),
            output: get("GITHUB_OUTPUT").map(PathBuf::from),
            run_id: get("GITHUB_RUN_ID"),
            token: get("GITHUB_TOKEN"),
        }
    }

    pub fn run_url(&self) -> Option<String> {
        Some(format!(
            "{}/{}/actions/runs/{}",
            self.server_url.trim_end_matches('/'),
            self.repository.as_deref()?,
            self.run_id.as_deref()?
        ))
    }
}

#[derive(Debug, Deserialize)]
struct Event {
    number: Option<u64>,
    pull_request: Option<EventPr>,
}

#[derive(Debug, Deserialize)]
struct EventPr {
    number: Option<u64>,
    head: Option<EventRef>,
    base: Option<EventRef>,
}

#[derive(Debug, Deserialize)]
struct EventRef {
    sha: Option<String>,
    repo: Option<EventRepo>,
}

#[derive(Debug, Deserialize)]
struct EventRepo {
    full_name: Option<String>,
}

/// Why PR mode cannot run; the caller still reports findings through annotations and the step summary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContextError {
    #[error("GITHUB_REPOSITORY is not set (expected `owner/name`)")]
    NoRepository,
    #[error("GITHUB_EVENT_PATH is not set: not running in a GitHub Actions workflow")]
    NoEvent,
    #[error("cannot read the event payload {path}: {message}")]
    BadEvent { path: String, message: String },
    #[error("the event is not a pull request (event `{0}`); PR comments need `on: pull_request`")]
    NotPullRequest(String),
}

/// The pull request to publish to, from the environment and the event payload. Uses
/// `pull_request.head.sha` (the PR's own commit), never `GITHUB_SHA` (a merge commit).
pub fn pr_context(env: &ActionsEnv) -> Result<PrContext, ContextError> {
    let repository = env
        .repository
        .as_deref()
        .ok_or(ContextError::NoRepository)?;
    let (owner, repo) = repository
        .split_once('/')
        .filter(|(o, r)| !o.is_empty() && !r.is_empty())
        .ok_or(ContextError::NoRepository)?;
    let path = env.event_path.as_deref().ok_or(ContextError::NoEvent)?;
    let bad = |message: String| ContextError::BadEvent {
        path: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let event: Event = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let event_name = env.event_name.clone().unwrap_or_default();
    let not_pr = || ContextError::NotPullRequest(event_name.clone());
    let pr = event.pull_request.ok_or_else(not_pr)?;
    let number = pr.number.or(event.number).ok_or_else(not_pr)?;
    let head_sha = pr
        .head
        .as_ref()
        .and_then(|h| h.sha.clone())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("pull_request.head.sha is missing".into()))?;
    let head_repo = pr
        .head
        .as_ref()
        .and_then(|h| h.repo.as_ref())
        .and_then(|r| r.full_name.as_deref());
    let base_repo = pr
        .base
        .as_ref()
        .and_then(|b| b.repo.as_ref())
        .and_then(|r| r.full_name.as_deref())
        .unwrap_or(repository);
    // `pull_request_target` runs with a write token even for forks; a deleted fork has `head.repo: null`.
    let fork = event_name != "pull_request_target" && head_repo != Some(base_repo);
    let read_only = fork.then(|| {
        format!(
            "pull request from a fork ({})",
            head_repo.unwrap_or("deleted repository")
        )
    });
    let blob_base = Some(format!(
        "{}/{repository}/blob/{head_sha}",
        env.server_url.trim_end_matches('/')
    ));
    Ok(PrContext {
        pr: PrRef {
            owner: owner.to_string(),
            repo: repo.to_string(),
            number,
        },
        head_sha,
        read_only,
        blob_base,
        run_url: env.run_url(),
    })
}

/// Appends `name=value` lines to `$GITHUB_OUTPUT`, using the heredoc form for multi-line values.
pub fn write_outputs(path: &Path, outputs: &[(&str, String)]) -> std::io::Result<()> {
    let mut text = String::new();
    for (name, value) in outputs {
        if value.contains('\n') || value.contains('\r') {
            let mut delimiter = format!("ghadelimiter_{}", std::process::id());
            while value.contains(&delimiter) {
                delimiter.push('_');
            }
            text.push_str(&format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
        } else {
            text.push_str(&format!("{name}={value}\n"));
        }
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?
        .write_all(text.as_bytes())
}

/// Appends markdown to `$GITHUB_STEP_SUMMARY`, keeping the file under GitHub's 1 MiB per step.
pub fn append_step_summary(path: &Path, markdown: &str) -> std::io::Result<()> {
    let used = std::fs::metadata(path).map_or(0, |m| m.len() as usize);
    let room = super::render::STEP_SUMMARY_LIMIT.saturating_sub(used);
    let text = super::render::truncate_bytes(markdown.to_string(), room);
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?
        .write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_with(event: &str, name: &str) -> (tempfile::TempDir, ActionsEnv) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("event.json");
        std::fs::write(&path, event).unwrap();
        let env = ActionsEnv {
            repository: Some("acme/shop".into()),
            event_name: Some(name.into()),
            event_path: Some(path),
            server_url: "https://github.com".into(),
            run_id: Some("77".into()),
            ..ActionsEnv::default()
        };
        (dir, env)
    }

    #[test]
    fn reads_head_sha_and_detects_forks() {
        let same = r#"{"number":7,"pull_request":{"number":7,"head":{"sha":"h1","repo":{"full_name":"acme/shop"}},"base":{"sha":"b1","repo":{"full_name":"acme/shop"}}}}"#;
        let (_d, env) = env_with(same, "pull_request");
        let ctx = pr_context(&env).unwrap();
        assert_eq!(
            (
                ctx.pr.number,
                ctx.head_sha.as_str(),
                ctx.read_only.is_some()
            ),
            (7, "h1", false)
        );
        assert_eq!(
            ctx.run_url.as_deref(),
            Some("https://github.com/acme/shop/actions/runs/77")
        );
        let fork = same.replacen("acme/shop", "mallory/shop", 1);
        let (_d, env) = env_with(&fork, "pull_request");
        assert_eq!(
            pr_context(&env).unwrap().read_only.as_deref(),
            Some("pull request from a fork (mallory/shop)")
        );
        let (_d, env) = env_with(&fork, "pull_request_target");
        assert!(pr_context(&env).unwrap().read_only.is_none());
        let deleted = r#"{"pull_request":{"number":3,"head":{"sha":"h","repo":null},"base":{"repo":{"full_name":"acme/shop"}}}}"#;
        let (_d, env) = env_with(deleted, "pull_request");
        assert!(pr_context(&env).unwrap().read_only.is_some());
    }

    #[test]
    fn bad_payloads_are_errors_not_panics() {
        for (payload, name) in [
            ("{}", "push"),
            ("not json", "pull_request"),
            (r#"{"pull_request":{"number":1,"head":{}}}"#, "pull_request"),
            ("[]", "x"),
        ] {
            let (_d, env) = env_with(payload, name);
            assert!(pr_context(&env).is_err(), "{payload}");
        }
        assert_eq!(
            pr_context(&ActionsEnv::default()).err(),
            Some(ContextError::NoRepository)
        );
    }

    #[test]
    fn outputs_use_heredoc_for_multiline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        write_outputs(&path, &[("findings", "3".into()), ("note", "a\nb".into())]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("findings=3\nnote<<ghadelimiter_"));
        assert!(text.contains("\na\nb\nghadelimiter_"));
    }

    #[test]
    fn step_summary_stays_under_one_mib() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary.md");
        append_step_summary(&path, &"é".repeat(400_000)).unwrap();
        append_step_summary(&path, &"x".repeat(400_000)).unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() <= 1_000_000);
        assert!(std::fs::read_to_string(&path).is_ok());
    }
}
