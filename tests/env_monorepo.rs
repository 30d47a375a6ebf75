//! End-to-end: the env/secret rules on a realistic monorepo (Next.js frontend with its Dockerfile
//! and next.config, Python backend, bot runtime env, incident notes, Kubernetes manifests, a
//! Supabase migration, a deploy workflow), and the guarantee that no output format leaks a secret
//! planted in any of those kinds of file.

use std::process::Command;

const FIXTURE: &str = "fixtures/env/monorepo";

fn tollgate(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run tollgate")
}

/// The fake secrets planted in the fixture, one per line.
fn planted() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/env/monorepo.secrets");
    std::fs::read_to_string(path)
        .expect("secrets list")
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn monorepo_gives_exactly_the_expected_findings() {
    let out = tollgate(&["check", FIXTURE, "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut found: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}:{}",
                f["rule"].as_str().unwrap_or(""),
                f["path"]
                    .as_str()
                    .unwrap_or("")
                    .trim_start_matches("fixtures/env/monorepo/"),
                f["start"]["line"],
                f["start"]["column"]
            )
        })
        .collect();
    found.sort();
    let mut expected = vec![
        "env/no-secret-value backend/.env.example:5:26",
        "env/require-documented-vars backend/src/config.py:6:24",
        "secret/no-plaintext-secret docs/incidents/2026-02-22-key-rotation.md:4:44",
        "env/no-committed-env-file env/.env:2:1",
        "env/no-public-secret frontend/.env.example:5:1",
        "env/no-secret-value frontend/.env.example:5:39",
        "env/no-public-secret frontend/lib/supabase.ts:8:86",
        "env/require-documented-vars frontend/lib/supabase.ts:9:38",
        // infra: the client-exposed audit follows NEXT_PUBLIC_ into every place it can be set
        "env/no-public-secret .github/workflows/deploy.yml:10:7",
        "env/no-public-secret frontend/next.config.mjs:7:5",
        "secret/no-plaintext-secret frontend/next.config.mjs:7:25",
        "docker/no-secret-in-env-arg frontend/Dockerfile:6:5",
        "k8s/no-plaintext-secret-env infra/k8s/web.yaml:25:22",
        "env/no-public-secret infra/k8s/web.yaml:44:3",
        "sql/literal-secret supabase/migrations/20260301000000_partner_bootstrap.sql:11:29",
    ];
    expected.sort_unstable();
    assert_eq!(found, expected);
}

#[test]
fn no_output_format_leaks_a_planted_secret() {
    let secrets = planted();
    assert!(secrets.len() >= 4 && secrets.iter().all(|s| s.len() >= 30));
    let dir = tempfile::tempdir().expect("tempdir");
    for format in ["human", "json", "sarif", "github", "markdown", "junit"] {
        let out = tollgate(&["check", FIXTURE, "--format", format]);
        let file = dir.path().join(format!("report.{format}"));
        let written = tollgate(&[
            "check",
            FIXTURE,
            "--format",
            format,
            "--output",
            file.to_str().expect("utf-8 path"),
        ]);
        let file_text = std::fs::read_to_string(&file).unwrap_or_default();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!file_text.is_empty(), "{format}: --output wrote nothing");
        for (what, text) in [
            ("stdout", String::from_utf8_lossy(&out.stdout).into_owned()),
            ("stderr", String::from_utf8_lossy(&out.stderr).into_owned()),
            (
                "--output stdout",
                String::from_utf8_lossy(&written.stdout).into_owned(),
            ),
            (
                "--output stderr",
                String::from_utf8_lossy(&written.stderr).into_owned(),
            ),
            ("--output file", file_text),
        ] {
            for secret in &secrets {
                assert!(
                    !text.contains(secret.as_str()),
                    "{format} {what} leaks a planted secret"
                );
                // Any 12-character window of a secret is a leak too. A JWT's header and claims are
                // base64 of common JSON (shared with the docs' examples), so only its random
                // signature counts.
                let distinctive = if secret.starts_with("eyJ") {
                    secret
                        .rsplit_once('.')
                        .map_or(secret.as_str(), |(_, signature)| signature)
                } else {
                    secret.as_str()
                };
                let chars: Vec<char> = distinctive.chars().collect();
                for window in chars.windows(12) {
                    let piece: String = window.iter().collect();
                    assert!(
                        !text.contains(&piece),
                        "{format} {what} leaks part of a planted secret (…{})",
                        &secret[secret.len() - 4..]
                    );
                }
            }
        }
    }
}
