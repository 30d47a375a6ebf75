//! The small slice of the GitHub REST API tollgate uses, behind a trait so the publishing logic can
//! run against the octocrab client or a test double.

use serde::{Deserialize, Serialize};

/// `owner/name` plus a pull request number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrRef {
    pub owner: String,
    pub repo: String,
    pub number: u64,
}

impl PrRef {
    pub fn repo_path(&self) -> String {
        format!("/repos/{}/{}", self.owner, self.repo)
    }
}

/// One entry of `pulls/list-files` (`diff-entry`).
#[derive(Debug, Clone, Deserialize)]
pub struct PrFile {
    pub filename: String,
    #[serde(default)]
    pub status: String,
    /// Absent for binary or very large files.
    #[serde(default)]
    pub patch: Option<String>,
    /// Added plus deleted lines; 0 for a rename without changes (which has no patch either).
    #[serde(default)]
    pub changes: Option<u64>,
}

/// The author of a comment (`simple-user`), as much as tollgate reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct User {
    #[serde(default)]
    pub login: String,
}

/// Whether two logins name the same account: REST spells a bot `name[bot]`, GraphQL sometimes
/// `name`; logins are case-insensitive.
pub fn same_login(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        let s = s.trim();
        s.strip_suffix("[bot]").unwrap_or(s).to_ascii_lowercase()
    };
    !a.trim().is_empty() && norm(a) == norm(b)
}

/// What a create returned: the new id and who GitHub says wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub id: u64,
    pub author: Option<String>,
}

/// One check run listed for a commit (`checks/list-for-ref`), as much as tollgate reads.
#[derive(Debug, Clone, Deserialize)]
pub struct CheckRunInfo {
    pub id: u64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub external_id: Option<String>,
}

/// One existing review comment (`pull-request-review-comment`), as much as tollgate reads.
#[derive(Debug, Clone, Deserialize)]
pub struct ReviewComment {
    pub id: u64,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub line: Option<u32>,
    #[serde(default)]
    pub user: Option<User>,
}

/// One existing issue comment (`issue-comment`).
#[derive(Debug, Clone, Deserialize)]
pub struct IssueComment {
    pub id: u64,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub user: Option<User>,
}

impl ReviewComment {
    pub fn author(&self) -> &str {
        self.user.as_ref().map_or("", |u| u.login.as_str())
    }
}

impl IssueComment {
    pub fn author(&self) -> &str {
        self.user.as_ref().map_or("", |u| u.login.as_str())
    }
}

/// One inline comment of a review being created (`side: RIGHT`, single line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DraftComment {
    pub path: String,
    pub line: u32,
    pub side: &'static str,
    pub body: String,
    /// The finding it carries, to report rejected comments; not sent.
    #[serde(skip)]
    pub fingerprint: String,
}

/// `POST /pulls/{n}/reviews` body.
#[derive(Debug, Clone, Serialize)]
pub struct NewReview {
    pub commit_id: String,
    pub body: String,
    pub event: &'static str,
    pub comments: Vec<DraftComment>,
}

/// A check-run annotation (`checks/create` `output.annotations[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Annotation {
    pub path: String,
    pub start_line: u32,
    pub end_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
    pub annotation_level: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckRunOutput {
    pub title: String,
    pub summary: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<Annotation>,
}

/// `POST /check-runs` body.
#[derive(Debug, Clone, Serialize)]
pub struct NewCheckRun {
    pub name: String,
    pub head_sha: String,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<&'static str>,
    /// Identifies this run's check run when it has to be found again (a create that got a 5xx).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub output: CheckRunOutput,
}

/// `PATCH /check-runs/{id}` body.
#[derive(Debug, Clone, Serialize)]
pub struct CheckRunUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<&'static str>,
    pub output: CheckRunOutput,
}

/// Why a call failed, in the terms the publisher decides on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// 401 or 403 (not a rate limit): the token may not do this (fork PR, read-only token, missing
    /// `permissions:`, or a comment someone else wrote).
    #[error("GitHub refused access ({status}): {message}")]
    Forbidden { status: u16, message: String },
    /// 404: the thing is not there (a deleted comment, a route this server lacks). Not a refusal.
    #[error("GitHub has no such resource (404): {message}")]
    NotFound { message: String },
    /// 422: GitHub validated the body and refused it (a review line outside the diff, say).
    #[error("GitHub rejected the request (422): {message}")]
    Unprocessable { message: String },
    /// Still rate limited after the bounded waits.
    #[error("GitHub rate limit: {message}")]
    RateLimited { message: String },
    /// A write got a 5xx or lost its connection: it may or may not have been applied. Never retried
    /// blindly; the caller re-reads state first.
    #[error("GitHub write outcome unknown ({message}); not retried blindly")]
    Uncertain { message: String },
    /// Anything else: other statuses, transport failures on reads, undecodable responses.
    #[error("GitHub API error: {message}")]
    Other { message: String },
}

impl ApiError {
    pub fn is_forbidden(&self) -> bool {
        matches!(self, ApiError::Forbidden { .. })
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// What tollgate needs from GitHub. Implementations are synchronous and make one request at a time:
/// writes are never concurrent. List methods return every page.
pub trait GitHubApi {
    fn list_pr_files(&self, pr: &PrRef) -> ApiResult<Vec<PrFile>>;
    /// `changed_files` of `GET /pulls/{n}`: how many files the PR changes, listed or not.
    fn pr_changed_files(&self, pr: &PrRef) -> ApiResult<Option<u64>>;
    /// The login the token acts as (GraphQL `viewer { login }`); `GET /user` refuses the Actions
    /// installation token, so it is not used.
    fn viewer_login(&self) -> ApiResult<String>;
    /// Check runs on a commit named `name` (`GET /commits/{sha}/check-runs?check_name=`).
    fn list_check_runs(&self, pr: &PrRef, sha: &str, name: &str) -> ApiResult<Vec<CheckRunInfo>>;
    fn list_review_comments(&self, pr: &PrRef) -> ApiResult<Vec<ReviewComment>>;
    /// Creates one review.
    fn create_review(&self, pr: &PrRef, review: &NewReview) -> ApiResult<Created>;
    /// Creates one stand-alone review comment (the fallback when a review is refused).
    fn create_review_comment(
        &self,
        pr: &PrRef,
        commit_id: &str,
        comment: &DraftComment,
    ) -> ApiResult<Created>;
    fn update_review_comment(&self, pr: &PrRef, comment_id: u64, body: &str) -> ApiResult<()>;
    fn list_issue_comments(&self, pr: &PrRef) -> ApiResult<Vec<IssueComment>>;
    fn create_issue_comment(&self, pr: &PrRef, body: &str) -> ApiResult<Created>;
    fn update_issue_comment(&self, pr: &PrRef, comment_id: u64, body: &str) -> ApiResult<()>;
    fn create_check_run(&self, pr: &PrRef, run: &NewCheckRun) -> ApiResult<u64>;
    fn update_check_run(&self, pr: &PrRef, run_id: u64, update: &CheckRunUpdate) -> ApiResult<()>;
}
