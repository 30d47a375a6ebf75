use crate::declare_rule;
use crate::document::Project;
use crate::finding::Diagnostic;
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// A SECURITY DEFINER function in an exposed schema can be called by API roles.
    ///
    /// ## Why it matters
    /// PostgREST exposes functions in API schemas as RPC endpoints. Functions are executable by
    /// PUBLIC unless that is revoked, so a SECURITY DEFINER function there runs with its owner's
    /// rights (bypassing RLS) for anyone with the anon key. Revoke EXECUTE from `public`, `anon` and
    /// `authenticated` and grant it only where intended, or move the function to a private schema.
    /// Trigger functions cannot be called over RPC and are not reported.
    ///
    /// ## Violating example
    /// ```sql
    /// create function public.delete_user(uid uuid) returns void
    /// language sql security definer set search_path = '' as $$ delete from auth.users where id = uid $$;
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// create function public.delete_user(uid uuid) returns void
    /// language sql security definer set search_path = '' as $$ delete from auth.users where id = uid $$;
    /// revoke execute on function public.delete_user(uuid) from public, anon, authenticated;
    /// grant execute on function public.delete_user(uuid) to service_role;
    /// ```
    ///
    /// ## Options
    /// - `schemas` (list of strings, default: `[api] schemas` from `supabase/config.toml`, else
    ///   `["public"]`): schemas exposed through the API.
    /// - `public-roles` (list of strings, default `["anon", "authenticated", "public"]`).
    ///
    /// ## References
    /// - Supabase splinter lints 0028 `anon_security_definer_function_executable` and 0029
    ///   `authenticated_security_definer_function_executable`.
    pub struct DefinerFunctionExecutable {
        /// Schemas exposed through the API; unset means the project's config or `["public"]`.
        schemas: Option<Vec<String>>,
        /// Roles any API client can act as.
        public_roles: Vec<String>,
    }
    id: "sql/definer-function-executable",
    level: Warning,
    summary: "SECURITY DEFINER functions in exposed schemas must not be executable by API roles",
}

impl Default for DefinerFunctionExecutable {
    fn default() -> Self {
        Self {
            schemas: None,
            public_roles: super::default_public_roles(),
        }
    }
}

impl Rule for DefinerFunctionExecutable {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_project(&self, project: &Project, sink: &mut Sink) {
        for set in &project.migration_sets {
            let schemas = set.exposed(&self.schemas);
            for ((schema, name, args), f) in &set.state.functions {
                if !f.security_definer
                    || !schemas.contains(schema)
                    || matches!(f.returns.as_str(), "trigger" | "event_trigger")
                {
                    continue;
                }
                let roles: Vec<&str> = self
                    .public_roles
                    .iter()
                    .filter(|r| f.executable_by(r))
                    .map(String::as_str)
                    .collect();
                if roles.is_empty() {
                    continue;
                }
                sink.push(
                    Diagnostic::new(f.created.0, f.created.1, format!("SECURITY DEFINER function `{schema}.{name}({args})` can be called over the API by {}", roles.join(", ")))
                        .help(format!("revoke execute on function {schema}.{name}({args}) from public, anon, authenticated; then grant it only to the roles that need it")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check_sql;

    #[test]
    fn reports_executable_definer_functions() {
        let files = [(
            "m/0001.sql",
            "create function f() returns int language sql security definer set search_path = '' as 'select 1';\ncreate function g() returns int language sql security definer set search_path = '' as 'select 1';\nrevoke execute on function g() from public;\ncreate function t() returns trigger language plpgsql security definer set search_path = '' as $$ begin return new; end $$;\ncreate function private.p() returns int language sql security definer as 'select 1';",
        )];
        assert_eq!(
            check_sql("sql/definer-function-executable", &files),
            vec![
                "m/0001.sql:1:17 SECURITY DEFINER function `public.f()` can be called over the API by anon, authenticated, public"
            ]
        );
    }
}
