//! Hostile input, end to end on the binary (issue 15, "Trust boundaries and hostile input"): a
//! repository's content must never make tollgate print files from outside it, follow a symlink out
//! of it, hang on a special file, panic, or flood its output.

mod common;

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
    let mut cmd = Command::new(bin());
    cmd.args(args)
        .current_dir(dir)
        .env("COLUMNS", "100")
        .env("GITHUB_TOKEN", TOKEN)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_EVENT_PATH")
        .stdin(Stdio::null());
    run_with_deadline(cmd, limit)
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

#[test]
fn a_symlink_named_on_the_command_line_is_not_followed_out_of_the_repository() {
    let outside = repo(&[(
        "secret.sql",
        b"create table public.outside_marker_tbl (id int);\n",
    )]);
    let dir = repo(&[("db/migrations/0001.sql", NO_RLS)]);
    let link = "db/migrations/0002.sql";
    symlink(outside.path().join("secret.sql"), dir.path().join(link)).unwrap();
    // Inside the repository a named symlink is followed as before.
    symlink("0001.sql", dir.path().join("db/migrations/0003.sql")).unwrap();
    for format in ["json", "human"] {
        let out = tollgate(dir.path(), &["check", link, "--format", format]);
        let text = all_output(&out);
        assert!(!text.contains("outside_marker"), "{format}: {text}");
        assert_eq!(code(&out), 1, "{format}: {text}");
        assert!(text.contains("outside the repository"), "{format}: {text}");
    }
    let out = tollgate(dir.path(), &["check", link, "--format", "json"]);
    assert_eq!(
        findings(&stdout(&out)),
        vec![format!("tollgate/read-error {link}:1:1")]
    );
    let out = tollgate(
        dir.path(),
        &["check", "db/migrations/0003.sql", "--format", "json"],
    );
    assert_eq!(
        findings(&stdout(&out)),
        vec!["sql/require-rls db/migrations/0003.sql:1:14"]
    );
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

#[test]
fn hostile_ignore_files_are_not_read_and_fail_the_run() {
    // In the root, and in a subdirectory; as a FIFO and as a symlink to /dev/zero.
    for (where_, special) in [
        ("", "fifo"),
        ("", "zero"),
        ("svc/", "fifo"),
        ("svc/", "zero"),
        ("svc/", "ignore-fifo"),
    ] {
        let dir = repo(&[
            ("db/migrations/0001.sql", NO_RLS),
            (
                "svc/migrations/0001.sql",
                b"create table public.u (id int);\n",
            ),
        ]);
        let name = if special == "ignore-fifo" {
            ".ignore"
        } else {
            ".gitignore"
        };
        let file = dir.path().join(format!("{where_}{name}"));
        if special == "zero" {
            symlink("/dev/zero", &file).unwrap();
        } else {
            mkfifo(&file);
        }
        let started = Instant::now();
        let out = tollgate(dir.path(), &["check", ".", "--format", "json"]);
        let case = format!("{where_}{name} ({special})");
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{case}: took {:?}",
            started.elapsed()
        );
        assert_eq!(code(&out), 1, "{case}: {}", all_output(&out));
        let got = findings(&stdout(&out));
        let problem = format!("tollgate/read-error {where_}{name}:1:1");
        assert!(got.contains(&problem), "{case}: {got:?}");
        assert!(stdout(&out).contains("ignore file not read"), "{case}");
        if where_ == "svc/" {
            // The rest of the repository is still checked.
            assert!(
                got.contains(&"sql/require-rls db/migrations/0001.sql:1:14".to_string()),
                "{case}: {got:?}"
            );
        }
    }
    // With .gitignore support off, the file is irrelevant and never opened.
    let dir = repo(&[
        ("db/migrations/0001.sql", NO_RLS),
        ("tollgate.toml", b"[files]\ngitignore = false\n"),
    ]);
    mkfifo(&dir.path().join(".gitignore"));
    let out = tollgate(dir.path(), &["check", ".", "--format", "json"]);
    assert_eq!(
        findings(&stdout(&out)),
        vec!["sql/require-rls db/migrations/0001.sql:1:14"]
    );
}

#[test]
fn a_finding_past_column_65535_renders_with_a_window() {
    let filler = "x".repeat(70_000);
    let sql = format!("select 1; /* {filler} */ create table public.t (id int);\n");
    let env = format!("A=1\nLONG=\"{filler}\"; GITHUB_TOKEN={TOKEN}\n");
    let dir = repo(&[
        ("db/migrations/0001.sql", sql.as_bytes()),
        ("app/.env.example", env.as_bytes()),
    ]);
    let out = tollgate(dir.path(), &["check", "."]);
    let text = stdout(&out);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_no_marker(&out);
    assert!(text.contains("[db/migrations/0001.sql:1:70031]"), "{text}");
    assert!(
        text.contains("… */ create table public.t (id int);") || text.contains("…x"),
        "{text}"
    );
    assert!(
        text.len() < 20_000,
        "snippets are windows: {} bytes",
        text.len()
    );
}

#[test]
fn a_panicking_reporter_is_an_error_exit_without_the_payload() {
    let dir = repo(&[("db/migrations/0001.sql", NO_RLS)]);
    let out = Command::new(bin())
        .args(["check", "."])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env("TOLLGATE_DEBUG_PANIC", "render:0001.sql")
        .output()
        .expect("run");
    assert_eq!(code(&out), 2, "{}", all_output(&out));
    let err = stderr(&out);
    assert!(
        err.contains("internal error while rendering the Human report"),
        "{err}"
    );
    assert!(
        !err.contains("injected panic"),
        "the payload is not printed: {err}"
    );
}

#[test]
fn suppression_directives_inside_string_literals_do_not_take_effect() {
    let cases: &[(&str, &[u8], &str)] = &[
        (
            "db/migrations/0001.sql",
            b"select '-- tollgate-ignore-file sql/require-rls -- not a comment';\ncreate table public.t (id int);\n",
            "sql/require-rls db/migrations/0001.sql:2:14",
        ),
        (
            "db/migrations/0001.sql",
            b"do $$ begin\n-- tollgate-ignore-file sql/require-rls -- inside a function body\nend $$;\ncreate table public.t (id int); /* tollgate-ignore nothing */\n",
            "sql/require-rls db/migrations/0001.sql:4:14",
        ),
        (
            "db/migrations/0001.sql",
            b"create table public.t (id int); select 'x -- tollgate-ignore sql/require-rls -- y';\n",
            "sql/require-rls db/migrations/0001.sql:1:14",
        ),
        (
            ".env",
            b"NOTE=\"x # tollgate-ignore-file env/no-committed-env-file -- quoted\"\n",
            "env/no-committed-env-file .env:1:1",
        ),
    ];
    for (path, text, expected) in cases {
        let dir = repo(&[(path, text)]);
        let out = tollgate(dir.path(), &["check", ".", "--format", "json"]);
        let got = findings(&stdout(&out));
        assert!(
            got.iter().any(|f| f == expected),
            "{}: {got:?}",
            String::from_utf8_lossy(text)
        );
        assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(text));
    }
    // A real comment still works, next to a string that looks like one.
    let dir = repo(&[(
        "db/migrations/0001.sql",
        b"select '--'; -- tollgate-ignore-file sql/require-rls -- lookup tables only\ncreate table public.t (id int);\n",
    )]);
    let out = tollgate(dir.path(), &["check", ".", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
}

/// `count` distinct GitHub-token-shaped secrets, deterministic (an LCG over the alphabet).
fn tokens(count: usize) -> Vec<String> {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    (0..count)
        .map(|_| {
            let body: String = (0..36)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    ALNUM[(state >> 33) as usize % ALNUM.len()] as char
                })
                .collect();
            format!("ghp_{body}")
        })
        .collect()
}

#[test]
fn output_is_bounded_and_a_single_line_file_scans_in_linear_time() {
    // ~4.9 MB of `token=ghp_… ` on one line, and the same content one token per line.
    let secrets = tokens(4_900_000 / 47);
    let single = secrets
        .iter()
        .map(|t| format!("token={t} "))
        .collect::<String>();
    let multi = secrets
        .iter()
        .map(|t| format!("token={t}\n"))
        .collect::<String>();
    assert!(single.len() > 4_800_000 && single.len() < 5_000_000);
    let mut elapsed = Vec::new();
    for (name, text) in [("single", &single), ("multi", &multi)] {
        let dir = repo(&[("notes/tokens.txt", text.as_bytes())]);
        let started = Instant::now();
        let out = run_bounded(dir.path(), &["check", "."], Duration::from_secs(300));
        elapsed.push(started.elapsed());
        let shown = stdout(&out);
        assert_eq!(code(&out), 1, "{name}: {}", stderr(&out));
        // Old code: gigabytes (every snippet repeated the whole 4.9 MB line).
        assert!(
            out.stdout.len() < 1_000_000,
            "{name}: {} bytes of output",
            out.stdout.len()
        );
        assert!(
            shown.contains("more findings in this file (notes/tokens.txt) not shown"),
            "{name}: {shown}"
        );
        // No secret is shown beyond its last 4 characters.
        for secret in &secrets {
            assert!(
                !shown.contains(&secret[..secret.len() - 4]),
                "{name}: {secret}"
            );
        }
        if name == "single" {
            assert!(shown.contains("…"), "long lines are cut: {shown}");
            assert!(
                shown.lines().all(|l| l.chars().count() < 400),
                "{name}: a snippet line is not windowed"
            );
        }
    }
    let (single, multi) = (elapsed[0], elapsed[1]);
    eprintln!("single-line {single:?}, multi-line {multi:?}");
    assert!(
        single < multi * 5 + Duration::from_secs(2),
        "single-line {single:?} vs multi-line {multi:?}: not linear"
    );
}

/// Probe 4: a manifest's kind is decided by the YAML loader, so a key written with a JSON escape,
/// an anchor or as a complex key is still `apiVersion` (old code: a text pre-filter missed them,
/// 0 files checked, exit 0).
#[test]
fn a_manifest_with_an_escaped_anchored_or_complex_key_is_still_checked() {
    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: hostile\nspec:\n  hostNetwork: true\n  containers:\n    - name: app\n      image: nginx:1.25\n      securityContext:\n        privileged: true\n";
    let expected = |path: &str, shift: usize| -> Vec<String> {
        [
            ("k8s/no-default-service-account-token", 5, 1),
            ("k8s/no-host-namespaces", 6, 3),
            ("k8s/drop-capabilities", 8, 7),
            ("k8s/no-privilege-escalation", 8, 7),
            ("k8s/require-read-only-root-fs", 8, 7),
            ("k8s/require-resources", 8, 7),
            ("k8s/require-run-as-non-root", 8, 7),
            ("k8s/require-seccomp", 8, 7),
            ("k8s/no-privileged", 11, 9),
        ]
        .iter()
        .map(|(rule, line, col)| format!("{rule} {path}:{}:{col}", line + shift))
        .collect()
    };
    let anchored = POD.replacen("apiVersion: v1", "&a apiVersion: v1", 1);
    let complex = POD.replacen("apiVersion: v1", "? apiVersion\n: v1", 1);
    let quoted = POD.replacen("apiVersion: v1", "\"api\\x56ersion\": v1", 1);
    for (path, text, shift) in [
        ("k8s/plain.yaml", POD, 0),
        ("k8s/anchored.yaml", anchored.as_str(), 0),
        ("k8s/complex.yaml", complex.as_str(), 1),
        ("k8s/escaped.yaml", quoted.as_str(), 0),
    ] {
        let dir = repo(&[(path, text.as_bytes())]);
        let out = tollgate(dir.path(), &["check", ".", "--format", "json"]);
        assert_eq!(code(&out), 1, "{path}: {}", all_output(&out));
        assert_eq!(findings(&stdout(&out)), expected(path, shift), "{path}");
    }
    let json = "{\"api\\u0056ersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"hostile\"},\n \"spec\": {\"hostNetwork\": true,\n  \"containers\": [{\"name\": \"app\", \"image\": \"nginx:1.25\",\n    \"securityContext\": {\"privileged\": true}}]}}\n";
    let dir = repo(&[("k8s/pod.json", json.as_bytes())]);
    let out = tollgate(dir.path(), &["check", ".", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", all_output(&out));
    let got = findings(&stdout(&out));
    for want in [
        "k8s/no-host-namespaces k8s/pod.json:2:11",
        "k8s/no-privileged k8s/pod.json:4:25",
    ] {
        assert!(got.iter().any(|f| f == want), "{want} not in {got:?}");
    }
    // A YAML or JSON file that is no manifest is still not one.
    let dir = repo(&[
        ("package.json", b"{\"name\": \"x\", \"kind\": \"lib\"}\n"),
        ("config.yaml", b"&a apiVersions: [v1]\nkind: thing\n"),
    ]);
    let out = tollgate(dir.path(), &["check", ".", "--format", "json"]);
    assert_eq!(findings(&stdout(&out)), Vec::<String>::new());
}

/// Probe 5: a file that was not fully checked fails the run by default, and the report says which
/// (old code: the caps were warnings, exit 0, and what came after them was never seen).
#[test]
fn a_file_not_fully_checked_fails_the_run_and_is_named() {
    const TAIL: &str = "create table public.t (id int);\ngrant select on public.t to anon;\n";
    let junk: String = (0..500)
        .map(|i| format!("frobnicate widget_{i} with sprockets;\n"))
        .collect();
    let many = "select 1;\n".repeat(20_000);
    let big = format!("{}\ntoken={TOKEN}\n", "x".repeat(5_300_000));
    let cases: [(&str, String, &str); 3] = [
        (
            "db/migrations/0001.sql",
            format!("{junk}{TAIL}"),
            "tollgate/too-many-findings",
        ),
        (
            "db/migrations/0001.sql",
            format!("{many}{TAIL}"),
            "tollgate/too-many-statements",
        ),
        ("notes/big.txt", big, "tollgate/file-too-large"),
    ];
    for (path, text, rule) in &cases {
        let dir = repo(&[(path, text.as_bytes())]);
        let out = tollgate(dir.path(), &["check", ".", "--format", "json"]);
        assert_eq!(code(&out), 1, "{rule}: {}", stderr(&out));
        let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        let cap = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == *rule)
            .unwrap_or_else(|| panic!("no {rule}"));
        assert_eq!(cap["level"], "error", "{rule}");
        let human = tollgate(dir.path(), &["check", ".", "--quiet"]);
        assert_eq!(code(&human), 1, "{rule}");
        assert!(
            stdout(&human).contains(&format!("not fully checked: 1 file: {path} ({rule})")),
            "{rule}: {}",
            stdout(&human)
        );
        let md = tollgate(dir.path(), &["check", ".", "--format", "markdown"]);
        assert!(
            stdout(&md).contains(&format!(
                "**Not fully checked:** 1 file: `{path}` (`{rule}`)"
            )),
            "{rule}: {}",
            stdout(&md)
        );
        assert!(stdout(&md).contains("Governance checks failing"), "{rule}");
        assert_no_marker(&md);
    }
    // Over the findings cap, the errors are the findings kept: the table granted to anon is seen.
    let dir = repo(&[("db/migrations/0001.sql", format!("{junk}{TAIL}").as_bytes())]);
    let out = tollgate(dir.path(), &["check", ".", "--format", "json"]);
    let got = findings(&stdout(&out));
    assert!(
        got.contains(&"sql/require-rls db/migrations/0001.sql:501:14".to_string()),
        "{got:?}"
    );
    // A file that cannot be decoded too.
    let dir = repo(&[
        ("db/migrations/0001.sql", b"select 1;\n"),
        (
            "db/migrations/0002.sql",
            b"select 1;\n\xff\xfe create table public.t (id int);\n",
        ),
    ]);
    let out = tollgate(dir.path(), &["check", "."]);
    assert_eq!(code(&out), 1, "{}", all_output(&out));
    assert!(
        stdout(&out)
            .contains("not fully checked: 1 file: db/migrations/0002.sql (tollgate/read-error)"),
        "{}",
        stdout(&out)
    );
}

/// Probe 10: a policy that checks nothing fails the run (exit 2, with the reason on stderr and in
/// every report), one weaker than `recommended` is reported as "policy weakened" with its origin
/// and hash, and no policy file passes for the built-in one (old code: "Governance checks green",
/// 0 files, exit 0).
#[test]
fn a_policy_that_checks_nothing_fails_and_a_weakened_one_is_reported() {
    for policy in [
        "[files]\nexclude = [\"**\"]\n",
        "[files]\ninclude = []\n",
        "[files.kinds]\nsql = []\nenv = []\ndocker = []\nk8s = []\ncode = []\ntext = []\ncompose = []\n",
    ] {
        let dir = repo(&[
            ("db/migrations/0001.sql", NO_RLS),
            ("tollgate.toml", policy.as_bytes()),
        ]);
        let out = tollgate(dir.path(), &["check", "."]);
        assert_eq!(code(&out), 2, "{policy}: {}", all_output(&out));
        assert!(
            stderr(&out).contains("checks nothing: no file matched"),
            "{policy}: {}",
            stderr(&out)
        );
        assert!(stdout(&out).contains("✖ 0 errors"), "{}", stdout(&out));
        let md = tollgate(dir.path(), &["check", ".", "--format", "markdown"]);
        assert_eq!(code(&md), 2);
        let text = stdout(&md);
        assert!(!text.contains("Governance checks green"), "{text}");
        assert!(text.contains("> ❌ **Nothing checked**"), "{text}");
        let gh = tollgate(dir.path(), &["github", "--comment", "off"]);
        assert_eq!(code(&gh), 2, "{policy}: {}", all_output(&gh));
    }
    // Every rule off: files are read, nothing is checked.
    let all_off: String = ["sql", "env", "docker", "k8s", "secret", "tollgate"]
        .iter()
        .map(|kind| {
            let rules: String = tollgate_rules(kind)
                .iter()
                .map(|r| format!("{r} = \"off\"\n"))
                .collect();
            format!("[rules.{kind}]\n{rules}")
        })
        .collect();
    let dir = repo(&[
        ("db/migrations/0001.sql", NO_RLS),
        ("tollgate.toml", all_off.as_bytes()),
    ]);
    let out = tollgate(dir.path(), &["check", "."]);
    assert_eq!(code(&out), 2, "{}", all_output(&out));
    assert!(
        stderr(&out).contains("every rule is off"),
        "{}",
        stderr(&out)
    );

    // The built-in default in a directory with nothing to check is not a broken policy.
    let dir = repo(&[("README.md", b"# hello\n")]);
    assert_eq!(code(&tollgate(dir.path(), &["check", "."])), 0);

    // Weakened: a recommended rule off, lowered in an override, a limit lowered, read-error off.
    let weak = "name = \"recommended (built-in)\"\n[rules.sql]\nrequire-rls = \"off\"\n[rules.tollgate]\nread-error = \"off\"\n[limits]\nmax-statements-per-file = 3\n[[overrides]]\nfiles = [\"legacy/**\"]\n[overrides.rules.secret]\nno-plaintext-secret = \"note\"\n";
    let dir = repo(&[
        ("db/migrations/0001.sql", NO_RLS),
        ("tollgate.toml", weak.as_bytes()),
    ]);
    let out = tollgate(dir.path(), &["check", "."]);
    assert_eq!(code(&out), 0, "{}", all_output(&out));
    let human = stdout(&out);
    let hash = human
        .rsplit(", hash ")
        .next()
        .map(|h| h.trim_end().trim_end_matches(')'));
    assert!(
        human.contains(
            "policy weakened: `tollgate/read-error` off (recommended: error); `sql/require-rls` off \
             (recommended: error); `secret/no-plaintext-secret` lowered to note for `legacy/**` \
             (recommended: error); `limits.max-statements-per-file` lowered to 3 (default 20000) \
             (policy recommended (built-in) (not built-in: tollgate.toml) from tollgate.toml, hash "
        ),
        "{human}"
    );
    assert!(
        hash.is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit())),
        "{human}"
    );
    assert!(
        human.contains(
            "· policy recommended (built-in) (not built-in: tollgate.toml) from tollgate.toml ("
        ),
        "{human}"
    );
    let md = stdout(&tollgate(
        dir.path(),
        &["check", ".", "--format", "markdown"],
    ));
    assert!(
        md.contains("> ⚠️ **Policy weakened** against `recommended` by policy **recommended (built-in) (not built-in: tollgate.toml)** (`tollgate.toml`, hash `"),
        "{md}"
    );
    assert!(
        md.contains("`sql/require-rls` off (recommended: error)"),
        "{md}"
    );
    assert!(md.contains("policy weakened (4 changes)"), "{md}");
    // `strict` is stronger than `recommended`: nothing to report.
    let dir = repo(&[
        ("db/migrations/0001.sql", NO_RLS),
        ("tollgate.toml", b"extends = [\"strict\"]\n"),
    ]);
    let out = tollgate(dir.path(), &["check", "."]);
    assert!(!stdout(&out).contains("weakened"), "{}", stdout(&out));
}

/// The names (without kind) of the registry's rules of one kind, from `tollgate rules`.
fn tollgate_rules(kind: &str) -> std::collections::BTreeSet<String> {
    let out = Command::new(bin())
        .args(["rules"])
        .output()
        .expect("tollgate rules");
    stdout(&out)
        .split_whitespace()
        .filter_map(|w| w.strip_prefix(&format!("{kind}/")))
        .map(|r| {
            r.trim_end_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-')
                .to_string()
        })
        .collect()
}

/// Probe 8: file names with a newline, `::add-mask::`, `<details>`, `@someone` and ANSI escapes
/// cannot start a workflow command, break a markdown table or mention anyone, in any format.
#[test]
fn hostile_file_names_cannot_break_out_of_any_format() {
    let names = [
        "db/migrations/0001_a\n::add-mask::x.sql",
        "db/migrations/0002_<details>@someone.sql",
        "db/migrations/0003_\u{1b}[31mred|`tick.sql",
    ];
    // Identifiers with a newline, a workflow command, a backtick and a pipe.
    let sql: Vec<String> = (0..names.len())
        .map(|i| format!("create table public.\"t{i}\n::add-mask::`|@someone\" (id int);\n"))
        .collect();
    let files: Vec<(&str, &[u8])> = names
        .iter()
        .zip(&sql)
        .map(|(n, s)| (*n, s.as_bytes()))
        .collect();
    let dir = repo(&files);
    for format in ["human", "github", "junit", "markdown", "json"] {
        let out = tollgate(dir.path(), &["check", ".", "--format", format]);
        assert_eq!(code(&out), 1, "{format}: {}", all_output(&out));
        let text = stdout(&out);
        for line in text.lines() {
            let command = ["::error file=", "::warning file=", "::notice file="]
                .iter()
                .any(|c| line.starts_with(c));
            assert!(
                !line.trim_start().starts_with("::") || (format == "github" && command),
                "{format}: a line starts a workflow command: {line:?}"
            );
        }
        assert!(!text.contains('\u{1b}'), "{format}: raw escape byte");
        if format == "markdown" {
            // Outside code spans (inert there) no tag and no mention.
            let prose: String = text.split('`').step_by(2).collect::<Vec<_>>().join(" ");
            assert!(!prose.contains("<details>"), "{text}");
            assert!(!prose.contains("@someone"), "{text}");
            for line in text.lines().filter(|l| l.starts_with("| ")) {
                assert!(line.ends_with(" |"), "a table row was broken: {line:?}");
            }
        }
        if format == "human" {
            assert!(text.contains("0001_a\\n::add-mask::x.sql"), "{text}");
            assert!(text.contains("0003_\\u{1b}[31mred"), "{text}");
        }
    }
}

/// `supabase/config.toml` is read like every config file: a symlink out of the repository is not
/// followed, so it cannot change which schemas count as exposed.
#[test]
fn supabase_config_symlinked_outside_the_repository_is_not_read() {
    let outside = tempfile::tempdir().unwrap();
    let config = outside.path().join("config.toml");
    std::fs::write(&config, "[api]\nschemas = [\"private\"]\n").unwrap();
    let dir = repo(&[(
        "supabase/migrations/0001_init.sql",
        b"create table private.notes (id int);\n",
    )]);
    let exposed = |out: &Output| findings(&stdout(out));
    // In the repository, the config decides: `private` is exposed and its table needs RLS.
    std::fs::write(
        dir.path().join("supabase/config.toml"),
        "[api]\nschemas = [\"private\"]\n",
    )
    .unwrap();
    let inside = tollgate(dir.path(), &["check", "--format", "json"]);
    assert_eq!(
        exposed(&inside),
        ["sql/require-rls supabase/migrations/0001_init.sql:1:14"]
    );
    // Through a symlink out of the repository it is not read: the default (`public`) applies.
    std::fs::remove_file(dir.path().join("supabase/config.toml")).unwrap();
    symlink(&config, dir.path().join("supabase/config.toml")).unwrap();
    let through = tollgate(dir.path(), &["check", "--format", "json"]);
    assert_eq!(exposed(&through), Vec::<String>::new());
}
