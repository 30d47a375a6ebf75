//! Hostile input, end to end on the binary (issue 15, "Trust boundaries and hostile input"): a
//! repository's content must never make tollgate print files from outside it, follow a symlink out
//! of it, hang on a special file, panic, or flood its output.

mod common;

use std::io::Read;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

const NO_RLS: &[u8] = b"create table public.t (id int);\n";
const TOKEN: &str = "ghp_HostileInputMarker0123456789abcdefAB";

/// Runs the binary with a deadline (a hang fails the test instead of blocking the suite), with a
/// marker secret in the environment that must never be printed.
fn run_bounded(dir: &Path, args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env("TOLLGATE_TODAY", "2026-11-25")
        .env("GITHUB_TOKEN", TOKEN)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_EVENT_PATH")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tollgate");
    // Drain both pipes while waiting: a full pipe would block the child and look like a hang.
    let mut out_pipe = child.stdout.take().expect("stdout");
    let mut err_pipe = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out_pipe.read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err_pipe.read_to_end(&mut buf);
        buf
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("tollgate {args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out_reader.join().expect("stdout reader"),
        stderr: err_reader.join().expect("stderr reader"),
    }
}

fn tollgate(dir: &Path, args: &[&str]) -> Output {
    run_bounded(dir, args, Duration::from_secs(20))
}

fn all_output(out: &Output) -> String {
    format!("{}{}", stdout(out), stderr(out))
}

/// A file outside every test repository holding a marker secret.
fn outside_secret() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("secret.toml");
    std::fs::write(
        &path,
        format!("token = \"{TOKEN}\"\nnot toml at all {TOKEN}\n"),
    )
    .unwrap();
    (dir, path)
}

fn assert_no_marker(out: &Output) {
    let text = all_output(out);
    assert!(!text.contains(TOKEN), "the marker secret leaked:\n{text}");
    assert!(
        !text.contains("HostileInputMarker"),
        "part of the marker secret leaked:\n{text}"
    );
}

#[test]
fn policy_symlinked_outside_the_repository_is_refused_without_quoting_it() {
    let (_outside, secret) = outside_secret();
    for target in [Path::new("/proc/self/environ"), secret.as_path()] {
        let dir = repo(&[("db/migrations/0001.sql", NO_RLS)]);
        symlink(target, dir.path().join("tollgate.toml")).unwrap();
        for args in [
            &["check", "."][..],
            &["check", ".", "--format", "json"][..],
            &["github", "--comment", "off"][..],
        ] {
            let out = tollgate(dir.path(), args);
            assert_no_marker(&out);
            assert_eq!(code(&out), 2, "{target:?} {args:?}: {}", all_output(&out));
            assert!(
                stderr(&out).contains("outside the repository"),
                "{target:?} {args:?}: {}",
                stderr(&out)
            );
        }
    }
    // Named with --policy, a pseudo-file is still not read (its size changes while reading).
    let dir = repo(&[("db/migrations/0001.sql", NO_RLS)]);
    let out = tollgate(
        dir.path(),
        &["check", ".", "--policy", "/proc/self/environ"],
    );
    assert_no_marker(&out);
    assert_eq!(code(&out), 2, "{}", all_output(&out));
}

#[test]
fn policy_that_is_a_fifo_fails_instead_of_hanging() {
    let dir = repo(&[("db/migrations/0001.sql", NO_RLS)]);
    let status = Command::new("mkfifo")
        .arg(dir.path().join("tollgate.toml"))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    let out = tollgate(dir.path(), &["check", "."]);
    assert_eq!(code(&out), 2, "{}", all_output(&out));
    assert!(
        stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn extends_cannot_leave_the_repository_unless_the_policy_came_from_the_command_line() {
    let (_outside, secret) = outside_secret();
    let dir = repo(&[
        ("db/migrations/0001.sql", NO_RLS),
        (
            "tollgate.toml",
            b"extends = [\"recommended\", \"leak.toml\"]\n",
        ),
    ]);
    symlink(&secret, dir.path().join("leak.toml")).unwrap();
    for args in [&["check", "."][..], &["github", "--comment", "off"][..]] {
        let out = tollgate(dir.path(), args);
        assert_no_marker(&out);
        assert_eq!(code(&out), 2, "{args:?}: {}", all_output(&out));
        assert!(
            stderr(&out).contains("outside the repository"),
            "{}",
            stderr(&out)
        );
    }

    // Absolute and `..` paths are refused by their text, with a clear message.
    let escaping = secret.display().to_string();
    let relative = format!(
        "{}/{}",
        "../".repeat(dir.path().components().count()),
        escaping.trim_start_matches('/')
    );
    for target in [escaping.as_str(), relative.as_str()] {
        std::fs::write(
            dir.path().join("tollgate.toml"),
            format!("extends = [{target:?}]\n"),
        )
        .unwrap();
        let out = tollgate(dir.path(), &["check", "."]);
        assert_no_marker(&out);
        assert_eq!(code(&out), 2, "{target}: {}", all_output(&out));
        let err = stderr(&out);
        assert!(err.contains("is outside the"), "{err}");
        assert!(err.contains("--policy"), "{err}");
    }

    // The same policy named with --policy may extend a file anywhere (the user chose it).
    let shared = tempfile::tempdir().unwrap();
    std::fs::write(
        shared.path().join("base.toml"),
        "[rules.sql]\nrequire-rls = \"off\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("ci.toml"),
        format!(
            "extends = [\"recommended\", {:?}]\n",
            shared.path().join("base.toml").display().to_string()
        ),
    )
    .unwrap();
    std::fs::remove_file(dir.path().join("tollgate.toml")).unwrap();
    let out = tollgate(dir.path(), &["check", ".", "--policy", "ci.toml"]);
    assert_eq!(code(&out), 0, "{}", all_output(&out));

    // Inside the repository, extends and built-in packs still work.
    std::fs::create_dir_all(dir.path().join("policy")).unwrap();
    std::fs::write(
        dir.path().join("policy/base.toml"),
        "extends = [\"strict\"]\n[rules.sql]\nrequire-rls = \"warning\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("tollgate.toml"),
        "extends = [\"policy/base.toml\"]\n",
    )
    .unwrap();
    let out = tollgate(dir.path(), &["check", ".", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", all_output(&out));
    assert_eq!(
        findings(&stdout(&out)),
        vec!["sql/require-rls db/migrations/0001.sql:1:14"]
    );
}
