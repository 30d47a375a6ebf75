//! Every manifest under `fixtures/k8s/` gives exactly the findings its expectations list, at the
//! right line and column. Expectations are `# expect: rule@col, rule@col` comments on the line of
//! the finding (`# expect-prev:` on the line after it), or a `<file>.expect` sidecar of `rule line:col` lines (for JSON, and positions no
//! comment can sit on). All k8s rules run with default options, including those off by default.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tollgate::document::{Document, FileKind, ParsedFile, Project, k8s};
use tollgate::rules::REGISTRY;
use tollgate::source::SourceFile;

fn fixture_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/k8s")
}

fn manifests(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            manifests(&path, out);
        } else if path
            .extension()
            .is_some_and(|ext| ext == "yaml" || ext == "yml" || ext == "json")
        {
            out.push(path);
        }
    }
}

fn expected(path: &Path, text: &str) -> BTreeSet<String> {
    let sidecar = PathBuf::from(format!("{}.expect", path.display()));
    if let Ok(listing) = std::fs::read_to_string(&sidecar) {
        return listing
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect();
    }
    let mut out = BTreeSet::new();
    for (index, line) in text.lines().enumerate() {
        // `# expect-prev:` sits on the next line, for lines that cannot carry a comment
        let (line_no, list) = match (
            line.split_once("# expect:"),
            line.split_once("# expect-prev:"),
        ) {
            (Some((_, list)), _) => (index + 1, list),
            (None, Some((_, list))) => (index, list),
            (None, None) => continue,
        };
        for item in list.split(',') {
            let (rule, col) = item
                .trim()
                .split_once('@')
                .unwrap_or_else(|| panic!("{}: bad expectation `{item}`", path.display()));
            // the same rule twice at one place (a shared alias) is written twice
            let mut entry = format!("{rule} {line_no}:{col}");
            while out.contains(&entry) {
                entry.push('+');
            }
            out.insert(entry);
        }
    }
    out
}

struct Run {
    files: Vec<(String, BTreeSet<String>, BTreeSet<String>)>,
}

fn run_fixtures() -> Run {
    let root = fixture_root();
    let mut paths = Vec::new();
    manifests(&root, &mut paths);
    let mut parsed = Vec::new();
    let mut expectations = Vec::new();
    for (id, path) in paths.iter().enumerate() {
        let text = std::fs::read_to_string(path).unwrap();
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        expectations.push(expected(path, &text));
        let document = Document::K8s(k8s::parse(&rel, &text));
        parsed.push(ParsedFile {
            id,
            kind: FileKind::K8s,
            source: SourceFile::new(rel.clone(), path, text),
            document,
        });
    }
    let project = Project::new(parsed);
    let rules: Vec<_> = REGISTRY
        .iter()
        .filter(|e| e.meta.id.starts_with("k8s/"))
        .map(|e| (e.meta.id, (e.build)(None).unwrap()))
        .collect();
    let mut actual: Vec<BTreeSet<String>> = vec![BTreeSet::new(); project.files.len()];
    for (id, rule) in &rules {
        let mut sink = Vec::new();
        for file in 0..project.files.len() {
            rule.check_file(file, &project, &mut sink);
        }
        rule.check_project(&project, &mut sink);
        for diagnostic in sink {
            let source = &project.file(diagnostic.file).source;
            let lc = source.line_col(diagnostic.span.start);
            let mut entry = format!("{id} {}:{}", lc.line, lc.column);
            while actual[diagnostic.file].contains(&entry) {
                entry.push('+');
            }
            actual[diagnostic.file].insert(entry);
        }
    }
    let files = project
        .files
        .iter()
        .zip(expectations)
        .zip(actual)
        .map(|((f, e), a)| (f.source.path.clone(), e, a))
        .collect();
    Run { files }
}

#[test]
fn fixtures_give_exactly_the_expected_findings() {
    let run = run_fixtures();
    let mut failures = Vec::new();
    for (path, expected, actual) in &run.files {
        if expected != actual {
            let missing: Vec<_> = expected.difference(actual).collect();
            let unexpected: Vec<_> = actual.difference(expected).collect();
            failures.push(format!(
                "{path}\n  missing:    {missing:?}\n  unexpected: {unexpected:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn fixtures_cover_every_rule_and_enough_manifests() {
    let run = run_fixtures();
    assert!(
        run.files.len() >= 60,
        "only {} fixture manifests",
        run.files.len()
    );
    let clean = run
        .files
        .iter()
        .filter(|(_, expected, _)| expected.is_empty())
        .count();
    assert!(clean >= 10, "only {clean} clean fixtures");
    let fired: BTreeSet<&str> = run
        .files
        .iter()
        .flat_map(|(_, e, _)| e.iter())
        .filter_map(|entry| entry.split_once(' ').map(|(rule, _)| rule))
        .collect();
    for entry in REGISTRY.iter().filter(|e| e.meta.id.starts_with("k8s/")) {
        assert!(
            fired.contains(entry.meta.id),
            "no fixture expects {}",
            entry.meta.id
        );
    }
}
