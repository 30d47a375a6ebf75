use crate::declare_rule;
use crate::document::Project;
use crate::finding::Diagnostic;
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// Every table in an exposed schema must have row level security enabled.
    ///
    /// ## Why it matters
    /// On Supabase (and any PostgREST API) every table in an exposed schema is reachable with the public
    /// anon key. Without row level security, anyone holding that key can read and write every row. RLS
    /// must be enabled somewhere in the ordered migration set: a later migration that enables it
    /// satisfies the rule, a table dropped later is not reported, and `ALTER TABLE … RENAME TO` and
    /// `SET search_path` are followed. The finding points at the table name in its `CREATE TABLE`.
    ///
    /// ## Violating example
    /// ```sql
    /// create table public.bot_api_keys (id uuid primary key, key_hash text not null);
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// create table public.bot_api_keys (id uuid primary key, key_hash text not null);
    /// alter table public.bot_api_keys enable row level security;
    /// ```
    ///
    /// ## Options
    /// - `schemas` (list of strings, default: `[api] schemas` from `supabase/config.toml` when present,
    ///   else `["public"]`): schemas exposed through the API.
    /// - `exempt-tables` (list of globs over `schema.table`, default `[]`): tables that may go without RLS.
    ///
    /// ## References
    /// - PostgreSQL manual, "Row Security Policies".
    /// - Supabase docs, "Row Level Security"; Supabase splinter lint 0013 `rls_disabled_in_public`.
    pub struct RequireRls {
        /// Schemas exposed through the API; unset means the project's config or `["public"]`.
        schemas: Option<Vec<String>>,
        /// Globs over `schema.table` naming tables that may go without RLS.
        exempt_tables: Vec<String>,
        /// `exempt-tables`, compiled by `prepare`.
        #[serde(skip)]
        exempt: globset::GlobSet,
    }
    id: "sql/require-rls",
    level: Error,
    summary: "Tables in exposed schemas must enable row level security",
}

impl Default for RequireRls {
    fn default() -> Self {
        Self {
            schemas: None,
            exempt_tables: Vec::new(),
            exempt: globset::GlobSet::empty(),
        }
    }
}

impl Rule for RequireRls {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn prepare(&mut self) -> Result<(), String> {
        self.exempt = crate::rules::compile_globs("exempt-tables", &self.exempt_tables)?;
        Ok(())
    }

    fn check_project(&self, project: &Project, sink: &mut Sink) {
        let exempt = &self.exempt;
        for set in &project.migration_sets {
            let schemas = set.exposed(&self.schemas);
            for ((schema, name), table) in &set.state.tables {
                if table.rls_enabled.is_some()
                    || table.temporary
                    || table.external
                    || table.kind == crate::document::sql::RelKind::Foreign
                    || !schemas.iter().any(|s| s == schema)
                {
                    continue;
                }
                if exempt.is_match(format!("{schema}.{name}")) {
                    continue;
                }
                let (file, span) = table.created;
                sink.push(
                    Diagnostic::new(file, span, format!("table `{schema}.{name}` does not enable row level security"))
                        .help(format!(
                            "add `alter table {schema}.{name} enable row level security;` and policies that grant only what each role needs"
                        )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check_sql;

    #[test]
    fn reports_table_without_rls_at_its_name() {
        let found = check_sql(
            "sql/require-rls",
            &[(
                "m/0001_init.sql",
                "create table public.t (id int);\ncreate table u (id int);",
            )],
        );
        assert_eq!(
            found,
            vec![
                "m/0001_init.sql:1:14 table `public.t` does not enable row level security",
                "m/0001_init.sql:2:14 table `public.u` does not enable row level security"
            ]
        );
    }

    #[test]
    fn later_enable_rename_drop_and_other_schemas() {
        let files = [
            (
                "m/0001_init.sql",
                "create table a (id int);\ncreate table b (id int);\ncreate table c (id int);\ncreate table private.d (id int);",
            ),
            (
                "m/0002_fix.sql",
                "alter table a enable row level security;\nalter table b rename to bb;\ndrop table c;",
            ),
            (
                "m/0003_more.sql",
                "ALTER TABLE public.BB ENABLE ROW LEVEL SECURITY;",
            ),
        ];
        assert!(check_sql("sql/require-rls", &files).is_empty());
    }

    #[test]
    fn disabled_later_is_reported_and_search_path_is_followed() {
        let files = [
            (
                "m/0001.sql",
                "set search_path to app, public;\ncreate table t (id int);\nalter table t enable row level security;",
            ),
            (
                "m/0002.sql",
                "create table public.u (id int);\nalter table public.u enable row level security;\nalter table public.u disable row level security;",
            ),
        ];
        assert_eq!(
            check_sql("sql/require-rls", &files),
            vec!["m/0002.sql:1:14 table `public.u` does not enable row level security"]
        );
    }
}
