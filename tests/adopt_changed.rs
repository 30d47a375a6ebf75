//! Changed-files mode: `--changed-since <ref>` and `--staged` report only findings in changed files,
//! while every migration is still replayed for context.

mod adopt_support;
mod common;

use adopt_support::{commit_all, git_ok, init, write};
use common::{code, findings, run_in, stderr, stdout};

/// A repository on `main` whose history has a legacy table without RLS (a finding in an unchanged
/// file) and a table created in one file and given RLS in another.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    init(root);
    write(
        root,
        "supabase/migrations/20250101000000_init.sql",
        "create table public.accounts (id uuid primary key);\ncreate table public.legacy (id int);\n",
    );
    write(
        root,
        "supabase/migrations/20250201000000_rls.sql",
        "alter table public.accounts enable row level security;\n",
    );
    commit_all(root, "init");
    dir
}

fn json_findings(out: &std::process::Output) -> Vec<String> {
    findings(&stdout(out))
}

#[test]
fn new_migration_is_judged_against_the_whole_migration_set() {
    let dir = repo();
    let root = dir.path();
    git_ok(root, &["checkout", "-q", "-b", "feature"]);
    // Uses a table whose RLS is enabled in an unchanged file, and adds one without RLS.
    write(
        root,
        "supabase/migrations/20250301000000_notes.sql",
        "alter table public.accounts add column email text;\n\ncreate table public.notes (id int);\n",
    );
    let full = run_in(root, &["check", "--format", "json"]);
    assert_eq!(
        json_findings(&full),
        [
            "sql/require-rls supabase/migrations/20250101000000_init.sql:2:14",
            "sql/require-rls supabase/migrations/20250301000000_notes.sql:3:14"
        ]
    );
    // Untracked and uncommitted files count as changed.
    let out = run_in(
        root,
        &["check", "--changed-since", "main", "--format", "json"],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        json_findings(&out),
        ["sql/require-rls supabase/migrations/20250301000000_notes.sql:3:14"]
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["scope"]["changed_files"], 1);
    assert_eq!(json["scope"]["changed_scanned"], 1);
    assert_eq!(json["scope"]["hidden_findings"], 1);
    assert_eq!(json["scope"]["description"], "files changed since main");
    assert_eq!(json["summary"]["files"], 3, "every file is still checked");

    // Committed on the branch: still changed relative to the merge base with main.
    commit_all(root, "notes");
    let out = run_in(
        root,
        &["check", "--changed-since", "main", "--format", "json"],
    );
    assert_eq!(
        json_findings(&out),
        ["sql/require-rls supabase/migrations/20250301000000_notes.sql:3:14"]
    );
    // Human summary names the scope.
    let out = run_in(root, &["check", "--changed-since", "main", "--quiet"]);
    assert!(
        stdout(&out).contains("scope: files changed since main — 1 of 3 checked files changed; 1 findings in unchanged files not shown"),
        "{}",
        stdout(&out)
    );

    // Fixing the new table in a further migration makes the change clean.
    write(
        root,
        "supabase/migrations/20250302000000_notes_rls.sql",
        "alter table public.notes enable row level security;\n",
    );
    let out = run_in(root, &["check", "--changed-since", "main"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
}

#[test]
fn merge_base_excludes_changes_made_on_the_other_branch() {
    let dir = repo();
    let root = dir.path();
    git_ok(root, &["checkout", "-q", "-b", "feature"]);
    write(
        root,
        "supabase/migrations/20250301000000_a.sql",
        "create table public.a (id int);\n",
    );
    commit_all(root, "a");
    git_ok(root, &["checkout", "-q", "main"]);
    write(
        root,
        "supabase/migrations/20250401000000_b.sql",
        "create table public.b (id int);\n",
    );
    commit_all(root, "b");
    git_ok(root, &["checkout", "-q", "feature"]);
    let out = run_in(
        root,
        &["check", "--changed-since", "main", "--format", "json"],
    );
    assert_eq!(
        json_findings(&out),
        ["sql/require-rls supabase/migrations/20250301000000_a.sql:1:14"]
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let description = json["scope"]["description"].as_str().unwrap();
    assert!(
        description.starts_with("files changed since main (merge base "),
        "{description}"
    );
}

#[test]
fn staged_mode_reports_only_the_index() {
    let dir = repo();
    let root = dir.path();
    write(
        root,
        "supabase/migrations/20250301000000_a.sql",
        "create table public.a (id int);\n",
    );
    write(
        root,
        "supabase/migrations/20250302000000_b.sql",
        "create table public.b (id int);\n",
    );
    let out = run_in(root, &["check", "--staged", "--format", "json"]);
    assert_eq!(code(&out), 0, "nothing staged: {}", stdout(&out));
    assert_eq!(json_findings(&out), Vec::<String>::new());
    git_ok(root, &["add", "supabase/migrations/20250302000000_b.sql"]);
    let out = run_in(root, &["check", "--staged", "--format", "json"]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        json_findings(&out),
        ["sql/require-rls supabase/migrations/20250302000000_b.sql:1:14"]
    );
}

#[test]
fn paths_map_from_subdirectories_and_explicit_paths() {
    let dir = repo();
    let root = dir.path();
    write(
        root,
        "supabase/migrations/20250301000000_a.sql",
        "create table public.a (id int);\n",
    );
    let sub = root.join("supabase");
    let out = run_in(
        &sub,
        &["check", "--changed-since", "HEAD", "--format", "json"],
    );
    assert_eq!(
        json_findings(&out),
        ["sql/require-rls migrations/20250301000000_a.sql:1:14"]
    );
    let out = run_in(
        root,
        &[
            "check",
            "supabase",
            "--changed-since",
            "HEAD",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        json_findings(&out),
        ["sql/require-rls supabase/migrations/20250301000000_a.sql:1:14"]
    );
    let abs = root.join("supabase");
    let out = run_in(
        std::path::Path::new("/"),
        &[
            "check",
            abs.to_str().unwrap(),
            "--changed-since",
            "HEAD",
            "--format",
            "json",
        ],
    );
    assert_eq!(json_findings(&out).len(), 1, "{}", stdout(&out));
    assert!(json_findings(&out)[0].ends_with("supabase/migrations/20250301000000_a.sql:1:14"));
}

#[test]
fn outside_a_repository_and_bad_refs_are_tool_errors() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "migrations/1.sql",
        "create table public.a (id int);\n",
    );
    for args in [
        &["check", "--staged"][..],
        &["check", "--changed-since", "main"],
    ] {
        let out = run_in(dir.path(), args);
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(
            stderr(&out).contains("needs a git repository, but"),
            "{}",
            stderr(&out)
        );
        assert!(stdout(&out).is_empty());
    }
    let repo = repo();
    let out = run_in(repo.path(), &["check", "--changed-since", "no-such-branch"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("unknown git ref `no-such-branch`"),
        "{}",
        stderr(&out)
    );
    let out = run_in(
        repo.path(),
        &["check", "--staged", "--changed-since", "main"],
    );
    assert_eq!(code(&out), 2, "the two modes conflict");
}

#[test]
fn a_change_that_causes_a_finding_in_an_unchanged_file_is_reported() {
    let dir = repo();
    let root = dir.path();
    git_ok(root, &["checkout", "-q", "-b", "feature"]);
    // Disabling RLS on an old table: the finding sits at the CREATE TABLE in an unchanged file.
    write(
        root,
        "supabase/migrations/20250301000000_oops.sql",
        "alter table public.accounts disable row level security;\n",
    );
    let out = run_in(
        root,
        &["check", "--changed-since", "main", "--format", "json"],
    );
    assert_eq!(code(&out), 1);
    assert_eq!(
        json_findings(&out),
        ["sql/require-rls supabase/migrations/20250101000000_init.sql:1:14"],
        "the old legacy table stays hidden; the regression is shown"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["scope"]["new_in_unchanged_files"], 1);
    assert_eq!(json["scope"]["hidden_findings"], 1);
    // Scanning a subdirectory: only it is exported from the base.
    let out = run_in(
        root,
        &[
            "check",
            "supabase",
            "--changed-since",
            "main",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        json_findings(&out),
        ["sql/require-rls supabase/migrations/20250101000000_init.sql:1:14"]
    );
    // The same for staged changes, measured from HEAD.
    git_ok(root, &["add", "-A"]);
    let out = run_in(root, &["check", "--staged", "--quiet"]);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("1 shown in unchanged files because this change caused them"),
        "{}",
        stdout(&out)
    );
    // The base tree is exported under TMPDIR and removed afterwards.
    let tmp = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(common::bin())
        .args(["check", "--staged", "--quiet"])
        .current_dir(root)
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().flatten().collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
