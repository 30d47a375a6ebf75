use crate::declare_rule;
use crate::document::Project;
use crate::finding::Diagnostic;
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// A policy lets API roles through with `USING (true)` or `WITH CHECK (true)`.
    ///
    /// ## Why it matters
    /// An always-true policy for `anon`, `authenticated` or `public` makes row level security a
    /// formality: every signed-in user (or anyone with the anon key) sees or changes every row. That
    /// is sometimes intended for public catalogue data read with SELECT, which is why this is a
    /// warning; write access for anonymous users is reported by `sql/anon-write-policy` instead. The
    /// finding points at the `true` expression.
    ///
    /// ## Violating example
    /// ```sql
    /// create policy "anyone can edit" on public.profiles for update to authenticated using (true);
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// create policy "users edit their profile" on public.profiles for update to authenticated
    ///   using ((select auth.uid()) = id) with check ((select auth.uid()) = id);
    /// ```
    ///
    /// ## Options
    /// - `schemas` (list of strings, default: `[api] schemas` from `supabase/config.toml`, else
    ///   `["public"]`): schemas exposed through the API (`storage` is always checked).
    /// - `public-roles` (list of strings, default `["anon", "authenticated", "public"]`): roles any API
    ///   client can act as.
    /// - `allow-select` (bool, default `false`): accept always-true SELECT policies (public data).
    ///
    /// ## References
    /// - Supabase docs, "Row Level Security": policies should compare against `auth.uid()`.
    /// - Supabase splinter lint 0024 `permissive_rls_policy`.
    pub struct PermissivePolicy {
        /// Schemas exposed through the API; unset means the project's config or `["public"]`.
        schemas: Option<Vec<String>>,
        /// Roles any API client can act as.
        public_roles: Vec<String>,
        /// Accept always-true SELECT policies.
        allow_select: bool,
    }
    id: "sql/permissive-policy",
    level: Warning,
    summary: "Policies for API roles must not be always true",
}

impl Default for PermissivePolicy {
    fn default() -> Self {
        Self {
            schemas: None,
            public_roles: super::default_public_roles(),
            allow_select: false,
        }
    }
}

impl Rule for PermissivePolicy {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_project(&self, project: &Project, sink: &mut Sink) {
        for set in &project.migration_sets {
            for ((schema, name), table) in super::api_tables(set, set.exposed(&self.schemas)) {
                for policy in table.policies.values() {
                    if !policy.permissive {
                        continue;
                    }
                    let roles: Vec<&str> = policy
                        .roles
                        .iter()
                        .filter(|r| self.public_roles.contains(r))
                        .map(String::as_str)
                        .collect();
                    if roles.is_empty() {
                        continue;
                    }
                    if super::anon_write_policy::is_anon_write(policy) {
                        continue;
                    }
                    if self.allow_select
                        && policy.command == crate::document::sql::PolicyCommand::Select
                    {
                        continue;
                    }
                    for (clause, expr) in
                        [("USING", &policy.using), ("WITH CHECK", &policy.with_check)]
                    {
                        let Some((file, expr)) = expr else { continue };
                        if !super::always_true(&expr.text) {
                            continue;
                        }
                        sink.push(
                            Diagnostic::new(*file, expr.span, format!(
                                "policy `{}` on `{schema}.{name}` ({} for {}) has `{clause} (true)`: it admits every row",
                                policy.name,
                                policy.command.as_str(),
                                roles.join(", ")
                            ))
                            .help("compare against the caller, e.g. `using ((select auth.uid()) = user_id)`, or restrict the roles")
                            .related(policy.created.0, policy.created.1, "policy created here"),
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check_sql;

    #[test]
    fn reports_true_expressions_for_api_roles() {
        let files = [(
            "m/0001.sql",
            "create table t (id int);\nalter table t enable row level security;\ncreate policy r on t for select using (true);\ncreate policy u on t for update to authenticated using (owner = auth.uid()) with check ( true );",
        )];
        assert_eq!(
            check_sql("sql/permissive-policy", &files),
            vec![
                "m/0001.sql:3:40 policy `r` on `public.t` (SELECT for public) has `USING (true)`: it admits every row",
                "m/0001.sql:4:90 policy `u` on `public.t` (UPDATE for authenticated) has `WITH CHECK (true)`: it admits every row",
            ]
        );
    }

    #[test]
    fn restrictive_service_role_and_anon_writes_are_not_reported_here() {
        let files = [(
            "m/0001.sql",
            "create table t (id int);\ncreate policy a on t as restrictive using (true);\ncreate policy b on t to service_role using (true);\ncreate policy c on t for insert to anon with check (true);\ncreate policy d on private.x using (true);",
        )];
        assert!(check_sql("sql/permissive-policy", &files).is_empty());
    }
}
