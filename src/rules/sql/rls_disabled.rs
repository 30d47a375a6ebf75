use crate::declare_rule;
use crate::document::Project;
use crate::document::sql::Event;
use crate::finding::Diagnostic;
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// A later migration disables row level security on a table that had it.
    ///
    /// ## Why it matters
    /// Turning RLS off makes every policy on the table inert: anyone with a grant on the table
    /// (on Supabase, the public anon key) reads and writes every row. A regression like this hides
    /// easily in a long migration history, so it is reported at the statement that disables RLS, with
    /// a pointer to where it was enabled. A table that is re-enabled or dropped later in the set is
    /// not reported. Down/rollback scripts are not replayed and cannot trigger it.
    ///
    /// ## Violating example
    /// ```sql
    /// -- 0001_init.sql
    /// create table public.invoices (id int);
    /// alter table public.invoices enable row level security;
    /// -- 0002_backfill.sql
    /// alter table public.invoices disable row level security;
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// alter table public.invoices disable row level security;
    /// update public.invoices set id = id;
    /// alter table public.invoices enable row level security;
    /// ```
    ///
    /// ## Options
    /// - `exempt-tables` (list of globs over `schema.table`, default `[]`): tables that may turn RLS off.
    ///
    /// ## References
    /// - PostgreSQL manual, "Row Security Policies".
    /// - Supabase docs, "Row Level Security".
    pub struct RlsDisabled {
        /// Globs over `schema.table` naming tables that may turn RLS off.
        exempt_tables: Vec<String>,
        /// `exempt-tables`, compiled by `prepare`.
        #[serde(skip)]
        exempt: globset::GlobSet,
    }
    id: "sql/rls-disabled",
    level: Error,
    summary: "A migration disables row level security that an earlier migration enabled",
}

impl Default for RlsDisabled {
    fn default() -> Self {
        Self {
            exempt_tables: Vec::new(),
            exempt: globset::GlobSet::empty(),
        }
    }
}

impl Rule for RlsDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn prepare(&mut self) -> Result<(), String> {
        self.exempt = crate::rules::compile_globs("exempt-tables", &self.exempt_tables)?;
        Ok(())
    }

    fn check_project(&self, project: &Project, sink: &mut Sink) {
        let exempt = &self.exempt;
        for set in &project.migration_sets {
            for event in &set.state.events {
                let Event::RlsDisabled {
                    table: (schema, name),
                    at,
                    enabled_at,
                    resolved: false,
                } = event
                else {
                    continue;
                };
                if exempt.is_match(format!("{schema}.{name}")) {
                    continue;
                }
                sink.push(
                    Diagnostic::new(at.0, at.1, format!("row level security is disabled on `{schema}.{name}`, which had it enabled"))
                        .help(format!("keep RLS on and adjust the policies instead; if the backfill needs it off, re-enable it in the same migration with `alter table {schema}.{name} enable row level security;`"))
                        .related(enabled_at.0, enabled_at.1, "RLS was enabled here"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check_sql;

    #[test]
    fn reports_the_disabling_statement() {
        let files = [
            (
                "m/0001_init.sql",
                "create table t (id int);\nalter table t enable row level security;",
            ),
            (
                "m/0002_off.sql",
                "select 1;\nALTER TABLE public.t DISABLE ROW LEVEL SECURITY;",
            ),
        ];
        assert_eq!(
            check_sql("sql/rls-disabled", &files),
            vec![
                "m/0002_off.sql:2:1 row level security is disabled on `public.t`, which had it enabled"
            ]
        );
    }

    #[test]
    fn re_enabled_dropped_or_never_enabled_is_fine() {
        let files = [
            (
                "m/0001.sql",
                "create table a (id int);\nalter table a enable row level security;\ncreate table b (id int);\nalter table b enable row level security;\ncreate table c (id int);\nalter table c disable row level security;",
            ),
            (
                "m/0002.sql",
                "alter table a disable row level security;\nalter table a enable row level security;\nalter table b disable row level security;\ndrop table b;",
            ),
            (
                "m/0002.down.sql",
                "alter table a disable row level security;",
            ),
        ];
        assert!(check_sql("sql/rls-disabled", &files).is_empty());
    }
}
