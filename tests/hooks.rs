//! The shipped hooks: `hooks/pre-push` refuses a push that adds findings and lets a clean one through
//! (a real repository pushing to a bare remote), and `.pre-commit-hooks.yaml` runs a valid command.

mod adopt_support;
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use adopt_support::{commit_all, git_ok, init, write};

/// PATH with the directory of the binary under test first, as an installed `tollgate` would be.
fn path_with_tollgate() -> String {
    let bin = PathBuf::from(common::bin());
    let dir = bin.parent().expect("bin dir").to_path_buf();
    let old = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![dir];
    paths.extend(std::env::split_paths(&old));
    std::env::join_paths(paths)
        .expect("PATH")
        .to_string_lossy()
        .into_owned()
}

fn push(dir: &Path, args: &[&str]) -> Output {
    push_with_path(dir, args, &path_with_tollgate())
}

fn push_with_path(dir: &Path, args: &[&str], path: &str) -> Output {
    Command::new("git")
        .arg("push")
        .args(args)
        .current_dir(dir)
        .env("PATH", path)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("NO_COLOR", "1")
        .env("TOLLGATE_TODAY", "2026-11-25")
        .output()
        .expect("git push")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A work repository with the hook installed through `core.hooksPath`, and its bare remote.
fn setup() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let remote = tmp.path().join("remote.git");
    let work = tmp.path().join("work");
    std::fs::create_dir_all(&remote).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    git_ok(&remote, &["init", "-q", "--bare", "-b", "main"]);
    init(&work);
    let hook = std::fs::read_to_string(common::root().join("hooks/pre-push")).unwrap();
    write(&work, "hooks/pre-push", &hook);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            work.join("hooks/pre-push"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
    }
    git_ok(&work, &["config", "core.hooksPath", "hooks"]);
    git_ok(
        &work,
        &["remote", "add", "origin", remote.to_str().unwrap()],
    );
    write(
        &work,
        "supabase/migrations/20250101000000_init.sql",
        "create table public.accounts (id uuid primary key);\nalter table public.accounts enable row level security;\n",
    );
    commit_all(&work, "init");
    (tmp, work)
}

#[test]
fn pre_push_hook_refuses_a_bad_push_and_passes_a_clean_one() {
    let (_tmp, work) = setup();
    // New branch on the remote: the whole tree is checked, and it is clean.
    let out = push(&work, &["-u", "origin", "main"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("0 errors"),
        "the hook ran: {}",
        text(&out)
    );

    // A migration adding a table without RLS is refused and names the finding.
    write(
        &work,
        "supabase/migrations/20250201000000_notes.sql",
        "create table public.notes (id int);\n",
    );
    commit_all(&work, "notes");
    let out = push(&work, &["origin", "main"]);
    assert!(
        !out.status.success(),
        "bad push went through: {}",
        text(&out)
    );
    let shown = text(&out);
    assert!(shown.contains("sql/require-rls"), "{shown}");
    assert!(shown.contains("20250201000000_notes.sql:1:14"), "{shown}");
    assert!(
        shown.contains("tollgate pre-push: refusing to push refs/heads/main"),
        "{shown}"
    );
    let remote_head = git_ok(&work, &["ls-remote", "origin", "refs/heads/main"]);
    let local_parent = git_ok(&work, &["rev-parse", "HEAD~1"]);
    assert!(
        remote_head.starts_with(local_parent.trim()),
        "the remote did not move"
    );

    // Fixing it makes the push pass; only the changed files are judged.
    write(
        &work,
        "supabase/migrations/20250202000000_notes_rls.sql",
        "alter table public.notes enable row level security;\n",
    );
    commit_all(&work, "notes rls");
    let out = push(&work, &["origin", "main"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("scope: files changed since"),
        "{}",
        text(&out)
    );
}

#[test]
fn pre_push_hook_checks_the_pushed_commit_not_the_working_tree() {
    let (_tmp, work) = setup();
    assert!(push(&work, &["-u", "origin", "main"]).status.success());
    // A bad commit on another branch, pushed while main (clean) is checked out.
    git_ok(&work, &["checkout", "-q", "-b", "bad"]);
    write(
        &work,
        "supabase/migrations/20250301000000_x.sql",
        "create table public.x (id int);\n",
    );
    commit_all(&work, "x");
    git_ok(&work, &["checkout", "-q", "main"]);
    let out = push(&work, &["origin", "bad"]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("20250301000000_x.sql:1:14"),
        "{}",
        text(&out)
    );
}

#[test]
fn pre_commit_hook_definition_runs_a_valid_command() {
    let yaml = std::fs::read_to_string(common::root().join(".pre-commit-hooks.yaml")).unwrap();
    let hook: Vec<&str> = yaml.lines().filter(|l| !l.starts_with('#')).collect();
    let field = |name: &str| {
        hook.iter()
            .find_map(|l| {
                l.trim_start_matches(['-', ' '])
                    .strip_prefix(&format!("{name}: "))
            })
            .unwrap_or_else(|| panic!("no `{name}` in .pre-commit-hooks.yaml"))
            .trim()
            .to_string()
    };
    assert_eq!(field("id"), "tollgate");
    assert_eq!(field("language"), "rust");
    assert_eq!(field("pass_filenames"), "false");
    let entry = field("entry");
    let argv: Vec<&str> = entry.split_whitespace().collect();
    assert_eq!(argv[0], "tollgate");
    // The entry is a command the CLI accepts; run it in a repository with a staged bad migration.
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    write(
        dir.path(),
        "migrations/1.sql",
        "create table public.t (id int);\n",
    );
    let clean = common::run_in(dir.path(), &argv[1..]);
    assert_eq!(
        common::code(&clean),
        0,
        "nothing staged yet: {}",
        common::stdout(&clean)
    );
    git_ok(dir.path(), &["add", "migrations/1.sql"]);
    let bad = common::run_in(dir.path(), &argv[1..]);
    assert_eq!(common::code(&bad), 1, "{}", common::stdout(&bad));
    assert!(common::stdout(&bad).contains("sql/require-rls"));
}

#[test]
fn pre_push_hook_without_tollgate_refuses_and_says_why() {
    let (_tmp, work) = setup();
    // PATH with git and sh but without the tollgate binary.
    let git = Command::new("sh")
        .args(["-c", "command -v git"])
        .output()
        .unwrap();
    let git_dir = PathBuf::from(String::from_utf8_lossy(&git.stdout).trim());
    let path = format!("{}:/bin:/usr/bin", git_dir.parent().unwrap().display());
    if Command::new("sh")
        .args(["-c", "command -v tollgate"])
        .env("PATH", &path)
        .output()
        .unwrap()
        .status
        .success()
    {
        // An installed tollgate in a system directory would be found; the refusal path is not reachable.
        return;
    }
    let out = push_with_path(&work, &["-u", "origin", "main"], &path);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("`tollgate` not found"),
        "{}",
        text(&out)
    );
}
