use crate::declare_rule;
use crate::document::Project;
use crate::document::sql::PolicyState;
use crate::finding::Diagnostic;
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// A policy lets anonymous clients insert, update or delete any row.
    ///
    /// ## Why it matters
    /// A permissive INSERT/UPDATE/DELETE (or ALL) policy with `USING (true)` or `WITH CHECK (true)`
    /// for `anon` or `public` lets anyone holding the public anon key write to the table: spam,
    /// vandalism, or overwriting other users' data. This is the error-level half of
    /// `sql/permissive-policy`. The finding points at the `true` expression.
    ///
    /// ## Violating example
    /// ```sql
    /// create policy "anyone can post" on public.comments for insert with check (true);
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// create policy "members can post" on public.comments for insert to authenticated
    ///   with check ((select auth.uid()) = author_id);
    /// ```
    ///
    /// ## Options
    /// - `schemas` (list of strings, default: `[api] schemas` from `supabase/config.toml`, else
    ///   `["public"]`): schemas exposed through the API (`storage` is always checked).
    ///
    /// ## References
    /// - Supabase splinter lint 0024 `permissive_rls_policy`.
    pub struct AnonWritePolicy {
        /// Schemas exposed through the API; unset means the project's config or `["public"]`.
        schemas: Option<Vec<String>>,
    }
    id: "sql/anon-write-policy",
    level: Error,
    summary: "Anonymous clients must not get always-true write policies",
}

#[expect(
    clippy::derivable_impls,
    reason = "declare_rule! derives Default only for rules without options"
)]
impl Default for AnonWritePolicy {
    fn default() -> Self {
        Self { schemas: None }
    }
}

/// A permissive write policy open to `anon`/`public` whose USING or WITH CHECK is always true.
pub(crate) fn is_anon_write(policy: &PolicyState) -> bool {
    policy.permissive
        && policy.command.writes()
        && policy.roles.iter().any(|r| r == "anon" || r == "public")
        && [&policy.using, &policy.with_check]
            .into_iter()
            .flatten()
            .any(|(_, e)| super::always_true(&e.text))
}

impl Rule for AnonWritePolicy {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_project(&self, project: &Project, sink: &mut Sink) {
        for set in &project.migration_sets {
            for ((schema, name), table) in super::api_tables(set, set.exposed(&self.schemas)) {
                for policy in table.policies.values().filter(|p| is_anon_write(p)) {
                    let Some((file, expr)) = [&policy.with_check, &policy.using]
                        .into_iter()
                        .flatten()
                        .find(|(_, e)| super::always_true(&e.text))
                    else {
                        continue;
                    };
                    sink.push(
                        Diagnostic::new(*file, expr.span, format!(
                            "policy `{}` lets anonymous clients {} any row of `{schema}.{name}`",
                            policy.name,
                            match policy.command.as_str() { "ALL" => "read and write", other => other }.to_ascii_lowercase()
                        ))
                        .help("restrict the policy to `authenticated` and compare against `(select auth.uid())`, or write through a server-side function")
                        .related(policy.created.0, policy.created.1, "policy created here"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check_sql;

    #[test]
    fn reports_anon_and_public_writes() {
        let files = [(
            "m/0001.sql",
            "create table t (id int);\ncreate policy i on t for insert with check (true);\ncreate policy a on t to anon using (true);\ncreate policy s on t for select to anon using (true);\ncreate policy u on t for update to authenticated using (true);",
        )];
        assert_eq!(
            check_sql("sql/anon-write-policy", &files),
            vec![
                "m/0001.sql:2:45 policy `i` lets anonymous clients insert any row of `public.t`",
                "m/0001.sql:3:37 policy `a` lets anonymous clients read and write any row of `public.t`",
            ]
        );
    }
}
