use crate::declare_rule;
use crate::document::Project;
use crate::finding::Diagnostic;
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// A SECURITY DEFINER function does not fix its `search_path`.
    ///
    /// ## Why it matters
    /// A SECURITY DEFINER function runs with its owner's privileges but resolves unqualified names
    /// through the caller's `search_path`. A caller who can create objects in any schema on that path
    /// can shadow a table or function the body uses and run code as the owner (often a superuser).
    /// `SET search_path = ''` (and schema-qualified names in the body) closes the hole. Later
    /// `ALTER FUNCTION … SET search_path` fixes it; `CREATE OR REPLACE` without the clause undoes it.
    ///
    /// ## Violating example
    /// ```sql
    /// create function public.handle_new_user() returns trigger
    /// language plpgsql security definer as $$
    /// begin insert into profiles (id) values (new.id); return new; end $$;
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// create function public.handle_new_user() returns trigger
    /// language plpgsql security definer set search_path = '' as $$
    /// begin insert into public.profiles (id) values (new.id); return new; end $$;
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - PostgreSQL manual, "CREATE FUNCTION", section "Writing SECURITY DEFINER Functions Safely".
    /// - Supabase splinter lint 0011 `function_search_path_mutable`.
    pub struct SecurityDefinerSearchPath {}
    id: "sql/security-definer-search-path",
    level: Error,
    summary: "SECURITY DEFINER functions must set a fixed search_path",
}

impl Rule for SecurityDefinerSearchPath {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_project(&self, project: &Project, sink: &mut Sink) {
        for set in &project.migration_sets {
            for ((schema, name, args), f) in &set.state.functions {
                if !f.security_definer || f.search_path.is_some() {
                    continue;
                }
                sink.push(
                    Diagnostic::new(f.created.0, f.created.1, format!("SECURITY DEFINER {} `{schema}.{name}({args})` does not set search_path", if f.procedure { "procedure" } else { "function" }))
                        .help("add `set search_path = ''` to the definition and schema-qualify every name in the body"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check_sql;

    #[test]
    fn reports_definer_without_search_path() {
        let files = [
            (
                "m/0001.sql",
                "create function public.a() returns int language sql security definer as 'select 1';\ncreate function b(x int) returns int language sql security definer set search_path = '' as 'select 1';\ncreate function c() returns int language sql as 'select 1';\ncreate function d() returns int language sql security definer as 'select 1';",
            ),
            (
                "m/0002.sql",
                "alter function d() set search_path = public, pg_temp;\ncreate or replace function b(x integer) returns int language sql security definer as 'select 2';",
            ),
        ];
        assert_eq!(
            check_sql("sql/security-definer-search-path", &files),
            vec![
                "m/0001.sql:1:17 SECURITY DEFINER function `public.a()` does not set search_path",
                "m/0002.sql:2:28 SECURITY DEFINER function `public.b(integer)` does not set search_path",
            ]
        );
    }
}
