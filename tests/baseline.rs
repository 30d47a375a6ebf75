//! `tollgate baseline` and `check` with a baseline: only new findings are reported, matching survives
//! line shifts, whitespace and moves, stale entries are noted and pruned, and no source text is stored.

mod adopt_support;
mod common;

use adopt_support::{init, write};
use common::{code, findings, run_in, stderr, stdout};

const INIT: &str = "create table public.accounts (id uuid primary key);\n\
                    create table public.legacy_notes (id int, body text);\n";

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    write(dir.path(), "db/migrations/0001_init.sql", INIT);
    dir
}

fn baseline_text(dir: &std::path::Path) -> String {
    std::fs::read_to_string(dir.join(".tollgate-baseline.json")).unwrap()
}

#[test]
fn baseline_hides_known_findings_and_reports_new_ones() {
    let dir = repo();
    let root = dir.path();
    assert_eq!(code(&run_in(root, &["check"])), 1);

    let out = run_in(root, &["baseline"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("wrote .tollgate-baseline.json: 2 entries (2 added, 0 removed)"),
        "{}",
        stderr(&out)
    );
    let text = baseline_text(root);
    assert!(text.starts_with("{\n  \"version\": 1,"), "{text}");
    assert_eq!(text.matches("\"rule\":\"sql/require-rls\"").count(), 2);
    // Hashes only: no source text in the file.
    assert!(
        !text.contains("accounts") && !text.contains("legacy_notes"),
        "{text}"
    );

    let out = run_in(root, &["check"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(
        stdout(&out)
            .contains("baseline .tollgate-baseline.json: 2 entries, 2 known findings not shown\n"),
        "{}",
        stdout(&out)
    );

    // Lines shift, whitespace changes, and a new table arrives: only the new one is reported.
    write(
        root,
        "db/migrations/0001_init.sql",
        "-- accounts\n\ncreate table public.profiles (id int);\ncreate   table public.accounts (id uuid primary key);\n\
         create table public.legacy_notes (id int,\n  body text);\n",
    );
    let out = run_in(root, &["check", "--format", "json"]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        findings(&stdout(&out)),
        ["sql/require-rls db/migrations/0001_init.sql:3:14"]
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["baseline"]["entries"], 2);
    assert_eq!(json["baseline"]["matched"], 2);
    assert_eq!(json["baseline"]["stale"], serde_json::json!([]));
    assert_eq!(json["summary"]["errors"], 1);

    // --no-baseline reports everything.
    let out = run_in(root, &["check", "--no-baseline", "--format", "json"]);
    assert_eq!(findings(&stdout(&out)).len(), 3);
}

#[test]
fn baseline_survives_moving_the_file_and_running_from_a_subdirectory() {
    let dir = repo();
    let root = dir.path();
    assert_eq!(code(&run_in(root, &["baseline"])), 0);
    std::fs::create_dir_all(root.join("supabase/migrations")).unwrap();
    std::fs::rename(
        root.join("db/migrations/0001_init.sql"),
        root.join("supabase/migrations/20250101000000_init.sql"),
    )
    .unwrap();
    let out = run_in(root, &["check"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    // From a subdirectory the baseline is found up to the repository root; paths differ but match.
    let out = run_in(&root.join("supabase"), &["check", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["baseline"]["path"], "../.tollgate-baseline.json");
    assert_eq!(json["baseline"]["matched"], 2);
}

#[test]
fn stale_entries_are_noted_and_pruned() {
    let dir = repo();
    let root = dir.path();
    assert_eq!(code(&run_in(root, &["baseline"])), 0);
    let before = baseline_text(root);
    write(
        root,
        "db/migrations/0002_fix.sql",
        "alter table public.legacy_notes enable row level security;\n",
    );
    let out = run_in(root, &["check"]);
    assert_eq!(code(&out), 0);
    assert!(
        stdout(&out).contains(
            "1 stale entries no longer match (remove them with `tollgate baseline --prune`)"
        ),
        "{}",
        stdout(&out)
    );
    let out = run_in(root, &["check", "--format", "markdown"]);
    assert!(
        stdout(&out).contains(
            "Baseline: `.tollgate-baseline.json` with 2 accepted findings; 1 known finding not shown; 1 entry stale."
        ),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("## Stale baseline entries"));

    let out = run_in(root, &["baseline", "--prune"]);
    assert_eq!(code(&out), 0);
    assert!(
        stderr(&out).contains("1 entries (0 added, 1 removed)"),
        "{}",
        stderr(&out)
    );
    let after = baseline_text(root);
    // A one-entry diff: the remaining entry's line is identical (up to its trailing comma).
    let removed: Vec<&str> = before
        .lines()
        .map(|l| l.trim_end_matches(','))
        .filter(|l| !after.contains(*l))
        .collect();
    assert_eq!(removed.len(), 1, "{before}\n{after}");
    let out = run_in(root, &["check"]);
    assert!(!stdout(&out).contains("stale"), "{}", stdout(&out));

    // --prune never adds: a new finding stays reported.
    write(
        root,
        "db/migrations/0003_new.sql",
        "create table public.x (id int);\n",
    );
    assert_eq!(code(&run_in(root, &["baseline", "--prune"])), 0);
    assert_eq!(code(&run_in(root, &["check"])), 1);
}

#[test]
fn explicit_baseline_file_and_errors() {
    let dir = repo();
    let root = dir.path();
    let out = run_in(root, &["baseline", "--file", "ci/accepted.json"]);
    assert_eq!(
        code(&out),
        2,
        "the directory does not exist: {}",
        stderr(&out)
    );
    std::fs::create_dir_all(root.join("ci")).unwrap();
    assert_eq!(
        code(&run_in(root, &["baseline", "--file", "ci/accepted.json"])),
        0
    );
    assert!(!root.join(".tollgate-baseline.json").exists());
    assert_eq!(code(&run_in(root, &["check"])), 1);
    assert_eq!(
        code(&run_in(root, &["check", "--baseline", "ci/accepted.json"])),
        0
    );
    let out = run_in(root, &["check", "--baseline", "missing.json"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("cannot read baseline missing.json"),
        "{}",
        stderr(&out)
    );
    write(root, "bad.json", "{\"version\": 9, \"entries\": []}");
    let out = run_in(root, &["check", "--baseline", "bad.json"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("version 9 is not supported"),
        "{}",
        stderr(&out)
    );
    let out = run_in(root, &["baseline", "--prune", "--file", "none.json"]);
    assert_eq!(code(&out), 2);
}

#[test]
fn secrets_in_findings_are_stored_as_hashes_only() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    init(root);
    let token = "ghp_R4nd0mT0k3nV4lu3F0rT3st1ngXyZ12345";
    write(
        root,
        "Dockerfile",
        &format!(
            "FROM node:20@sha256:{}\nADD https://ci:{token}@files.example.com/tool.tgz /opt/\nUSER node\nHEALTHCHECK CMD true\n",
            "a".repeat(64)
        ),
    );
    let out = run_in(root, &["check", "--format", "json", "--fail-on", "never"]);
    assert!(
        findings(&stdout(&out))
            .iter()
            .any(|f| f.starts_with("docker/no-add-remote Dockerfile:2:")),
        "{}",
        stdout(&out)
    );
    assert_eq!(code(&run_in(root, &["baseline"])), 0);
    let text = baseline_text(root);
    assert!(text.contains("docker/no-add-remote"), "{text}");
    assert!(
        !text.contains(token) && !text.contains("ghp_") && !text.contains("files.example.com"),
        "{text}"
    );
    let out = run_in(root, &["check", "--format", "json"]);
    assert_eq!(findings(&stdout(&out)), Vec::<String>::new());

    // A secret-detecting rule: the baseline holds its hashes, never the value.
    let password = "Zq8-vR2pLw7nXk4T";
    write(
        root,
        "worker/Dockerfile",
        &format!("FROM node:20.11-bookworm-slim\nENV DATABASE_PASSWORD={password}\nUSER node\n"),
    );
    let out = run_in(root, &["check", "--format", "json", "--fail-on", "never"]);
    assert!(
        findings(&stdout(&out))
            .iter()
            .any(|f| f.starts_with("docker/no-secret-in-env-arg worker/Dockerfile:2:")),
        "{}",
        stdout(&out)
    );
    assert_eq!(code(&run_in(root, &["baseline"])), 0);
    let text = baseline_text(root);
    assert!(text.contains("docker/no-secret-in-env-arg"), "{text}");
    assert!(
        !text.contains(password) && !text.contains("DATABASE_PASSWORD"),
        "{text}"
    );
    assert!(
        !text.contains(&password[password.len() - 4..]),
        "not even masked: {text}"
    );
}

#[test]
fn a_copy_of_a_baselined_file_is_reported_and_identical_findings_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    init(root);
    let sudo = "FROM node:20.11-bookworm-slim\nRUN sudo apt-get update\nUSER node\n";
    write(root, "api/Dockerfile", sudo);
    assert_eq!(code(&run_in(root, &["baseline"])), 0);
    // The original stays: its entries are used by it, so the copy's findings are new.
    write(root, "worker/Dockerfile", sudo);
    let out = run_in(root, &["check", "--format", "json", "--fail-on", "never"]);
    let found = findings(&stdout(&out));
    assert!(
        found.contains(&"docker/no-sudo worker/Dockerfile:2:5".to_string()),
        "{found:?}"
    );
    assert!(
        found.iter().all(|f| !f.contains("api/Dockerfile")),
        "{found:?}"
    );
    // A second identical line in the baselined file: one of the two is new.
    write(
        root,
        "api/Dockerfile",
        "FROM node:20.11-bookworm-slim\nRUN sudo apt-get update\nRUN sudo apt-get update\nUSER node\n",
    );
    let out = run_in(
        root,
        &["check", "api", "--format", "json", "--fail-on", "never"],
    );
    let found = findings(&stdout(&out));
    let sudo_findings: Vec<&String> = found
        .iter()
        .filter(|f| f.starts_with("docker/no-sudo"))
        .collect();
    assert_eq!(sudo_findings.len(), 1, "{found:?}");
}
