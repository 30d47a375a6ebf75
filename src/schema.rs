//! JSON Schema of `tollgate.toml`, generated from the raw policy types (schemars) plus the rule
//! registry, so editors (Taplo / Even Better TOML) complete kinds, rule names, levels and documented
//! options. Shipped as `tollgate.schema.json`; `tests/rule_docs.rs` keeps it current.

use schemars::SchemaGenerator;
use serde_json::Value;

use crate::policy::RawPolicy;

/// Where editors fetch the schema; the first line of `tollgate init`'s output points here.
pub const URL: &str =
    "https://raw.githubusercontent.com/tollgate-dev/tollgate/main/tollgate.schema.json";

/// The file shipped at the repository root.
pub const FILE_NAME: &str = "tollgate.schema.json";

/// The schema as the shipped file's text.
pub fn policy_schema() -> String {
    let mut schema =
        serde_json::to_value(SchemaGenerator::default().into_root_schema_for::<RawPolicy>())
            .unwrap_or_default();
    strip_null(&mut schema);
    if let Some(obj) = schema.as_object_mut() {
        obj.insert("$id".into(), URL.into());
    }
    let mut out = serde_json::to_string_pretty(&schema).unwrap_or_default();
    out.push('\n');
    out
}

/// TOML has no null (a key is simply left out), so `Option` fields lose schemars' `null` branch:
/// `"type": ["string", "null"]` becomes `"type": "string"`, `anyOf: [X, {type: null}]` becomes X.
fn strip_null(value: &mut Value) {
    match value {
        Value::Object(obj) => {
            if obj.get("default").is_some_and(Value::is_null) {
                obj.remove("default");
            }
            if let Some(Value::Array(types)) = obj.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    obj.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(any)) = obj.get("anyOf") {
                let rest: Vec<Value> = any
                    .iter()
                    .filter(|s| s.get("type").is_none_or(|t| t != "null"))
                    .cloned()
                    .collect();
                if rest.len() == 1 && rest.len() < any.len() {
                    obj.remove("anyOf");
                    if let Value::Object(inner) = &rest[0] {
                        for (k, v) in inner {
                            obj.entry(k.clone()).or_insert_with(|| v.clone());
                        }
                    }
                }
            }
            obj.values_mut().for_each(strip_null);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_null),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::REGISTRY;

    #[test]
    fn schema_describes_every_key_and_rule() {
        let schema: Value = serde_json::from_str(&policy_schema()).unwrap();
        let props = &schema["properties"];
        for key in [
            "name",
            "extends",
            "files",
            "rules",
            "overrides",
            "suppressions",
        ] {
            assert!(props.get(key).is_some(), "schema lacks `{key}`");
        }
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["required"], Value::Null, "every key is optional");
        let rules = &props["rules"]["properties"];
        for entry in REGISTRY {
            let rule = &rules[entry.meta.kind()]["properties"][entry.meta.name()];
            assert!(rule.is_object(), "schema lacks {}", entry.meta.id);
        }
        let options = &rules["sql"]["properties"]["require-rls"]["anyOf"][1]["properties"]["options"]
            ["properties"];
        assert!(options["exempt-tables"].is_object(), "{options}");
    }
}
