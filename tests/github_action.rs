//! The GitHub Action: `action.yml` and the workflows have the structure GitHub needs (and no
//! script injection), and the action's own scripts work in a simulated Actions environment:
//! install.sh against a local release mirror (checksums verified), run.sh against the fake GitHub.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use saphyr::{LoadableYamlNode, ScalarOwned, YamlOwned};
use serde_json::Value;
use support::fake_github::{FakeFile, FakeGitHub, TOKEN};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// YAML → JSON, so the checks below read like the data they check.
fn to_json(node: &YamlOwned) -> Value {
    match node {
        YamlOwned::Value(ScalarOwned::Null) | YamlOwned::BadValue | YamlOwned::Alias(_) => {
            Value::Null
        }
        YamlOwned::Value(ScalarOwned::Boolean(b)) => Value::Bool(*b),
        YamlOwned::Value(ScalarOwned::Integer(i)) => Value::from(*i),
        YamlOwned::Value(ScalarOwned::FloatingPoint(f)) => Value::from(f.into_inner()),
        YamlOwned::Value(ScalarOwned::String(s)) | YamlOwned::Representation(s, _, _) => {
            Value::String(s.clone())
        }
        YamlOwned::Sequence(items) => Value::Array(items.iter().map(to_json).collect()),
        YamlOwned::Mapping(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = match to_json(k) {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        YamlOwned::Tagged(_, inner) => to_json(inner),
    }
}

fn load_yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    let docs = YamlOwned::load_from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(docs.len(), 1, "{path}: one document");
    to_json(&docs[0])
}

/// Every step of every job (workflows) or of `runs` (the action).
fn steps(doc: &Value) -> Vec<&Value> {
    let mut out: Vec<&Value> = doc["runs"]["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    for job in doc["jobs"].as_object().into_iter().flat_map(|j| j.values()) {
        out.extend(job["steps"].as_array().into_iter().flatten());
    }
    out
}

fn assert_safe_steps(file: &str, doc: &Value) {
    for step in steps(doc) {
        if let Some(run) = step["run"].as_str() {
            assert!(
                !run.contains("${{"),
                "{file}: expression pasted into shell (use env:): {run}"
            );
        }
        if let Some(uses) = step["uses"].as_str() {
            if uses.starts_with("./") {
                continue;
            }
            let (_, reference) = uses
                .split_once('@')
                .unwrap_or_else(|| panic!("{file}: `{uses}` has no ref"));
            assert!(
                reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit()),
                "{file}: `{uses}` is not pinned to a commit SHA"
            );
        }
    }
}

#[test]
fn action_metadata_is_a_composite_action_with_the_documented_interface() {
    let action = load_yaml("action.yml");
    assert_eq!(action["runs"]["using"], "composite");
    let inputs: BTreeSet<&str> = action["inputs"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let expected: BTreeSet<&str> = [
        "policy",
        "paths",
        "fail-on",
        "comment",
        "filter-mode",
        "check-run",
        "sarif-file",
        "version",
        "github-token",
    ]
    .into();
    assert_eq!(inputs, expected);
    for (name, input) in action["inputs"].as_object().unwrap() {
        assert!(
            input["description"].as_str().is_some_and(|d| !d.is_empty()),
            "input {name} needs a description"
        );
    }
    assert_eq!(
        action["inputs"]["github-token"]["default"],
        "${{ github.token }}"
    );
    assert_eq!(action["inputs"]["comment"]["default"], "review");
    assert_eq!(action["inputs"]["filter-mode"]["default"], "added");
    for output in ["findings", "errors", "sarif-file"] {
        let value = action["outputs"][output]["value"]
            .as_str()
            .unwrap_or_default();
        assert_eq!(value, format!("${{{{ steps.run.outputs.{output} }}}}"));
    }
    for step in steps(&action) {
        if step.get("run").is_some() {
            assert_eq!(step["shell"], "bash", "composite run steps need a shell");
        }
    }
    assert_safe_steps("action.yml", &action);

    // Every input reaches the scripts through env, and every INPUT_* the scripts read is provided.
    let mut provided = BTreeSet::new();
    for step in steps(&action) {
        for (key, value) in step["env"].as_object().into_iter().flatten() {
            let value = value.as_str().unwrap_or_default();
            if let Some(input) = value
                .strip_prefix("${{ inputs.")
                .and_then(|v| v.strip_suffix(" }}"))
            {
                provided.insert(input.to_string());
                if key.starts_with("INPUT_") {
                    assert_eq!(
                        key,
                        &format!("INPUT_{}", input.to_uppercase().replace('-', "_"))
                    );
                }
            }
        }
    }
    assert_eq!(
        provided.iter().map(String::as_str).collect::<BTreeSet<_>>(),
        expected,
        "every input is passed to a script"
    );
    let scripts = ["scripts/action/install.sh", "scripts/action/run.sh"]
        .map(|p| std::fs::read_to_string(root().join(p)).unwrap())
        .join("\n");
    let used: BTreeSet<String> = regex::Regex::new(r"INPUT_[A-Z_]+")
        .unwrap()
        .find_iter(&scripts)
        .map(|m| m.as_str().to_string())
        .collect();
    let env_keys: BTreeSet<String> = steps(&action)
        .iter()
        .flat_map(|s| {
            s["env"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k.clone())
        })
        .collect();
    for name in used {
        assert!(
            env_keys.contains(&name),
            "{name} is read by a script but not set in action.yml"
        );
    }
}

#[test]
fn workflows_use_the_action_upload_sarif_and_build_every_install_target() {
    let ci = load_yaml(".github/workflows/ci.yml");
    assert_safe_steps("ci.yml", &ci);
    let all = steps(&ci);
    assert!(
        all.iter().any(|s| s["uses"] == "./"),
        "CI runs the action on this repository"
    );
    let upload_job = ci["jobs"]
        .as_object()
        .unwrap()
        .values()
        .find(|job| {
            job["steps"].as_array().into_iter().flatten().any(|s| {
                s["uses"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
            })
        })
        .expect("a job uploads SARIF");
    assert_eq!(upload_job["permissions"]["security-events"], "write");
    assert_eq!(upload_job["permissions"]["pull-requests"], "write");
    assert_eq!(upload_job["permissions"]["checks"], "write");

    let release = load_yaml(".github/workflows/release.yml");
    assert_safe_steps("release.yml", &release);
    let built: BTreeSet<String> = release["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["target"].as_str().unwrap().to_string())
        .collect();
    let install = std::fs::read_to_string(root().join("scripts/action/install.sh")).unwrap();
    let installed: BTreeSet<String> = regex::Regex::new(r"target=([a-z0-9_-]+) ;;")
        .unwrap()
        .captures_iter(&install)
        .map(|c| c[1].to_string())
        .collect();
    assert_eq!(
        built, installed,
        "release.yml builds exactly what install.sh downloads"
    );
    assert_eq!(release["permissions"]["contents"], "read");
    assert_eq!(
        release["jobs"]["publish"]["permissions"]["contents"],
        "write"
    );
}

fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// A release mirror for x86_64 Linux packaged as release.yml does. The "binary" is a stand-in
/// script answering `--version` (the installer only runs that), which keeps the archive small.
fn release_mirror(dir: &Path, tamper: bool) -> String {
    let version = version();
    let name = format!("tollgate-v{version}-x86_64-unknown-linux-musl");
    let stage = dir.join("stage").join(&name);
    std::fs::create_dir_all(&stage).unwrap();
    std::fs::write(
        stage.join("tollgate"),
        format!("#!/bin/sh\necho 'tollgate {version}'\n"),
    )
    .unwrap();
    let out_dir = dir.join("releases").join(format!("v{version}"));
    std::fs::create_dir_all(&out_dir).unwrap();
    let archive = out_dir.join(format!("{name}.tar.gz"));
    let status = Command::new("tar")
        .arg("-C")
        .arg(dir.join("stage"))
        .arg("-czf")
        .arg(&archive)
        .arg(&name)
        .status()
        .unwrap();
    assert!(status.success());
    let sum = Command::new("sha256sum").arg(&archive).output().unwrap();
    let mut line = String::from_utf8(sum.stdout).unwrap();
    if tamper {
        line.replace_range(0..4, "0000");
    }
    std::fs::write(out_dir.join(format!("{name}.tar.gz.sha256")), line).unwrap();
    format!("file://{}", dir.join("releases").display())
}

fn install(dir: &Path, mirror: &str, version_input: &str) -> (std::process::Output, String) {
    install_with_path(dir, mirror, version_input, "/usr/bin:/bin")
}

fn install_with_path(
    dir: &Path,
    mirror: &str,
    version_input: &str,
    path: &str,
) -> (std::process::Output, String) {
    let github_path = dir.join("github_path");
    let out = Command::new("bash")
        .arg(root().join("scripts/action/install.sh"))
        .env_clear()
        // By default no cargo on PATH: a failed download must not start a real build here.
        .env("PATH", path)
        .env("GITHUB_ACTION_PATH", root())
        .env("GITHUB_PATH", &github_path)
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("INPUT_VERSION", version_input)
        .env("TOLLGATE_INSTALL_DIR", dir.join("tool-cache"))
        .env("TOLLGATE_RELEASE_BASE", mirror)
        .output()
        .unwrap();
    (
        out,
        std::fs::read_to_string(github_path).unwrap_or_default(),
    )
}

#[test]
fn install_script_downloads_verifies_and_caches_the_release() {
    let dir = tempfile::tempdir().unwrap();
    let mirror = release_mirror(dir.path(), false);
    let (out, path_file) = install(dir.path(), &mirror, "");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let bin_dir = dir.path().join(format!(
        "tool-cache/{}/x86_64-unknown-linux-musl/bin",
        version()
    ));
    assert_eq!(path_file.trim(), bin_dir.display().to_string());
    let installed = Command::new(bin_dir.join("tollgate"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&installed.stdout).contains(&version()));
    // Second run: the cached binary is reused without downloading.
    let (out, _) = install(
        dir.path(),
        "file:///nonexistent",
        &format!("v{}", version()),
    );
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("using cached tollgate"));
}

#[test]
fn install_script_refuses_a_tampered_archive_and_bad_versions() {
    let dir = tempfile::tempdir().unwrap();
    let mirror = release_mirror(dir.path(), true);
    let (out, path_file) = install(dir.path(), &mirror, "");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("checksum mismatch") && stderr.contains("cargo is not available"),
        "{stderr}"
    );
    assert!(path_file.is_empty());
    assert!(
        !dir.path()
            .join(format!(
                "tool-cache/{}/x86_64-unknown-linux-musl/bin/tollgate",
                version()
            ))
            .exists()
    );

    // `source` never downloads: without cargo it fails instead of taking the release.
    let good = release_mirror(&dir.path().join("good"), false);
    let (out, path_file) = install(dir.path(), &good, "source");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success()
            && !stderr.contains("downloading")
            && stderr.contains("cargo is not available"),
        "{stderr}"
    );
    assert!(path_file.is_empty());

    let (out, _) = install(dir.path(), &mirror, "1.0; touch pwned");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid version"));
    assert!(!dir.path().join("pwned").exists() && !root().join("pwned").exists());
}

#[test]
fn run_script_drives_the_binary_against_the_fake_github() {
    let head = "abababababababababababababababababababab";
    let sql = "create table orders (id int);\ncreate table refunds (id int);\n";
    let migration = "supabase/migrations/20250301000000_orders.sql";
    let patch = format!("@@ -0,0 +1,2 @@\n+{}", sql.trim_end().replace('\n', "\n+"));
    let fake = FakeGitHub::start(
        "acme",
        "shop",
        5,
        head,
        vec![FakeFile {
            filename: migration.into(),
            status: "added".into(),
            patch: Some(patch),
        }],
    );
    let repo = tempfile::tempdir().unwrap();
    let aux = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(repo.path().join("supabase/migrations")).unwrap();
    std::fs::write(repo.path().join(migration), sql).unwrap();
    let event = aux.path().join("event.json");
    std::fs::write(
        &event,
        serde_json::json!({"number": 5, "pull_request": {"number": 5, "head": {"sha": head, "repo": {"full_name": "acme/shop"}}, "base": {"sha": "b", "repo": {"full_name": "acme/shop"}}}}).to_string(),
    )
    .unwrap();
    let output = aux.path().join("output");
    let summary = aux.path().join("summary.md");
    // Inputs as a workflow could set them, hostile ones included: they must stay inert strings.
    let sarif = "out$(touch pwned)`touch pwned2`.sarif";
    let out = Command::new("bash")
        .arg(root().join("scripts/action/run.sh"))
        .current_dir(repo.path())
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("TOLLGATE_BIN", env!("CARGO_BIN_EXE_tollgate"))
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_API_URL", &fake.url)
        .env("GITHUB_REPOSITORY", "acme/shop")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_SHA", "ffffffffffffffffffffffffffffffffffffffff")
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_TOKEN", TOKEN)
        .env("INPUT_POLICY", "")
        .env("INPUT_PATHS", "supabase\n  supabase/migrations ")
        .env("INPUT_FAIL_ON", "error")
        .env("INPUT_COMMENT", "review")
        .env("INPUT_FILTER_MODE", "added")
        .env("INPUT_CHECK_RUN", "true")
        .env("INPUT_SARIF_FILE", sarif)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains(TOKEN) && !String::from_utf8_lossy(&out.stdout).contains(TOKEN));
    assert!(
        !repo.path().join("pwned").exists() && !repo.path().join("pwned2").exists(),
        "an input was executed"
    );
    assert!(
        repo.path().join(sarif).exists(),
        "the SARIF file keeps its literal name"
    );
    let outputs = std::fs::read_to_string(&output).unwrap();
    assert!(
        outputs.contains("findings=2\n") && outputs.contains("errors=2\n"),
        "{outputs}"
    );
    assert!(outputs.contains(&format!("sarif-file={sarif}\n")));
    assert!(
        std::fs::read_to_string(&summary)
            .unwrap()
            .contains("2 findings")
    );
    let writes: Vec<String> = fake
        .writes()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        writes,
        vec![
            "POST /repos/acme/shop/pulls/5/reviews",
            "POST /repos/acme/shop/issues/5/comments",
            "POST /repos/acme/shop/check-runs"
        ]
    );
    assert!(fake.state().schema_violations.is_empty());
}

#[test]
fn install_script_falls_back_to_cargo_install_from_the_action_source() {
    let dir = tempfile::tempdir().unwrap();
    // A stand-in cargo that records its arguments and "installs" into --root.
    let stub = dir.path().join("stub");
    std::fs::create_dir_all(&stub).unwrap();
    let script = format!(
        "#!/bin/sh\necho \"$@\" > '{log}'\nwhile [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=$2; shift; done\nmkdir -p \"$root/bin\"\nprintf '#!/bin/sh\\necho tollgate {v}\\n' > \"$root/bin/tollgate\"\nchmod +x \"$root/bin/tollgate\"\n",
        log = dir.path().join("cargo-args").display(),
        v = version()
    );
    std::fs::write(stub.join("cargo"), script).unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(stub.join("cargo"))
        .status()
        .unwrap();
    let path = format!("{}:/usr/bin:/bin", stub.display());
    // No release for this version on the mirror: the installer builds from source.
    let (out, path_file) = install_with_path(
        dir.path(),
        &format!("file://{}", dir.path().join("empty").display()),
        "",
        &path,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("no release archive") && stderr.contains("building tollgate"),
        "{stderr}"
    );
    let args = std::fs::read_to_string(dir.path().join("cargo-args")).unwrap();
    assert!(
        args.starts_with(&format!(
            "install --locked --path {} --root ",
            root().display()
        )),
        "{args}"
    );
    let bin = PathBuf::from(path_file.trim()).join("tollgate");
    assert!(bin.exists(), "{}", bin.display());
}
