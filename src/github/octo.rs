//! [`GitHubApi`] over octocrab, with tollgate's own retry policy.
//!
//! octocrab's default `RetryConfig::Simple(3)` re-sends a POST immediately on any 5xx, which
//! duplicates comments when GitHub did create the resource before failing. The client is built
//! with retries off; [`OctocrabApi::send`] instead waits out rate limits (`retry-after`,
//! `x-ratelimit-reset`, bounded exponential back-off), retries reads on 5xx, and reports a write
//! that got a 5xx as [`ApiError::Uncertain`] so the publisher re-reads state before trying again.

use std::cell::Cell;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, Method, StatusCode};
use octocrab::Octocrab;
use octocrab::service::middleware::retry::RetryConfig;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::api::{
    ApiError, ApiResult, CheckRunInfo, CheckRunUpdate, Created, DraftComment, GitHubApi,
    IssueComment, NewCheckRun, NewReview, PrFile, PrRef, ReviewComment,
};

/// How long and how often to wait. Waits are real sleeps; there are no concurrent requests.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt (rate limits; 5xx on reads).
    pub max_retries: u32,
    /// A single wait longer than this gives up instead (a reset an hour away is not worth blocking CI).
    pub max_wait: Duration,
    /// First back-off for 5xx on reads and for secondary limits without `retry-after` (doubled each time).
    pub base_backoff: Duration,
    /// Secondary rate limit without any header: GitHub says wait at least a minute.
    pub secondary_fallback: Duration,
    /// Pause between writes after the first few, as GitHub's best practices ask.
    pub write_spacing: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            max_wait: Duration::from_secs(120),
            base_backoff: Duration::from_secs(1),
            secondary_fallback: Duration::from_secs(60),
            write_spacing: Duration::from_secs(1),
        }
    }
}

/// Writes before [`RetryPolicy::write_spacing`] kicks in.
const UNSPACED_WRITES: usize = 4;
/// Pages followed at most per list (100 per page).
const MAX_PAGES: usize = 100;

pub struct OctocrabApi {
    crab: Octocrab,
    rt: tokio::runtime::Runtime,
    /// `GITHUB_API_URL` without trailing slash, to turn `Link` URLs back into routes.
    base: String,
    policy: RetryPolicy,
    writes: Cell<usize>,
    log: Box<dyn Fn(&str)>,
}

impl std::fmt::Debug for OctocrabApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OctocrabApi")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl OctocrabApi {
    /// A client for `api_url` (`GITHUB_API_URL`; GHES paths like `/api/v3` are kept). The token is
    /// held by octocrab as a secret and only sent to that host. `log` receives one line per wait.
    pub fn new(
        api_url: &str,
        token: Option<&str>,
        policy: RetryPolicy,
        log: Box<dyn Fn(&str)>,
    ) -> ApiResult<Self> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ApiError::Other {
                message: format!("cannot start the HTTP runtime: {e}"),
            })?;
        let base = api_url.trim_end_matches('/').to_string();
        let mut builder = Octocrab::builder()
            .base_uri(base.as_str())
            .map_err(|_| ApiError::Other {
                message: format!("invalid GitHub API URL `{base}`"),
            })?
            .add_retry_config(RetryConfig::None)
            .set_connect_timeout(Some(Duration::from_secs(10)))
            .set_read_timeout(Some(Duration::from_secs(60)));
        if let Some(token) = token.filter(|t| !t.is_empty()) {
            builder = builder.personal_token(token.to_string());
        }
        // octocrab's buffer worker is spawned at build time, so build inside the runtime.
        let crab = {
            let _guard = rt.enter();
            builder.build().map_err(|e| ApiError::Other {
                message: format!("cannot build the GitHub client: {e}"),
            })?
        };
        Ok(Self {
            crab,
            rt,
            base,
            policy,
            writes: Cell::new(0),
            log,
        })
    }

    /// One request with the retry policy; returns status, headers and body text of a 2xx.
    fn send(
        &self,
        method: Method,
        route: &str,
        body: Option<&Value>,
    ) -> ApiResult<(HeaderMap, String)> {
        // A GraphQL query is a read sent as POST.
        let write = method != Method::GET && !route.ends_with("/graphql");
        if write {
            let done = self.writes.get();
            if done >= UNSPACED_WRITES && !self.policy.write_spacing.is_zero() {
                std::thread::sleep(self.policy.write_spacing);
            }
            self.writes.set(done + 1);
        }
        let mut attempt = 0u32;
        loop {
            let outcome = self.rt.block_on(async {
                let response = match method {
                    Method::GET => self.crab._get(route).await,
                    Method::POST => self.crab._post(route, body).await,
                    _ => self.crab._patch(route, body).await,
                }?;
                let status = response.status();
                let headers = response.headers().clone();
                let text = self.crab.body_to_string(response).await?;
                Ok::<_, octocrab::Error>((status, headers, text))
            });
            let (status, headers, text) = match outcome {
                Ok(parts) => parts,
                Err(err) => {
                    let message =
                        format!("{method} {route}: connection failed: {}", short_error(&err));
                    if write {
                        return Err(ApiError::Uncertain { message });
                    }
                    if attempt < self.policy.max_retries {
                        self.pause(self.backoff(attempt), &message);
                        attempt += 1;
                        continue;
                    }
                    return Err(ApiError::Other { message });
                }
            };
            if status.is_success() {
                return Ok((headers, text));
            }
            let message = format!(
                "{method} {route}: {} {}",
                status.as_u16(),
                error_message(&text)
            );
            if let Some(wait) = self.rate_limit_wait(status, &headers, &text, attempt) {
                if attempt >= self.policy.max_retries || wait > self.policy.max_wait {
                    return Err(ApiError::RateLimited { message });
                }
                self.pause(wait, &message);
                attempt += 1;
                continue;
            }
            return Err(match status {
                s if s.is_server_error() && write => ApiError::Uncertain { message },
                s if s.is_server_error() && attempt < self.policy.max_retries => {
                    self.pause(self.backoff(attempt), &message);
                    attempt += 1;
                    continue;
                }
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => ApiError::Forbidden {
                    status: status.as_u16(),
                    message,
                },
                StatusCode::NOT_FOUND => ApiError::NotFound { message },
                StatusCode::UNPROCESSABLE_ENTITY => ApiError::Unprocessable { message },
                _ => ApiError::Other { message },
            });
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.policy
            .base_backoff
            .saturating_mul(1u32 << attempt.min(16))
    }

    fn pause(&self, wait: Duration, why: &str) {
        (self.log)(&format!(
            "waiting {}s before retrying: {why}",
            wait.as_secs_f32().ceil()
        ));
        std::thread::sleep(wait);
    }

    /// `Some(wait)` when the response is a primary or secondary rate limit (GitHub's documented
    /// order: `retry-after`, then `x-ratelimit-remaining: 0` + reset, then at least a minute).
    fn rate_limit_wait(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        text: &str,
        attempt: u32,
    ) -> Option<Duration> {
        if status != StatusCode::FORBIDDEN && status != StatusCode::TOO_MANY_REQUESTS {
            return None;
        }
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        };
        let grow = |wait: Duration| wait.saturating_mul(1u32 << attempt.min(16));
        if let Some(secs) = header("retry-after").and_then(|v| v.parse::<u64>().ok()) {
            return Some(grow(Duration::from_secs(secs)));
        }
        if header("x-ratelimit-remaining") == Some("0") {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let reset = header("x-ratelimit-reset")
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(now);
            return Some(Duration::from_secs(reset.saturating_sub(now) + 1));
        }
        if status == StatusCode::TOO_MANY_REQUESTS
            || text.to_ascii_lowercase().contains("secondary rate")
        {
            return Some(grow(self.policy.secondary_fallback));
        }
        None
    }

    fn json<T: DeserializeOwned>(route: &str, text: &str) -> ApiResult<T> {
        serde_json::from_str(text).map_err(|e| ApiError::Other {
            message: format!("unexpected response from {route}: {e}"),
        })
    }

    /// Every page of a list, following `Link: rel="next"`.
    fn list_all<T: DeserializeOwned>(&self, first: &str) -> ApiResult<Vec<T>> {
        let mut items = Vec::new();
        let mut route = first.to_string();
        for _ in 0..MAX_PAGES {
            let (headers, text) = self.send(Method::GET, &route, None)?;
            items.extend(Self::json::<Vec<T>>(&route, &text)?);
            let next = headers
                .get("link")
                .and_then(|v| v.to_str().ok())
                .and_then(next_link);
            match next.map(|url| self.route_of(&url)) {
                Some(next) if next != route => route = next,
                _ => return Ok(items),
            }
        }
        Ok(items)
    }

    /// A `Link` URL on our API host becomes a route again, so octocrab attaches the token (it only
    /// does for relative routes or api.github.com) and keeps a GHES path prefix right.
    fn route_of(&self, url: &str) -> String {
        match url.strip_prefix(&self.base) {
            Some(rest) if rest.starts_with('/') => rest.to_string(),
            _ => url.to_string(),
        }
    }

    fn id_of(route: &str, text: &str) -> ApiResult<u64> {
        let value: Value = Self::json(route, text)?;
        value
            .get("id")
            .and_then(Value::as_u64)
            .ok_or_else(|| ApiError::Other {
                message: format!("no id in the response from {route}"),
            })
    }

    /// The id and author (`user.login`) of a created comment or review.
    fn created(route: &str, text: &str) -> ApiResult<Created> {
        let value: Value = Self::json(route, text)?;
        let id = value
            .get("id")
            .and_then(Value::as_u64)
            .ok_or_else(|| ApiError::Other {
                message: format!("no id in the response from {route}"),
            })?;
        let author = value
            .pointer("/user/login")
            .and_then(Value::as_str)
            .filter(|l| !l.is_empty())
            .map(str::to_string);
        Ok(Created { id, author })
    }

    /// GraphQL lives at `/graphql` on github.com and at `/api/graphql` beside GHES's `/api/v3`.
    fn graphql_route(&self) -> String {
        match self.base.strip_suffix("/api/v3") {
            Some(host) if !host.is_empty() => format!("{host}/api/graphql"),
            _ => "/graphql".to_string(),
        }
    }

    fn to_value<T: serde::Serialize>(body: &T) -> ApiResult<Value> {
        serde_json::to_value(body).map_err(|e| ApiError::Other {
            message: format!("cannot encode request: {e}"),
        })
    }
}

/// The `rel="next"` URL of a `Link` header.
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| matches!(p.trim(), "rel=\"next\"" | "rel=next"));
        let url = url.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| url.to_string())
    })
}

/// GitHub's `message` (plus string `errors`) from an error body, kept short.
fn error_message(text: &str) -> String {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return text.chars().take(200).collect();
    };
    let mut message = value
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if let Some(errors) = value.get("errors").and_then(Value::as_array) {
        let details: Vec<String> = errors
            .iter()
            .filter_map(|e| {
                e.as_str()
                    .map(str::to_string)
                    .or_else(|| e.get("message").and_then(Value::as_str).map(str::to_string))
            })
            .collect();
        if !details.is_empty() {
            message = format!("{message}: {}", details.join("; "));
        }
    }
    message.chars().take(500).collect()
}

fn short_error(err: &octocrab::Error) -> String {
    let text = err.to_string();
    text.chars().take(200).collect()
}

impl GitHubApi for OctocrabApi {
    fn list_pr_files(&self, pr: &PrRef) -> ApiResult<Vec<PrFile>> {
        self.list_all(&format!(
            "{}/pulls/{}/files?per_page=100",
            pr.repo_path(),
            pr.number
        ))
    }

    fn pr_changed_files(&self, pr: &PrRef) -> ApiResult<Option<u64>> {
        let route = format!("{}/pulls/{}", pr.repo_path(), pr.number);
        let (_, text) = self.send(Method::GET, &route, None)?;
        let value: Value = Self::json(&route, &text)?;
        Ok(value.get("changed_files").and_then(Value::as_u64))
    }

    fn viewer_login(&self) -> ApiResult<String> {
        let route = self.graphql_route();
        let query = serde_json::json!({ "query": "query { viewer { login } }" });
        let (_, text) = self.send(Method::POST, &route, Some(&query))?;
        let value: Value = Self::json(&route, &text)?;
        match value.pointer("/data/viewer/login").and_then(Value::as_str) {
            Some(login) if !login.is_empty() => Ok(login.to_string()),
            _ => Err(ApiError::Other {
                message: format!(
                    "GraphQL viewer query refused: {}",
                    error_message(&value.to_string())
                ),
            }),
        }
    }

    fn list_check_runs(&self, pr: &PrRef, sha: &str, name: &str) -> ApiResult<Vec<CheckRunInfo>> {
        #[derive(serde::Deserialize)]
        struct Runs {
            #[serde(default)]
            check_runs: Vec<CheckRunInfo>,
        }
        let name: String = name
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        let route = format!(
            "{}/commits/{sha}/check-runs?check_name={name}&per_page=100",
            pr.repo_path()
        );
        let (_, text) = self.send(Method::GET, &route, None)?;
        Ok(Self::json::<Runs>(&route, &text)?.check_runs)
    }

    fn list_review_comments(&self, pr: &PrRef) -> ApiResult<Vec<ReviewComment>> {
        self.list_all(&format!(
            "{}/pulls/{}/comments?per_page=100",
            pr.repo_path(),
            pr.number
        ))
    }

    fn create_review(&self, pr: &PrRef, review: &NewReview) -> ApiResult<Created> {
        let route = format!("{}/pulls/{}/reviews", pr.repo_path(), pr.number);
        let (_, text) = self.send(Method::POST, &route, Some(&Self::to_value(review)?))?;
        Self::created(&route, &text)
    }

    fn create_review_comment(
        &self,
        pr: &PrRef,
        commit_id: &str,
        comment: &DraftComment,
    ) -> ApiResult<Created> {
        let route = format!("{}/pulls/{}/comments", pr.repo_path(), pr.number);
        let body = serde_json::json!({
            "body": comment.body, "commit_id": commit_id, "path": comment.path, "line": comment.line, "side": comment.side,
        });
        let (_, text) = self.send(Method::POST, &route, Some(&body))?;
        Self::created(&route, &text)
    }

    fn update_review_comment(&self, pr: &PrRef, comment_id: u64, body: &str) -> ApiResult<()> {
        let route = format!("{}/pulls/comments/{comment_id}", pr.repo_path());
        self.send(
            Method::PATCH,
            &route,
            Some(&serde_json::json!({ "body": body })),
        )
        .map(drop)
    }

    fn list_issue_comments(&self, pr: &PrRef) -> ApiResult<Vec<IssueComment>> {
        self.list_all(&format!(
            "{}/issues/{}/comments?per_page=100",
            pr.repo_path(),
            pr.number
        ))
    }

    fn create_issue_comment(&self, pr: &PrRef, body: &str) -> ApiResult<Created> {
        let route = format!("{}/issues/{}/comments", pr.repo_path(), pr.number);
        let (_, text) = self.send(
            Method::POST,
            &route,
            Some(&serde_json::json!({ "body": body })),
        )?;
        Self::created(&route, &text)
    }

    fn update_issue_comment(&self, pr: &PrRef, comment_id: u64, body: &str) -> ApiResult<()> {
        // PATCH as documented (octocrab's `update_comment` sends POST).
        let route = format!("{}/issues/comments/{comment_id}", pr.repo_path());
        self.send(
            Method::PATCH,
            &route,
            Some(&serde_json::json!({ "body": body })),
        )
        .map(drop)
    }

    fn create_check_run(&self, pr: &PrRef, run: &NewCheckRun) -> ApiResult<u64> {
        let route = format!("{}/check-runs", pr.repo_path());
        let (_, text) = self.send(Method::POST, &route, Some(&Self::to_value(run)?))?;
        Self::id_of(&route, &text)
    }

    fn update_check_run(&self, pr: &PrRef, run_id: u64, update: &CheckRunUpdate) -> ApiResult<()> {
        let route = format!("{}/check-runs/{run_id}", pr.repo_path());
        self.send(Method::PATCH, &route, Some(&Self::to_value(update)?))
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_header_next() {
        let h = r#"<http://127.0.0.1:9/repos/o/r/pulls/1/comments?per_page=100&page=2>; rel="next", <http://127.0.0.1:9/x?page=5>; rel="last""#;
        assert_eq!(
            next_link(h).as_deref(),
            Some("http://127.0.0.1:9/repos/o/r/pulls/1/comments?per_page=100&page=2")
        );
        assert_eq!(next_link(r#"<http://a/x?page=1>; rel="prev""#), None);
        assert_eq!(next_link("garbage"), None);
    }

    #[test]
    fn error_messages_are_short_and_flat() {
        let text = r#"{"message":"Unprocessable Entity","errors":["Line could not be resolved"],"status":"422"}"#;
        assert_eq!(
            error_message(text),
            "Unprocessable Entity: Line could not be resolved"
        );
        let text = r#"{"message":"Validation Failed","errors":[{"resource":"IssueComment","code":"unprocessable","message":"Body is too long"}]}"#;
        assert_eq!(error_message(text), "Validation Failed: Body is too long");
        assert_eq!(
            error_message("<html>bad gateway</html>"),
            "<html>bad gateway</html>"
        );
    }
}
