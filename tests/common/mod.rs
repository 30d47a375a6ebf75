//! Shared helpers for end-to-end tests that run the binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

pub fn bin() -> &'static str {
    static CHECKED: std::sync::Once = std::sync::Once::new();
    let bin = env!("CARGO_BIN_EXE_tollgate");
    CHECKED.call_once(|| {
        let probe = Command::new(bin).env("TOLLGATE_PROBE_BUILD_DIR", "1").output().expect("run tollgate");
        let built_from = String::from_utf8_lossy(&probe.stdout).trim().to_string();
        assert_eq!(
            built_from,
            env!("CARGO_MANIFEST_DIR"),
            "{bin} was built from another checkout sharing this CARGO_TARGET_DIR; give this checkout its own, e.g. \
             `cp -a /work/target /work/target-$(basename $PWD); export CARGO_TARGET_DIR=/work/target-$(basename $PWD)`"
        );
    });
    bin
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs tollgate in `cwd` with colour off, a fixed width and a fixed date.
pub fn run_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env("TOLLGATE_TODAY", "2026-11-25")
        .output()
        .expect("run tollgate")
}

/// Runs tollgate from the repository root.
pub fn run(args: &[&str]) -> Output {
    run_in(&root(), args)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// A temporary repository built from `(path, contents)` pairs.
pub fn repo(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, contents) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, contents).expect("write");
    }
    dir
}

/// `rule path:line:col` for every finding of a JSON report.
pub fn findings(json: &str) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_str(json).expect("json report");
    value["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}:{}",
                f["rule"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
                f["start"]["line"],
                f["start"]["column"]
            )
        })
        .collect()
}

/// Runs `cmd` with a deadline: a hang (say, a FIFO being read) fails the test instead of blocking
/// the suite. Both pipes are drained while waiting.
pub fn run_with_deadline(mut cmd: Command, limit: Duration) -> Output {
    use std::io::Read;
    use std::process::Stdio;
    use std::time::Instant;
    let mut child = cmd
        .env("NO_COLOR", "1")
        .env("TOLLGATE_TODAY", "2026-11-25")
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
            panic!("tollgate did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out_reader.join().expect("stdout reader"),
        stderr: err_reader.join().expect("stderr reader"),
    }
}
