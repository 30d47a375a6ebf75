use crate::declare_rule;
use crate::document::Project;
use crate::finding::Diagnostic;
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// A view in an exposed schema runs with its owner's rights instead of the caller's.
    ///
    /// ## Why it matters
    /// PostgreSQL views check the permissions and RLS policies of the view owner by default, not
    /// those of the user querying it. On Supabase the owner is usually `postgres`, which bypasses RLS,
    /// so a view over a protected table exposes every row through the API. Since PostgreSQL 15,
    /// `with (security_invoker = true)` makes the view respect the caller's RLS.
    ///
    /// ## Violating example
    /// ```sql
    /// create view public.recent_posts as select * from public.posts order by created_at desc;
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// create view public.recent_posts with (security_invoker = true) as
    ///   select * from public.posts order by created_at desc;
    /// ```
    ///
    /// ## Options
    /// - `schemas` (list of strings, default: `[api] schemas` from `supabase/config.toml`, else
    ///   `["public"]`): schemas exposed through the API.
    ///
    /// ## References
    /// - PostgreSQL manual, "CREATE VIEW", `security_invoker`.
    /// - Supabase splinter lint 0010 `security_definer_view`.
    pub struct SecurityDefinerView {
        /// Schemas exposed through the API; unset means the project's config or `["public"]`.
        schemas: Option<Vec<String>>,
    }
    id: "sql/security-definer-view",
    level: Error,
    summary: "Views in exposed schemas must use security_invoker",
}

#[expect(
    clippy::derivable_impls,
    reason = "declare_rule! derives Default only for rules without options"
)]
impl Default for SecurityDefinerView {
    fn default() -> Self {
        Self { schemas: None }
    }
}

impl Rule for SecurityDefinerView {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_project(&self, project: &Project, sink: &mut Sink) {
        for set in &project.migration_sets {
            let schemas = set.exposed(&self.schemas);
            for ((schema, name), view) in &set.state.views {
                if view.security_invoker
                    || view.materialized
                    || view.temporary
                    || !schemas.contains(schema)
                {
                    continue;
                }
                sink.push(
                    Diagnostic::new(view.created.0, view.created.1, format!("view `{schema}.{name}` runs with its owner's rights and bypasses the caller's row level security"))
                        .help(format!("create it `with (security_invoker = true)` or run `alter view {schema}.{name} set (security_invoker = true);`")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check_sql;

    #[test]
    fn reports_definer_views_in_exposed_schemas() {
        let files = [
            (
                "m/0001.sql",
                "create view v as select 1;\ncreate view w with (security_invoker) as select 1;\ncreate view private.p as select 1;\ncreate view later as select 1;",
            ),
            (
                "m/0002.sql",
                "alter view later set (security_invoker = true);",
            ),
        ];
        assert_eq!(
            check_sql("sql/security-definer-view", &files),
            vec![
                "m/0001.sql:1:13 view `public.v` runs with its owner's rights and bypasses the caller's row level security"
            ]
        );
    }
}
