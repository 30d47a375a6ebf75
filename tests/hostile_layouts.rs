//! Hostile repository layouts, end to end on the binary: every run must finish quickly, report the
//! files it can check with exact locations, and never hang, crash or read a special file.

mod common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::*;

const NO_RLS: &[u8] = b"create table public.t (id int);\n";

fn check(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(bin());
    cmd.arg("check").args(args).current_dir(dir);
    run_with_deadline(cmd, Duration::from_secs(60))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false)
}

#[test]
fn symlink_loops_are_not_followed() {
    let dir = repo(&[("db/migrations/0001.sql", NO_RLS)]);
    let root = dir.path();
    symlink("..", root.join("db/migrations/up")).unwrap();
    symlink(".", root.join("db/self")).unwrap();
    symlink("loop-b", root.join("loop-a")).unwrap();
    symlink("loop-a", root.join("loop-b")).unwrap();
    // A symlink named like a checked file, pointing into the loop.
    symlink("loop-a", root.join("db/migrations/0002.sql")).unwrap();
    let out = check(root, &[".", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        findings(&stdout(&out)),
        vec!["sql/require-rls db/migrations/0001.sql:1:14"]
    );
    // Naming the looping link explicitly is a clear error, not a hang.
    let out = check(root, &["loop-a", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        findings(&stdout(&out)),
        vec!["tollgate/read-error loop-a:1:1"]
    );
    assert!(stdout(&out).contains("Too many levels of symbolic links"));
}

#[test]
fn unreadable_directory_is_reported_and_the_rest_checked() {
    let dir = repo(&[
        ("db/migrations/0001.sql", NO_RLS),
        ("locked/migrations/0001.sql", NO_RLS),
    ]);
    let root = dir.path();
    std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(root.join("locked"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let out = if is_root() {
        // Root reads anything: drop to `nobody`, as the unreadable-file test does.
        let mut cmd = Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin()])
            .args(["check", ".", "--format", "json"])
            .current_dir(root);
        run_with_deadline(cmd, Duration::from_secs(60))
    } else {
        check(root, &[".", "--format", "json"])
    };
    std::fs::set_permissions(root.join("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(
        findings(&text),
        vec![
            "sql/require-rls db/migrations/0001.sql:1:14",
            "tollgate/read-error locked:1:1",
        ]
    );
    assert!(text.contains("Permission denied"), "{text}");
}

#[test]
fn fifos_and_device_files_are_never_read() {
    let dir = repo(&[("db/migrations/0001.sql", NO_RLS)]);
    let root = dir.path();
    let mkfifo = |p: &str| {
        let status = Command::new("mkfifo")
            .arg(root.join(p))
            .status()
            .expect("mkfifo");
        assert!(status.success());
    };
    // Named exactly like files tollgate checks: opening one for reading would block forever.
    mkfifo("db/migrations/0002.sql");
    mkfifo("Dockerfile");
    symlink("/dev/zero", root.join("db/migrations/0003.sql")).unwrap();
    symlink("/dev/urandom", root.join("Containerfile")).unwrap();
    if is_root() {
        // A character device (same numbers as /dev/zero) named like a Dockerfile.
        let status = Command::new("mknod")
            .args([
                root.join("app.Dockerfile").as_os_str(),
                OsStr::new("c"),
                OsStr::new("1"),
                OsStr::new("5"),
            ])
            .status()
            .expect("mknod");
        assert!(status.success());
    }
    let out = check(root, &[".", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        findings(&stdout(&out)),
        vec!["sql/require-rls db/migrations/0001.sql:1:14"]
    );
    // Named explicitly on the command line: still not read. A symlink named explicitly that leaves
    // the repository is a read error (tests/hostile_input.rs); special files themselves are skipped.
    let out = check(root, &["db/migrations/0003.sql", "--format", "json"]);
    assert_eq!(code(&out), 1, "{} {}", stdout(&out), stderr(&out));
    assert_eq!(
        findings(&stdout(&out)),
        vec!["tollgate/read-error db/migrations/0003.sql:1:1"]
    );
    for special in ["db/migrations/0002.sql", "/dev/zero"] {
        let out = check(root, &[special, "--format", "json"]);
        assert!(
            code(&out) == 0,
            "{special}: {} {}",
            stdout(&out),
            stderr(&out)
        );
        assert_eq!(findings(&stdout(&out)), Vec::<String>::new(), "{special}");
    }
}

#[test]
fn paths_with_newlines_and_invalid_utf8_are_reported_exactly() {
    let dir = repo(&[]);
    let root = dir.path();
    let migrations = root.join("db/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    std::fs::write(migrations.join("0001_new\nline.sql"), NO_RLS).unwrap();
    std::fs::write(
        migrations.join(OsStr::from_bytes(b"0002_bad_\xff\xfe.sql")),
        // A distinct table: require-rls reports each table of a migration set once.
        b"create table public.u (id int);\n",
    )
    .unwrap();
    let odd_dir = root.join(OsStr::from_bytes(b"svc_\xc3\x28/migrations"));
    std::fs::create_dir_all(&odd_dir).unwrap();
    std::fs::write(odd_dir.join("0001.sql"), NO_RLS).unwrap();

    let out = check(root, &[".", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let mut got = findings(&stdout(&out));
    got.sort();
    assert_eq!(
        got,
        vec![
            "sql/require-rls db/migrations/0001_new\nline.sql:1:14",
            "sql/require-rls db/migrations/0002_bad_\u{fffd}\u{fffd}.sql:1:14",
            "sql/require-rls svc_\u{fffd}(/migrations/0001.sql:1:14",
        ]
    );
    // GitHub workflow commands escape the newline, so the annotation stays on one line.
    let out = check(root, &[".", "--format", "github"]);
    let text = stdout(&out);
    assert!(
        text.contains("file=db/migrations/0001_new%0Aline.sql"),
        "{text}"
    );
    assert!(!text.contains("0001_new\nline"), "{text}");
    // Every other format renders without failing.
    for format in ["human", "sarif", "markdown", "junit"] {
        let out = check(root, &[".", "--format", format]);
        assert_eq!(code(&out), 1, "{format}: {}", stderr(&out));
    }
}

#[test]
fn hundred_thousand_files_in_one_directory() {
    let dir = repo(&[]);
    let migrations = dir.path().join("db/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    for i in 0..100_000 {
        std::fs::File::create(migrations.join(format!("{i:06}.sql"))).unwrap();
    }
    std::fs::write(migrations.join("100000_last.sql"), NO_RLS).unwrap();
    let started = Instant::now();
    let out = check(dir.path(), &[".", "--format", "json", "--quiet"]);
    let elapsed = started.elapsed();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let found = findings(&stdout(&out));
    assert_eq!(
        found,
        vec!["sql/require-rls db/migrations/100000_last.sql:1:14"]
    );
    assert_eq!(value["summary"]["files"], 100_001);
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");
}
