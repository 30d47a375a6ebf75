//! PR publishing end to end over HTTP: the octocrab client and the publisher against the loopback
//! fake GitHub (tests/support/fake_github.rs), one scenario per failure mode GitHub really has.

mod support;

use std::time::{Duration, Instant};

use support::fake_github::{FailFirstPost, FakeFile, FakeGitHub, TOKEN};
use tollgate::finding::{Finding, Level};
use tollgate::github::octo::{OctocrabApi, RetryPolicy};
use tollgate::github::{
    CommentMode, FilterMode, PrContext, PrRef, PublishOptions, publish, render,
};
use tollgate::source::{LineCol, Span};

const HEAD: &str = "1111111111111111111111111111111111111111";

fn finding(path: &str, line: usize, rule: &'static str, message: &str, fp: &str) -> Finding {
    Finding {
        rule,
        level: Level::Error,
        message: message.into(),
        help: Some("Fix it.".into()),
        path: path.into(),
        span: Span::new(0, 1),
        start: LineCol { line, column: 1 },
        end: LineCol { line, column: 10 },
        fingerprint: fp.into(),
        related: vec![],
        redactions: vec![],
    }
}

fn files() -> Vec<FakeFile> {
    vec![
        FakeFile {
            filename: "db/migrations/0002_orders.sql".into(),
            status: "added".into(),
            patch: Some("@@ -0,0 +1,4 @@\n+create table orders (id int);\n+create table refunds (id int);\n+create table notes (id int);\n+select 1;".into()),
        },
        FakeFile {
            filename: "deploy/app.yaml".into(),
            status: "modified".into(),
            patch: Some("@@ -10,3 +10,4 @@\n kind: Deployment\n-  replicas: 1\n+  replicas: 3\n+  image: web:latest\n metadata:".into()),
        },
        FakeFile { filename: "assets/logo.png".into(), status: "added".into(), patch: None },
    ]
}

fn ctx() -> PrContext {
    PrContext {
        pr: PrRef {
            owner: "acme".into(),
            repo: "shop".into(),
            number: 42,
        },
        head_sha: HEAD.into(),
        read_only: None,
        blob_base: None,
        run_url: None,
    }
}

fn fast() -> RetryPolicy {
    RetryPolicy {
        base_backoff: Duration::from_millis(10),
        write_spacing: Duration::ZERO,
        ..RetryPolicy::default()
    }
}

fn api(fake: &FakeGitHub) -> OctocrabApi {
    OctocrabApi::new(&fake.url, Some(TOKEN), fast(), Box::new(|_| {})).unwrap()
}

fn run<'a>(
    fake: &FakeGitHub,
    ctx: &PrContext,
    findings: &'a [Finding],
    opts: &PublishOptions,
) -> (tollgate::github::publish::Outcome<'a>, Vec<String>) {
    let mut logs = Vec::new();
    let outcome = publish(
        &api(fake),
        ctx,
        findings,
        Some("- [ ] checklist"),
        opts,
        &|id| Some(format!("https://docs.test/{id}")),
        &mut |l| logs.push(l.to_string()),
    );
    (outcome, logs)
}

fn base_findings() -> Vec<Finding> {
    vec![
        finding(
            "db/migrations/0002_orders.sql",
            1,
            "sql/require-rls",
            "table `orders` has no row level security",
            "fp0001",
        ),
        finding(
            "db/migrations/0002_orders.sql",
            2,
            "sql/require-rls",
            "table `refunds` has no row level security",
            "fp0002",
        ),
        finding(
            "deploy/app.yaml",
            12,
            "k8s/no-latest-tag",
            "image `web:latest` uses the `latest` tag",
            "fp0003",
        ),
        // On a context line: not kept in `added` mode.
        finding(
            "deploy/app.yaml",
            10,
            "k8s/require-resource-limits",
            "container has no limits",
            "fp0004",
        ),
        // In a file the PR does not touch.
        finding(
            "db/migrations/0001_init.sql",
            5,
            "sql/require-rls",
            "table `users` has no row level security",
            "fp0005",
        ),
    ]
}

fn assert_clean_protocol(fake: &FakeGitHub) {
    let s = fake.state();
    assert!(s.schema_violations.is_empty(), "{:?}", s.schema_violations);
    for r in &s.requests {
        assert!(
            r.headers
                .iter()
                .any(|(k, v)| k == "authorization" && v == &format!("Bearer {TOKEN}")),
            "unauthenticated {} {}",
            r.method,
            r.path
        );
    }
}

#[test]
fn first_run_posts_one_review_and_one_summary() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    let findings = base_findings();
    let (out, _) = run(&fake, &ctx(), &findings, &PublishOptions::default());
    assert_eq!(out.posted, 3);
    assert_eq!(out.plan.kept.len(), 3);
    assert_eq!(out.plan.filtered_out, 2);
    assert_eq!(fake.state().reviews.len(), 1);
    let bodies = fake.review_bodies();
    assert_eq!(bodies.len(), 3);
    assert!(
        bodies[0].contains("`sql/require-rls`")
            && bodies[0].contains("<!-- tollgate:fp=fp0001 -->")
    );
    assert!(bodies[0].contains("https://docs.test/sql/require-rls"));
    let summaries = fake.issue_bodies();
    assert_eq!(summaries.len(), 1);
    assert!(summaries[0].starts_with(render::SUMMARY_MARKER));
    assert!(summaries[0].contains("3 findings"));
    let review = fake
        .writes()
        .into_iter()
        .find(|r| r.path.ends_with("/reviews"))
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&review.body).unwrap();
    assert_eq!(body["commit_id"], HEAD);
    assert_eq!(body["event"], "COMMENT");
    assert_eq!(body["comments"][2]["line"], 12);
    assert_eq!(body["comments"][2]["side"], "RIGHT");
    assert_clean_protocol(&fake);
}

#[test]
fn rerun_with_no_new_findings_only_updates_the_summary() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    let findings = base_findings();
    run(&fake, &ctx(), &findings, &PublishOptions::default());
    fake.clear_requests();
    let (out, _) = run(&fake, &ctx(), &findings, &PublishOptions::default());
    assert_eq!((out.posted, out.existing, out.resolved), (0, 3, 0));
    let writes = fake.writes();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(writes[0].method, "PATCH");
    assert!(writes[0].path.contains("/issues/comments/"));
    assert_eq!(fake.review_bodies().len(), 3);
    assert_eq!(fake.issue_bodies().len(), 1);
    assert_clean_protocol(&fake);
}

#[test]
fn new_commit_fixes_one_finding_and_adds_another() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    let findings = base_findings();
    run(&fake, &ctx(), &findings, &PublishOptions::default());
    let head2 = "2222222222222222222222222222222222222222";
    fake.push_commit(head2, files());
    let mut next: Vec<Finding> = findings
        .into_iter()
        .filter(|f| f.fingerprint != "fp0002")
        .collect();
    next.push(finding(
        "db/migrations/0002_orders.sql",
        3,
        "sql/require-rls",
        "table `notes` has no row level security",
        "fp0006",
    ));
    let mut ctx2 = ctx();
    ctx2.head_sha = head2.into();
    fake.clear_requests();
    let (out, _) = run(&fake, &ctx2, &next, &PublishOptions::default());
    assert_eq!((out.posted, out.existing, out.resolved), (1, 2, 1));
    let bodies = fake.review_bodies();
    let resolved: Vec<&String> = bodies.iter().filter(|b| render::is_resolved(b)).collect();
    assert_eq!(resolved.len(), 1);
    assert!(resolved[0].contains("fp0002") && resolved[0].contains("222222222222"));
    assert!(bodies.iter().any(|b| b.contains("fp=fp0006")));
    // A third run keeps the resolved comment as it is.
    fake.clear_requests();
    let (out, _) = run(&fake, &ctx2, &next, &PublishOptions::default());
    assert_eq!((out.posted, out.resolved), (0, 0));
    assert_eq!(fake.writes().len(), 1);
    assert_clean_protocol(&fake);
}

#[test]
fn a_rejected_inline_comment_is_not_lost() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    fake.knobs(|k| {
        k.reject_lines
            .insert(("db/migrations/0002_orders.sql".into(), 2));
    });
    let findings = base_findings();
    let (out, logs) = run(&fake, &ctx(), &findings, &PublishOptions::default());
    assert_eq!(out.posted, 2);
    assert_eq!(
        out.rejected
            .iter()
            .map(|f| f.fingerprint.as_str())
            .collect::<Vec<_>>(),
        vec!["fp0002"]
    );
    assert!(
        fake.state().reviews.is_empty(),
        "the refused review stored nothing"
    );
    assert_eq!(fake.review_bodies().len(), 2);
    let summary = &fake.issue_bodies()[0];
    assert!(
        summary.contains("table `refunds` has no row level security")
            && summary.contains("GitHub rejected the inline comment")
    );
    assert!(logs.iter().any(|l| l.contains("one by one")));
    assert_clean_protocol(&fake);
}

#[test]
fn a_read_only_token_degrades_with_one_log_line() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    fake.knobs(|k| k.read_only = true);
    let findings = base_findings();
    let opts = PublishOptions {
        check_run: true,
        ..PublishOptions::default()
    };
    let (out, logs) = run(&fake, &ctx(), &findings, &opts);
    assert!(out.degraded);
    assert_eq!(out.plan.kept.len(), 3, "findings still count");
    assert_eq!(fake.writes().len(), 1, "stops after the first refusal");
    assert_eq!(
        logs.iter().filter(|l| l.contains("read-only")).count(),
        1,
        "{logs:?}"
    );
    assert_eq!(out.not_inline.len(), 3);
    assert_clean_protocol(&fake);
}

#[test]
fn a_fork_pull_request_makes_no_writes() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    let findings = base_findings();
    let mut fork = ctx();
    fork.read_only = Some("pull request from a fork (mallory/shop)".into());
    let (out, logs) = run(&fake, &fork, &findings, &PublishOptions::default());
    assert!(out.degraded && fake.writes().is_empty());
    assert_eq!(out.plan.kept.len(), 3);
    assert_eq!(logs.len(), 1);
}

#[test]
fn a_502_after_the_review_was_stored_does_not_duplicate_it() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    fake.knobs(|k| {
        k.fail_first_post = Some(FailFirstPost {
            status: 502,
            applied: true,
        })
    });
    let findings = base_findings();
    let (out, _) = run(&fake, &ctx(), &findings, &PublishOptions::default());
    assert_eq!(out.posted, 3);
    let reviews = fake
        .writes()
        .iter()
        .filter(|r| r.path.ends_with("/reviews"))
        .count();
    assert_eq!(
        reviews, 1,
        "octocrab's automatic re-POST is off and the publisher re-read first"
    );
    assert_eq!(fake.review_bodies().len(), 3);
    assert_eq!(fake.issue_bodies().len(), 1);
    assert_clean_protocol(&fake);
}

#[test]
fn a_502_before_anything_was_stored_is_retried_once_after_checking() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    fake.knobs(|k| {
        k.fail_first_post = Some(FailFirstPost {
            status: 502,
            applied: false,
        })
    });
    let findings = base_findings();
    let (out, _) = run(&fake, &ctx(), &findings, &PublishOptions::default());
    assert_eq!(out.posted, 3);
    assert_eq!(fake.review_bodies().len(), 3);
    assert_eq!(
        fake.writes()
            .iter()
            .filter(|r| r.path.ends_with("/reviews"))
            .count(),
        2
    );
    assert_clean_protocol(&fake);
}

#[test]
fn a_secondary_rate_limit_is_waited_out() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    fake.knobs(|k| k.secondary_limit_retry_after = Some(1));
    let findings = base_findings();
    let mut waits = Vec::new();
    let client = OctocrabApi::new(
        &fake.url,
        Some(TOKEN),
        fast(),
        Box::new(move |l| eprintln!("{l}")),
    )
    .unwrap();
    let started = Instant::now();
    let out = publish(
        &client,
        &ctx(),
        &findings,
        None,
        &PublishOptions::default(),
        &|_| None,
        &mut |l| waits.push(l.to_string()),
    );
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "honoured retry-after"
    );
    assert_eq!(out.posted, 3);
    assert_eq!(fake.state().reviews.len(), 1);
    let statuses: Vec<u16> = fake.writes().iter().map(|r| r.status).collect();
    assert_eq!(statuses[..2], [403, 200]);
    assert_clean_protocol(&fake);
}

#[test]
fn more_than_100_existing_comments_are_all_read() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    for i in 0..130 {
        fake.seed_review_comment(
            "db/migrations/0002_orders.sql",
            4,
            &format!("human comment {i}"),
        );
    }
    let findings = base_findings();
    // Our earlier comment on fp0003 sits on page 2.
    fake.seed_review_comment("deploy/app.yaml", 12, "old\n<!-- tollgate:fp=fp0003 -->");
    for i in 0..120 {
        fake.seed_issue_comment(&format!("chatter {i}"));
    }
    let summary_id = fake.seed_issue_comment(&format!("{}\nold summary", render::SUMMARY_MARKER));
    let (out, _) = run(&fake, &ctx(), &findings, &PublishOptions::default());
    assert_eq!((out.posted, out.existing), (2, 1));
    assert_eq!(out.summary_comment, Some(summary_id));
    let pages: Vec<String> = fake
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/pulls/42/comments"))
        .map(|r| r.query.clone())
        .collect();
    assert_eq!(pages, vec!["per_page=100", "per_page=100&page=2"]);
    assert_eq!(fake.issue_bodies().len(), 121, "summary updated in place");
    assert_clean_protocol(&fake);
}

#[test]
fn more_than_50_annotations_are_sent_in_batches() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    let findings: Vec<Finding> = (0..120)
        .map(|i| {
            finding(
                "db/migrations/0002_orders.sql",
                1 + i % 4,
                "sql/require-rls",
                &format!("finding {i}"),
                &format!("fp{i:04}"),
            )
        })
        .collect();
    let opts = PublishOptions {
        comment: CommentMode::Off,
        check_run: true,
        ..PublishOptions::default()
    };
    let (out, _) = run(&fake, &ctx(), &findings, &opts);
    let id = out.check_run.unwrap();
    let writes = fake.writes();
    assert_eq!(
        writes.iter().map(|r| r.method.as_str()).collect::<Vec<_>>(),
        vec!["POST", "PATCH", "PATCH"]
    );
    let s = fake.state();
    let run = &s.check_runs[&id];
    assert_eq!(run["output"]["annotations_count"], 120);
    assert_eq!(run["status"], "completed");
    assert_eq!(run["conclusion"], "failure");
    drop(s);
    assert_clean_protocol(&fake);
}

#[test]
fn a_summary_that_would_exceed_65536_characters_is_truncated() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    let long = "very long message ".repeat(40);
    let findings: Vec<Finding> = (0..600)
        .map(|i| {
            finding(
                "db/migrations/0001_init.sql",
                i + 1,
                "sql/require-rls",
                &long,
                &format!("fp{i:04}"),
            )
        })
        .collect();
    let opts = PublishOptions {
        filter: FilterMode::NoFilter,
        ..PublishOptions::default()
    };
    let (out, _) = run(&fake, &ctx(), &findings, &opts);
    assert!(out.summary_comment.is_some());
    let body = &fake.issue_bodies()[0];
    assert!(body.chars().count() <= 65_536);
    assert!(body.contains("more findings not shown here"));
    assert_clean_protocol(&fake);
}

#[test]
fn a_planted_secret_never_reaches_github() {
    let secret = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
    let fake = FakeGitHub::start(
        "acme",
        "shop",
        42,
        HEAD,
        vec![FakeFile {
            filename: ".env.example".into(),
            status: "added".into(),
            patch: Some(format!("@@ -0,0 +1 @@\n+STRIPE_KEY={secret}")),
        }],
    );
    // What a secret rule reports: the value masked to its last 4 characters.
    let findings = vec![finding(
        ".env.example",
        1,
        "env/no-committed-secret",
        "`STRIPE_KEY` holds a live Stripe key (****p7dc)",
        "fpsecret",
    )];
    let opts = PublishOptions {
        check_run: true,
        ..PublishOptions::default()
    };
    let (out, _) = run(&fake, &ctx(), &findings, &opts);
    assert_eq!(out.posted, 1);
    for r in fake.requests() {
        assert!(
            !r.body.contains(secret) && !r.query.contains(secret),
            "{} {} leaked the secret",
            r.method,
            r.path
        );
        assert!(!r.body.contains(TOKEN), "token in a body");
    }
    assert_clean_protocol(&fake);
}

#[test]
fn a_primary_rate_limit_waits_until_the_reset() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    fake.knobs(|k| k.primary_limit_once = true);
    let findings = base_findings();
    let started = Instant::now();
    let (out, _) = run(&fake, &ctx(), &findings, &PublishOptions::default());
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited for x-ratelimit-reset"
    );
    assert_eq!(out.posted, 3);
    let statuses: Vec<u16> = fake.writes().iter().map(|r| r.status).collect();
    assert_eq!(statuses[..2], [429, 200]);
    assert_clean_protocol(&fake);
}

#[test]
fn a_secondary_limit_without_headers_backs_off_then_gives_up() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    // Two refusals then success: exponential back-off from the (shortened) one-minute fallback.
    fake.knobs(|k| k.secondary_limit_bare = 2);
    let findings = base_findings();
    let policy = RetryPolicy {
        secondary_fallback: Duration::from_millis(100),
        ..fast()
    };
    let client =
        OctocrabApi::new(&fake.url, Some(TOKEN), policy.clone(), Box::new(|_| {})).unwrap();
    let started = Instant::now();
    let out = publish(
        &client,
        &ctx(),
        &findings,
        None,
        &PublishOptions::default(),
        &|_| None,
        &mut |_| {},
    );
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "100 ms then 200 ms"
    );
    assert_eq!(out.posted, 3);

    // Still limited after every retry: the findings go to the summary, nothing is lost.
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    fake.knobs(|k| k.secondary_limit_bare = 4);
    let client = OctocrabApi::new(&fake.url, Some(TOKEN), policy, Box::new(|_| {})).unwrap();
    let out = publish(
        &client,
        &ctx(),
        &findings,
        None,
        &PublishOptions::default(),
        &|_| None,
        &mut |_| {},
    );
    assert_eq!(out.posted, 0);
    assert_eq!(out.not_inline.len(), 3);
    assert!(
        out.notes.iter().any(|n| n.contains("rate limit")),
        "{:?}",
        out.notes
    );
    assert!(fake.issue_bodies()[0].contains("not commented inline"));
    assert_clean_protocol(&fake);
}

/// A pull request adding `db/big.sql`, one `create table` (so one finding) per line.
fn fake_with_new_tables(n: usize) -> FakeGitHub {
    let patch: String = std::iter::once(format!("@@ -0,0 +1,{n} @@"))
        .chain((1..=n).map(|i| format!("+create table t{i} (id int);")))
        .collect::<Vec<_>>()
        .join("\n");
    FakeGitHub::start(
        "acme",
        "shop",
        42,
        HEAD,
        vec![FakeFile {
            filename: "db/big.sql".into(),
            status: "added".into(),
            patch: Some(patch),
        }],
    )
}

#[test]
fn inline_comments_are_capped_per_review() {
    let fake = fake_with_new_tables(60);
    let findings: Vec<Finding> = (1..=60)
        .map(|i| {
            finding(
                "db/big.sql",
                i,
                "sql/require-rls",
                &format!("table t{i}"),
                &format!("fp{i:04}"),
            )
        })
        .collect();
    let (out, _) = run(&fake, &ctx(), &findings, &PublishOptions::default());
    assert_eq!((out.posted, out.not_inline.len()), (50, 10));
    assert_eq!(fake.review_bodies().len(), 50);
    assert_eq!(
        fake.issue_bodies()[0]
            .matches("not commented inline |")
            .count(),
        10
    );
    assert_clean_protocol(&fake);
}

#[test]
fn replies_quoting_our_comments_are_left_alone() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    let quoted =
        "> 🔴 **error** `sql/require-rls`\n> <!-- tollgate:fp=gone01 -->\n\nWe accept this risk.";
    let id = fake.seed_review_comment("db/migrations/0002_orders.sql", 1, quoted);
    fake.seed_issue_comment("> <!-- tollgate:summary -->\n> quoted summary");
    let findings = base_findings();
    let (out, _) = run(&fake, &ctx(), &findings, &PublishOptions::default());
    assert_eq!(out.resolved, 0);
    assert!(
        !fake
            .writes()
            .iter()
            .any(|r| r.path.ends_with(&format!("/pulls/comments/{id}")))
    );
    assert_eq!(
        fake.issue_bodies().len(),
        2,
        "a new summary, the quote untouched"
    );
    assert_clean_protocol(&fake);
}

#[test]
fn enterprise_server_path_prefixes_are_kept_across_pages() {
    let fake = FakeGitHub::start_with_prefix("/api/v3", "acme", "shop", 42, HEAD, files());
    for i in 0..120 {
        fake.seed_issue_comment(&format!("chatter {i}"));
    }
    let findings = base_findings();
    let (out, _) = run(&fake, &ctx(), &findings, &PublishOptions::default());
    assert_eq!(out.posted, 3);
    assert!(out.summary_comment.is_some());
    let paged: Vec<String> = fake
        .requests()
        .iter()
        .filter(|r| r.query.contains("page=2"))
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(paged, vec!["/api/v3/repos/acme/shop/issues/42/comments"]);
    // Every request, page 2 included, reached the prefixed API with the token.
    assert!(
        fake.requests()
            .iter()
            .all(|r| r.path.starts_with("/api/v3/") && r.status < 400)
    );
    assert_clean_protocol(&fake);
}

#[test]
fn more_than_100_changed_files_are_all_listed() {
    let mut many: Vec<FakeFile> = (0..150)
        .map(|i| FakeFile {
            filename: format!("db/migrations/{i:04}.sql"),
            status: "added".into(),
            patch: Some("@@ -0,0 +1 @@\n+create table t (id int);".into()),
        })
        .collect();
    many.push(FakeFile {
        filename: "db/removed.sql".into(),
        status: "removed".into(),
        patch: Some("@@ -1 +0,0 @@\n-x".into()),
    });
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, many);
    let findings = vec![finding(
        "db/migrations/0142.sql",
        1,
        "sql/require-rls",
        "table `t` has no RLS",
        "fplast",
    )];
    let (out, _) = run(&fake, &ctx(), &findings, &PublishOptions::default());
    assert_eq!(out.posted, 1, "the file on page 2 is part of the diff");
    let pages = fake
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/pulls/42/files"))
        .count();
    assert_eq!(pages, 2);
    assert_clean_protocol(&fake);
}

/// The fake's schema check is real: bodies GitHub would refuse are refused and recorded.
#[test]
fn the_fake_rejects_bodies_that_break_the_official_schemas() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let statuses: Vec<u16> = rt.block_on(async {
        let crab = octocrab::Octocrab::builder()
            .base_uri(fake.url.as_str())
            .unwrap()
            .personal_token(TOKEN.to_string())
            .add_retry_config(octocrab::service::middleware::retry::RetryConfig::None)
            .build()
            .unwrap();
        let bad_level = serde_json::json!({"name": "x", "head_sha": HEAD, "output": {"title": "t", "summary": "s",
            "annotations": [{"path": "a", "start_line": 1, "end_line": 1, "annotation_level": "error", "message": "m"}]}});
        let no_body = serde_json::json!({"commit_id": HEAD, "event": "COMMENT", "comments": [{"path": "a.sql", "line": 1}]});
        let too_many: Vec<serde_json::Value> = (0..51)
            .map(|i| serde_json::json!({"path": "a", "start_line": i + 1, "end_line": i + 1, "annotation_level": "notice", "message": "m"}))
            .collect();
        let too_many = serde_json::json!({"name": "x", "head_sha": HEAD, "output": {"title": "t", "summary": "s", "annotations": too_many}});
        let mut statuses = Vec::new();
        for (route, body) in [
            ("/repos/acme/shop/check-runs", bad_level),
            ("/repos/acme/shop/pulls/42/reviews", no_body),
            ("/repos/acme/shop/check-runs", too_many),
        ] {
            statuses.push(crab._post(route, Some(&body)).await.unwrap().status().as_u16());
        }
        statuses
    });
    assert_eq!(statuses, vec![422, 422, 422]);
    assert_eq!(
        fake.state().schema_violations.len(),
        3,
        "{:?}",
        fake.state().schema_violations
    );
}

#[test]
fn an_uncertain_last_check_run_patch_still_completes_the_run_without_duplicates() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    // Writes: POST (1-50), PATCH (51-100), PATCH (101-120, completed) gets a 502 after being saved.
    fake.knobs(|k| {
        k.fail_nth_write = Some((
            3,
            FailFirstPost {
                status: 502,
                applied: true,
            },
        ))
    });
    let findings: Vec<Finding> = (0..120)
        .map(|i| {
            finding(
                "db/migrations/0002_orders.sql",
                1 + i % 4,
                "sql/require-rls",
                &format!("finding {i}"),
                &format!("fp{i:04}"),
            )
        })
        .collect();
    let opts = PublishOptions {
        comment: CommentMode::Off,
        check_run: true,
        ..PublishOptions::default()
    };
    let (out, logs) = run(&fake, &ctx(), &findings, &opts);
    let id = out.check_run.unwrap();
    let methods: Vec<String> = fake.writes().into_iter().map(|r| r.method).collect();
    assert_eq!(methods, vec!["POST", "PATCH", "PATCH", "PATCH"]);
    let s = fake.state();
    assert_eq!(
        s.check_runs[&id]["output"]["annotations_count"], 120,
        "no batch sent twice"
    );
    assert_eq!(s.check_runs[&id]["status"], "completed");
    drop(s);
    assert!(logs.iter().any(|l| l.contains("may not have been saved")));
    assert_clean_protocol(&fake);
}

#[test]
fn summary_mode_posts_only_the_summary() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    let findings = base_findings();
    let opts = PublishOptions {
        comment: CommentMode::Summary,
        ..PublishOptions::default()
    };
    let (out, _) = run(&fake, &ctx(), &findings, &opts);
    assert_eq!((out.posted, out.not_inline.len()), (0, 3));
    let writes: Vec<String> = fake
        .writes()
        .into_iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(writes, vec!["POST /repos/acme/shop/issues/42/comments"]);
    assert_eq!(
        fake.issue_bodies()[0]
            .matches("not commented inline |")
            .count(),
        3
    );
    assert_clean_protocol(&fake);
}

/// A PR of `n` new one-line SQL files, in order.
fn many_files(n: usize) -> Vec<FakeFile> {
    (0..n)
        .map(|i| FakeFile {
            filename: format!("db/migrations/{i:04}.sql"),
            status: "added".into(),
            patch: Some("@@ -0,0 +1 @@\n+create table t (id int);".into()),
        })
        .collect()
}

fn check_run_of(fake: &FakeGitHub) -> serde_json::Value {
    let s = fake.state();
    assert_eq!(s.check_runs.len(), 1, "one check run");
    s.check_runs.values().next().unwrap().clone()
}

/// GitHub lists at most 3,000 files: a finding in a file past the listing still counts (fail
/// closed), the check run fails, and the summary says the listing was truncated.
#[test]
fn a_truncated_file_listing_fails_closed() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, many_files(3005));
    let findings = vec![
        finding(
            "db/migrations/3003.sql",
            1,
            "sql/require-rls",
            "table `t` has no row level security",
            "fpunlisted",
        ),
        // A listed file with a patch is still filtered by its diff.
        finding(
            "db/migrations/0001.sql",
            9,
            "sql/require-rls",
            "not on a changed line",
            "fpoutside",
        ),
    ];
    let opts = PublishOptions {
        check_run: true,
        ..PublishOptions::default()
    };
    let (out, _) = run(&fake, &ctx(), &findings, &opts);
    let kept: Vec<&str> = out
        .plan
        .kept
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    assert_eq!(kept, vec!["fpunlisted"]);
    assert_eq!(
        out.posted, 0,
        "no inline comment where GitHub cannot take one"
    );
    assert!(fake.writes().iter().all(|r| !r.path.ends_with("/reviews")));
    let summary = &fake.issue_bodies()[0];
    assert!(summary.contains("❌ tollgate: 1 finding"), "{summary}");
    assert!(
        summary.contains("listing truncated at 3000 of 3005 files; findings in them are counted"),
        "{summary}"
    );
    assert!(summary.contains("diff incomplete"), "{summary}");
    assert_eq!(check_run_of(&fake)["conclusion"], "failure");
    let listed = fake
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/pulls/42/files"))
        .count();
    assert_eq!(listed, 30, "the fake stops at 3000 files, as GitHub does");
    assert_clean_protocol(&fake);
}

/// GitHub omits `patch` for large or binary files: all their lines count as changed.
#[test]
fn a_file_without_a_patch_counts_as_changed_everywhere() {
    let mut files = files();
    files.push(FakeFile {
        filename: "db/migrations/0003_huge.sql".into(),
        status: "modified".into(),
        patch: None,
    });
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files);
    let findings = vec![finding(
        "db/migrations/0003_huge.sql",
        4000,
        "sql/require-rls",
        "table `huge` has no row level security",
        "fphuge",
    )];
    let opts = PublishOptions {
        check_run: true,
        ..PublishOptions::default()
    };
    let (out, _) = run(&fake, &ctx(), &findings, &opts);
    assert_eq!(out.plan.kept.len(), 1);
    assert_eq!(out.plan.filtered_out, 0);
    assert!(fake.writes().iter().all(|r| !r.path.ends_with("/reviews")));
    let summary = &fake.issue_bodies()[0];
    assert!(
        summary.contains("Diff incomplete: 2 files without a patch; findings in them are counted"),
        "the PNG and the SQL file: {summary}"
    );
    assert!(summary.contains("0003\\_huge.sql:4000") || summary.contains("0003_huge.sql:4000"));
    assert_eq!(check_run_of(&fake)["conclusion"], "failure");
    assert_clean_protocol(&fake);
}

/// A comment someone else wrote that starts with the summary marker is not ours: it is left
/// alone, tollgate posts its own summary, and the check run is still created.
#[test]
fn a_foreign_comment_with_the_summary_marker_is_not_edited() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    let foreign = fake.seed_issue_comment_by(
        "mallory",
        &format!("{}\nI copied tollgate's summary.", render::SUMMARY_MARKER),
    );
    let findings = base_findings();
    let opts = PublishOptions {
        check_run: true,
        ..PublishOptions::default()
    };
    let (out, _) = run(&fake, &ctx(), &findings, &opts);
    assert!(!out.degraded, "{:?}", out.notes);
    assert!(
        !fake
            .writes()
            .iter()
            .any(|r| r.path.ends_with(&format!("/issues/comments/{foreign}"))),
        "the foreign comment was edited"
    );
    let bodies = fake.issue_bodies();
    assert_eq!(bodies.len(), 2);
    assert!(bodies[1].contains("❌ tollgate: 3 findings"));
    assert_eq!(check_run_of(&fake)["conclusion"], "failure");
    assert!(
        !fake.requests().iter().any(|r| r.path == "/user"),
        "GET /user refuses the Actions token"
    );
    assert_clean_protocol(&fake);
}

/// A review comment someone else wrote carrying a finding's marker neither hides that finding's
/// inline comment nor gets marked resolved.
#[test]
fn a_foreign_review_comment_with_a_finding_marker_is_not_ours() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    let forged = fake.seed_review_comment_by(
        "mallory",
        "db/migrations/0002_orders.sql",
        1,
        "nothing to see\n<!-- tollgate:fp=fp0001 -->",
    );
    let gone = fake.seed_review_comment_by(
        "mallory",
        "db/migrations/0002_orders.sql",
        2,
        "old\n<!-- tollgate:fp=fpgone -->",
    );
    let findings = base_findings();
    let (out, _) = run(&fake, &ctx(), &findings, &PublishOptions::default());
    assert_eq!((out.posted, out.existing, out.resolved), (3, 0, 0));
    let ours: Vec<String> = fake
        .state()
        .review_comments
        .iter()
        .filter(|c| c["user"]["login"] == support::fake_github::BOT)
        .map(|c| c["body"].as_str().unwrap().to_string())
        .collect();
    assert!(ours.iter().any(|b| b.contains("tollgate:fp=fp0001")));
    for id in [forged, gone] {
        assert!(
            !fake
                .writes()
                .iter()
                .any(|r| r.path.ends_with(&format!("/pulls/comments/{id}")))
        );
    }
    assert!(fake.issue_bodies()[0].contains("3 new, 0 already on this pull request"));
    assert!(
        fake.requests().iter().any(|r| r.path == "/graphql"),
        "identity from GraphQL `viewer`"
    );
    assert_clean_protocol(&fake);
}

/// When GitHub refuses the GraphQL `viewer` query, the author of the first comment tollgate
/// creates is its identity; one refused edit does not stop the other writes.
#[test]
fn without_graphql_the_first_created_comment_names_the_author() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    fake.knobs(|k| k.graphql_refused = true);
    let findings = base_findings();
    let (first, _) = run(&fake, &ctx(), &findings, &PublishOptions::default());
    assert_eq!(first.posted, 3);
    // A forged summary before ours, a forged marker for a finding, and a new finding.
    let foreign =
        fake.seed_issue_comment_by("mallory", &format!("{}\nforged", render::SUMMARY_MARKER));
    fake.state().issue_comments.rotate_right(1);
    fake.seed_review_comment_by(
        "mallory",
        "db/migrations/0002_orders.sql",
        3,
        "forged\n<!-- tollgate:fp=fpforged -->",
    );
    let mut findings = base_findings();
    for (fp, line) in [("fpforged", 3), ("fpnew", 4)] {
        findings.push(finding(
            "db/migrations/0002_orders.sql",
            line,
            "sql/require-rls",
            &format!("finding {fp}"),
            fp,
        ));
    }
    fake.clear_requests();
    let opts = PublishOptions {
        check_run: true,
        ..PublishOptions::default()
    };
    let (out, logs) = run(&fake, &ctx(), &findings, &opts);
    assert!(!out.degraded, "{:?}", out.notes);
    // fpnew's review names the author; then ours are recognised and the forged one is not.
    assert_eq!((out.posted, out.existing), (2, 3), "{logs:?}");
    let bodies = fake.issue_bodies();
    assert_eq!(bodies.len(), 2, "no duplicate summary");
    assert!(bodies[0].contains("forged") && bodies[1].contains("5 findings"));
    assert!(
        !fake
            .writes()
            .iter()
            .any(|r| r.path.ends_with(&format!("/issues/comments/{foreign}")))
    );

    // Nothing new to post: the identity stays unknown. The forged summary refuses the edit (403),
    // ours takes it, and the check run is still created.
    fake.clear_requests();
    let (out, _) = run(&fake, &ctx(), &findings, &opts);
    assert!(!out.degraded, "{:?}", out.notes);
    assert_eq!(out.posted, 0, "no duplicates while the author is unknown");
    assert_eq!(fake.issue_bodies().len(), 2);
    let writes: Vec<String> = fake
        .writes()
        .iter()
        .map(|r| format!("{} {} {}", r.method, r.path, r.status))
        .collect();
    assert_eq!(
        writes[..2],
        [
            format!("PATCH /repos/acme/shop/issues/comments/{foreign} 403"),
            format!(
                "PATCH /repos/acme/shop/issues/comments/{} 200",
                out.summary_comment.unwrap()
            ),
        ],
        "{writes:?}"
    );
    assert!(
        writes[2].starts_with("POST /repos/acme/shop/check-runs 201"),
        "{writes:?}"
    );
    assert_eq!(fake.review_bodies().len(), 6);
    assert_clean_protocol(&fake);
}

/// A 404 (a comment deleted meanwhile) is not a permission problem.
#[test]
fn a_404_is_not_a_refusal() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    let err =
        tollgate::github::GitHubApi::update_issue_comment(&api(&fake), &ctx().pr, 987_654, "x")
            .unwrap_err();
    assert!(!err.is_forbidden(), "{err}");
}

/// The inline-comment cap is per pull request: re-runs with the same 120 findings add nothing.
#[test]
fn rerunning_never_adds_inline_comments_past_the_cap() {
    let fake = fake_with_new_tables(120);
    let findings: Vec<Finding> = (1..=120)
        .map(|i| {
            finding(
                "db/big.sql",
                i,
                "sql/require-rls",
                &format!("table t{i}"),
                &format!("fp{i:04}"),
            )
        })
        .collect();
    for run_no in 1..=3 {
        fake.clear_requests();
        let (out, _) = run(&fake, &ctx(), &findings, &PublishOptions::default());
        assert!(
            fake.review_bodies().len() <= 50,
            "run {run_no}: {} inline comments",
            fake.review_bodies().len()
        );
        assert_eq!(out.not_inline.len(), 70, "run {run_no}");
        let summary = fake.issue_bodies()[0].clone();
        assert_eq!(summary.matches("not commented inline |").count(), 70);
        assert!(summary.contains("at most 50 inline comments"), "{summary}");
        if run_no > 1 {
            assert_eq!(out.posted, 0, "run {run_no}");
            let writes: Vec<String> = fake.writes().into_iter().map(|r| r.method).collect();
            assert_eq!(writes, vec!["PATCH"], "run {run_no}: only the summary");
        }
    }
    assert_eq!(fake.review_bodies().len(), 50);
    assert_clean_protocol(&fake);
}

fn numbered_findings(n: usize) -> Vec<Finding> {
    (0..n)
        .map(|i| {
            finding(
                "db/migrations/0002_orders.sql",
                1 + i % 4,
                "sql/require-rls",
                &format!("finding {i}"),
                &format!("fp{i:04}"),
            )
        })
        .collect()
}

/// A check-run create that GitHub applied before answering 5xx is found again by its external
/// id (no duplicate) and completed with its remaining annotations: it never stays `in_progress`.
#[test]
fn a_check_run_created_despite_a_502_is_found_and_completed() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    fake.knobs(|k| k.fail_check_run_create_after_applying = Some((1, 502)));
    let findings = numbered_findings(120);
    let opts = PublishOptions {
        comment: CommentMode::Off,
        check_run: true,
        ..PublishOptions::default()
    };
    let (out, _) = run(&fake, &ctx(), &findings, &opts);
    let run = check_run_of(&fake);
    assert_eq!(out.check_run, run["id"].as_u64());
    assert_eq!(run["status"], "completed");
    assert_eq!(run["conclusion"], "failure");
    assert_eq!(run["output"]["annotations_count"], 120);
    let relisted: Vec<String> = fake
        .requests()
        .iter()
        .filter(|r| r.path.ends_with(&format!("/commits/{HEAD}/check-runs")))
        .map(|r| r.query.clone())
        .collect();
    assert_eq!(relisted.len(), 1);
    assert!(relisted[0].contains("check_name=tollgate"), "{relisted:?}");
    assert_clean_protocol(&fake);
}

/// A batch GitHub did not confirm is not re-sent (annotations append) but named in the summary,
/// and the run is still completed.
#[test]
fn a_lost_annotation_batch_is_named_and_the_run_still_completes() {
    let fake = FakeGitHub::start("acme", "shop", 42, HEAD, files());
    fake.knobs(|k| {
        k.fail_nth_write = Some((
            2,
            FailFirstPost {
                status: 500,
                applied: false,
            },
        ))
    });
    let findings = numbered_findings(120);
    let opts = PublishOptions {
        comment: CommentMode::Off,
        check_run: true,
        ..PublishOptions::default()
    };
    let (out, _) = run(&fake, &ctx(), &findings, &opts);
    let run = check_run_of(&fake);
    assert_eq!(run["status"], "completed");
    assert_eq!(run["output"]["annotations_count"], 70);
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("did not confirm annotations 51–100 of 120")),
        "{:?}",
        out.notes
    );
    assert_clean_protocol(&fake);
}
