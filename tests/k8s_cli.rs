//! End-to-end tests of the k8s kind on the binary: classification, kustomize patches, Helm
//! templates, hostile YAML, policies and secret masking.

mod common;

use common::*;

fn json_findings(args: &[&str]) -> (i32, Vec<String>) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let out = run(&all);
    (code(&out), findings(&stdout(&out)))
}

#[test]
fn kustomize_patches_report_present_values_only() {
    let (code, found) = json_findings(&["fixtures/k8s/kustomize"]);
    assert_eq!(code, 1);
    let base = "fixtures/k8s/kustomize/overlays/prod";
    let mut expected = vec![
        format!("k8s/pin-image {base}/patch-image.yaml:11:18"),
        format!("k8s/no-host-namespaces {base}/patch-privileged.yaml:8:7"),
        format!("k8s/no-privileged {base}/patch-privileged.yaml:12:13"),
        format!("k8s/no-default-service-account-token {base}/not-a-patch.yaml:8:5"),
    ];
    for rule in [
        "require-run-as-non-root",
        "no-privilege-escalation",
        "require-read-only-root-fs",
        "drop-capabilities",
        "require-seccomp",
        "require-resources",
    ] {
        expected.push(format!("k8s/{rule} {base}/not-a-patch.yaml:10:11"));
    }
    let mut found = found;
    found.sort();
    expected.sort();
    assert_eq!(found, expected);
}

#[test]
fn helm_templates_are_skipped_with_a_note_naming_the_file() {
    let out = run(&["check", "fixtures/k8s/helm"]);
    assert_eq!(code(&out), 0, "a note does not fail the run");
    let text = stdout(&out);
    assert!(text.contains("k8s/helm-template"), "{text}");
    assert!(
        text.contains("`fixtures/k8s/helm/chart/templates/deployment.yaml` is a Helm template"),
        "{text}"
    );
    assert!(
        !text.contains("k8s/no-privileged"),
        "templates are not checked: {text}"
    );
}

#[test]
fn billion_laughs_and_broken_documents_are_findings_and_the_rest_is_checked() {
    let started = std::time::Instant::now();
    let (code, found) = json_findings(&[
        "fixtures/k8s/billion-laughs.yaml",
        "fixtures/k8s/multi-document-broken.yaml",
    ]);
    assert!(started.elapsed().as_secs() < 20);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        vec![
            "k8s/parse-error fixtures/k8s/billion-laughs.yaml:11:10",
            "k8s/pin-image fixtures/k8s/billion-laughs.yaml:28:12",
            "k8s/no-privileged fixtures/k8s/multi-document-broken.yaml:17:7",
            "k8s/parse-error fixtures/k8s/multi-document-broken.yaml:32:39",
            "k8s/pin-image fixtures/k8s/multi-document-broken.yaml:46:12",
        ]
    );
}

#[test]
fn yaml_and_json_without_api_version_and_kind_are_not_manifests() {
    let workflow = b"name: ci\non: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ secrets.TOKEN }}\n";
    let broken = b"name: [unclosed\n";
    let package = b"{\"name\": \"app\", \"version\": \"1.0.0\"}\n";
    let dir = repo(&[
        (".github/workflows/ci.yml", workflow),
        ("config/broken.yaml", broken),
        ("package.json", package),
    ]);
    let out = run_in(dir.path(), &["check", ".", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(findings(&stdout(&out)).is_empty());
}

#[test]
fn strict_turns_on_probes_but_not_for_jobs() {
    let deployment = std::fs::read("fixtures/k8s/probes-missing.yaml").unwrap();
    let job = std::fs::read("fixtures/k8s/probes-job-exempt.yaml").unwrap();
    let dir = repo(&[
        ("tollgate.toml", b"extends = [\"strict\"]\n"),
        ("k8s/deploy.yaml", &deployment),
        ("k8s/job.yaml", &job),
    ]);
    let out = run_in(dir.path(), &["check", ".", "--format", "json"]);
    assert_eq!(
        findings(&stdout(&out)),
        vec!["k8s/require-probes k8s/deploy.yaml:17:9"]
    );
    // recommended leaves probes off
    let out = run(&[
        "check",
        "fixtures/k8s/probes-missing.yaml",
        "--format",
        "json",
    ]);
    assert!(findings(&stdout(&out)).is_empty());
}

#[test]
fn secrets_never_appear_in_any_output() {
    let raw = [
        "ghp_R8xKq2Lm9Tz4Vb7Nc1Wd5Yf3Hg6Jk0Pa2Se8",
        "Summer2024",
        "Zms4I3JUMiFtUTl2THg0cA==",
        "Zk8#rT2!mQ9vLx4p",
        "Zk8rT2mQ9vLx4p",
    ];
    let files = [
        "fixtures/k8s/env-plaintext-secret.yaml",
        "fixtures/k8s/secret-manifest.yaml",
    ];
    for format in ["human", "json", "sarif", "github", "markdown", "junit"] {
        let out = run(&["check", files[0], files[1], "--format", format]);
        assert_eq!(code(&out), 1, "{format}: {}", stderr(&out));
        let text = format!("{}{}", stdout(&out), stderr(&out));
        assert!(text.contains("no-plaintext-secret-env"), "{format}: {text}");
        for secret in raw {
            assert!(
                !text.contains(secret),
                "{format} output leaks `{secret}`:\n{text}"
            );
        }
    }
}
