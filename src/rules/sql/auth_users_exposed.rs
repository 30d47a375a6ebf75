use crate::declare_rule;
use crate::document::Project;
use crate::finding::Diagnostic;
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// A view in an exposed schema reads `auth.users`.
    ///
    /// ## Why it matters
    /// `auth.users` holds every account's email, phone and metadata. A view over it in an API schema
    /// runs with its owner's rights (usually `postgres`), so the API serves those rows to anyone the
    /// view is granted to. Keep user data in your own `profiles` table with RLS, or expose it through
    /// a `security_invoker` view (which the API roles cannot read through).
    ///
    /// ## Violating example
    /// ```sql
    /// create view public.member_emails as select id, email from auth.users;
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// create view public.member_names with (security_invoker = true) as
    ///   select id, display_name from public.profiles;
    /// ```
    ///
    /// ## Options
    /// - `schemas` (list of strings, default: `[api] schemas` from `supabase/config.toml`, else
    ///   `["public"]`): schemas exposed through the API.
    ///
    /// ## References
    /// - Supabase splinter lint 0002 `auth_users_exposed`.
    pub struct AuthUsersExposed {
        /// Schemas exposed through the API; unset means the project's config or `["public"]`.
        schemas: Option<Vec<String>>,
    }
    id: "sql/auth-users-exposed",
    level: Error,
    summary: "Views in exposed schemas must not expose auth.users",
}

#[expect(
    clippy::derivable_impls,
    reason = "declare_rule! derives Default only for rules without options"
)]
impl Default for AuthUsersExposed {
    fn default() -> Self {
        Self { schemas: None }
    }
}

impl Rule for AuthUsersExposed {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_project(&self, project: &Project, sink: &mut Sink) {
        for set in &project.migration_sets {
            let schemas = set.exposed(&self.schemas);
            for ((schema, name), view) in &set.state.views {
                let reads_users = view
                    .reads
                    .iter()
                    .any(|r| r.schema.as_deref() == Some("auth") && r.name == "users");
                if !reads_users
                    || !schemas.contains(schema)
                    || (view.security_invoker && !view.materialized)
                {
                    continue;
                }
                sink.push(
                    Diagnostic::new(view.created.0, view.created.1, format!("{} `{schema}.{name}` exposes `auth.users` through the API", if view.materialized { "materialized view" } else { "view" }))
                        .help("select from a `public.profiles` table protected by RLS instead, or move the view to a schema that is not exposed"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check_sql;

    #[test]
    fn reports_views_over_auth_users() {
        let files = [(
            "m/0001.sql",
            "create view public.emails as select u.email from auth.users u join public.p on true;\ncreate view private.e as select email from auth.users;\ncreate view public.ok with (security_invoker = true) as select email from auth.users;",
        )];
        assert_eq!(
            check_sql("sql/auth-users-exposed", &files),
            vec!["m/0001.sql:1:13 view `public.emails` exposes `auth.users` through the API"]
        );
    }
}
