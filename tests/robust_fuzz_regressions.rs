//! Every input in `fuzz/regressions/<target>/` (crashes found by fuzzing, plus hand-made hostile
//! inputs: deep nesting, unterminated constructs, huge repetitions) goes through its target's
//! invariants and through every other parser, in the normal test suite.

#[path = "../fuzz/src/checks.rs"]
mod checks;

use std::path::Path;
use std::time::{Duration, Instant};

fn run_target(target: &str, text: &str) {
    match target {
        "sql" => {
            checks::check_sql(text);
            checks::check_lexer(text);
        }
        "dockerfile" => checks::check_docker(text),
        "policy" => checks::check_policy(text),
        "suppress" => checks::check_suppress(text),
        "engine" => checks::check_engine(text),
        "yaml" => checks::check_yaml(text),
        "env" => checks::check_env(text),
        other => panic!("no target named {other}"),
    }
}

const TARGETS: &[&str] = &[
    "sql",
    "dockerfile",
    "yaml",
    "env",
    "policy",
    "suppress",
    "engine",
];

#[test]
fn fuzz_regressions_keep_every_invariant() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    for target in TARGETS {
        let mut inputs: Vec<_> = std::fs::read_dir(root.join(target))
            .unwrap_or_else(|e| panic!("fuzz/regressions/{target}: {e}"))
            .map(|e| e.expect("dir entry").path())
            .collect();
        inputs.sort();
        assert!(!inputs.is_empty(), "fuzz/regressions/{target} is empty");
        for path in inputs {
            let bytes = std::fs::read(&path).expect("read regression input");
            let text = String::from_utf8_lossy(&bytes);
            let started = Instant::now();
            // The input's own target first, then every other one: a crash in one parser is
            // often a near-miss for another.
            run_target(target, &text);
            for other in TARGETS.iter().filter(|t| *t != target) {
                run_target(other, &text);
            }
            // Debug build, shared machine: generous, but catches a quadratic blow-up.
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "{} took {:?}",
                path.display(),
                started.elapsed()
            );
        }
    }
}
