//! Output shape: JSON snapshot, SARIF validated against the official 2.1.0 schema, policy errors as
//! the user sees them.

mod common;

use common::*;

fn sarif_validator() -> jsonschema::Validator {
    let schema_path = root().join("fixtures/github/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&schema_path)
        .unwrap_or_else(|e| panic!("SARIF schema at {}: {e}", schema_path.display()));
    // The official schema's `run.language` pattern has a stray `]` that strict regex validation of the
    // schema itself rejects; we never emit `language`, so use the intended pattern.
    let text = text.replace(
        r#"^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$"#,
        r#"^[a-zA-Z]{2}(-[a-zA-Z]{2})?$"#,
    );
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema json");
    jsonschema::validator_for(&schema).expect("compile SARIF schema")
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let out = run(&["check", "fixtures/demo", "--format", "sarif"]);
    assert_eq!(code(&out), 1);
    let sarif: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("sarif json");
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );

    let run0 = &sarif["runs"][0];
    let result = run0["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "sql/require-rls")
        .unwrap();
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 15);
    assert_eq!(region["startColumn"], 14);
    assert_eq!(region["endColumn"], 31);
    assert_eq!(
        result["partialFingerprints"]["tollgate/v1"]
            .as_str()
            .unwrap()
            .len(),
        32
    );
    let rule = &run0["tool"]["driver"]["rules"][result["ruleIndex"].as_u64().unwrap() as usize];
    assert_eq!(rule["id"], "sql/require-rls");
    assert_eq!(rule["properties"]["security-severity"], "8.0");
    assert!(
        rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## Why it matters")
    );
}

#[test]
fn sarif_for_a_clean_run_and_odd_paths_validates() {
    let dir = repo(&[
        ("db/migrations/0001 a#b.sql", b"create table t (id int);\n"),
        ("x/migrations/1.sql", b"select 1;\n"),
    ]);
    let out = run_in(dir.path(), &["check", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(sarif_validator().is_valid(&sarif));
    assert!(stdout(&out).contains("\"uri\": \"db/migrations/0001%20a%23b.sql\""));
}

#[test]
fn json_report_snapshot() {
    let out = run(&["check", "fixtures/demo/supabase", "--format", "json"]);
    let text = stdout(&out).replace(env!("CARGO_PKG_VERSION"), "[version]");
    insta::assert_snapshot!("json_report_demo_supabase", text);
}

#[test]
fn markdown_and_junit_snapshots() {
    let out = run(&["check", "fixtures/demo/supabase", "--format", "markdown"]);
    insta::assert_snapshot!(
        "markdown_report_demo_supabase",
        stdout(&out).replace(env!("CARGO_PKG_VERSION"), "[version]")
    );
    let out = run(&["check", "fixtures/demo/supabase", "--format", "junit"]);
    insta::assert_snapshot!("junit_report_demo_supabase", stdout(&out));
}

fn policy_error(policy: &str) -> String {
    let dir = repo(&[
        ("tollgate.toml", policy.as_bytes()),
        ("db/migrations/1.sql", b"select 1;\n"),
    ]);
    let out = run_in(dir.path(), &["check"]);
    assert_eq!(code(&out), 2, "policy error must exit 2");
    assert!(stdout(&out).is_empty());
    stderr(&out)
}

#[test]
fn policy_errors_render_inside_the_toml() {
    let cases = [
        ("unknown_rule", "[rules.sql]\nrequire-rsl = \"error\"\n"),
        ("bad_level", "[rules.sql]\nrequire-rls = \"eror\"\n"),
        ("unknown_key", "[files]\nexclud = [\"vendor/**\"]\n"),
        (
            "bad_option",
            "[rules.sql]\nrequire-rls = { level = \"error\", options = { schema = [\"api\"] } }\n",
        ),
        (
            "bad_option_type",
            "[rules.sql]\nrequire-rls = { options = { schemas = \"public\" } }\n",
        ),
        ("unknown_pack", "extends = [\"recomended\"]\n"),
        ("unknown_kind", "[rules.sqll]\nrequire-rls = \"error\"\n"),
        ("bad_glob", "[files]\nexclude = [\"a/[\"]\n"),
        ("toml_syntax", "[rules.sql\nrequire-rls = \"error\"\n"),
        (
            "override_options",
            "[[overrides]]\nfiles = [\"legacy/**\"]\n[overrides.rules.sql]\nrequire-rls = { options = { schemas = [\"x\"] } }\n",
        ),
        (
            "unknown_file_kind",
            "[files.kinds]\nsqll = [\"**/*.sql\"]\n",
        ),
        (
            "bad_option_glob",
            "[rules.sql]\nrequire-rls = { options = { exempt-tables = [\"public.[oops\"] } }\n",
        ),
        (
            "bad_option_regex",
            "[rules.env]\nsecret-ref-format = { level = \"error\", options = { pattern = \"^(tenant\" } }\n",
        ),
    ];
    for (name, policy) in cases {
        insta::assert_snapshot!(format!("policy_error_{name}"), policy_error(policy));
    }
}
