use std::sync::LazyLock;

use regex::Regex;

use crate::declare_rule;
use crate::document::Project;
use crate::finding::Diagnostic;
use crate::rules::{Rule, RuleMeta, Sink};
use crate::source::Span;

declare_rule! {
    /// A policy calls `auth.uid()`, `auth.jwt()` or `current_setting()` once per row instead of once per query.
    ///
    /// ## Why it matters
    /// PostgreSQL evaluates a bare function call in a policy for every row it scans; on large tables
    /// that turns an index lookup into seconds of CPU. Wrapping the call in a sub-select,
    /// `(select auth.uid())`, lets the planner evaluate it once as an init plan. The result is the
    /// same; only the cost changes. The finding points at the call.
    ///
    /// ## Violating example
    /// ```sql
    /// create policy "own rows" on public.todos using (auth.uid() = user_id);
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// create policy "own rows" on public.todos using ((select auth.uid()) = user_id);
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Supabase splinter lint 0003 `auth_rls_initplan`.
    /// - Supabase docs, "RLS Performance and Best Practices".
    pub struct AuthFunctionPerRow {}
    id: "sql/auth-function-per-row",
    level: Warning,
    summary: "Policies should wrap auth functions in a sub-select",
}

static CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(auth\s*\.\s*(uid|jwt|role|email)\s*\(\s*\)|current_setting\s*\()")
        .expect("static regex")
});
static SELECT_BEFORE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bselect\s*$").expect("static regex"));

impl Rule for AuthFunctionPerRow {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_project(&self, project: &Project, sink: &mut Sink) {
        for set in &project.migration_sets {
            for ((schema, name), table) in &set.state.tables {
                for policy in table.policies.values() {
                    for (file, expr) in [&policy.using, &policy.with_check].into_iter().flatten() {
                        for m in CALL.find_iter(&expr.text) {
                            if SELECT_BEFORE.is_match(&expr.text[..m.start()]) {
                                continue;
                            }
                            let span = if expr.span.len() == expr.text.len() {
                                Span::new(expr.span.start + m.start(), expr.span.start + m.end())
                            } else {
                                expr.span
                            };
                            let call = m.as_str().split_whitespace().collect::<String>();
                            sink.push(
                                Diagnostic::new(*file, span, format!("policy `{}` on `{schema}.{name}` calls `{call}` for every row", policy.name))
                                    .help(format!("wrap it in a sub-select: `(select {call}{}`", if call.ends_with('(') { "…))" } else { ")" })),
                            );
                        }
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
    fn reports_bare_calls_only() {
        let files = [(
            "m/0001.sql",
            "create table t (id int, user_id uuid);\ncreate policy p on t using (auth.uid() = user_id);\ncreate policy q on t using ((select auth.uid()) = user_id) with check ((SELECT\n auth.jwt()) ->> 'x' = 'y');\ncreate policy r on t using (current_setting('app.tenant') = 'a');",
        )];
        assert_eq!(
            check_sql("sql/auth-function-per-row", &files),
            vec![
                "m/0001.sql:2:29 policy `p` on `public.t` calls `auth.uid()` for every row",
                "m/0001.sql:5:29 policy `r` on `public.t` calls `current_setting(` for every row",
            ]
        );
    }
}
