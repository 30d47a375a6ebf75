//! Cases found on public repositories (issue 16), each a small repository under
//! `fixtures/realworld/<case>` with its exact findings: rule, path, line and column.

mod common;

use common::*;

fn findings(case: &str) -> Vec<String> {
    let dir = format!("fixtures/realworld/{case}");
    let out = run(&[
        "check",
        &dir,
        "--format",
        "json",
        "--no-baseline",
        "--fail-on",
        "never",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap();
            format!(
                "{} {}:{}:{}",
                f["rule"].as_str().unwrap(),
                path.strip_prefix(&format!("{dir}/")).unwrap_or(path),
                f["start"]["line"],
                f["start"]["column"]
            )
        })
        .collect()
}

/// OpenShift `DeploymentConfig` and Argo `Rollout` own pods: their containers get every k8s rule.
/// A `Rollout` of another API group is not a workload.
#[test]
fn openshift_and_argo_workloads_are_checked() {
    let found = findings("openshift-argo");
    let mut expected = Vec::new();
    for (file, pod, container) in [
        ("deploymentconfig.yaml", "8:5", "10:11"),
        ("rollout.yaml", "11:5", "14:11"),
    ] {
        expected.push(format!("k8s/no-default-service-account-token {file}:{pod}"));
        if file == "rollout.yaml" {
            expected.push(format!("k8s/no-host-namespaces {file}:12:7"));
        }
        for rule in [
            "drop-capabilities",
            "no-privilege-escalation",
            "require-read-only-root-fs",
            "require-resources",
            "require-run-as-non-root",
            "require-seccomp",
        ] {
            expected.push(format!("k8s/{rule} {file}:{container}"));
        }
        if file == "deploymentconfig.yaml" {
            expected.push(format!("k8s/no-privileged {file}:13:13"));
        }
    }
    assert_eq!(found, expected);
}

/// A kubeadm `--patches` file holds a partial Pod (no image, only resources): nothing is missing.
#[test]
fn a_strategic_merge_patch_is_not_a_workload() {
    assert_eq!(findings("kubeadm-patch"), Vec::<String>::new());
}

/// `path_tokens` (Supabase storage) is not a token column; `api_token` is.
#[test]
fn credential_columns_match_whole_name_parts() {
    assert_eq!(
        findings("storage-path-tokens"),
        ["sql/plaintext-credential-column supabase/migrations/20240101000000_objects.sql:6:3"]
    );
}

/// Variables documented in `.env.local.example` next to `.env.example` are documented.
#[test]
fn every_example_env_file_documents() {
    assert_eq!(
        findings("env-local-example"),
        ["env/require-documented-vars web/app/page.ts:8:38"]
    );
}

/// Flyway's `src/main/resources/db/migration` (singular), `.SQL` files, `build.Containerfile` and
/// `DOCKERFILE` are found; the Flyway set is replayed in version order (V2 enables RLS of V1's table).
#[test]
fn flyway_layouts_and_containerfile_names_are_discovered() {
    assert_eq!(
        findings("flyway-and-containerfiles"),
        [
            "docker/require-non-root-user DOCKERFILE:1:1",
            "docker/require-non-root-user deploy/build.Containerfile:1:1",
            "sql/require-rls src/main/resources/db/migration/V2__accounts_rls.SQL:2:14",
        ]
    );
}

/// Base images whose own Dockerfile ends with a non-root `USER` (grafana/k6, the unprivileged
/// NGINX image) are not "root by default"; an unknown image (node) still is.
#[test]
fn well_known_non_root_base_images() {
    assert_eq!(
        findings("non-root-base-images"),
        ["docker/require-non-root-user api/Dockerfile:1:1"]
    );
}

/// `SELECT ... INTO variable` in a `DO` block or a PL/pgSQL function assigns a variable; at top
/// level `SELECT ... INTO` creates a table (and that one needs RLS).
#[test]
fn plpgsql_select_into_is_not_a_table() {
    assert_eq!(
        findings("plpgsql-select-into"),
        [
            "sql/unparsed-statement supabase/migrations/20240301000000_counters.sql:5:1",
            "sql/require-rls supabase/migrations/20240301000000_counters.sql:26:15",
        ]
    );
}

/// `{{ … }}` inside YAML strings and comments (sed placeholders, runbook links) does not make a
/// manifest a Helm template: it is checked. A chart's `templates/` file is a template.
#[test]
fn braces_in_strings_are_not_helm_templates() {
    assert_eq!(
        findings("helm-braces"),
        [
            "k8s/helm-template chart/templates/deployment.yaml:4:9",
            "k8s/no-host-namespaces k8s/worker.yaml:11:7",
        ]
    );
}
