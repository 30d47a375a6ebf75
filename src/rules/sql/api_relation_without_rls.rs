use crate::declare_rule;
use crate::document::Project;
use crate::document::sql::RelKind;
use crate::finding::Diagnostic;
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// A materialized view or foreign table sits in an exposed schema, where row level security cannot protect it.
    ///
    /// ## Why it matters
    /// PostgreSQL has no row level security for materialized views or foreign tables. In an API schema
    /// they are served to every role they are granted to, with no way to filter rows per user. Keep
    /// them in a private schema and expose what is needed through a function or a `security_invoker`
    /// view over a protected table.
    ///
    /// ## Violating example
    /// ```sql
    /// create materialized view public.order_totals as
    ///   select customer_id, sum(amount) from public.orders group by 1;
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// create schema private;
    /// create materialized view private.order_totals as
    ///   select customer_id, sum(amount) from public.orders group by 1;
    /// ```
    ///
    /// ## Options
    /// - `schemas` (list of strings, default: `[api] schemas` from `supabase/config.toml`, else
    ///   `["public"]`): schemas exposed through the API.
    ///
    /// ## References
    /// - Supabase splinter lints 0016 `materialized_view_in_api` and 0017 `foreign_table_in_api`.
    pub struct ApiRelationWithoutRls {
        /// Schemas exposed through the API; unset means the project's config or `["public"]`.
        schemas: Option<Vec<String>>,
    }
    id: "sql/api-relation-without-rls",
    level: Warning,
    summary: "Materialized views and foreign tables must not sit in exposed schemas",
}

#[expect(
    clippy::derivable_impls,
    reason = "declare_rule! derives Default only for rules without options"
)]
impl Default for ApiRelationWithoutRls {
    fn default() -> Self {
        Self { schemas: None }
    }
}

impl Rule for ApiRelationWithoutRls {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_project(&self, project: &Project, sink: &mut Sink) {
        for set in &project.migration_sets {
            let schemas = set.exposed(&self.schemas);
            let views = set
                .state
                .views
                .iter()
                .filter(|(_, v)| v.materialized)
                .map(|(k, v)| (k, v.created, "materialized view"));
            let foreign = set
                .state
                .tables
                .iter()
                .filter(|(_, t)| t.kind == RelKind::Foreign)
                .map(|(k, t)| (k, t.created, "foreign table"));
            for ((schema, name), at, what) in views.chain(foreign) {
                if !schemas.contains(schema) {
                    continue;
                }
                sink.push(
                    Diagnostic::new(at.0, at.1, format!("{what} `{schema}.{name}` is in an exposed schema, where row level security cannot protect it"))
                        .help("move it to a schema that is not exposed (`create schema private;`) and expose only what is needed"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check_sql;

    #[test]
    fn reports_materialized_views_and_foreign_tables() {
        let files = [(
            "m/0001.sql",
            "create materialized view mv as select 1;\ncreate foreign table public.ft (id int) server s;\ncreate materialized view private.ok as select 1;\ncreate view v as select 1;",
        )];
        assert_eq!(
            check_sql("sql/api-relation-without-rls", &files),
            vec![
                "m/0001.sql:1:26 materialized view `public.mv` is in an exposed schema, where row level security cannot protect it",
                "m/0001.sql:2:22 foreign table `public.ft` is in an exposed schema, where row level security cannot protect it",
            ]
        );
    }
}
