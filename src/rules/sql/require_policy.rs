use crate::declare_rule;
use crate::document::Project;
use crate::finding::Diagnostic;
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// A table has row level security enabled but no policy, so API clients can read nothing.
    ///
    /// ## Why it matters
    /// With RLS on and no policy, PostgreSQL denies every row to every role except the owner and
    /// roles with BYPASSRLS. That is safe, but it is often a forgotten policy rather than intent: the
    /// feature silently returns empty results. Tables meant to be reachable only by the service role
    /// can be listed in `exempt-tables`. Reported at the statement that enabled RLS.
    ///
    /// ## Violating example
    /// ```sql
    /// create table public.bots (id uuid primary key, owner_id uuid not null);
    /// alter table public.bots enable row level security;
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// create table public.bots (id uuid primary key, owner_id uuid not null);
    /// alter table public.bots enable row level security;
    /// create policy "owners read their bots" on public.bots for select to authenticated
    ///   using ((select auth.uid()) = owner_id);
    /// ```
    ///
    /// ## Options
    /// - `schemas` (list of strings, default: `[api] schemas` from `supabase/config.toml`, else
    ///   `["public"]`): schemas exposed through the API.
    /// - `exempt-tables` (list of globs over `schema.table`, default `[]`): tables meant to have no policy.
    ///
    /// ## References
    /// - PostgreSQL manual, "Row Security Policies" (default-deny when no policy exists).
    /// - Supabase splinter lint 0008 `rls_enabled_no_policy`.
    pub struct RequirePolicy {
        /// Schemas exposed through the API; unset means the project's config or `["public"]`.
        schemas: Option<Vec<String>>,
        /// Globs over `schema.table` naming tables meant to have no policy.
        exempt_tables: Vec<String>,
        /// `exempt-tables`, compiled by `prepare`.
        #[serde(skip)]
        exempt: globset::GlobSet,
    }
    id: "sql/require-policy",
    level: Warning,
    summary: "Tables with row level security need at least one policy",
}

impl Default for RequirePolicy {
    fn default() -> Self {
        Self {
            schemas: None,
            exempt_tables: Vec::new(),
            exempt: globset::GlobSet::empty(),
        }
    }
}

impl Rule for RequirePolicy {
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
                let Some(enabled) = table.rls_enabled else {
                    continue;
                };
                if !table.policies.is_empty()
                    || table.external
                    || !schemas.contains(schema)
                    || exempt.is_match(format!("{schema}.{name}"))
                {
                    continue;
                }
                sink.push(
                    Diagnostic::new(enabled.0, enabled.1, format!("table `{schema}.{name}` has row level security but no policy: clients can read nothing"))
                        .help(format!("add a policy (`create policy … on {schema}.{name} for select to authenticated using (…)`), or exempt the table if only the service role uses it"))
                        .related(table.created.0, table.created.1, "table created here"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check_sql;

    #[test]
    fn reports_at_the_enable_statement() {
        let files = [(
            "m/0001.sql",
            "create table t (id int);\nalter table t enable row level security;\ncreate table private.p (id int);\nalter table private.p enable row level security;",
        )];
        assert_eq!(
            check_sql("sql/require-policy", &files),
            vec![
                "m/0001.sql:2:1 table `public.t` has row level security but no policy: clients can read nothing"
            ]
        );
    }

    #[test]
    fn a_policy_in_a_later_file_satisfies_it() {
        let files = [
            (
                "m/0001.sql",
                "create table t (id int);\nalter table t enable row level security;",
            ),
            (
                "m/0002.sql",
                "create policy p on t for select using (false);",
            ),
        ];
        assert!(check_sql("sql/require-policy", &files).is_empty());
        let dropped = [
            (
                "m/0001.sql",
                "create table t (id int);\nalter table t enable row level security;\ncreate policy p on t using (false);",
            ),
            ("m/0002.sql", "drop policy p on t;"),
        ];
        assert_eq!(check_sql("sql/require-policy", &dropped).len(), 1);
    }
}
