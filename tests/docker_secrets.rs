//! Secrets found in Dockerfiles never appear in any output format: messages mask them and source
//! snippets blank them.

mod common;

use std::process::Command;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/docker/commands/secrets-in-env-arg.Dockerfile"
);
const RAW: &[&str] = &[
    "npm_Xy7Qw2Er5Ty8Ui1Op4As6Df9Gh3Jk0LzXcVb",
    "Tr0ub4dor&3-prod-db",
    "ghp_Zq4Xw8Lk2Vb7Nm1Rt5Yp9Hs3Jd6Fg0CuEaTi",
];

fn assert_no_leak(formats: &[&str]) {
    for &format in formats {
        let out = Command::new(common::bin())
            .args([
                "check",
                FIXTURE,
                "--format",
                format,
                "--fail-on",
                "never",
                "--color",
                "never",
            ])
            .output()
            .expect("run tollgate");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{format}: {stderr}");
        assert!(
            stdout.contains("no-secret-in-env-arg"),
            "{format} output lacks the finding:\n{stdout}"
        );
        for raw in RAW {
            assert!(
                !stdout.contains(raw) && !stderr.contains(raw),
                "{format} output leaks {raw}:\n{stdout}"
            );
        }
    }
}

#[test]
fn machine_formats_never_print_a_raw_secret() {
    assert_no_leak(&["json", "sarif", "github", "markdown", "junit"]);
}

/// Snippets show neighbouring lines: redaction must be the union over every finding of the file.
#[test]
fn human_snippets_never_show_a_raw_secret() {
    assert_no_leak(&["human"]);
}
