//! `tollgate github` end to end: the binary, a simulated Actions environment (event payload,
//! `GITHUB_STEP_SUMMARY`, `GITHUB_OUTPUT`) and the loopback fake GitHub.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::fake_github::{FailFirstPost, FakeFile, FakeGitHub, TOKEN};

const HEAD: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const MERGE: &str = "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm";
const SECRET: &str = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
const MIGRATION: &str = "supabase/migrations/20250301000000_orders.sql";

struct Workspace {
    dir: tempfile::TempDir,
    /// Event payload, step summary and output files, outside the checked tree.
    aux: tempfile::TempDir,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    summary: String,
    outputs: String,
}

impl Workspace {
    fn new() -> Self {
        let ws = Self {
            dir: tempfile::tempdir().unwrap(),
            aux: tempfile::tempdir().unwrap(),
        };
        ws.write(
            "supabase/migrations/20250101000000_init.sql",
            "create table profiles (id int);\nalter table profiles enable row level security;\n",
        );
        ws
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, path: &str, text: &str) {
        let full = self.root().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }

    fn event(&self, head_repo: &str) -> PathBuf {
        let path = self.aux.path().join("event.json");
        let event = serde_json::json!({
            "action": "synchronize", "number": 7,
            "pull_request": {"number": 7,
                "head": {"sha": HEAD, "ref": "feature", "repo": {"full_name": head_repo}},
                "base": {"sha": "bbbb", "ref": "main", "repo": {"full_name": "acme/shop"}}},
            "repository": {"full_name": "acme/shop", "name": "shop", "owner": {"login": "acme"}}
        });
        std::fs::write(&path, event.to_string()).unwrap();
        path
    }

    fn run(&self, fake: &FakeGitHub, args: &[&str]) -> Run {
        self.run_with(fake, args, "acme/shop", Some(TOKEN))
    }

    fn run_with(
        &self,
        fake: &FakeGitHub,
        args: &[&str],
        head_repo: &str,
        token: Option<&str>,
    ) -> Run {
        let summary = self.aux.path().join("step-summary.md");
        let outputs = self.aux.path().join("output.txt");
        let _ = std::fs::remove_file(&summary);
        let _ = std::fs::remove_file(&outputs);
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tollgate"));
        cmd.env_clear()
            .current_dir(self.root())
            .arg("github")
            .args(args)
            .env("CI", "true")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_API_URL", &fake.url)
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_REPOSITORY", "acme/shop")
            .env("GITHUB_EVENT_NAME", "pull_request")
            .env("GITHUB_EVENT_PATH", self.event(head_repo))
            .env("GITHUB_SHA", MERGE)
            .env("GITHUB_REF", "refs/pull/7/merge")
            .env("GITHUB_RUN_ID", "99")
            .env("GITHUB_WORKSPACE", self.root())
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_OUTPUT", &outputs);
        if let Some(token) = token {
            cmd.env("GITHUB_TOKEN", token);
        }
        let out = cmd.output().unwrap();
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            summary: std::fs::read_to_string(&summary).unwrap_or_default(),
            outputs: std::fs::read_to_string(&outputs).unwrap_or_default(),
        };
        for text in [&run.stdout, &run.stderr, &run.summary, &run.outputs] {
            assert!(!text.contains(TOKEN), "the token was printed");
        }
        run
    }
}

/// A patch adding every line of `text` (the file is new in the pull request).
fn added(path: &str, text: &str) -> FakeFile {
    let lines: Vec<&str> = text.lines().collect();
    let mut patch = format!("@@ -0,0 +1,{} @@", lines.len());
    for line in &lines {
        patch.push_str("\n+");
        patch.push_str(line);
    }
    FakeFile {
        filename: path.into(),
        status: "added".into(),
        patch: Some(patch),
    }
}

fn orders_sql() -> String {
    format!(
        "create table orders (id int);\ncreate table api_keys (id int, token text default '{SECRET}');\n"
    )
}

fn setup() -> (Workspace, FakeGitHub) {
    let ws = Workspace::new();
    ws.write(MIGRATION, &orders_sql());
    let fake = FakeGitHub::start(
        "acme",
        "shop",
        7,
        HEAD,
        vec![added(MIGRATION, &orders_sql())],
    );
    (ws, fake)
}

fn output(run: &Run, name: &str) -> String {
    run.outputs
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}=")))
        .unwrap_or_default()
        .to_string()
}

fn assert_protocol(fake: &FakeGitHub) {
    let s = fake.state();
    assert!(s.schema_violations.is_empty(), "{:?}", s.schema_violations);
    for r in &s.requests {
        assert!(
            !r.body.contains(SECRET),
            "{} {} carried the planted secret",
            r.method,
            r.path
        );
    }
}

#[test]
fn first_run_comments_summarises_annotates_and_fails() {
    let (ws, fake) = setup();
    let run = ws.run(&fake, &["--check-run", "--sarif-file", "tollgate.sarif"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // Inline comments on the head commit, never the merge commit.
    let review = fake
        .writes()
        .into_iter()
        .find(|r| r.path.ends_with("/pulls/7/reviews"))
        .expect("a review");
    let body: Value = serde_json::from_str(&review.body).unwrap();
    insta::assert_json_snapshot!("first_run_review_request", body);
    assert_eq!(body["commit_id"], HEAD);
    let lines: Vec<u64> = body["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![1, 2, 2]);
    assert!(
        body["comments"][0]["body"]
            .as_str()
            .unwrap()
            .contains("docs/rules/sql/require-rls.md")
    );
    // Sticky summary, check run, annotations, step summary, outputs.
    assert_eq!(fake.issue_bodies().len(), 1);
    assert!(fake.issue_bodies()[0].contains("Governance checklist"));
    let check = fake
        .writes()
        .into_iter()
        .find(|r| r.path.ends_with("/check-runs"))
        .expect("a check run");
    let mut check: Value = serde_json::from_str(&check.body).unwrap();
    // Unique per run (it finds the check run again after a 5xx); not part of the snapshot.
    let external_id = check
        .as_object_mut()
        .and_then(|o| o.remove("external_id"))
        .unwrap_or_default();
    assert!(
        external_id
            .as_str()
            .is_some_and(|id| id.starts_with("tollgate-")),
        "{external_id}"
    );
    insta::assert_json_snapshot!("first_run_check_run_request", check);
    assert_eq!(
        (check["head_sha"].as_str(), check["conclusion"].as_str()),
        (Some(HEAD), Some("failure"))
    );
    assert_eq!(
        run.stdout
            .matches("::error file=supabase/migrations/20250301000000_orders.sql,line=")
            .count(),
        3,
        "{}",
        run.stdout
    );
    assert!(
        run.summary.contains("## ❌ tollgate: 3 findings")
            && !run.summary.contains("<!-- tollgate:summary -->")
    );
    assert_eq!(output(&run, "findings"), "3");
    assert_eq!(output(&run, "errors"), "3");
    assert_eq!(output(&run, "warnings"), "0");
    assert_eq!(output(&run, "sarif-file"), "tollgate.sarif");
    let sarif = std::fs::read_to_string(ws.root().join("tollgate.sarif")).unwrap();
    assert!(!sarif.contains(SECRET));
    assert_valid_sarif(&sarif);
    for text in [&run.stdout, &run.stderr, &run.summary] {
        assert!(!text.contains(SECRET));
    }
    assert_protocol(&fake);
}

#[test]
fn rerun_without_changes_posts_nothing_new() {
    let (ws, fake) = setup();
    ws.run(&fake, &[]);
    fake.clear_requests();
    let run = ws.run(&fake, &[]);
    assert_eq!(run.code, 1);
    let writes = fake.writes();
    assert_eq!(
        writes
            .iter()
            .map(|r| (r.method.as_str(), r.path.contains("/issues/comments/")))
            .collect::<Vec<_>>(),
        vec![("PATCH", true)]
    );
    assert_eq!(fake.review_bodies().len(), 3);
    assert_eq!(fake.issue_bodies().len(), 1);
    assert_protocol(&fake);
}

#[test]
fn a_new_commit_fixing_one_finding_and_adding_another() {
    let (ws, fake) = setup();
    ws.run(&fake, &[]);
    let next = format!(
        "create table orders (id int);\nalter table orders enable row level security;\ncreate table api_keys (id int, token text default '{SECRET}');\ncreate table refunds (id int);\n"
    );
    ws.write(MIGRATION, &next);
    let head2 = "cccccccccccccccccccccccccccccccccccccccc";
    fake.push_commit(head2, vec![added(MIGRATION, &next)]);
    let run = run_at_head(&ws, &fake, head2);
    assert_eq!(run.code, 1);
    let bodies = fake.review_bodies();
    assert_eq!(bodies.len(), 4, "one new comment");
    let resolved: Vec<&String> = bodies
        .iter()
        .filter(|b| b.contains("✅ **Resolved** in `cccccccccccc`"))
        .collect();
    assert_eq!(resolved.len(), 1, "{bodies:#?}");
    assert!(resolved[0].contains("public.orders"));
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("public.refunds") && !b.contains("Resolved"))
    );
    assert!(fake.issue_bodies()[0].contains("1 new, 2 already on this pull request, 1 resolved"));
    assert_protocol(&fake);
}

/// Runs with an event whose head SHA is `head` (the fake checks `commit_id` against its own head).
fn run_at_head(ws: &Workspace, fake: &FakeGitHub, head: &str) -> Run {
    let summary = ws.aux.path().join("step-summary.md");
    let outputs = ws.aux.path().join("output.txt");
    let event = ws.aux.path().join("event-head.json");
    let payload = serde_json::json!({"number": 7, "pull_request": {"number": 7,
        "head": {"sha": head, "repo": {"full_name": "acme/shop"}}, "base": {"sha": "bbbb", "repo": {"full_name": "acme/shop"}}}});
    std::fs::write(&event, payload.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .env_clear()
        .current_dir(ws.root())
        .arg("github")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_API_URL", &fake.url)
        .env("GITHUB_REPOSITORY", "acme/shop")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_SHA", MERGE)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_TOKEN", TOKEN)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
        outputs: std::fs::read_to_string(&outputs).unwrap_or_default(),
    }
}

#[test]
fn a_422_on_one_inline_comment_keeps_the_finding_in_the_summary() {
    let (ws, fake) = setup();
    fake.knobs(|k| {
        k.reject_lines.insert((MIGRATION.into(), 2));
    });
    let run = ws.run(&fake, &[]);
    assert_eq!(run.code, 1);
    assert_eq!(fake.review_bodies().len(), 1);
    let summary = &fake.issue_bodies()[0];
    assert!(
        summary.contains("public.api\\_keys") || summary.contains("public.api_keys"),
        "{summary}"
    );
    assert!(summary.contains("GitHub rejected the inline comment"));
    assert!(run.summary.contains("GitHub rejected the inline comment"));
    assert_protocol(&fake);
}

#[test]
fn a_403_token_degrades_to_annotations_and_step_summary() {
    let (ws, fake) = setup();
    fake.knobs(|k| k.read_only = true);
    let run = ws.run(&fake, &["--check-run"]);
    assert_eq!(run.code, 1, "the exit code still reflects the findings");
    assert_eq!(
        run.stderr.matches("GitHub refused to write").count(),
        1,
        "{}",
        run.stderr
    );
    assert_eq!(fake.writes().len(), 1);
    assert_eq!(run.stdout.matches("::error ").count(), 3);
    assert!(
        run.summary.contains("GitHub refused to write") && run.summary.contains("public.orders")
    );
    assert_eq!(output(&run, "findings"), "3");
    assert_protocol(&fake);
}

#[test]
fn a_fork_pull_request_never_writes() {
    let (ws, fake) = setup();
    let run = ws.run_with(&fake, &[], "mallory/shop", Some(TOKEN));
    assert_eq!(run.code, 1);
    assert!(fake.writes().is_empty());
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.contains("pull request from a fork (mallory/shop)"))
            .count(),
        1,
        "{}",
        run.stderr
    );
    assert!(run.summary.contains("public.orders"));
}

#[test]
fn no_token_still_reports_through_annotations() {
    let (ws, fake) = setup();
    let run = ws.run_with(&fake, &[], "acme/shop", None);
    assert_eq!(run.code, 1);
    assert!(fake.writes().is_empty());
    assert!(run.stderr.contains("no GITHUB_TOKEN"));
    assert_eq!(output(&run, "findings"), "3");
}

#[test]
fn a_502_on_the_first_post_does_not_duplicate_the_review() {
    let (ws, fake) = setup();
    fake.knobs(|k| {
        k.fail_first_post = Some(FailFirstPost {
            status: 502,
            applied: true,
        })
    });
    let run = ws.run(&fake, &[]);
    assert_eq!(run.code, 1);
    assert_eq!(fake.review_bodies().len(), 3, "no duplicate comments");
    assert_eq!(
        fake.writes()
            .iter()
            .filter(|r| r.path.ends_with("/reviews"))
            .count(),
        1
    );
    assert_protocol(&fake);
}

#[test]
fn a_secondary_rate_limit_is_honoured() {
    let (ws, fake) = setup();
    fake.knobs(|k| k.secondary_limit_retry_after = Some(1));
    let started = std::time::Instant::now();
    let run = ws.run(&fake, &[]);
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("waiting 1s before retrying"),
        "{}",
        run.stderr
    );
    assert_eq!(fake.review_bodies().len(), 3);
    assert_protocol(&fake);
}

#[test]
fn more_than_100_existing_comments_are_deduplicated() {
    let (ws, fake) = setup();
    ws.run(&fake, &[]);
    for i in 0..150 {
        fake.seed_review_comment(MIGRATION, 1, &format!("reviewer note {i}"));
        fake.seed_issue_comment(&format!("discussion {i}"));
    }
    // Move our comments and summary to the last pages.
    {
        let mut s = fake.state();
        s.review_comments.rotate_left(2);
        s.issue_comments.rotate_left(1);
    }
    fake.clear_requests();
    let run = ws.run(&fake, &[]);
    assert_eq!(run.code, 1);
    assert_eq!(fake.writes().len(), 1, "only the summary PATCH");
    assert!(fake.requests().iter().any(|r| r.query.contains("page=2")));
    assert_protocol(&fake);
}

#[test]
fn more_than_50_annotations_use_patch_batches() {
    let ws = Workspace::new();
    let sql: String = (0..60)
        .map(|i| format!("create table t{i} (id int);\n"))
        .collect();
    ws.write(MIGRATION, &sql);
    let fake = FakeGitHub::start("acme", "shop", 7, HEAD, vec![added(MIGRATION, &sql)]);
    let run = ws.run(&fake, &["--check-run", "--comment", "off"]);
    assert_eq!(run.code, 1);
    let writes: Vec<(String, String)> = fake
        .writes()
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect();
    assert_eq!(writes.len(), 2, "{writes:?}");
    assert_eq!(writes[1].0, "PATCH");
    let s = fake.state();
    let check = s.check_runs.values().next().unwrap();
    assert_eq!(check["output"]["annotations_count"], 60);
    assert_eq!(check["conclusion"], "failure");
    drop(s);
    assert_protocol(&fake);
}

#[test]
fn a_summary_over_65536_characters_is_truncated_safely() {
    let ws = Workspace::new();
    // Spread over files: one file may report at most `[limits] max-findings-per-file` (500).
    for part in 0..4 {
        let sql: String = (part * 375..(part + 1) * 375)
            .map(|i| {
                format!(
                    "create table a_rather_long_table_name_for_the_summary_limit_{i} (id int);\n"
                )
            })
            .collect();
        ws.write(
            &format!("supabase/migrations/2024010100000{part}_legacy.sql"),
            &sql,
        );
    }
    ws.write(MIGRATION, &orders_sql());
    let fake = FakeGitHub::start(
        "acme",
        "shop",
        7,
        HEAD,
        vec![added(MIGRATION, &orders_sql())],
    );
    let run = ws.run(&fake, &["--filter-mode", "nofilter"]);
    assert_eq!(run.code, 1);
    let body = &fake.issue_bodies()[0];
    assert!(body.chars().count() <= 65_536, "{}", body.len());
    assert!(body.contains("more findings not shown here"));
    assert_eq!(output(&run, "findings"), "1503");
    assert!(run.summary.len() <= 1_048_576);
    assert_protocol(&fake);
}

#[test]
fn filter_modes_change_what_counts() {
    let (ws, fake) = setup();
    // The existing init migration has no findings; add one outside the diff.
    ws.write(
        "supabase/migrations/20240101000000_old.sql",
        "create table legacy (id int);\n",
    );
    let run = ws.run(&fake, &["--comment", "off"]);
    assert_eq!(output(&run, "findings"), "3");
    let run = ws.run(&fake, &["--comment", "off", "--filter-mode", "file"]);
    assert_eq!(output(&run, "findings"), "3");
    let run = ws.run(&fake, &["--comment", "off", "--filter-mode", "nofilter"]);
    assert_eq!(output(&run, "findings"), "4");
    assert!(run.summary.contains("public.legacy") && run.summary.contains("outside the diff"));
    let run = ws.run(&fake, &["--filter-mode", "everything"]);
    assert_eq!(run.code, 2, "bad flag values are usage errors");
}

#[test]
fn a_clean_pull_request_exits_zero_and_updates_an_existing_summary() {
    let (ws, fake) = setup();
    ws.run(&fake, &[]);
    let fixed = "create table orders (id int);\nalter table orders enable row level security;\n";
    ws.write(MIGRATION, fixed);
    fake.push_commit(HEAD, vec![added(MIGRATION, fixed)]);
    let run = ws.run(&fake, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let summary = &fake.issue_bodies()[0];
    assert!(summary.contains("✅ tollgate: no findings"), "{summary}");
    assert_eq!(
        fake.review_bodies()
            .iter()
            .filter(|b| b.contains("Resolved"))
            .count(),
        3
    );
    assert_eq!(output(&run, "findings"), "0");
}

#[test]
fn outside_a_pull_request_it_still_reports() {
    let (ws, fake) = setup();
    let event = ws.aux.path().join("push.json");
    std::fs::write(&event, r#"{"ref":"refs/heads/main","after":"abc"}"#).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .env_clear()
        .current_dir(ws.root())
        .arg("github")
        .env("GITHUB_API_URL", &fake.url)
        .env("GITHUB_REPOSITORY", "acme/shop")
        .env("GITHUB_EVENT_NAME", "push")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a pull request"));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .matches("::error ")
            .count(),
        3
    );
    assert!(fake.requests().is_empty());
}

#[test]
fn a_planted_secret_never_appears_in_any_request_or_output() {
    let ws = Workspace::new();
    // Findings on the very lines that hold the secret (Dockerfile RUN, SQL default).
    let dockerfile = format!(
        "FROM node:20\nENV STRIPE_KEY={SECRET}\nRUN curl -fsSL \"https://get.example.com/i?token={SECRET}\" | sh\nUSER node\n"
    );
    ws.write("Dockerfile", &dockerfile);
    ws.write(MIGRATION, &orders_sql());
    let fake = FakeGitHub::start(
        "acme",
        "shop",
        7,
        HEAD,
        vec![
            added("Dockerfile", &dockerfile),
            added(MIGRATION, &orders_sql()),
        ],
    );
    let run = ws.run(
        &fake,
        &[
            "--check-run",
            "--filter-mode",
            "nofilter",
            "--sarif-file",
            "out.sarif",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let bodies = fake.review_bodies();
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("docker/no-secret-in-env-arg") && b.contains("****p7dc")),
        "the secret finding is commented, masked: {bodies:#?}"
    );
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("docker/no-curl-pipe-shell")),
        "the secret's line was commented on"
    );
    assert!(fake.requests().len() >= 5);
    assert_protocol(&fake);
    let sarif = std::fs::read_to_string(ws.root().join("out.sarif")).unwrap();
    for text in [&run.stdout, &run.stderr, &run.summary, &run.outputs, &sarif] {
        assert!(!text.contains(SECRET));
    }
}

#[test]
fn rules_still_see_the_whole_repository() {
    // The PR only adds the table; RLS is enabled by a later migration the PR does not touch.
    let ws = Workspace::new();
    let create = "create table invoices (id int);\n";
    ws.write(MIGRATION, create);
    ws.write(
        "supabase/migrations/20250401000000_rls.sql",
        "alter table invoices enable row level security;\n",
    );
    let fake = FakeGitHub::start("acme", "shop", 7, HEAD, vec![added(MIGRATION, create)]);
    let run = ws.run(&fake, &["--filter-mode", "nofilter"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(output(&run, "findings"), "0");
    assert!(
        fake.writes().is_empty(),
        "a clean first run adds no comment"
    );
}

/// The SARIF `tollgate github --sarif-file` writes is what code scanning ingests: schema-valid, with
/// rule help, `security-severity` and `partialFingerprints`.
fn assert_valid_sarif(text: &str) {
    let schema_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/github/sarif-schema-2.1.0.json"
    );
    let schema =
        std::fs::read_to_string(schema_path).unwrap_or_else(|e| panic!("{schema_path}: {e}"));
    // The official schema's `run.language` pattern has a stray `]` (tests/formats.rs does the same).
    let schema = schema.replace(
        r#"^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$"#,
        r#"^[a-zA-Z]{2}(-[a-zA-Z]{2})?$"#,
    );
    let validator = jsonschema::validator_for(&serde_json::from_str(&schema).unwrap()).unwrap();
    let sarif: Value = serde_json::from_str(text).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let run = &sarif["runs"][0];
    assert!(
        run["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["partialFingerprints"].is_object())
    );
    let rule = &run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "sql/require-rls")
        .unwrap()
        .clone();
    assert!(
        rule["help"]["text"].is_string() && rule["properties"]["security-severity"].is_string()
    );
}

/// PR mode reports exactly what `check` reports (a committed baseline included), then filters by
/// the diff: accepted findings stay quiet even in files the pull request touches.
#[test]
fn the_committed_baseline_is_honoured_as_check_honours_it() {
    let (ws, _) = setup();
    let tollgate = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_tollgate"))
            .current_dir(ws.root())
            .args(args)
            .output()
            .unwrap()
    };
    let written = tollgate(&["baseline"]);
    assert!(written.status.success(), "{written:?}");
    let audit = "supabase/migrations/20250401000000_audit.sql";
    ws.write(audit, "create table audit (id int);\n");
    let fake = FakeGitHub::start(
        "acme",
        "shop",
        7,
        HEAD,
        vec![
            added(MIGRATION, &orders_sql()),
            added(audit, "create table audit (id int);\n"),
        ],
    );

    let check = tollgate(&["check", "--format", "json"]);
    let check: Value = serde_json::from_slice(&check.stdout).unwrap();
    let checked: Vec<(String, String)> = check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().into(),
                f["path"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        checked,
        [("sql/require-rls".to_string(), audit.to_string())]
    );

    let run = ws.run(&fake, &["--filter-mode", "nofilter", "--check-run"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(output(&run, "findings"), "1");
    assert_eq!(
        run.stdout
            .lines()
            .filter(|l| l.starts_with("::error "))
            .map(|l| l.split(',').next().unwrap_or_default())
            .collect::<Vec<_>>(),
        [format!("::error file={audit}")],
        "{}",
        run.stdout
    );
    let summary = &fake.issue_bodies()[0];
    assert!(
        summary.contains("Baseline: `.tollgate-baseline.json`"),
        "{summary}"
    );
    assert_protocol(&fake);

    // --no-baseline reports every finding again.
    let fake = FakeGitHub::start("acme", "shop", 7, HEAD, vec![added(audit, "x\n")]);
    let run = ws.run(
        &fake,
        &[
            "--filter-mode",
            "nofilter",
            "--no-baseline",
            "--comment",
            "off",
        ],
    );
    assert_eq!(output(&run, "findings"), "4", "{}", run.stderr);
}

/// The runner shows only 10 annotations per level and step: stdout carries the most severe 10
/// and one line pointing at the step summary, which lists every finding.
#[test]
fn annotations_are_capped_per_level_with_a_pointer_to_the_step_summary() {
    let ws = Workspace::new();
    let sql: String = (0..60)
        .map(|i| format!("create table t{i} (id int);\n"))
        .collect();
    ws.write(MIGRATION, &sql);
    let fake = FakeGitHub::start("acme", "shop", 7, HEAD, vec![added(MIGRATION, &sql)]);
    let run = ws.run(&fake, &["--comment", "off"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 11, "{}", run.stdout);
    assert!(lines[..10].iter().all(|l| l.starts_with("::error file=")));
    assert!(lines[0].contains("public.t0 "), "{}", lines[0]);
    assert_eq!(
        lines[10],
        "::notice::tollgate: 50 more findings are listed in the step summary"
    );
    assert_eq!(output(&run, "findings"), "60");
    assert!(run.summary.contains("public.t59"), "{}", run.summary);
    assert_protocol(&fake);
}
