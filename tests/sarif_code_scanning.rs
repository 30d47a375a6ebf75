//! SARIF as GitHub code scanning ingests it (issue 17, item 7): a category, artifact URIs relative
//! to `%SRCROOT%` declared in `originalUriBaseIds`, baselined and inline-suppressed findings carried
//! as suppressed results, invocations with tool notifications for files not checked; valid against
//! the SARIF 2.1.0 schema and, where it is installed (always in CI), Microsoft's SARIF validator.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::*;
use serde_json::Value;

fn schema_validator() -> jsonschema::Validator {
    let text =
        std::fs::read_to_string(root().join("fixtures/github/sarif-schema-2.1.0.json")).unwrap();
    // The official schema's `run.language` pattern has a stray `]` (tests/formats.rs does the same).
    let text = text.replace(
        r#"^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$"#,
        r#"^[a-zA-Z]{2}(-[a-zA-Z]{2})?$"#,
    );
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

/// A repository with an accepted (baselined) finding, a new one, an inline suppression and a
/// file too large to check.
fn repository() -> tempfile::TempDir {
    let dir = repo(&[
        (
            "supabase/migrations/0001_old.sql",
            b"create table public.legacy (id int);\n",
        ),
        (
            "tollgate.toml",
            b"extends = [\"recommended\"]\n[files]\nmax-file-size = 4096\n",
        ),
    ]);
    let out = run_in(dir.path(), &["baseline"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    std::fs::write(
        dir.path().join("supabase/migrations/0002_new.sql"),
        "create table public.fresh (id int);\n\
         -- tollgate-ignore sql/require-rls -- staging table, service role only\n\
         create table public.staging (id int);\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("docs")).unwrap();
    std::fs::write(dir.path().join("docs/big.md"), "x".repeat(5000)).unwrap();
    dir
}

fn sarif(dir: &std::path::Path, args: &[&str]) -> Value {
    let mut all = vec!["check", "--format", "sarif"];
    all.extend_from_slice(args);
    let out = run_in(dir, &all);
    assert!(matches!(code(&out), 0 | 1), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

#[test]
fn code_scanning_shape() {
    let dir = repository();
    let log = sarif(dir.path(), &[]);
    assert!(schema_validator().is_valid(&log));
    let run = &log["runs"][0];
    assert_eq!(run["automationDetails"]["id"], "tollgate/");
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        root.starts_with("file:///") && root.ends_with('/'),
        "{root}"
    );
    let results = run["results"].as_array().unwrap();
    let summary: Vec<(String, String, Option<String>)> = results
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            (
                r["ruleId"].as_str().unwrap().to_string(),
                format!(
                    "{}:{}",
                    loc["artifactLocation"]["uri"].as_str().unwrap(),
                    loc["region"]["startLine"]
                ),
                r["suppressions"][0]["kind"].as_str().map(str::to_string),
            )
        })
        .collect();
    let s = |rule: &str, at: &str, kind: Option<&str>| {
        (rule.to_string(), at.to_string(), kind.map(str::to_string))
    };
    assert_eq!(
        summary,
        [
            s("tollgate/file-too-large", "docs/big.md:1", None),
            s(
                "sql/require-rls",
                "supabase/migrations/0002_new.sql:1",
                None
            ),
            s(
                "sql/require-rls",
                "supabase/migrations/0001_old.sql:1",
                Some("external")
            ),
            s(
                "sql/require-rls",
                "supabase/migrations/0002_new.sql:3",
                Some("inSource")
            ),
        ]
    );
    assert_eq!(
        results[3]["suppressions"][0]["justification"],
        "staging table, service role only"
    );
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0]["descriptor"]["id"], "tollgate/file-too-large");
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "docs/big.md"
    );
}

/// An absolute path outside the working directory is an absolute `file://` URI, never `/abs/...`
/// as a relative reference (SARIF1004).
#[test]
fn paths_outside_the_working_directory_are_absolute_uris() {
    let dir = repository();
    let elsewhere = tempfile::tempdir().unwrap();
    let target = dir.path().join("supabase/migrations/0002_new.sql");
    let log = sarif(
        elsewhere.path(),
        &[target.to_str().unwrap(), "--no-baseline"],
    );
    assert!(schema_validator().is_valid(&log));
    let uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        .clone();
    assert_eq!(uri["uriBaseId"], Value::Null);
    assert!(
        uri["uri"].as_str().unwrap().starts_with("file:///"),
        "{uri}"
    );
}

/// Microsoft's validator (`npm install @microsoft/sarif-multitool`), as GitHub recommends: no error
/// or warning. CI installs it and points `TOLLGATE_SARIF_MULTITOOL` at it; elsewhere the test says
/// that it did not run.
#[test]
fn microsoft_sarif_validator_reports_no_error_or_warning() {
    let tool = std::env::var_os("TOLLGATE_SARIF_MULTITOOL").map(PathBuf::from);
    let Some(tool) = tool.filter(|t| t.exists()) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must provide TOLLGATE_SARIF_MULTITOOL (see .ci/run)"
        );
        eprintln!("NOT RUN: set TOLLGATE_SARIF_MULTITOOL to sarif-multitool to run this test");
        return;
    };
    let dir = repository();
    let work = tempfile::tempdir().unwrap();
    let absolute = dir.path().to_str().unwrap();
    for (name, cwd, args) in [
        ("relative", dir.path(), vec![]),
        ("absolute-inside", dir.path(), vec![absolute]),
        (
            "absolute-outside",
            work.path(),
            vec![absolute, "--no-baseline"],
        ),
    ] {
        let mut all = vec!["check", "--format", "sarif"];
        all.extend(args);
        let out = run_in(cwd, &all);
        let input = work.path().join(format!("{name}.sarif"));
        std::fs::write(&input, &out.stdout).unwrap();
        let output = work.path().join(format!("{name}.validation.sarif"));
        let status = Command::new(&tool)
            .arg("validate")
            .arg(&input)
            .arg("-o")
            .arg(&output)
            .args(["--log", "ForceOverwrite", "--level", "Error", "Warning"])
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stdout)
        );
        let report: Value =
            serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
        let problems: Vec<&Value> = report["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["level"] == "error" || r["level"] == "warning")
            .collect();
        assert!(problems.is_empty(), "{name}: {problems:#?}");
    }
}
