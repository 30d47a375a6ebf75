use crate::declare_rule;
use crate::document::Project;
use crate::finding::Diagnostic;
use crate::rules::{Rule, RuleMeta, Sink};
use crate::source::Span;

declare_rule! {
    /// A policy decides access from `user_metadata`, which users can edit themselves.
    ///
    /// ## Why it matters
    /// In Supabase Auth, `user_metadata` (`raw_user_meta_data` in `auth.users`) is writable by the
    /// signed-in user through `supabase.auth.updateUser()`. A policy that checks
    /// `auth.jwt() -> 'user_metadata' ->> 'role' = 'admin'` lets any user make themselves an admin.
    /// Authorization data belongs in `app_metadata` (only the service role can write it) or in your
    /// own table. The finding points at the `user_metadata` reference.
    ///
    /// ## Violating example
    /// ```sql
    /// create policy "admins read all" on public.orders for select to authenticated
    ///   using ((auth.jwt() -> 'user_metadata' ->> 'role') = 'admin');
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// create policy "admins read all" on public.orders for select to authenticated
    ///   using ((auth.jwt() -> 'app_metadata' ->> 'role') = 'admin');
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Supabase splinter lint 0015 `rls_references_user_metadata`.
    pub struct PolicyTrustsUserMetadata {}
    id: "sql/policy-trusts-user-metadata",
    level: Error,
    summary: "Policies must not trust user-editable user_metadata",
}

impl Rule for PolicyTrustsUserMetadata {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_project(&self, project: &Project, sink: &mut Sink) {
        for set in &project.migration_sets {
            for ((schema, name), table) in &set.state.tables {
                for policy in table.policies.values() {
                    for (file, expr) in [&policy.using, &policy.with_check].into_iter().flatten() {
                        let lower = expr.text.to_ascii_lowercase();
                        let Some(at) = ["raw_user_meta_data", "user_metadata"]
                            .iter()
                            .find_map(|w| lower.find(w).map(|i| (i, w.len())))
                        else {
                            continue;
                        };
                        // Spans of expressions read from an unescaped literal cover the literal.
                        let span = if expr.span.len() == expr.text.len() {
                            Span::new(expr.span.start + at.0, expr.span.start + at.0 + at.1)
                        } else {
                            expr.span
                        };
                        sink.push(
                            Diagnostic::new(*file, span, format!("policy `{}` on `{schema}.{name}` trusts `user_metadata`, which users can edit", policy.name))
                                .help("read authorization claims from `app_metadata` (`auth.jwt() -> 'app_metadata'`) or from a table users cannot write"),
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
    fn reports_user_metadata_in_policies() {
        let files = [(
            "m/0001.sql",
            "create table t (id int);\ncreate policy p on t using ((auth.jwt() -> 'user_metadata' ->> 'role') = 'admin');\ncreate policy q on t using ((auth.jwt() -> 'app_metadata' ->> 'role') = 'admin');",
        )];
        assert_eq!(
            check_sql("sql/policy-trusts-user-metadata", &files),
            vec![
                "m/0001.sql:2:45 policy `p` on `public.t` trusts `user_metadata`, which users can edit"
            ]
        );
    }
}
