use crate::declare_rule;
use crate::document::Project;
use crate::finding::Diagnostic;
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// A table is granted to API roles while its row level security is off.
    ///
    /// ## Why it matters
    /// `GRANT SELECT ON t TO anon` (or to `authenticated`/`PUBLIC`, directly, through
    /// `ALL TABLES IN SCHEMA`, or through `ALTER DEFAULT PRIVILEGES`) with RLS off hands every row to
    /// every API client. Grants and RLS work together: the grant opens the door, RLS decides which rows
    /// come through. Reported at the grant (or at the table when default privileges granted it).
    ///
    /// ## Violating example
    /// ```sql
    /// create table public.orders (id int, customer uuid);
    /// grant select, insert on public.orders to anon;
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// create table public.orders (id int, customer uuid);
    /// alter table public.orders enable row level security;
    /// create policy "own orders" on public.orders for select to authenticated
    ///   using ((select auth.uid()) = customer);
    /// grant select on public.orders to authenticated;
    /// ```
    ///
    /// ## Options
    /// - `public-roles` (list of strings, default `["anon", "authenticated", "public"]`): roles any API
    ///   client can act as.
    /// - `exempt-tables` (list of globs over `schema.table`, default `[]`).
    ///
    /// ## References
    /// - PostgreSQL manual, "GRANT" and "Row Security Policies".
    /// - Supabase docs, "Securing your API".
    pub struct GrantWithoutRls {
        /// Roles any API client can act as.
        public_roles: Vec<String>,
        /// Globs over `schema.table` naming tables that may be granted without RLS.
        exempt_tables: Vec<String>,
        /// `exempt-tables`, compiled by `prepare`.
        #[serde(skip)]
        exempt: globset::GlobSet,
    }
    id: "sql/grant-without-rls",
    level: Error,
    summary: "Tables granted to API roles must have row level security",
}

impl Default for GrantWithoutRls {
    fn default() -> Self {
        Self {
            public_roles: super::default_public_roles(),
            exempt_tables: Vec::new(),
            exempt: globset::GlobSet::empty(),
        }
    }
}

impl Rule for GrantWithoutRls {
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
            for ((schema, name), table) in &set.state.tables {
                if table.rls_enabled.is_some()
                    || table.external
                    || table.temporary
                    || exempt.is_match(format!("{schema}.{name}"))
                {
                    continue;
                }
                let grants: Vec<(&String, &String, crate::document::sql::Loc)> = table
                    .grants
                    .iter()
                    .filter(|(role, _)| self.public_roles.contains(role))
                    .flat_map(|(role, privs)| privs.iter().map(move |(p, at)| (role, p, *at)))
                    .collect();
                let Some(&(_, _, first)) = grants.iter().min_by_key(|g| g.2) else {
                    continue;
                };
                let mut roles: Vec<&str> = grants.iter().map(|g| g.0.as_str()).collect();
                roles.dedup();
                let mut privs: Vec<&str> = grants.iter().map(|g| g.1.as_str()).collect();
                privs.sort();
                privs.dedup();
                // Default privileges have no statement of their own: point at the table.
                let at = if first.1.is_empty() {
                    table.created
                } else {
                    first
                };
                sink.push(
                    Diagnostic::new(at.0, at.1, format!(
                        "`{schema}.{name}` is granted to {} ({}) but row level security is off",
                        roles.join(", "),
                        privs.join(", ")
                    ))
                    .help(format!("enable RLS (`alter table {schema}.{name} enable row level security;`) with policies, or revoke the grant"))
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
    fn reports_grants_and_default_privileges() {
        let files = [(
            "m/0001.sql",
            "create table t (id int);\ngrant select on t to anon;\nalter default privileges in schema public grant select on tables to authenticated;\ncreate table d (id int);",
        )];
        assert_eq!(
            check_sql("sql/grant-without-rls", &files),
            vec![
                "m/0001.sql:2:1 `public.t` is granted to anon (select) but row level security is off",
                "m/0001.sql:4:14 `public.d` is granted to authenticated (select) but row level security is off",
            ]
        );
    }

    #[test]
    fn rls_revoked_or_service_role_is_fine() {
        let files = [(
            "m/0001.sql",
            "create table a (id int);\ngrant select on a to anon;\nalter table a enable row level security;\ncreate table b (id int);\ngrant all on b to service_role;\ncreate table c (id int);\ngrant select on c to anon;\nrevoke select on c from anon;",
        )];
        assert!(check_sql("sql/grant-without-rls", &files).is_empty());
    }
}
