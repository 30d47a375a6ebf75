//! Publishing findings on a pull request: map them onto the diff, post one review of new inline
//! comments (skipping what is already commented, marking vanished findings resolved), keep one
//! sticky summary comment, and optionally a check run with annotations.
//!
//! Every write happens at most once per run unless its outcome was uncertain, in which case the
//! state is re-read first. A 403 on a create stops all writes (fork pull requests get read-only
//! tokens); a refused edit only skips that edit.
//!
//! Hidden markers only count on comments tollgate wrote: its identity is the GraphQL viewer, or,
//! when that query is refused, the author GitHub reports for the first comment it creates.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use crate::finding::{Finding, Level};

use super::api::{
    ApiError, CheckRunOutput, CheckRunUpdate, DraftComment, GitHubApi, IssueComment, NewCheckRun,
    NewReview, PrRef, ReviewComment, same_login,
};
use super::diff::{FileDiff, PrDiff, parse_patch};
use super::filter::{FilterMode, place};
use super::render::{
    self, ANNOTATIONS_PER_REQUEST, CHECK_SUMMARY_LIMIT, COMMENT_LIMIT, ListReason, SummaryInput,
};

/// What to post on the pull request (the Action's `comment` input).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CommentMode {
    /// Inline review comments plus the sticky summary.
    #[default]
    Review,
    /// Only the sticky summary.
    Summary,
    /// No comments (annotations, step summary and the optional check run only).
    Off,
}

impl FromStr for CommentMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "" | "review" => Ok(CommentMode::Review),
            "summary" => Ok(CommentMode::Summary),
            "off" | "false" | "none" => Ok(CommentMode::Off),
            other => Err(format!(
                "unknown comment mode `{other}` (expected review, summary or off)"
            )),
        }
    }
}

#[derive(Debug, Clone)]
pub struct PublishOptions {
    pub filter: FilterMode,
    pub comment: CommentMode,
    /// Create a check run with annotations (needs `checks: write`).
    pub check_run: bool,
    pub check_name: String,
    /// Lowest level that fails the run (`None`: never); decides the check run's conclusion.
    pub fail_level: Option<Level>,
    /// Inline comments tollgate keeps on a pull request in total, its earlier runs' included; the
    /// rest go to the summary.
    pub max_inline: usize,
}

impl Default for PublishOptions {
    fn default() -> Self {
        Self {
            filter: FilterMode::Added,
            comment: CommentMode::Review,
            check_run: false,
            check_name: "tollgate".into(),
            fail_level: Some(Level::Error),
            max_inline: 50,
        }
    }
}

/// The pull request being published to.
#[derive(Debug, Clone)]
pub struct PrContext {
    pub pr: PrRef,
    /// `pull_request.head.sha`, never the merge commit `GITHUB_SHA`.
    pub head_sha: String,
    /// Why the token cannot write (a fork pull request, no token): skip every write, say why once.
    pub read_only: Option<String>,
    pub blob_base: Option<String>,
    pub run_url: Option<String>,
}

/// Findings mapped onto the diff under a filter mode.
#[derive(Debug, Clone, Default)]
pub struct Plan<'a> {
    /// Findings the filter keeps: they are reported and decide the exit code.
    pub kept: Vec<&'a Finding>,
    /// Kept findings on a diff line, with the line to comment on.
    pub inline: Vec<(&'a Finding, u32)>,
    /// Kept findings not on any diff line.
    pub outside: Vec<&'a Finding>,
    /// Kept findings in files whose changes GitHub did not show (no patch, truncated file list).
    pub incomplete: Vec<&'a Finding>,
    /// Findings the filter drops.
    pub filtered_out: usize,
}

/// Maps findings onto the diff. Without a diff (the file list could not be read) every finding is
/// kept and none is commented inline: failing open would hide findings. `listing_complete` is
/// false when GitHub listed fewer files than the PR changes.
pub fn plan<'a>(
    findings: &'a [Finding],
    diff: Option<&PrDiff>,
    listing_complete: bool,
    mode: FilterMode,
) -> Plan<'a> {
    let mut plan = Plan::default();
    for finding in findings {
        let placement = match diff {
            Some(diff) => place(finding, diff, listing_complete, mode),
            None => super::filter::Placement {
                kept: true,
                inline_line: None,
                diff_unknown: false,
            },
        };
        if !placement.kept {
            plan.filtered_out += 1;
            continue;
        }
        plan.kept.push(finding);
        match placement.inline_line {
            Some(line) => plan.inline.push((finding, line)),
            None if placement.diff_unknown => plan.incomplete.push(finding),
            None => plan.outside.push(finding),
        }
    }
    plan
}

/// Builds the PR diff from `pulls/list-files` entries.
pub fn diff_from_files(files: &[super::api::PrFile]) -> PrDiff {
    files
        .iter()
        .filter(|f| f.status != "removed")
        .map(|f| {
            let diff = match (f.patch.as_deref(), f.changes) {
                (Some(patch), _) => parse_patch(patch),
                // A rename without changes: nothing to show, nothing missing.
                (None, Some(0)) => FileDiff::default(),
                (None, _) => FileDiff::without_patch(),
            };
            (f.filename.clone(), diff)
        })
        .collect()
}

/// GitHub's `pulls/list-files` stops at this many files.
pub const LISTED_FILES_MAX: usize = 3000;

/// The summary note for a diff GitHub showed only in part, if it did.
fn incomplete_note(diff: &PrDiff, listed: usize, changed: Option<u64>) -> Option<String> {
    let missing = diff.values().filter(|f| f.patch_missing).count();
    let mut parts = Vec::new();
    if missing > 0 {
        parts.push(format!(
            "{missing} {} without a patch",
            if missing == 1 { "file" } else { "files" }
        ));
    }
    match changed {
        Some(total) if total > listed as u64 => {
            parts.push(format!("listing truncated at {listed} of {total} files"));
        }
        None if listed >= LISTED_FILES_MAX => parts.push(format!(
            "listing truncated at {listed} files (the pull request's file count could not be read)"
        )),
        _ => {}
    }
    (!parts.is_empty()).then(|| {
        format!(
            "Diff incomplete: {}; findings in them are counted (all their lines count as changed) and listed here, not commented inline.",
            parts.join(", ")
        )
    })
}

/// What a publish run did.
#[derive(Debug, Clone, Default)]
pub struct Outcome<'a> {
    pub plan: Plan<'a>,
    pub diff_known: bool,
    pub posted: usize,
    pub existing: usize,
    pub resolved: usize,
    /// Inline comments GitHub refused (422): listed in the summary instead.
    pub rejected: Vec<&'a Finding>,
    /// Inline candidates not posted (comment mode `summary`/`off`, over the cap, or a failed review).
    pub not_inline: Vec<&'a Finding>,
    /// User-facing explanations of degraded behaviour, shown in the summaries.
    pub notes: Vec<String>,
    pub summary_comment: Option<u64>,
    pub check_run: Option<u64>,
    /// Writes stopped because GitHub refused them (fork or read-only token).
    pub degraded: bool,
}

impl<'a> Outcome<'a> {
    /// The summary content (sticky comment and step summary share it).
    pub fn summary_input<'b>(
        &'b self,
        ctx: &'b PrContext,
        filter: FilterMode,
        governance: Option<&'b str>,
    ) -> SummaryInput<'b>
    where
        'a: 'b,
    {
        let mut listed: Vec<(&Finding, ListReason)> = Vec::new();
        listed.extend(self.rejected.iter().map(|f| (*f, ListReason::Rejected)));
        listed.extend(self.not_inline.iter().map(|f| (*f, ListReason::NotInline)));
        listed.extend(
            self.plan
                .incomplete
                .iter()
                .map(|f| (*f, ListReason::DiffIncomplete)),
        );
        listed.extend(
            self.plan
                .outside
                .iter()
                .map(|f| (*f, ListReason::OutsideDiff)),
        );
        SummaryInput {
            head_sha: &ctx.head_sha,
            filter,
            kept: self.plan.kept.clone(),
            listed,
            filtered_out: self.plan.filtered_out,
            inline_posted: self.posted,
            inline_existing: self.existing,
            inline_resolved: self.resolved,
            governance,
            notes: self.notes.clone(),
            blob_base: ctx.blob_base.clone(),
            run_url: ctx.run_url.clone(),
        }
    }
}

/// The one line logged when writes are refused.
pub const READ_ONLY_NOTE: &str = "GitHub refused to write to this pull request (the token is read-only, as for pull requests from forks, or lacks `pull-requests: write`/`checks: write`); findings are reported as annotations and in the step summary only, and the exit code still reflects them.";

struct Publisher<'x, 'a> {
    api: &'x dyn GitHubApi,
    ctx: &'x PrContext,
    opts: &'x PublishOptions,
    log: &'x mut dyn FnMut(&str),
    out: Outcome<'a>,
    /// The login tollgate writes as, once known.
    identity: Option<String>,
    /// Whether the GraphQL viewer query was already tried.
    asked_viewer: bool,
}

/// Candidates for inline comments, sorted against what is already on the pull request.
struct Sorted<'a> {
    drafts: Vec<DraftComment>,
    by_fp: BTreeMap<String, &'a Finding>,
    /// Findings with a marked comment whose author is not known yet.
    deferred: Vec<(&'a Finding, u32)>,
}

impl<'a> Publisher<'_, 'a> {
    /// Records a failed create (or read); a refusal stops every later write, with one log line.
    fn failed(&mut self, what: &str, err: &ApiError) {
        if err.is_forbidden() {
            if !self.out.degraded {
                self.out.degraded = true;
                (self.log)(&format!("tollgate: {READ_ONLY_NOTE} ({err})"));
                self.out.notes.push(READ_ONLY_NOTE.to_string());
            }
        } else {
            self.note_failure(what, err);
        }
    }

    /// Records a failed edit of an existing comment: only that edit is lost (GitHub refuses edits
    /// of comments the token did not write, and a deleted comment answers 404).
    fn note_failure(&mut self, what: &str, err: &ApiError) {
        (self.log)(&format!("tollgate: could not {what}: {err}"));
        self.out.notes.push(format!("Could not {what}: {err}"));
    }

    /// Asks GitHub once who the token is; on refusal the identity is learned from the first create.
    fn resolve_identity(&mut self) {
        if self.identity.is_some() || self.asked_viewer {
            return;
        }
        self.asked_viewer = true;
        match self.api.viewer_login() {
            Ok(login) => self.identity = Some(login),
            Err(err) => (self.log)(&format!(
                "tollgate: cannot ask GitHub who this token is ({err}); existing tollgate comments are trusted only once this run's first comment shows its author"
            )),
        }
    }

    fn learn(&mut self, author: Option<&str>) {
        if self.identity.is_none() {
            self.identity = author.filter(|a| !a.is_empty()).map(str::to_string);
        }
    }

    /// `Some(true)` for a comment tollgate wrote, `None` while its identity is unknown.
    fn own(&self, author: &str) -> Option<bool> {
        self.identity.as_deref().map(|me| same_login(me, author))
    }

    fn sort_candidates(
        &mut self,
        candidates: &[(&'a Finding, u32)],
        commented: &BTreeMap<&str, Vec<&ReviewComment>>,
        budget: usize,
        docs_url: &dyn Fn(&str) -> Option<String>,
    ) -> Sorted<'a> {
        let mut sorted = Sorted {
            drafts: Vec::new(),
            by_fp: BTreeMap::new(),
            deferred: Vec::new(),
        };
        let mut over_cap = 0;
        for (finding, line) in candidates {
            let marked = commented
                .get(finding.fingerprint.as_str())
                .map_or(&[][..], Vec::as_slice);
            let owners: Vec<Option<bool>> = marked
                .iter()
                .filter(|c| !render::is_resolved(&c.body))
                .map(|c| self.own(c.author()))
                .collect();
            // Ours if any open one is; unknown if any author is; otherwise none is ours.
            let open_mine = if owners.contains(&Some(true)) {
                Some(true)
            } else if owners.contains(&None) {
                None
            } else {
                Some(false)
            };
            match open_mine {
                Some(true) => self.out.existing += 1,
                None => sorted.deferred.push((*finding, *line)),
                Some(false) if sorted.drafts.len() >= budget => {
                    over_cap += 1;
                    self.out.not_inline.push(*finding);
                }
                Some(false) => {
                    sorted.by_fp.insert(finding.fingerprint.clone(), *finding);
                    sorted.drafts.push(DraftComment {
                        path: finding.path.clone(),
                        line: *line,
                        side: "RIGHT",
                        body: render::inline_body(finding, docs_url(finding.rule).as_deref()),
                        fingerprint: finding.fingerprint.clone(),
                    });
                }
            }
        }
        if over_cap > 0 {
            self.out.notes.push(format!(
                "tollgate keeps at most {} inline comments on a pull request; {} more {} listed here instead.",
                self.opts.max_inline,
                over_cap,
                if over_cap == 1 { "finding is" } else { "findings are" }
            ));
        }
        sorted
    }

    fn inline(
        &mut self,
        docs_url: &dyn Fn(&str) -> Option<String>,
        all_fingerprints: &BTreeSet<&str>,
    ) {
        let candidates = self.out.plan.inline.clone();
        let existing = match self.api.list_review_comments(&self.ctx.pr) {
            Ok(existing) => existing,
            Err(err) => {
                self.failed("read the existing review comments (inline comments skipped to avoid duplicates)", &err);
                self.out
                    .not_inline
                    .extend(candidates.iter().map(|(f, _)| *f));
                return;
            }
        };
        let mut commented: BTreeMap<&str, Vec<&ReviewComment>> = BTreeMap::new();
        for comment in &existing {
            if let Some(fp) = render::fingerprint_of(&comment.body) {
                commented.entry(fp).or_default().push(comment);
            }
        }
        if !commented.is_empty() {
            self.resolve_identity();
        }
        let mine_before = |me: &Self| {
            commented
                .values()
                .flatten()
                .filter(|c| me.own(c.author()) == Some(true))
                .count()
        };
        let budget = self.opts.max_inline.saturating_sub(mine_before(self));
        let sorted = self.sort_candidates(&candidates, &commented, budget, docs_url);
        let posted_before = self.out.posted;
        if !sorted.drafts.is_empty() {
            self.post_review(sorted.drafts, &sorted.by_fp);
        }
        if !sorted.deferred.is_empty() {
            if self.identity.is_some() && !self.out.degraded {
                // The review just posted told us who we are: sort the rest again.
                let used = mine_before(self) + (self.out.posted - posted_before);
                let budget = self.opts.max_inline.saturating_sub(used);
                let again = self.sort_candidates(&sorted.deferred, &commented, budget, docs_url);
                self.out
                    .not_inline
                    .extend(again.deferred.iter().map(|(f, _)| *f));
                if !again.drafts.is_empty() {
                    self.post_review(again.drafts, &again.by_fp);
                }
            } else {
                // Whose comments carry these markers is unknown: list the findings rather than
                // risk either a duplicate or a finding hidden behind someone else's comment.
                self.out
                    .not_inline
                    .extend(sorted.deferred.iter().map(|(f, _)| *f));
            }
        }
        if self.out.degraded {
            return;
        }
        // Our comments whose finding no longer exists anywhere (fixed, or its line removed).
        for comment in &existing {
            let Some(fp) = render::fingerprint_of(&comment.body) else {
                continue;
            };
            if render::is_resolved(&comment.body)
                || all_fingerprints.contains(fp)
                || self.own(comment.author()) != Some(true)
            {
                continue;
            }
            match self.api.update_review_comment(
                &self.ctx.pr,
                comment.id,
                &render::resolved_body(&comment.body, &self.ctx.head_sha),
            ) {
                Ok(()) => self.out.resolved += 1,
                Err(err) => self.note_failure("mark a fixed finding's comment as resolved", &err),
            }
        }
    }

    fn review_body(count: usize) -> String {
        format!(
            "tollgate found {} in this change. The summary comment lists everything, including findings outside the diff.",
            if count == 1 {
                "1 new finding".to_string()
            } else {
                format!("{count} new findings")
            }
        )
    }

    fn post_review(&mut self, drafts: Vec<DraftComment>, by_fp: &BTreeMap<String, &'a Finding>) {
        let review = NewReview {
            commit_id: self.ctx.head_sha.clone(),
            body: Self::review_body(drafts.len()),
            event: "COMMENT",
            comments: drafts,
        };
        match self.api.create_review(&self.ctx.pr, &review) {
            Ok(created) => {
                self.learn(created.author.as_deref());
                self.out.posted += review.comments.len();
            }
            Err(ApiError::Uncertain { message }) => {
                // The review may exist: look before posting again (a review is all-or-nothing).
                (self.log)(&format!(
                    "tollgate: {message}; checking whether the review was created"
                ));
                match self.api.list_review_comments(&self.ctx.pr) {
                    Ok(now) => {
                        let present: BTreeSet<&str> = now
                            .iter()
                            .filter(|c| self.own(c.author()) != Some(false))
                            .filter_map(|c| render::fingerprint_of(&c.body))
                            .collect();
                        if review
                            .comments
                            .iter()
                            .any(|d| present.contains(d.fingerprint.as_str()))
                        {
                            self.out.posted += review.comments.len();
                        } else {
                            match self.api.create_review(&self.ctx.pr, &review) {
                                Ok(created) => {
                                    self.learn(created.author.as_deref());
                                    self.out.posted += review.comments.len();
                                }
                                Err(err) => self.review_failed(&err, &review, by_fp),
                            }
                        }
                    }
                    Err(err) => self.review_failed(&err, &review, by_fp),
                }
            }
            Err(ApiError::Unprocessable { message }) => {
                // GitHub does not say which comment it refused: post them one by one, so only the
                // refused ones move to the summary.
                (self.log)(&format!(
                    "tollgate: GitHub rejected the review ({message}); posting its comments one by one"
                ));
                for draft in &review.comments {
                    match self
                        .api
                        .create_review_comment(&self.ctx.pr, &self.ctx.head_sha, draft)
                    {
                        Ok(created) => {
                            self.learn(created.author.as_deref());
                            self.out.posted += 1;
                        }
                        Err(ApiError::Unprocessable { .. }) => self
                            .out
                            .rejected
                            .extend(by_fp.get(&draft.fingerprint).copied()),
                        Err(err) => {
                            self.failed("post an inline comment", &err);
                            self.out
                                .not_inline
                                .extend(by_fp.get(&draft.fingerprint).copied());
                            if self.out.degraded {
                                // Move what is left to the summary too.
                                let done: BTreeSet<&str> = self
                                    .out
                                    .rejected
                                    .iter()
                                    .chain(&self.out.not_inline)
                                    .map(|f| f.fingerprint.as_str())
                                    .collect();
                                let rest: Vec<&'a Finding> = review
                                    .comments
                                    .iter()
                                    .skip_while(|d| d.fingerprint != draft.fingerprint)
                                    .skip(1)
                                    .filter(|d| !done.contains(d.fingerprint.as_str()))
                                    .filter_map(|d| by_fp.get(&d.fingerprint).copied())
                                    .collect();
                                self.out.not_inline.extend(rest);
                                return;
                            }
                        }
                    }
                }
            }
            Err(err) => self.review_failed(&err, &review, by_fp),
        }
    }

    fn review_failed(
        &mut self,
        err: &ApiError,
        review: &NewReview,
        by_fp: &BTreeMap<String, &'a Finding>,
    ) {
        self.failed("post the review", err);
        self.out.not_inline.extend(
            review
                .comments
                .iter()
                .filter_map(|d| by_fp.get(&d.fingerprint).copied()),
        );
    }

    /// Tollgate's own summary among `comments`: the first marked one it wrote.
    fn own_summary<'c>(&self, comments: &'c [IssueComment]) -> Option<&'c IssueComment> {
        comments.iter().find(|c| {
            c.body.as_deref().is_some_and(render::is_summary) && self.own(c.author()) == Some(true)
        })
    }

    fn create_summary(&mut self, body: &str) {
        match self.api.create_issue_comment(&self.ctx.pr, body) {
            Ok(created) => {
                self.learn(created.author.as_deref());
                self.out.summary_comment = Some(created.id);
            }
            Err(ApiError::Uncertain { message }) => {
                (self.log)(&format!(
                    "tollgate: {message}; checking whether the summary comment was created"
                ));
                match self.api.list_issue_comments(&self.ctx.pr) {
                    Ok(now) => {
                        let found = now
                            .iter()
                            .rev()
                            .find(|c| {
                                (c.body.as_deref() == Some(body)
                                    && self.own(c.author()) != Some(false))
                                    || (c.body.as_deref().is_some_and(render::is_summary)
                                        && self.own(c.author()) == Some(true))
                            })
                            .map(|c| (c.id, c.author().to_string()));
                        match found {
                            Some((id, author)) => {
                                self.learn(Some(&author));
                                self.out.summary_comment = Some(id);
                            }
                            None => match self.api.create_issue_comment(&self.ctx.pr, body) {
                                Ok(created) => {
                                    self.learn(created.author.as_deref());
                                    self.out.summary_comment = Some(created.id);
                                }
                                Err(err) => self.failed("create the summary comment", &err),
                            },
                        }
                    }
                    Err(err) => self.failed("create the summary comment", &err),
                }
            }
            Err(err) => self.failed("create the summary comment", &err),
        }
    }

    /// PATCH is idempotent: one more try after an uncertain outcome is safe.
    fn edit_summary(&mut self, id: u64, body: &str) -> Result<(), ApiError> {
        match self.api.update_issue_comment(&self.ctx.pr, id, body) {
            Err(ApiError::Uncertain { .. }) => {
                self.api.update_issue_comment(&self.ctx.pr, id, body)
            }
            other => other,
        }
    }

    fn summary(&mut self, body: &str) {
        let comments = match self.api.list_issue_comments(&self.ctx.pr) {
            Ok(comments) => comments,
            Err(err) => return self.failed("read the pull request's comments", &err),
        };
        let marked: Vec<u64> = comments
            .iter()
            .filter(|c| c.body.as_deref().is_some_and(render::is_summary))
            .map(|c| c.id)
            .collect();
        if !marked.is_empty() {
            self.resolve_identity();
        }
        let clean = self.out.plan.kept.is_empty() && self.out.resolved == 0;
        if self.identity.is_some() {
            match self.own_summary(&comments).map(|c| c.id) {
                Some(id) => match self.edit_summary(id, body) {
                    Ok(()) => self.out.summary_comment = Some(id),
                    Err(err) => self.note_failure("update the summary comment", &err),
                },
                // A clean first run adds no comment; a clean re-run updates the existing one.
                None if clean => {}
                None => self.create_summary(body),
            }
            return;
        }
        // Who wrote the marked comments is unknown: GitHub refuses edits of comments the token
        // did not write, so the first edit it accepts is ours; a refusal only moves on.
        for id in marked {
            match self.edit_summary(id, body) {
                Ok(()) => {
                    self.out.summary_comment = Some(id);
                    return;
                }
                Err(err) => (self.log)(&format!(
                    "tollgate: comment {id} carries the summary marker but could not be edited ({err}); not ours"
                )),
            }
        }
        if !clean {
            self.create_summary(body);
        }
    }

    fn check_run(&mut self) {
        let kept = self.out.plan.kept.clone();
        let max = kept.iter().map(|f| f.level).max();
        let conclusion = match (max, self.opts.fail_level) {
            (Some(max), Some(fail)) if max >= fail => "failure",
            (Some(_), _) => "neutral",
            (None, _) => "success",
        };
        let annotations = render::annotations(&kept);
        let summary = render::truncate_bytes(
            render::check_summary(&kept, self.opts.filter),
            CHECK_SUMMARY_LIMIT,
        );
        let title = if kept.is_empty() {
            "No findings".to_string()
        } else {
            render::count_line(&kept)
        };
        let output = |batch: &[super::api::Annotation]| CheckRunOutput {
            title: title.clone(),
            summary: summary.clone(),
            annotations: batch.to_vec(),
        };
        let mut batches = annotations.chunks(ANNOTATIONS_PER_REQUEST);
        let first = batches.next().unwrap_or(&[]);
        let single = annotations.len() <= ANNOTATIONS_PER_REQUEST;
        let run = NewCheckRun {
            name: self.opts.check_name.clone(),
            head_sha: self.ctx.head_sha.clone(),
            status: if single { "completed" } else { "in_progress" },
            conclusion: single.then_some(conclusion),
            external_id: None,
            output: output(first),
        };
        // A create that got a 5xx may have been applied: find it by this run's external id
        // rather than create a duplicate, so that it can still be completed.
        let external_id = format!(
            "tollgate-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        );
        let run = NewCheckRun {
            external_id: Some(external_id.clone()),
            ..run
        };
        let id = match self.api.create_check_run(&self.ctx.pr, &run) {
            Ok(id) => id,
            Err(ApiError::Uncertain { message }) => {
                (self.log)(&format!(
                    "tollgate: {message}; checking whether the check run was created"
                ));
                let found = self
                    .api
                    .list_check_runs(&self.ctx.pr, &self.ctx.head_sha, &self.opts.check_name)
                    .map(|runs| {
                        runs.iter()
                            .find(|r| r.external_id.as_deref() == Some(external_id.as_str()))
                            .map(|r| r.id)
                    });
                match found {
                    Ok(Some(id)) => id,
                    Ok(None) => match self.api.create_check_run(&self.ctx.pr, &run) {
                        Ok(id) => id,
                        Err(err) => return self.failed("create the check run", &err),
                    },
                    Err(err) => return self.failed("create the check run", &err),
                }
            }
            Err(err) => return self.failed("create the check run", &err),
        };
        self.out.check_run = Some(id);
        let total = annotations.len();
        let rest: Vec<&[super::api::Annotation]> = batches.collect();
        let count = rest.len();
        let mut completed = single;
        let mut skipped = Vec::new();
        for (i, batch) in rest.into_iter().enumerate() {
            let last = i + 1 == count;
            let update = CheckRunUpdate {
                status: last.then_some("completed"),
                conclusion: last.then_some(conclusion),
                output: output(batch),
            };
            let first_no = (i + 1) * ANNOTATIONS_PER_REQUEST + 1;
            let range = format!("{first_no}–{}", first_no + batch.len() - 1);
            match self.api.update_check_run(&self.ctx.pr, id, &update) {
                Ok(()) => completed |= last,
                Err(err) if err.is_forbidden() => {
                    self.failed("add annotations to the check run", &err);
                    return;
                }
                // Annotations append, so a batch is never repeated: it is named instead.
                Err(err) => {
                    (self.log)(&format!(
                        "tollgate: a check-run annotation batch ({range}) may not have been saved ({err}); continuing"
                    ));
                    skipped.push(range);
                }
            }
        }
        if !skipped.is_empty() {
            self.out.notes.push(format!(
                "Check run: GitHub did not confirm annotations {} of {total}; they may be missing there (this summary lists every finding).",
                skipped.join(", ")
            ));
        }
        if !completed {
            // Never leave the run `in_progress`; a PATCH without annotations is idempotent.
            let finish = CheckRunUpdate {
                status: Some("completed"),
                conclusion: Some(conclusion),
                output: output(&[]),
            };
            let result = match self.api.update_check_run(&self.ctx.pr, id, &finish) {
                Err(ApiError::Uncertain { .. }) => {
                    self.api.update_check_run(&self.ctx.pr, id, &finish)
                }
                other => other,
            };
            if let Err(err) = result {
                self.failed("complete the check run", &err);
            }
        }
    }
}

/// Publishes findings on the pull request; never fails (problems become notes and log lines).
/// `findings` is every finding of the run; the filter mode decides which are reported.
pub fn publish<'a>(
    api: &dyn GitHubApi,
    ctx: &PrContext,
    findings: &'a [Finding],
    governance: Option<&str>,
    opts: &PublishOptions,
    docs_url: &dyn Fn(&str) -> Option<String>,
    log: &mut dyn FnMut(&str),
) -> Outcome<'a> {
    let mut incomplete = None;
    let mut listing_complete = true;
    let diff = match api.list_pr_files(&ctx.pr) {
        Ok(files) => {
            let diff = diff_from_files(&files);
            let changed = match api.pr_changed_files(&ctx.pr) {
                Ok(changed) => changed,
                Err(err) => {
                    log(&format!(
                        "tollgate: could not read the pull request's file count ({err})"
                    ));
                    None
                }
            };
            listing_complete = match changed {
                Some(total) => total <= files.len() as u64,
                None => files.len() < LISTED_FILES_MAX,
            };
            incomplete = incomplete_note(&diff, files.len(), changed);
            Some(diff)
        }
        Err(err) => {
            log(&format!(
                "tollgate: could not read the pull request's files ({err}); reporting every finding"
            ));
            None
        }
    };
    let mut out = Outcome {
        plan: plan(findings, diff.as_ref(), listing_complete, opts.filter),
        diff_known: diff.is_some(),
        ..Outcome::default()
    };
    // Shown in both summaries, not logged: the fork path promises one log line.
    out.notes.extend(incomplete);
    if diff.is_none() {
        out.notes.push("The pull request's diff could not be read, so every finding is reported and none is commented inline.".into());
    }
    if opts.comment != CommentMode::Review {
        let inline: Vec<&Finding> = out.plan.inline.iter().map(|(f, _)| *f).collect();
        out.not_inline.extend(inline);
    }
    if let Some(reason) = &ctx.read_only {
        log(&format!("tollgate: {reason}: {READ_ONLY_NOTE}"));
        out.notes.push(READ_ONLY_NOTE.to_string());
        out.degraded = true;
        if opts.comment == CommentMode::Review {
            let inline: Vec<&Finding> = out.plan.inline.iter().map(|(f, _)| *f).collect();
            out.not_inline.extend(inline);
        }
        return out;
    }
    let all_fingerprints: BTreeSet<&str> =
        findings.iter().map(|f| f.fingerprint.as_str()).collect();
    let mut publisher = Publisher {
        api,
        ctx,
        opts,
        log,
        out,
        identity: None,
        asked_viewer: false,
    };
    if opts.comment == CommentMode::Review {
        publisher.inline(docs_url, &all_fingerprints);
    }
    if opts.comment != CommentMode::Off && !publisher.out.degraded {
        let body = render::render_summary(
            &publisher.out.summary_input(ctx, opts.filter, governance),
            COMMENT_LIMIT,
            true,
        );
        publisher.summary(&body);
    }
    if opts.check_run && !publisher.out.degraded {
        publisher.check_run();
    }
    publisher.out
}
