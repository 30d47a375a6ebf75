//! tollgate.schema.json: generated from the raw policy types, current, accepting every real policy
//! and rejecting what the loader rejects; `tollgate init` points editors at it.
//!
//! Regenerate with `TOLLGATE_UPDATE_DOCS=1 cargo test --test adopt_schema`.

mod common;

use common::{code, root, run_in};
use tollgate::schema;

fn validator() -> jsonschema::Validator {
    let value: serde_json::Value = serde_json::from_str(&schema::policy_schema()).unwrap();
    jsonschema::validator_for(&value).expect("the schema compiles")
}

fn toml_to_json(text: &str) -> serde_json::Value {
    toml::from_str(text).expect("valid TOML")
}

fn errors(text: &str) -> Vec<String> {
    validator()
        .iter_errors(&toml_to_json(text))
        .map(|e| e.to_string().chars().take(300).collect())
        .collect()
}

#[test]
fn shipped_schema_is_current() {
    let path = root().join(schema::FILE_NAME);
    let generated = schema::policy_schema();
    if std::env::var_os("TOLLGATE_UPDATE_DOCS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let shipped = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        shipped == generated,
        "{} is stale; regenerate with `TOLLGATE_UPDATE_DOCS=1 cargo test --test adopt_schema`",
        schema::FILE_NAME
    );
}

#[test]
fn built_in_packs_and_the_readme_example_validate() {
    for (name, text) in tollgate::policy::BUILTIN_PACKS {
        assert_eq!(errors(text), Vec::<String>::new(), "pack {name}");
    }
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let example = readme
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("README has a TOML policy example");
    assert!(example.contains("[files.kinds]"), "{example}");
    assert_eq!(errors(example), Vec::<String>::new());
}

#[test]
fn schema_rejects_what_the_loader_rejects() {
    for bad in [
        "unknown-key = 1\n",
        "[files]\nmax-file-size = \"big\"\n",
        "[files.kinds]\ncobol = [\"**/*.cbl\"]\n",
        "[rules.sql]\nrequire-rsl = \"error\"\n",
        "[rules.sql]\nrequire-rls = \"fatal\"\n",
        "[rules.sql]\nrequire-rls = { level = \"error\", opts = {} }\n",
        "[rules.cobol]\nx = \"error\"\n",
        "[[overrides]]\n[overrides.rules.sql]\nrequire-rls = \"off\"\n",
        // Option shapes come from the rule types: unknown options and wrong types are caught.
        "[rules.sql]\nrequire-rls = { options = { schema = [\"api\"] } }\n",
        "[rules.sql]\nrequire-rls = { options = { exempt-tables = \"public.x\" } }\n",
        "[rules.k8s]\nrequire-probes = { options = { require = [\"lively\"] } }\n",
    ] {
        assert!(!errors(bad).is_empty(), "schema accepts {bad:?}");
        assert!(
            tollgate::policy::Policy::from_str("t.toml", bad, None).is_err(),
            "loader accepts {bad:?}"
        );
    }
    let good = "name = \"x\"\n[rules.sql]\nrequire-rls = { level = \"warn\", options = { schemas = [\"api\"] } }\n\
                [[overrides]]\nfiles = [\"legacy/**\"]\n[overrides.rules.sql]\nrequire-rls = \"off\"\n";
    assert_eq!(errors(good), Vec::<String>::new());
    tollgate::policy::Policy::from_str("t.toml", good, None).unwrap();
}

#[test]
fn init_output_points_editors_at_the_schema_and_validates() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["init"]);
    assert_eq!(code(&out), 0);
    let text = std::fs::read_to_string(dir.path().join("tollgate.toml")).unwrap();
    let first = text.lines().next().unwrap();
    assert_eq!(first, format!("#:schema {}", schema::URL));
    assert!(schema::URL.ends_with(&format!("/{}", schema::FILE_NAME)));
    assert_eq!(errors(&text), Vec::<String>::new());
    let out = run_in(dir.path(), &["schema"]);
    assert_eq!(common::stdout(&out), schema::policy_schema());
}
