//! Every text file is secret-scanned, whatever its kind (issue 14, item 1): JSON reports, shell
//! scripts, Terraform, INI, non-manifest YAML. Binary files are recognised by content, skipped and
//! counted, never a read error; an explicitly named file is always checked.

mod common;

use common::*;

const TOKEN: &str = "ghp_R4nd0mL00k1ngT0k3nV4lu3Qw3rTy5678Zx9";

fn repository() -> tempfile::TempDir {
    let json = format!("{{\n  \"exchange\": \"kraken\",\n  \"token\": \"{TOKEN}\"\n}}\n");
    let sh = format!(
        "#!/bin/sh\ncurl -H \"Authorization: token {TOKEN}\" https://api.github.com/user\n"
    );
    let tf = format!("provider \"github\" {{\n  token = \"{TOKEN}\"\n}}\n");
    let ini = format!("[auth]\ntoken = {TOKEN}\n");
    let yml = format!(
        "name: ci\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo {TOKEN}\n"
    );
    repo(&[
        ("reports/security/latest.json", json.as_bytes()),
        ("scripts/deploy.sh", sh.as_bytes()),
        ("infra/main.tf", tf.as_bytes()),
        ("config/app.ini", ini.as_bytes()),
        ("config/pipeline.yml", yml.as_bytes()),
        ("docs/diagram.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        ("assets/font.woff2", b"wOF2 no NUL in the first bytes"),
    ])
}

#[test]
fn a_token_is_found_in_every_file_type_with_its_location() {
    let dir = repository();
    let out = run_in(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        findings(&stdout(&out)),
        [
            "secret/no-plaintext-secret config/app.ini:2:9",
            "secret/no-plaintext-secret config/pipeline.yml:7:19",
            "secret/no-plaintext-secret infra/main.tf:2:12",
            "secret/no-plaintext-secret reports/security/latest.json:3:13",
            "secret/no-plaintext-secret scripts/deploy.sh:2:31",
        ]
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["summary"]["binary_skipped"], 2);
    assert_eq!(report["summary"]["files"], 5);
    assert!(!stdout(&out).contains(TOKEN));
}

#[test]
fn binary_files_are_skipped_and_counted_not_errors() {
    let dir = repository();
    let out = run_in(dir.path(), &["check", "--quiet"]);
    let text = stdout(&out);
    assert!(text.contains("(2 binary files skipped)"), "{text}");
    assert!(!text.contains("read-error"), "{text}");
}

#[test]
fn an_explicitly_named_file_is_checked() {
    let dir = repository();
    let out = run_in(
        dir.path(),
        &["check", "reports/security/latest.json", "--format", "json"],
    );
    assert_eq!(code(&out), 1);
    assert_eq!(
        findings(&stdout(&out)),
        ["secret/no-plaintext-secret reports/security/latest.json:3:13"]
    );
}
