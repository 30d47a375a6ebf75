use crate::declare_rule;
use crate::document::Project;
use crate::finding::Diagnostic;
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// A table has policies but row level security is off, so the policies are ignored.
    ///
    /// ## Why it matters
    /// Policies only take effect once `ENABLE ROW LEVEL SECURITY` is run on the table. A table with
    /// carefully written policies and RLS off gives every role with a grant full access: the policies
    /// look like protection in review but do nothing. Reported at the first remaining policy, with a
    /// pointer to the table.
    ///
    /// ## Violating example
    /// ```sql
    /// create table public.notes (id int, owner uuid);
    /// create policy "own notes" on public.notes using ((select auth.uid()) = owner);
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// create table public.notes (id int, owner uuid);
    /// alter table public.notes enable row level security;
    /// create policy "own notes" on public.notes using ((select auth.uid()) = owner);
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - PostgreSQL manual, "Row Security Policies".
    /// - Supabase splinter lint 0007 `policy_exists_rls_disabled`.
    pub struct PolicyWithoutRls {}
    id: "sql/policy-without-rls",
    level: Error,
    summary: "Policies exist on a table whose row level security is off",
}

impl Rule for PolicyWithoutRls {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_project(&self, project: &Project, sink: &mut Sink) {
        for set in &project.migration_sets {
            for ((schema, name), table) in &set.state.tables {
                if table.rls_enabled.is_some() || table.external {
                    continue;
                }
                let Some(first) = table.policies.values().min_by_key(|p| p.created) else {
                    continue;
                };
                let names: Vec<&str> = table.policies.keys().map(String::as_str).collect();
                sink.push(
                    Diagnostic::new(first.created.0, first.created.1, format!("table `{schema}.{name}` has {} polic{} ({}) but row level security is off, so they are ignored", names.len(), if names.len() == 1 { "y" } else { "ies" }, names.join(", ")))
                        .help(format!("add `alter table {schema}.{name} enable row level security;`"))
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
    fn reports_the_first_policy() {
        let files = [(
            "m/0001.sql",
            "create table t (id int);\ncreate policy \"a\" on t using (true);\ncreate policy b on t using (true);",
        )];
        assert_eq!(
            check_sql("sql/policy-without-rls", &files),
            vec![
                "m/0001.sql:2:15 table `public.t` has 2 policies (a, b) but row level security is off, so they are ignored"
            ]
        );
    }

    #[test]
    fn enabled_later_or_on_platform_tables_is_fine() {
        let files = [
            (
                "m/0001.sql",
                "create table t (id int);\ncreate policy a on t using (true);\ncreate policy o on storage.objects for select using (bucket_id = 'x' and owner = auth.uid());",
            ),
            ("m/0002.sql", "alter table t enable row level security;"),
        ];
        assert!(check_sql("sql/policy-without-rls", &files).is_empty());
    }
}
