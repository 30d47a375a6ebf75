//! End-to-end tests of the binary: exit codes, formats, determinism, suppressions, hostile files.

mod common;

use common::*;

#[test]
fn demo_reports_rls_findings_with_exact_locations_and_exits_1() {
    let out = run(&["check", "fixtures/demo", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let found = findings(&stdout(&out));
    let sql: Vec<&String> = found.iter().filter(|f| f.starts_with("sql/")).collect();
    assert_eq!(
        sql,
        vec![
            "sql/require-rls fixtures/demo/supabase/migrations/20250201000000_knowledge_base.sql:15:14",
            "sql/unparsed-statement fixtures/demo/supabase/migrations/20250201000000_knowledge_base.sql:21:1",
            "sql/require-rls fixtures/demo/supabase/migrations/20250401000000_bot_registration.sql:18:14",
        ]
    );
}

#[test]
fn human_output_renders_the_snippet_help_and_summary() {
    let out = run(&["check", "fixtures/demo/supabase"]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(
        text.contains("× table `public.validation_runs` does not enable row level security"),
        "{text}"
    );
    assert!(
        text.contains(
            "[fixtures/demo/supabase/migrations/20250401000000_bot_registration.sql:18:14]"
        ),
        "{text}"
    );
    assert!(
        text.contains(" 18 │ create table public.validation_runs ("),
        "{text}"
    );
    assert!(
        text.contains("help: add `alter table public.validation_runs enable row level security;`"),
        "{text}"
    );
    assert!(text.contains("docs/rules/sql/require-rls.md"), "{text}");
    assert!(
        text.contains("✖ 2 errors, 0 warnings, 1 note in 6 files checked (1 suppressed) in "),
        "{text}"
    );
}

#[test]
fn quiet_prints_only_the_summary() {
    let out = run(&["check", "fixtures/demo/supabase", "--quiet"]);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with("✖ 2 errors"));
}

#[test]
fn exit_codes() {
    let clean = repo(&[(
        "db/migrations/0001.sql",
        b"create table t (id int);\nalter table t enable row level security;\n",
    )]);
    let dirty = repo(&[("db/migrations/0001.sql", b"create table t (id int);\n")]);
    let notes = repo(&[("db/migrations/0001.sql", b"do $$ begin end $$;\n")]);
    assert_eq!(code(&run_in(clean.path(), &["check"])), 0);
    assert_eq!(code(&run_in(dirty.path(), &["check"])), 1);
    assert_eq!(
        code(&run_in(dirty.path(), &["check", "--fail-on", "never"])),
        0
    );
    assert_eq!(code(&run_in(notes.path(), &["check"])), 0);
    assert_eq!(
        code(&run_in(notes.path(), &["check", "--fail-on", "warning"])),
        0
    );
    assert_eq!(
        code(&run_in(notes.path(), &["check", "--fail-on", "note"])),
        1
    );
    // Usage, policy and I/O errors are 2, never 0.
    assert_eq!(
        code(&run_in(clean.path(), &["check", "--format", "yaml"])),
        2
    );
    assert_eq!(code(&run_in(clean.path(), &["check", "does-not-exist"])), 2);
    assert_eq!(code(&run_in(clean.path(), &["frobnicate"])), 2);
    std::fs::write(
        clean.path().join("tollgate.toml"),
        "[rules.sql]\nrequire-rls = \"loud\"\n",
    )
    .unwrap();
    assert_eq!(code(&run_in(clean.path(), &["check"])), 2);
    assert_eq!(
        code(&run_in(
            clean.path(),
            &["check", "--policy", "missing.toml"]
        )),
        2
    );
    assert_eq!(
        code(&run_in(
            clean.path(),
            &["check", "--output", "/nonexistent-dir/x.json"]
        )),
        2
    );
    assert_eq!(code(&run_in(clean.path(), &["--help"])), 0);
}

#[test]
fn nearest_policy_file_is_found_upwards() {
    let dir = repo(&[
        ("tollgate.toml", b"[rules.sql]\nrequire-rls = \"warning\"\n"),
        ("app/db/migrations/0001.sql", b"create table t (id int);\n"),
    ]);
    let out = run_in(&dir.path().join("app"), &["check", "--format", "json"]);
    assert_eq!(code(&out), 0, "warning does not fail at --fail-on error");
    assert!(stdout(&out).contains("\"level\": \"warning\""));
}

#[test]
fn threads_do_not_change_output() {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for set in 0..20 {
        for n in 0..15 {
            let body = format!(
                "create table s{set}_t{n} (id int);\n-- tollgate-ignore sql/require-rls -- fixture\ncreate table s{set}_w{n} (id int);\ndo $$ begin end $$;\n"
            );
            files.push((
                format!("svc{set}/migrations/{n:04}_m.sql"),
                body.into_bytes(),
            ));
        }
    }
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    let dir = repo(&refs);
    for format in ["json", "sarif", "github", "markdown", "junit"] {
        let one = run_in(dir.path(), &["check", "--threads", "1", "--format", format]);
        let eight = run_in(dir.path(), &["check", "--threads", "8", "--format", format]);
        assert_eq!(code(&one), 1);
        assert!(
            one.stdout == eight.stdout,
            "{format} output differs between 1 and 8 threads"
        );
    }
}

#[test]
fn output_file_gets_the_report_and_stderr_the_summary() {
    let dir = repo(&[("db/migrations/0001.sql", b"create table t (id int);\n")]);
    let out = run_in(
        dir.path(),
        &["check", "--format", "sarif", "--output", "out.sarif"],
    );
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("1 error"));
    let sarif = std::fs::read_to_string(dir.path().join("out.sarif")).unwrap();
    assert!(sarif.contains("\"ruleId\": \"sql/require-rls\""));
}

#[test]
fn github_annotations_are_escaped() {
    let dir = repo(&[(
        "db/migrations/0001_a,b:c%.sql",
        b"create table \"we,ird:na%me\" (id int);\n",
    )]);
    let out = run_in(dir.path(), &["check", "--format", "github"]);
    let text = stdout(&out);
    assert_eq!(
        text.lines().next().unwrap(),
        "::error file=db/migrations/0001_a%2Cb%3Ac%25.sql,line=1,col=14,endLine=1,endColumn=28,title=tollgate sql/require-rls::table `public.we,ird:na%25me` does not enable row level security%0Ahelp: add `alter table public.we,ird:na%25me enable row level security;` and policies that grant only what each role needs"
    );
}

#[test]
fn suppressions_with_reason_without_reason_unused_unknown_and_expired() {
    let sql = "\
-- tollgate-ignore sql/require-rls -- lookup table, read-only
create table a (id int);
-- tollgate-ignore sql/require-rls
create table b (id int);
-- tollgate-ignore sql/require-rsl -- typo
create table c (id int);
create table d (id int); -- tollgate-ignore sql/require-rls until=2026-01-01 owner=@db -- expired waiver
-- tollgate-ignore sql/require-rls -- nothing here to suppress
create table e (id int);
alter table e enable row level security;
";
    let dir = repo(&[("db/migrations/0001.sql", sql.as_bytes())]);
    let out = run_in(dir.path(), &["check", "--format", "json"]);
    let text = stdout(&out);
    assert_eq!(
        findings(&text),
        vec![
            "tollgate/invalid-suppression db/migrations/0001.sql:3:4",
            "sql/require-rls db/migrations/0001.sql:4:14",
            "tollgate/invalid-suppression db/migrations/0001.sql:5:4",
            "sql/require-rls db/migrations/0001.sql:6:14",
            "sql/require-rls db/migrations/0001.sql:7:14",
            "tollgate/expired-suppression db/migrations/0001.sql:7:29",
            "tollgate/unused-suppression db/migrations/0001.sql:8:4",
        ]
    );
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["suppressed"][0]["reason"], "lookup table, read-only");
    assert_eq!(report["suppressed"][0]["line"], 2);
    assert!(text.contains("a suppression needs a reason"));
    assert!(text.contains("unknown rule `sql/require-rsl` (did you mean `sql/require-rls`?)"));

    // Reasons can be made optional by policy.
    std::fs::write(
        dir.path().join("tollgate.toml"),
        "[suppressions]\nrequire-reason = false\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["check", "--format", "json"]);
    assert!(
        !findings(&stdout(&out))
            .iter()
            .any(|f| f.ends_with("0001.sql:3:4"))
    );
}

#[test]
fn file_wide_suppression() {
    let sql = "/* tollgate-ignore-file sql/require-rls -- legacy schema, tracked in SEC-9 */\ncreate table a (id int);\ncreate table b (id int);\n";
    let dir = repo(&[("db/migrations/0001.sql", sql.as_bytes())]);
    let out = run_in(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["suppressed"].as_array().unwrap().len(), 2);
}

#[test]
fn binary_and_invalid_utf8_files_are_reported_not_crashed_on() {
    let dir = repo(&[
        ("db/migrations/0001_bin.sql", b"create table t\x00\x01\x02"),
        (
            "db/migrations/0002_latin1.sql",
            b"-- caf\xe9\ncreate table u (id int);\n",
        ),
        ("db/migrations/0003_ok.sql", b"create table v (id int);\n"),
    ]);
    let out = run_in(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        findings(&stdout(&out)),
        vec![
            "tollgate/read-error db/migrations/0001_bin.sql:1:15",
            "tollgate/read-error db/migrations/0002_latin1.sql:1:7",
            "sql/require-rls db/migrations/0003_ok.sql:1:14",
        ]
    );
    assert!(stdout(&out).contains("binary file (NUL byte at offset 14)"));
    assert!(stdout(&out).contains("not valid UTF-8 (invalid byte at offset 6)"));
    // The human reporter shows the lossy text without panicking.
    let human = run_in(dir.path(), &["check"]);
    assert!(stdout(&human).contains("not valid UTF-8"));
}

#[test]
fn unreadable_file_is_a_clear_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = repo(&[("db/migrations/0001.sql", b"create table t (id int);\n")]);
    let file = dir.path().join("db/migrations/0001.sql");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads anything: run as `nobody` then.
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    let out = if is_root {
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::process::Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                bin(),
                "check",
                "--format",
                "json",
            ])
            .current_dir(dir.path())
            .output()
            .expect("setpriv")
    } else {
        run_in(dir.path(), &["check", "--format", "json"])
    };
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(
        findings(&text),
        vec!["tollgate/read-error db/migrations/0001.sql:1:1"]
    );
    assert!(
        text.contains("cannot read file: Permission denied"),
        "{text}"
    );
}

#[test]
fn rules_and_explain() {
    let out = run(&["rules"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(text.lines().any(|l| l.starts_with("sql/require-rls")
        && l.contains("error")
        && l.contains("row level security")));
    let out = run(&["explain", "sql/require-rls"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(
        text.contains("## Why it matters")
            && text.contains("## Violating example")
            && text.contains("`exempt-tables`")
    );
    let out = run(&["explain", "sql/require-rsl"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("did you mean `sql/require-rls`?"));
}

#[test]
fn init_writes_a_tailored_policy_once() {
    let dir = repo(&[(
        "supabase/migrations/0001.sql",
        b"create table t (id int);\n",
    )]);
    let out = run_in(dir.path(), &["init"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.path().join("tollgate.toml")).unwrap();
    assert!(text.contains("extends = [\"recommended\"]"));
    assert!(
        text.contains("#   sql: 1 files in supabase/migrations"),
        "{text}"
    );
    // The written policy loads and is used.
    assert_eq!(code(&run_in(dir.path(), &["check"])), 1);
    // Never overwrites.
    let again = run_in(dir.path(), &["init"]);
    assert_eq!(code(&again), 2);
    assert!(stderr(&again).contains("already exists"));
}

#[test]
fn broken_pipe_exits_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(bin())
        .args(["rules"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert!(status.code().is_some(), "killed by a signal");
}

#[test]
fn yaml_that_is_not_a_manifest_is_not_counted_as_one() {
    let manifest =
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  LOG_LEVEL: info\n";
    let dir = repo(&[
        (
            ".github/workflows/ci.yml",
            b"on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n",
        ),
        ("package.json", b"{\"name\": \"x\"}"),
        ("deploy/configmap.yaml", manifest),
    ]);
    let out = run_in(dir.path(), &["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        report["summary"]["files_by_kind"]["k8s"],
        1,
        "{}",
        stdout(&out)
    );
}

#[test]
fn scanning_inside_a_migrations_directory_still_finds_migrations() {
    let dir = repo(&[(
        "supabase/migrations/0001.sql",
        b"create table t (id int);\n",
    )]);
    let out = run_in(
        dir.path(),
        &["check", "supabase/migrations", "--format", "json"],
    );
    assert_eq!(
        findings(&stdout(&out)),
        vec!["sql/require-rls supabase/migrations/0001.sql:1:14"]
    );
    let out = run_in(
        &dir.path().join("supabase/migrations"),
        &["check", "--format", "json"],
    );
    assert_eq!(
        findings(&stdout(&out)),
        vec!["sql/require-rls 0001.sql:1:14"]
    );
}
