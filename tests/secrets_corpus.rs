//! Precision and recall of the built-in secret detectors on the labelled corpus in
//! `fixtures/secrets/corpus.tsv` (regenerate with `python3 fixtures/secrets/generate.py`).

use tollgate::secrets::{self, SecretMatch};

struct Case {
    line: usize,
    secret: bool,
    expected: String,
    hits: Vec<SecretMatch>,
}

fn run_corpus() -> Vec<Case> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/secrets/corpus.tsv");
    let text = std::fs::read_to_string(path).expect("corpus present");
    let mut cases = Vec::new();
    for (index, row) in text.lines().enumerate() {
        if row.starts_with('#') || row.is_empty() {
            continue;
        }
        let cols: Vec<&str> = row.splitn(4, '\t').collect();
        assert_eq!(cols.len(), 4, "line {}: four columns", index + 1);
        let payload = cols[3].replace("\\n", "\n");
        let hits = match cols[1] {
            "value" => {
                let (key, value) = payload.split_once('=').expect("KEY=VALUE");
                secrets::detect_value(Some(key), value)
                    .into_iter()
                    .collect()
            }
            "text" => secrets::scan_text(&payload),
            other => panic!("line {}: unknown mode {other}", index + 1),
        };
        cases.push(Case {
            line: index + 1,
            secret: cols[0] == "secret",
            expected: cols[2].to_string(),
            hits,
        });
    }
    cases
}

#[test]
fn corpus_precision_and_recall_are_at_least_95_percent() {
    let cases = run_corpus();
    let positives = cases.iter().filter(|c| c.secret).count();
    let traps = cases.len() - positives;
    assert!(
        positives >= 300 && traps >= 300,
        "corpus too small: {positives} secrets, {traps} traps"
    );

    let true_pos = cases
        .iter()
        .filter(|c| c.secret && !c.hits.is_empty())
        .count();
    let false_pos = cases
        .iter()
        .filter(|c| !c.secret && !c.hits.is_empty())
        .count();
    let right_detector = cases
        .iter()
        .filter(|c| {
            c.secret
                && c.hits
                    .iter()
                    .any(|h| c.expected == "*" || h.detector == c.expected)
        })
        .count();
    let recall = true_pos as f64 / positives as f64;
    let precision = true_pos as f64 / (true_pos + false_pos).max(1) as f64;
    let attribution = right_detector as f64 / positives as f64;

    for c in &cases {
        let ids: Vec<_> = c.hits.iter().map(|h| h.detector).collect();
        if c.secret && c.hits.is_empty() {
            eprintln!("missed    line {:4}: expected {}", c.line, c.expected);
        } else if c.secret && !ids.iter().any(|id| c.expected == "*" || *id == c.expected) {
            eprintln!(
                "misnamed  line {:4}: expected {}, got {ids:?}",
                c.line, c.expected
            );
        } else if !c.secret && !c.hits.is_empty() {
            eprintln!("false hit line {:4}: {ids:?}", c.line);
        }
    }
    eprintln!(
        "secret corpus: {positives} secrets, {traps} traps; recall {:.1}%, precision {:.1}%, detector attribution {:.1}%",
        recall * 100.0,
        precision * 100.0,
        attribution * 100.0
    );
    assert!(recall >= 0.95, "recall {:.1}% < 95%", recall * 100.0);
    assert!(
        precision >= 0.95,
        "precision {:.1}% < 95%",
        precision * 100.0
    );
}
