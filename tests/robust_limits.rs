//! Hard limits, end to end on the binary: each limit produces one clear notice, the rest of the
//! run goes on, and a caught panic makes the run exit 2 without printing file content.

mod common;

use common::*;

fn check_json(dir: &std::path::Path, env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = std::process::Command::new(bin());
    cmd.args(["check", ".", "--format", "json"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("TOLLGATE_TODAY", "2026-11-25")
        .env_remove("TOLLGATE_DEBUG_PANIC");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run tollgate")
}

fn messages(json: &str, rule: &str) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_str(json).expect("json report");
    value["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

const NO_RLS: &[u8] = b"create table public.t (id int);\n";

#[test]
fn file_size_limit_skips_the_file_with_a_notice_and_checks_the_rest() {
    let big = format!(
        "-- {}\ncreate table public.big (id int);\n",
        "x".repeat(200)
    );
    let dir = repo(&[
        ("tollgate.toml", b"[files]\nmax-file-size = 100\n"),
        ("db/migrations/0001_big.sql", big.as_bytes()),
        ("db/migrations/0002_small.sql", NO_RLS),
    ]);
    let out = check_json(dir.path(), &[]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let json = stdout(&out);
    assert_eq!(
        findings(&json),
        vec![
            "tollgate/file-too-large db/migrations/0001_big.sql:1:1",
            "sql/require-rls db/migrations/0002_small.sql:1:14",
        ]
    );
    assert_eq!(
        messages(&json, "tollgate/file-too-large"),
        vec!["file is 238 bytes, over the 100-byte limit; not checked"]
    );
}

#[test]
fn statement_limit_checks_only_the_first_statements() {
    let sql = b"select 1;\nselect 2;\nselect 3;\ncreate table public.late (id int);\nselect 5;\n";
    let limited = repo(&[
        ("tollgate.toml", b"[limits]\nmax-statements-per-file = 3\n"),
        ("db/migrations/0001.sql", sql),
    ]);
    let out = check_json(limited.path(), &[]);
    let json = stdout(&out);
    assert_eq!(
        findings(&json),
        vec!["tollgate/too-many-statements db/migrations/0001.sql:4:1"],
        "{}",
        stderr(&out)
    );
    assert_eq!(
        messages(&json, "tollgate/too-many-statements"),
        vec![
            "2 statements from here on were not checked: over the 3-statement limit \
             (`[limits] max-statements-per-file`)"
        ]
    );
    // The rest of the file was not checked: that alone fails the run (issue 15, probe 5).
    assert_eq!(code(&out), 1);

    // Under the default limit the same file is fully checked.
    let unlimited = repo(&[("db/migrations/0001.sql", sql)]);
    let out = check_json(unlimited.path(), &[]);
    assert_eq!(
        findings(&stdout(&out)),
        vec!["sql/require-rls db/migrations/0001.sql:4:14"]
    );
}

#[test]
fn statement_limit_holds_on_a_huge_file() {
    // 200k statements in ~2 MB: truncated to the default 20000, and the run stays quick.
    let mut sql = String::new();
    for i in 0..200_000 {
        sql.push_str(&format!("select {i};\n"));
    }
    let dir = repo(&[("db/migrations/0001.sql", sql.as_bytes())]);
    let started = std::time::Instant::now();
    let out = check_json(dir.path(), &[]);
    assert_eq!(
        findings(&stdout(&out)),
        vec!["tollgate/too-many-statements db/migrations/0001.sql:20001:1"],
        "{}",
        stderr(&out)
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn findings_limit_keeps_the_first_and_adds_one_notice() {
    let mut sql = String::new();
    for i in 1..=6 {
        sql.push_str(&format!("create table public.t{i} (id int);\n"));
    }
    let dir = repo(&[
        ("tollgate.toml", b"[limits]\nmax-findings-per-file = 2\n"),
        ("db/migrations/0001.sql", sql.as_bytes()),
        ("db/migrations/0002.sql", NO_RLS),
    ]);
    let out = check_json(dir.path(), &[]);
    assert_eq!(code(&out), 1);
    let json = stdout(&out);
    assert_eq!(
        findings(&json),
        vec![
            "sql/require-rls db/migrations/0001.sql:1:14",
            "sql/require-rls db/migrations/0001.sql:2:14",
            "tollgate/too-many-findings db/migrations/0001.sql:3:14",
            "sql/require-rls db/migrations/0002.sql:1:14",
        ]
    );
    assert_eq!(
        messages(&json, "tollgate/too-many-findings"),
        vec![
            "4 more findings in this file were not reported: over the 2-finding limit \
             (`[limits] max-findings-per-file`)"
        ]
    );
}

#[test]
fn unknown_limit_is_a_policy_error() {
    let dir = repo(&[("tollgate.toml", b"[limits]\nmax-statement = 3\n")]);
    let out = check_json(dir.path(), &[]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("max-statement"), "{}", stderr(&out));
}

const SECRET_SQL: &str =
    "-- password: hunter2-super-secret-value\ncreate table public.s (id int);\n";

fn panic_run(stage: &str, format: &str) -> (std::process::Output, tempfile::TempDir) {
    let dir = repo(&[
        ("db/migrations/0001.sql", NO_RLS),
        ("db/migrations/0002_boom.sql", SECRET_SQL.as_bytes()),
        (
            "db/migrations/0003.sql",
            b"create table public.u (id int);\n",
        ),
    ]);
    let spec = format!("{stage}:0002_boom.sql");
    let mut cmd = std::process::Command::new(bin());
    let out = cmd
        .args(["check", ".", "--format", format])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env("TOLLGATE_DEBUG_PANIC", spec)
        .output()
        .expect("run tollgate");
    (out, dir)
}

#[test]
fn panic_while_parsing_is_a_finding_and_the_run_goes_on_with_exit_2() {
    let (out, _dir) = panic_run("parse", "json");
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let json = stdout(&out);
    assert_eq!(
        findings(&json),
        vec![
            "sql/require-rls db/migrations/0001.sql:1:14",
            "tollgate/internal-error db/migrations/0002_boom.sql:1:1",
            "sql/require-rls db/migrations/0003.sql:1:14",
        ]
    );
    let message = &messages(&json, "tollgate/internal-error")[0];
    assert!(
        message.starts_with("internal error while reading or parsing (panic at src/engine.rs:"),
        "{message}"
    );
    // Neither the panic payload nor the file's content reaches any output.
    for text in [&json, &stderr(&out)] {
        assert!(!text.contains("hunter2"), "{text}");
        assert!(!text.contains("injected panic"), "{text}");
    }
}

#[test]
fn panic_while_checking_is_a_finding_and_the_run_goes_on_with_exit_2() {
    let (out, _dir) = panic_run("check", "json");
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let json = stdout(&out);
    assert_eq!(
        findings(&json),
        vec![
            "sql/require-rls db/migrations/0001.sql:1:14",
            "tollgate/internal-error db/migrations/0002_boom.sql:1:1",
            // Project-wide rules (the migration replay) still ran over this file.
            "sql/require-rls db/migrations/0002_boom.sql:2:14",
            "sql/require-rls db/migrations/0003.sql:1:14",
        ]
    );
    assert!(
        messages(&json, "tollgate/internal-error")[0]
            .starts_with("internal error while checking this file (panic at src/engine.rs:")
    );
    assert!(!stderr(&out).contains("injected panic"), "{}", stderr(&out));
    assert!(!json.contains("hunter2"));
}

#[test]
fn panic_exits_2_even_when_findings_would_not_fail_and_in_human_output() {
    let (out, _dir) = panic_run("parse", "human");
    assert_eq!(code(&out), 2);
    let text = stdout(&out);
    assert!(text.contains("tollgate/internal-error"), "{text}");
    assert!(text.contains("0002_boom.sql"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

fn billion_laughs() -> String {
    let mut yaml = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for c in "bcdefghi".chars() {
        let refs = vec![format!("*{prev}"); 9].join(",");
        yaml.push_str(&format!("  {c}: &{c} [{refs}]\n"));
        prev = c;
    }
    yaml
}

#[test]
fn yaml_alias_bomb_is_a_parse_error_not_a_hang() {
    // 9^9 ≈ 387M nodes if expanded.
    let dir = repo(&[
        ("deploy/lol.yaml", billion_laughs().as_bytes()),
        ("db/migrations/0001.sql", NO_RLS),
    ]);
    let started = std::time::Instant::now();
    let out = check_json(dir.path(), &[]);
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    let json = stdout(&out);
    let found = findings(&json);
    assert!(
        found.contains(&"sql/require-rls db/migrations/0001.sql:1:14".to_string()),
        "{found:?}"
    );
    let errors = messages(&json, "k8s/parse-error");
    assert_eq!(errors.len(), 1, "{found:?} {}", stderr(&out));
    assert!(errors[0].contains("past 100000 nodes"), "{}", errors[0]);
}

#[test]
fn yaml_limits_are_configurable() {
    let nested = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\ndata:\n  x: [[[[[[[[[[1]]]]]]]]]]\n";
    let aliased = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\ndata: &d\n  a: b\nextra: [*d, *d, *d, *d]\n";
    let files: [(&str, &[u8]); 2] = [
        ("deploy/nested.yaml", nested.as_bytes()),
        ("deploy/aliased.yaml", aliased.as_bytes()),
    ];
    // Under the defaults both load.
    let dir = repo(&files);
    let out = check_json(dir.path(), &[]);
    assert_eq!(
        messages(&stdout(&out), "k8s/parse-error"),
        Vec::<String>::new()
    );

    let mut limited: Vec<(&str, &[u8])> = files.to_vec();
    limited.push((
        "tollgate.toml",
        b"[limits]\nyaml-max-depth = 8\nyaml-max-alias-nodes = 5\n",
    ));
    let dir = repo(&limited);
    let out = check_json(dir.path(), &[]);
    let json = stdout(&out);
    let mut errors = findings(&json);
    errors.retain(|f| f.starts_with("k8s/parse-error"));
    assert_eq!(errors.len(), 2, "{json}");
    let messages = messages(&json, "k8s/parse-error");
    assert!(
        messages.iter().any(|m| m.contains("past 5 nodes")),
        "{messages:?}"
    );
    assert!(messages.iter().any(|m| m.contains("8")), "{messages:?}");
}
