//! The rule reference in docs/rules/ is generated from the rules' doc comments and must be current;
//! every violating example must produce a finding of its rule and every compliant example none.
//!
//! Regenerate with `TOLLGATE_UPDATE_DOCS=1 cargo test --test rule_docs`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tollgate::docs;
use tollgate::engine::check_sources;
use tollgate::policy::Policy;
use tollgate::rules::{REGISTRY, RuleMeta};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn updating() -> bool {
    std::env::var_os("TOLLGATE_UPDATE_DOCS").is_some_and(|v| v == "1")
}

/// Every file under `dir`, relative to the repository root.
fn files_under(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(root()) {
                out.insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out
}

#[test]
fn rule_reference_is_current() {
    let generated = docs::generate();
    let on_disk = files_under(&root().join(docs::DIR));
    if updating() {
        for stale in on_disk.iter().filter(|p| !generated.contains_key(*p)) {
            std::fs::remove_file(root().join(stale)).unwrap();
        }
        for (path, text) in &generated {
            let full = root().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        return;
    }
    let mut problems = Vec::new();
    for (path, text) in &generated {
        match std::fs::read_to_string(root().join(path)) {
            Ok(current) if current == *text => {}
            Ok(_) => problems.push(format!("{path} is stale")),
            Err(_) => problems.push(format!("{path} is missing")),
        }
    }
    for extra in on_disk.iter().filter(|p| !generated.contains_key(*p)) {
        problems.push(format!("{extra} documents no registered rule"));
    }
    assert!(
        problems.is_empty(),
        "{}\nregenerate with `TOLLGATE_UPDATE_DOCS=1 cargo test --test rule_docs`",
        problems.join("\n")
    );
}

#[test]
fn rule_sources_exist_where_the_reference_links() {
    for entry in REGISTRY {
        let src = docs::source_path(entry.meta);
        assert!(
            root().join(&src).is_file(),
            "{}: {src} missing",
            entry.meta.id
        );
    }
}

#[test]
fn readme_links_the_rule_reference() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(
        readme.contains("](docs/rules/README.md)"),
        "README must link docs/rules/README.md"
    );
}

/// A path that the default classification gives the kind a code block's language names, or `None`
/// for blocks that are not files (`text`, `toml`, shell sessions).
fn example_path(lang: &str) -> Option<&'static str> {
    match lang {
        "sql" => Some("supabase/migrations/20250101000000_example.sql"),
        "dockerfile" | "docker" | "Dockerfile" | "containerfile" => Some("Dockerfile"),
        "yaml" | "yml" => Some("k8s/deployment.yaml"),
        "compose" => Some("compose.yaml"),
        "dotenv" | "env" => Some(".env.example"),
        _ => None,
    }
}

/// A policy with every rule at its default level and `meta`'s rule at `error`.
fn policy_enabling(meta: &RuleMeta) -> Policy {
    let text = format!(
        "extends = [\"recommended\"]\n[rules.{}]\n{} = \"error\"\n",
        meta.kind(),
        meta.name()
    );
    Policy::from_str("example.toml", &text, None).unwrap()
}

#[test]
fn every_example_produces_the_findings_it_claims() {
    let mut checked = 0;
    let mut problems = Vec::new();
    for entry in REGISTRY {
        let meta = entry.meta;
        let policy = policy_enabling(meta);
        let text = docs::text(meta);
        for (heading, body) in docs::sections(&text) {
            let violating = match heading.as_str() {
                "Violating example" => true,
                "Compliant example" => false,
                _ => continue,
            };
            for block in docs::code_blocks(&body) {
                let Some(path) = example_path(&block.lang) else {
                    continue;
                };
                // A kind this build does not analyse yet (its branch not merged) has no examples to run.
                let Some(kind) = policy.files.classify(path) else {
                    continue;
                };
                let findings = check_sources(&policy, &[(path, kind, &block.code)]);
                let ours = findings.iter().filter(|f| f.rule == meta.id).count();
                let parse_errors: Vec<&str> = findings
                    .iter()
                    .filter(|f| f.rule.ends_with("/parse-error") && f.rule != meta.id)
                    .map(|f| f.rule)
                    .collect();
                checked += 1;
                if violating && ours == 0 {
                    problems.push(format!(
                        "{}: violating example gives no finding:\n{}",
                        meta.id, block.code
                    ));
                }
                if !violating && ours > 0 {
                    problems.push(format!(
                        "{}: compliant example gives {ours} findings:\n{}",
                        meta.id, block.code
                    ));
                }
                if !parse_errors.is_empty() {
                    problems.push(format!(
                        "{}: example does not parse ({parse_errors:?}):\n{}",
                        meta.id, block.code
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    assert!(checked >= 20, "only {checked} examples ran");
}
