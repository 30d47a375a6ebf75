//! A fake GitHub REST server on 127.0.0.1 for the PR-publishing tests.
//!
//! It records every request, serves paginated lists with absolute `Link` URLs, validates every
//! request body against GitHub's official request schemas (`fixtures/github/github-request-schemas.json`,
//! extracted from GitHub's OpenAPI description), enforces what GitHub enforces beyond the schemas
//! (review lines inside the diff, all-or-nothing reviews, 65,536-character bodies, check-run rules),
//! and can inject failures: fork tokens (403), a 5xx on the first POST, a secondary rate limit,
//! and 422s for chosen comment lines.
//!
//! Like GitHub it lists at most 3,000 files of a pull request (`GET /pulls/{n}` still counts them
//! all in `changed_files`), answers the GraphQL `viewer { login }` query as the token's identity
//! [`BOT`] (or refuses it), answers `GET /user` with 403 as it does for the Actions token, and
//! refuses (403) edits of comments another account wrote.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the fake"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub const TOKEN: &str = "ghs_fakeTokenThatMustNeverBePrinted0001";
/// Who the token is: the author of everything it creates.
pub const BOT: &str = "github-actions[bot]";
/// GitHub's cap on `pulls/list-files`.
pub const LISTED_FILES_MAX: usize = 3000;

/// One recorded request.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub status: u16,
}

/// A file of the pull request: name and patch (hunks only, as `pulls/list-files` returns it).
#[derive(Debug, Clone)]
pub struct FakeFile {
    pub filename: String,
    pub status: String,
    pub patch: Option<String>,
}

/// A 5xx on the first POST; with `applied`, the write is stored before the error (the nasty case).
#[derive(Debug, Clone, Copy)]
pub struct FailFirstPost {
    pub status: u16,
    pub applied: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Knobs {
    /// Every write gets 403 "Resource not accessible by integration".
    pub read_only: bool,
    pub fail_first_post: Option<FailFirstPost>,
    /// The n-th write (1-based, counting every write that reached the fake) fails this way.
    pub fail_nth_write: Option<(usize, FailFirstPost)>,
    /// The first write gets a secondary rate limit 403 with this `retry-after`.
    pub secondary_limit_retry_after: Option<u64>,
    /// The next N writes get a secondary rate limit 403 without any header.
    pub secondary_limit_bare: usize,
    /// The first write gets a primary rate limit 429 (`x-ratelimit-remaining: 0`, reset in 1 s).
    pub primary_limit_once: bool,
    /// Comment lines GitHub refuses even though they look inside the diff.
    pub reject_lines: BTreeSet<(String, u32)>,
    /// The GraphQL `viewer` query is refused ("Resource not accessible by integration").
    pub graphql_refused: bool,
    /// The n-th `POST /check-runs` (1-based) is stored, then answered with this 5xx.
    pub fail_check_run_create_after_applying: Option<(usize, u16)>,
}

#[derive(Debug, Default)]
pub struct State {
    pub owner: String,
    pub repo: String,
    pub number: u64,
    pub head_sha: String,
    pub files: Vec<FakeFile>,
    pub review_comments: Vec<Value>,
    pub issue_comments: Vec<Value>,
    pub reviews: Vec<Value>,
    pub check_runs: BTreeMap<u64, Value>,
    pub requests: Vec<Recorded>,
    /// Bodies that did not match the official schema (should stay empty).
    pub schema_violations: Vec<String>,
    pub knobs: Knobs,
    next_id: u64,
    posts_seen: usize,
    check_run_creates: usize,
    writes_seen: usize,
    base_url: String,
    /// API path prefix, as on GitHub Enterprise Server (`/api/v3`); empty for github.com.
    prefix: String,
}

impl State {
    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

pub struct FakeGitHub {
    pub url: String,
    state: Arc<Mutex<State>>,
}

static SCHEMAS: std::sync::LazyLock<Vec<(Method, String, jsonschema::Validator)>> =
    std::sync::LazyLock::new(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/github/github-request-schemas.json"
        );
        let text = std::fs::read_to_string(path).expect("request schemas fixture");
        let doc: Value = serde_json::from_str(&text).expect("schemas are JSON");
        let mut out = Vec::new();
        for (key, entry) in doc["requests"].as_object().expect("requests map") {
            let (method, route) = key.split_once(' ').expect("METHOD /route");
            let validator = jsonschema::validator_for(&entry["schema"]).expect("schema compiles");
            out.push((
                method.parse().expect("method"),
                route.to_string(),
                validator,
            ));
        }
        // `pulls/update-review-comment` is not in the extract; its official body is `{body: string}`, required.
        let update = json!({"type": "object", "properties": {"body": {"type": "string"}}, "required": ["body"]});
        out.push((
            Method::PATCH,
            "/repos/{owner}/{repo}/pulls/comments/{comment_id}".into(),
            jsonschema::validator_for(&update).expect("schema"),
        ));
        out
    });

/// `/repos/o/r/pulls/3/comments` matches `/repos/{owner}/{repo}/pulls/{pull_number}/comments`.
fn route_matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| t.starts_with('{') || t == p)
}

impl FakeGitHub {
    pub fn start(
        owner: &str,
        repo: &str,
        number: u64,
        head_sha: &str,
        files: Vec<FakeFile>,
    ) -> Self {
        Self::start_with_prefix("", owner, repo, number, head_sha, files)
    }

    /// A fake serving the API under `prefix`, as GitHub Enterprise Server does under `/api/v3`.
    pub fn start_with_prefix(
        prefix: &str,
        owner: &str,
        repo: &str,
        number: u64,
        head_sha: &str,
        files: Vec<FakeFile>,
    ) -> Self {
        let prefix = prefix.to_string();
        let state = Arc::new(Mutex::new(State {
            prefix: prefix.clone(),
            owner: owner.into(),
            repo: repo.into(),
            number,
            head_sha: head_sha.into(),
            files,
            next_id: 1000,
            ..State::default()
        }));
        let (tx, rx) = std::sync::mpsc::channel();
        let shared = state.clone();
        let prefix_for_thread = prefix.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                let addr = listener.local_addr().expect("addr");
                shared.lock().unwrap().base_url = format!("http://{addr}{}", prefix_for_thread);
                tx.send(addr).expect("send addr");
                let app = axum::Router::new().fallback(handle).with_state(shared);
                axum::serve(listener, app).await.expect("serve");
            });
        });
        let addr = rx.recv().expect("fake server started");
        Self {
            url: format!("http://{addr}{prefix}"),
            state,
        }
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    pub fn knobs(&self, f: impl FnOnce(&mut Knobs)) {
        f(&mut self.state().knobs);
    }

    /// Seeds an existing review comment (as if posted by an earlier run of the token).
    pub fn seed_review_comment(&self, path: &str, line: u32, body: &str) -> u64 {
        self.seed_review_comment_by(BOT, path, line, body)
    }

    /// Seeds a review comment written by `login`.
    pub fn seed_review_comment_by(&self, login: &str, path: &str, line: u32, body: &str) -> u64 {
        let mut s = self.state();
        let id = s.id();
        let comment = review_comment_json(&s, login, id, 1, path, line, body);
        s.review_comments.push(comment);
        id
    }

    pub fn seed_issue_comment(&self, body: &str) -> u64 {
        self.seed_issue_comment_by(BOT, body)
    }

    /// Seeds an issue comment written by `login`.
    pub fn seed_issue_comment_by(&self, login: &str, body: &str) -> u64 {
        let mut s = self.state();
        let id = s.id();
        let comment = issue_comment_json(&s, login, id, body);
        s.issue_comments.push(comment);
        id
    }

    /// Starts a new head commit: the PR's files and head SHA change; comments stay.
    pub fn push_commit(&self, head_sha: &str, files: Vec<FakeFile>) {
        let mut s = self.state();
        s.head_sha = head_sha.into();
        s.files = files;
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state().requests.clone()
    }

    /// Every write (a GraphQL query is a read sent as POST, so it is left out).
    pub fn writes(&self) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.method != "GET" && !r.path.ends_with("/graphql"))
            .collect()
    }

    pub fn clear_requests(&self) {
        self.state().requests.clear();
    }

    pub fn review_bodies(&self) -> Vec<String> {
        self.state()
            .review_comments
            .iter()
            .map(|c| c["body"].as_str().unwrap_or("").to_string())
            .collect()
    }

    pub fn issue_bodies(&self) -> Vec<String> {
        self.state()
            .issue_comments
            .iter()
            .map(|c| c["body"].as_str().unwrap_or("").to_string())
            .collect()
    }
}

fn user(login: &str) -> Value {
    json!({"login": login, "id": 41898282, "node_id": "MDM6Qm90NDE4OTgyODI=", "type": "Bot", "site_admin": false,
           "avatar_url": "https://avatars.githubusercontent.com/in/15368?v=4", "url": "https://api.github.com/users/github-actions%5Bbot%5D",
           "html_url": "https://github.com/apps/github-actions"})
}

fn review_comment_json(
    s: &State,
    login: &str,
    id: u64,
    review_id: u64,
    path: &str,
    line: u32,
    body: &str,
) -> Value {
    json!({
        "url": format!("{}/repos/{}/{}/pulls/comments/{id}", s.base_url, s.owner, s.repo),
        "id": id, "node_id": format!("PRRC_{id}"), "pull_request_review_id": review_id, "diff_hunk": "@@ -1 +1 @@",
        "path": path, "line": line, "side": "RIGHT", "commit_id": s.head_sha, "original_commit_id": s.head_sha,
        "user": user(login), "body": body, "created_at": "2026-11-25T00:00:00Z", "updated_at": "2026-11-25T00:00:00Z",
        "html_url": format!("https://github.com/{}/{}/pull/{}#discussion_r{id}", s.owner, s.repo, s.number),
        "pull_request_url": format!("{}/repos/{}/{}/pulls/{}", s.base_url, s.owner, s.repo, s.number),
        "author_association": "NONE", "_links": {}
    })
}

fn issue_comment_json(s: &State, login: &str, id: u64, body: &str) -> Value {
    json!({
        "id": id, "node_id": format!("IC_{id}"), "url": format!("{}/repos/{}/{}/issues/comments/{id}", s.base_url, s.owner, s.repo),
        "html_url": format!("https://github.com/{}/{}/pull/{}#issuecomment-{id}", s.owner, s.repo, s.number),
        "issue_url": format!("{}/repos/{}/{}/issues/{}", s.base_url, s.owner, s.repo, s.number),
        "user": user(login), "body": body, "created_at": "2026-11-25T00:00:00Z", "updated_at": "2026-11-25T00:00:00Z",
        "author_association": "NONE"
    })
}

fn respond(status: u16, body: Value, extra: &[(&str, String)]) -> Response {
    let mut response = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        body.to_string(),
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    headers.insert("x-ratelimit-limit", HeaderValue::from_static("1000"));
    headers.insert("x-ratelimit-remaining", HeaderValue::from_static("990"));
    headers.insert("x-ratelimit-used", HeaderValue::from_static("10"));
    headers.insert("x-ratelimit-reset", HeaderValue::from_static("4102444800"));
    headers.insert("x-ratelimit-resource", HeaderValue::from_static("core"));
    for (name, value) in extra {
        if let (Ok(name), Ok(value)) = (
            axum::http::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.insert(name, value);
        }
    }
    response
}

fn validation_failed(message: &str) -> Response {
    respond(
        422,
        json!({"message": "Unprocessable Entity", "errors": [message], "documentation_url": "https://docs.github.com/rest", "status": "422"}),
        &[],
    )
}

/// The page of `items` asked for by `query`, with an absolute `Link` back to this server.
fn paginate(s: &State, path: &str, query: &str, items: &[Value]) -> Response {
    let params: BTreeMap<String, String> = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let per_page = params
        .get("per_page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(30)
        .clamp(1, 100);
    let page = params
        .get("page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let pages = items.len().div_ceil(per_page).max(1);
    let slice: Vec<Value> = items
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .cloned()
        .collect();
    let mut links = Vec::new();
    let link = |p: usize, rel: &str| {
        format!(
            "<{}{path}?per_page={per_page}&page={p}>; rel=\"{rel}\"",
            s.base_url
        )
    };
    if page < pages {
        links.push(link(page + 1, "next"));
        links.push(link(pages, "last"));
    }
    if page > 1 {
        links.push(link(page - 1, "prev"));
        links.push(link(1, "first"));
    }
    let extra: Vec<(&str, String)> = if links.is_empty() {
        vec![]
    } else {
        vec![("link", links.join(", "))]
    };
    respond(200, Value::Array(slice), &extra)
}

/// RIGHT-side commentable lines of a patch, by hunk: an independent reading of the diff.
fn right_lines(patch: &str) -> Vec<BTreeSet<u32>> {
    let mut hunks: Vec<BTreeSet<u32>> = Vec::new();
    let mut next = 0u32;
    for line in patch.lines() {
        if let Some(rest) = line.strip_prefix("@@ ") {
            let new = rest.split(' ').nth(1).unwrap_or("+0");
            next = new
                .trim_start_matches('+')
                .split(',')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            hunks.push(BTreeSet::new());
        } else if let Some(h) = hunks.last_mut() {
            match line.chars().next() {
                Some('+') | Some(' ') | None => {
                    h.insert(next);
                    next += 1;
                }
                _ => {}
            }
        }
    }
    hunks
}

fn line_in_diff(s: &State, path: &str, line: u32) -> bool {
    if s.knobs.reject_lines.contains(&(path.to_string(), line)) {
        return false;
    }
    s.files.iter().any(|f| {
        f.filename == path
            && f.patch
                .as_deref()
                .is_some_and(|p| right_lines(p).iter().any(|h| h.contains(&line)))
    })
}

async fn handle(
    axum::extract::State(state): axum::extract::State<Arc<Mutex<State>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut s = state.lock().unwrap();
    let path = uri.path().to_string();
    let query = uri.query().unwrap_or("").to_string();
    let body_text = String::from_utf8_lossy(&body).to_string();
    let response = route(&mut s, &method, &path, &query, &headers, &body_text);
    s.requests.push(Recorded {
        method: method.to_string(),
        path,
        query,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect(),
        body: body_text,
        status: response.status().as_u16(),
    });
    response
}

fn route(
    s: &mut State,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &str,
) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if auth != format!("Bearer {TOKEN}") {
        return respond(
            401,
            json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}),
            &[],
        );
    }
    if s.prefix == "/api/v3" && path == "/api/graphql" {
        // GitHub Enterprise Server serves GraphQL beside the REST prefix.
        return graphql(s, method, body);
    }
    let Some(path) = path.strip_prefix(s.prefix.as_str()) else {
        return respond(404, json!({"message": "Not Found"}), &[]);
    };
    if path == "/user" && *method == Method::GET {
        // What the Actions installation token gets.
        return respond(
            403,
            json!({"message": "Resource not accessible by integration", "documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user", "status": "403"}),
            &[],
        );
    }
    if path == "/graphql" {
        return graphql(s, method, body);
    }
    let repo = format!("/repos/{}/{}", s.owner, s.repo);
    let Some(rest) = path.strip_prefix(&repo) else {
        return respond(404, json!({"message": "Not Found"}), &[]);
    };
    let rest = rest.to_string();
    let parts: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    let write = *method != Method::GET;

    let json_body: Value = if write {
        match serde_json::from_str(body) {
            Ok(v) => v,
            Err(_) => return respond(400, json!({"message": "Problems parsing JSON"}), &[]),
        }
    } else {
        Value::Null
    };
    if write {
        // Official request schema for this route (PATCH and the legacy POST on comment updates share one).
        let schema_method = if method == Method::POST
            && parts.len() == 3
            && parts[0] == "issues"
            && parts[1] == "comments"
        {
            Method::PATCH
        } else {
            method.clone()
        };
        if let Some((_, template, validator)) = SCHEMAS
            .iter()
            .find(|(m, t, _)| *m == schema_method && route_matches(t, path))
        {
            let errors: Vec<String> = validator
                .iter_errors(&json_body)
                .map(|e| e.to_string())
                .collect();
            if !errors.is_empty() {
                s.schema_violations
                    .push(format!("{method} {template}: {}", errors.join("; ")));
                return respond(
                    422,
                    json!({"message": "Invalid request.", "errors": errors, "documentation_url": "https://docs.github.com/rest"}),
                    &[],
                );
            }
        } else {
            s.schema_violations
                .push(format!("{method} {path}: no schema for this write"));
        }
        s.writes_seen += 1;
        if s.knobs.read_only {
            return respond(
                403,
                json!({"message": "Resource not accessible by integration", "documentation_url": "https://docs.github.com/rest", "status": "403"}),
                &[(
                    "x-accepted-github-permissions",
                    "issues=write; pull_requests=write".into(),
                )],
            );
        }
        if let Some(after) = s.knobs.secondary_limit_retry_after.take() {
            return respond(
                403,
                json!({"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}),
                &[("retry-after", after.to_string())],
            );
        }
        if s.knobs.secondary_limit_bare > 0 {
            s.knobs.secondary_limit_bare -= 1;
            return respond(
                403,
                json!({"message": "You have exceeded a secondary rate limit and have been temporarily blocked from content creation. Please retry your request again later.", "documentation_url": "https://docs.github.com/rest"}),
                &[],
            );
        }
        if std::mem::take(&mut s.knobs.primary_limit_once) {
            let reset = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
                + 1;
            let mut response = respond(
                429,
                json!({"message": "API rate limit exceeded for installation."}),
                &[("x-ratelimit-reset", reset.to_string())],
            );
            response
                .headers_mut()
                .insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
            return response;
        }
    }
    let mut fail_after: Option<u16> = None;
    if let Some((n, fail)) = s.knobs.fail_nth_write {
        if *method != Method::GET && s.writes_seen == n {
            if !fail.applied {
                return respond(fail.status, json!({"message": "Server Error"}), &[]);
            }
            fail_after = Some(fail.status);
        }
    }
    if *method == Method::POST {
        s.posts_seen += 1;
        if s.posts_seen == 1 {
            if let Some(fail) = s.knobs.fail_first_post {
                if !fail.applied {
                    return respond(fail.status, json!({"message": "Server Error"}), &[]);
                }
                fail_after = Some(fail.status);
            }
        }
    }
    let response = route_inner(s, method, &rest, &parts, query, &json_body);
    match fail_after {
        Some(status) if response.status().is_success() => {
            respond(status, json!({"message": "Server Error"}), &[])
        }
        _ => response,
    }
}

fn route_inner(
    s: &mut State,
    method: &Method,
    rest: &str,
    parts: &[&str],
    query: &str,
    body: &Value,
) -> Response {
    let full = |rest: &str| format!("/repos/{}/{}{rest}", s.owner, s.repo);
    let number = s.number.to_string();
    let mut fail_after_create: Option<u16> = None;
    match (method.as_str(), parts) {
        ("GET", ["pulls", n]) if *n == number => {
            let pr = json!({"id": 1, "number": s.number, "url": full(rest), "state": "open", "locked": false,
                "head": {"ref": "feature", "sha": s.head_sha, "label": "acme:feature"}, "base": {"ref": "main", "sha": "bbbb", "label": "acme:main"},
                "changed_files": s.files.len(), "commits": 1, "additions": 1, "deletions": 0});
            respond(200, pr, &[])
        }
        ("GET", ["commits", sha, "check-runs"]) => {
            let name = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("check_name="))
                .map(str::to_string);
            let runs: Vec<Value> = s
                .check_runs
                .values()
                .filter(|r| r["head_sha"] == json!(sha))
                .filter(|r| name.as_ref().is_none_or(|n| r["name"] == json!(n)))
                .cloned()
                .collect();
            respond(
                200,
                json!({"total_count": runs.len(), "check_runs": runs}),
                &[],
            )
        }
        ("GET", ["pulls", n, "files"]) if *n == number => {
            let files: Vec<Value> = s
                .files
                .iter()
                .take(LISTED_FILES_MAX)
                .map(|f| {
                    let changes = match &f.patch {
                        Some(p) => p.lines().filter(|l| l.starts_with(['+', '-'])).count(),
                        None if f.status == "renamed" => 0,
                        None => 1,
                    };
                    let mut v = json!({"sha": "0000000000000000000000000000000000000000", "filename": f.filename, "status": f.status,
                        "additions": changes, "deletions": 0, "changes": changes, "blob_url": "https://github.com/x", "raw_url": "https://github.com/x", "contents_url": "https://api.github.com/x"});
                    if let Some(p) = &f.patch {
                        v["patch"] = json!(p);
                    }
                    v
                })
                .collect();
            paginate(s, &full(rest), query, &files)
        }
        ("GET", ["pulls", n, "comments"]) if *n == number => {
            paginate(s, &full(rest), query, &s.review_comments.clone())
        }
        ("GET", ["issues", n, "comments"]) if *n == number => {
            paginate(s, &full(rest), query, &s.issue_comments.clone())
        }
        ("POST", ["pulls", n, "reviews"]) if *n == number => {
            if body
                .get("commit_id")
                .and_then(Value::as_str)
                .is_some_and(|c| c != s.head_sha)
            {
                return validation_failed("The commitOID is not part of the pull request");
            }
            let comments = body
                .get("comments")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for c in &comments {
                let path = c["path"].as_str().unwrap_or("");
                let line = c["line"].as_u64().unwrap_or(0) as u32;
                if c.get("position").is_none()
                    && (c["side"].as_str() != Some("RIGHT") || !line_in_diff(s, path, line))
                {
                    // All or nothing: nothing of the review is stored.
                    return validation_failed(
                        "Pull request review thread line must be part of the diff and Pull request review thread diff hunk can't be blank",
                    );
                }
            }
            let review_id = s.id();
            for c in &comments {
                let id = s.id();
                let comment = review_comment_json(
                    s,
                    BOT,
                    id,
                    review_id,
                    c["path"].as_str().unwrap_or(""),
                    c["line"].as_u64().unwrap_or(0) as u32,
                    c["body"].as_str().unwrap_or(""),
                );
                s.review_comments.push(comment);
            }
            let review = json!({"id": review_id, "node_id": format!("PRR_{review_id}"), "user": user(BOT), "body": body.get("body").cloned().unwrap_or(json!("")),
                "state": "COMMENTED", "html_url": "https://github.com/x", "pull_request_url": "https://api.github.com/x", "commit_id": s.head_sha,
                "author_association": "NONE", "_links": {}});
            s.reviews.push(review.clone());
            respond(200, review, &[])
        }
        ("POST", ["pulls", n, "comments"]) if *n == number => {
            if body["commit_id"].as_str() != Some(s.head_sha.as_str()) {
                return validation_failed("The commitOID is not part of the pull request");
            }
            let path = body["path"].as_str().unwrap_or("").to_string();
            let line = body["line"].as_u64().unwrap_or(0) as u32;
            if !line_in_diff(s, &path, line) {
                return validation_failed("Line could not be resolved");
            }
            let id = s.id();
            let comment = review_comment_json(
                s,
                BOT,
                id,
                id,
                &path,
                line,
                body["body"].as_str().unwrap_or(""),
            );
            s.review_comments.push(comment.clone());
            respond(201, comment, &[])
        }
        ("PATCH", ["pulls", "comments", id]) => {
            let id: u64 = id.parse().unwrap_or(0);
            match s.review_comments.iter_mut().find(|c| c["id"] == json!(id)) {
                Some(c) if c["user"]["login"] != json!(BOT) => forbidden_edit(),
                Some(c) => {
                    c["body"] = body["body"].clone();
                    respond(200, c.clone(), &[])
                }
                None => respond(404, json!({"message": "Not Found"}), &[]),
            }
        }
        ("POST", ["issues", n, "comments"]) if *n == number => {
            let text = body["body"].as_str().unwrap_or("");
            if text.chars().count() > 65_536 {
                return respond(
                    422,
                    json!({"message": "Validation Failed", "errors": [{"resource": "IssueComment", "code": "unprocessable", "field": "data", "message": "Body is too long (maximum is 65536 characters)"}], "documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment"}),
                    &[],
                );
            }
            let id = s.id();
            let comment = issue_comment_json(s, BOT, id, text);
            s.issue_comments.push(comment.clone());
            respond(201, comment, &[])
        }
        ("PATCH" | "POST", ["issues", "comments", id]) => {
            let text = body["body"].as_str().unwrap_or("");
            if text.chars().count() > 65_536 {
                return respond(
                    422,
                    json!({"message": "Validation Failed", "errors": [{"resource": "IssueComment", "code": "unprocessable", "field": "data", "message": "Body is too long (maximum is 65536 characters)"}]}),
                    &[],
                );
            }
            let id: u64 = id.parse().unwrap_or(0);
            match s.issue_comments.iter_mut().find(|c| c["id"] == json!(id)) {
                Some(c) if c["user"]["login"] != json!(BOT) => forbidden_edit(),
                Some(c) => {
                    c["body"] = json!(text);
                    respond(200, c.clone(), &[])
                }
                None => respond(404, json!({"message": "Not Found"}), &[]),
            }
        }
        ("POST", ["check-runs"]) => {
            if let Some(err) = check_run_errors(body) {
                return validation_failed(&err);
            }
            if body["head_sha"].as_str() != Some(s.head_sha.as_str()) {
                return validation_failed("head_sha is not the pull request's head commit");
            }
            let id = s.id();
            s.check_run_creates += 1;
            if let Some((n, status)) = s.knobs.fail_check_run_create_after_applying {
                if n == s.check_run_creates {
                    fail_after_create = Some(status);
                }
            }
            let annotations = body["output"]["annotations"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let run = json!({"id": id, "node_id": format!("CR_{id}"), "head_sha": s.head_sha, "name": body["name"], "external_id": body.get("external_id").cloned().unwrap_or(Value::Null), "url": format!("{}/repos/{}/{}/check-runs/{id}", s.base_url, s.owner, s.repo),
                "status": body.get("status").cloned().unwrap_or(json!("queued")), "conclusion": body.get("conclusion").cloned().unwrap_or(Value::Null),
                "output": {"title": body["output"]["title"], "summary": body["output"]["summary"], "annotations_count": annotations.len(), "annotations_url": "https://api.github.com/x", "annotations": annotations},
                "pull_requests": []});
            s.check_runs.insert(id, run.clone());
            match fail_after_create {
                Some(status) => respond(status, json!({"message": "Server Error"}), &[]),
                None => respond(201, run, &[]),
            }
        }
        ("PATCH", ["check-runs", id]) => {
            if let Some(err) = check_run_errors(body) {
                return validation_failed(&err);
            }
            let id: u64 = id.parse().unwrap_or(0);
            let Some(run) = s.check_runs.get_mut(&id) else {
                return respond(404, json!({"message": "Not Found"}), &[]);
            };
            if let Some(new) = body["output"]["annotations"].as_array() {
                let list = run["output"]["annotations"]
                    .as_array_mut()
                    .expect("annotations list");
                list.extend(new.iter().cloned());
                let count = list.len();
                run["output"]["annotations_count"] = json!(count);
            }
            for key in ["status", "conclusion"] {
                if let Some(v) = body.get(key) {
                    run[key] = v.clone();
                }
            }
            respond(200, run.clone(), &[])
        }
        _ => respond(
            404,
            json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}),
            &[],
        ),
    }
}

fn forbidden_edit() -> Response {
    respond(
        403,
        json!({"message": "Resource not accessible by integration", "documentation_url": "https://docs.github.com/rest/issues/comments#update-an-issue-comment", "status": "403"}),
        &[],
    )
}

/// `POST /graphql`: only the `viewer { login }` query tollgate sends.
fn graphql(s: &State, method: &Method, body: &str) -> Response {
    let query: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let text = query["query"].as_str().unwrap_or("");
    if *method != Method::POST || !text.contains("viewer") || !text.contains("login") {
        return respond(
            400,
            json!({"message": "Problems parsing JSON", "documentation_url": "https://docs.github.com/graphql"}),
            &[],
        );
    }
    if s.knobs.graphql_refused {
        // GraphQL reports errors with 200 and no data.
        return respond(
            200,
            json!({"data": null, "errors": [{"type": "FORBIDDEN", "path": ["viewer"], "message": "Resource not accessible by integration"}]}),
            &[],
        );
    }
    respond(200, json!({"data": {"viewer": {"login": BOT}}}), &[])
}

/// Check-run rules beyond the schema: columns only on single-line annotations; `completed` needs a conclusion.
fn check_run_errors(body: &Value) -> Option<String> {
    if body["status"] == json!("completed") && body.get("conclusion").is_none() {
        return Some("conclusion is required when status is completed".into());
    }
    for a in body["output"]["annotations"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if a.get("start_column").is_some() && a["start_line"] != a["end_line"] {
            return Some(
                "start_column and end_column are only allowed on single-line annotations".into(),
            );
        }
    }
    None
}
