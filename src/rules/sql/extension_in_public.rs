use crate::declare_rule;
use crate::document::Project;
use crate::finding::Diagnostic;
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// An extension is installed in an exposed schema such as `public`.
    ///
    /// ## Why it matters
    /// Extensions create functions, types and sometimes tables in their schema. In `public` they
    /// become part of the API surface (callable over RPC, listed in the schema) and clutter it with
    /// objects you did not write and cannot protect with RLS. Install them `with schema extensions`.
    /// `CREATE EXTENSION` without a schema lands in the first schema of `search_path`, usually public.
    ///
    /// ## Violating example
    /// ```sql
    /// create extension if not exists pg_trgm;
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// create extension if not exists pg_trgm with schema extensions;
    /// ```
    ///
    /// ## Options
    /// - `schemas` (list of strings, default: `[api] schemas` from `supabase/config.toml`, else
    ///   `["public"]`): schemas exposed through the API.
    ///
    /// ## References
    /// - Supabase splinter lint 0014 `extension_in_public`.
    pub struct ExtensionInPublic {
        /// Schemas exposed through the API; unset means the project's config or `["public"]`.
        schemas: Option<Vec<String>>,
    }
    id: "sql/extension-in-public",
    level: Warning,
    summary: "Extensions must not be installed in exposed schemas",
}

#[expect(
    clippy::derivable_impls,
    reason = "declare_rule! derives Default only for rules without options"
)]
impl Default for ExtensionInPublic {
    fn default() -> Self {
        Self { schemas: None }
    }
}

impl Rule for ExtensionInPublic {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_project(&self, project: &Project, sink: &mut Sink) {
        for set in &project.migration_sets {
            let schemas = set.exposed(&self.schemas);
            for (name, ext) in &set.state.extensions {
                if !schemas.contains(&ext.schema) {
                    continue;
                }
                sink.push(
                    Diagnostic::new(ext.created.0, ext.created.1, format!("extension `{name}` is installed in exposed schema `{}`", ext.schema))
                        .help(format!("install it with `create extension {name} with schema extensions;` (or `alter extension {name} set schema extensions;`)")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check_sql;

    #[test]
    fn reports_extensions_in_public() {
        let files = [(
            "m/0001.sql",
            "create extension if not exists \"uuid-ossp\";\ncreate extension pgcrypto with schema extensions;\ncreate extension citext;\nalter extension citext set schema extensions;",
        )];
        assert_eq!(
            check_sql("sql/extension-in-public", &files),
            vec!["m/0001.sql:1:32 extension `uuid-ossp` is installed in exposed schema `public`"]
        );
    }
}
