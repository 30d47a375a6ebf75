//! Runs the binary over `fixtures/docker` and checks that every fixture produces exactly the
//! findings its `# expect: <rule> <line>:<col>` comments list.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/docker");

fn is_dockerfile(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    is_compose(name)
        || name == "Dockerfile"
        || name == "Containerfile"
        || name.starts_with("Dockerfile.")
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile")
}

fn fixtures(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixture dir")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            fixtures(&path, out);
        } else if is_dockerfile(&path) {
            out.push(path);
        }
    }
}

fn is_compose(name: &str) -> bool {
    (name.starts_with("compose.") || name.starts_with("docker-compose"))
        && (name.ends_with(".yaml") || name.ends_with(".yml"))
}

/// `rule line:col` strings from `# expect:` comments.
fn expectations(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("# expect:"))
        .map(|e| e.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    out.sort();
    out
}

fn run_fixtures() -> serde_json::Value {
    let output = Command::new(common::bin())
        .args([
            "check",
            ".",
            "--policy",
            "tollgate.toml",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--color",
            "never",
        ])
        .current_dir(ROOT)
        .output()
        .expect("run tollgate");
    assert!(
        output.status.success(),
        "tollgate failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON report")
}

#[test]
fn every_fixture_gives_exactly_its_expected_findings() {
    let mut files = Vec::new();
    fixtures(Path::new(ROOT), &mut files);
    let report = run_fixtures();
    let mut actual: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in report["findings"].as_array().expect("findings") {
        let path = f["path"]
            .as_str()
            .unwrap_or_default()
            .trim_start_matches("./")
            .to_string();
        let rule = f["rule"].as_str().unwrap_or_default();
        let at = format!("{}:{}", f["start"]["line"], f["start"]["column"]);
        actual.entry(path).or_default().push(format!("{rule} {at}"));
    }
    let mut failures = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(ROOT)
            .expect("under root")
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(file).expect("read fixture");
        let expected = expectations(&text);
        let mut got = actual.remove(&rel).unwrap_or_default();
        got.sort();
        if got != expected {
            failures.push(format!(
                "{rel}\n  expected {expected:?}\n  got      {got:?}"
            ));
        }
    }
    assert!(
        actual.is_empty(),
        "findings in files that are not fixtures: {actual:?}"
    );
    assert!(
        failures.is_empty(),
        "{} fixture(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let dockerfiles = files
        .iter()
        .filter(|f| !is_compose(&f.file_name().unwrap_or_default().to_string_lossy()))
        .count();
    assert!(dockerfiles >= 60, "only {dockerfiles} Dockerfile fixtures");
}

#[test]
fn every_docker_rule_fires_somewhere_in_the_corpus() {
    let report = run_fixtures();
    let fired: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    let listed = Command::new(common::bin())
        .args(["rules", "--json"])
        .output()
        .expect("rules");
    let rules: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("rules JSON");
    for rule in rules.as_array().expect("rule list") {
        let id = rule["id"].as_str().unwrap_or_default();
        if id.starts_with("docker/") {
            assert!(fired.contains(&id), "no fixture exercises {id}");
        }
    }
}
