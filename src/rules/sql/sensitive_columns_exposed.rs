use crate::declare_rule;
use crate::document::Project;
use crate::finding::Diagnostic;
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// A table in an exposed schema holds sensitive columns and has no row level security.
    ///
    /// ## Why it matters
    /// Passwords, national identifiers, card numbers and API keys in a table the API serves without
    /// RLS are readable by anyone with the anon key. This sharpens `sql/require-rls`: the finding
    /// names the sensitive columns and points at the first of them.
    ///
    /// ## Violating example
    /// ```sql
    /// create table public.customers (id int, email text, ssn text, card_number text);
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// create table public.customers (id int, email text, ssn text, card_number text);
    /// alter table public.customers enable row level security;
    /// ```
    ///
    /// ## Options
    /// - `schemas` (list of strings, default: `[api] schemas` from `supabase/config.toml`, else
    ///   `["public"]`): schemas exposed through the API.
    /// - `patterns` (list of strings): substrings of sensitive column names, default `["password",
    ///   "passwd", "ssn", "social_security", "api_key", "apikey", "secret", "token", "card_number",
    ///   "credit_card", "cvv", "iban", "account_number", "tax_id", "passport", "date_of_birth",
    ///   "private_key"]`.
    ///
    /// ## References
    /// - Supabase splinter lint 0023 `sensitive_columns_exposed`.
    pub struct SensitiveColumnsExposed {
        /// Schemas exposed through the API; unset means the project's config or `["public"]`.
        schemas: Option<Vec<String>>,
        /// Substrings of sensitive column names.
        patterns: Vec<String>,
    }
    id: "sql/sensitive-columns-exposed",
    level: Error,
    summary: "Sensitive columns in exposed tables need row level security",
}

impl Default for SensitiveColumnsExposed {
    fn default() -> Self {
        Self {
            schemas: None,
            patterns: [
                "password",
                "passwd",
                "ssn",
                "social_security",
                "api_key",
                "apikey",
                "secret",
                "token",
                "card_number",
                "credit_card",
                "cvv",
                "iban",
                "account_number",
                "tax_id",
                "passport",
                "date_of_birth",
                "private_key",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        }
    }
}

impl Rule for SensitiveColumnsExposed {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_project(&self, project: &Project, sink: &mut Sink) {
        for set in &project.migration_sets {
            let schemas = set.exposed(&self.schemas);
            for ((schema, name), table) in &set.state.tables {
                if table.rls_enabled.is_some()
                    || table.external
                    || table.temporary
                    || !schemas.contains(schema)
                {
                    continue;
                }
                let sensitive: Vec<_> = table
                    .columns
                    .iter()
                    .flatten()
                    .filter(|c| {
                        let lower = c.name.to_ascii_lowercase();
                        self.patterns.iter().any(|p| lower.contains(p.as_str()))
                    })
                    .collect();
                let Some(first) = sensitive.first() else {
                    continue;
                };
                let names: Vec<&str> = sensitive.iter().map(|c| c.name.as_str()).collect();
                sink.push(
                    Diagnostic::new(first.at.0, first.at.1, format!("table `{schema}.{name}` exposes sensitive column{} {} without row level security", if names.len() == 1 { "" } else { "s" }, names.join(", ")))
                        .help(format!("enable RLS on `{schema}.{name}` with policies, or move the columns to a table in a private schema"))
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
    fn reports_sensitive_columns_without_rls() {
        let files = [(
            "m/0001.sql",
            "create table c (\n  id int,\n  ssn text,\n  card_number text\n);\ncreate table d (id int, password text);\nalter table d enable row level security;\ncreate table e (id int, name text);",
        )];
        assert_eq!(
            check_sql("sql/sensitive-columns-exposed", &files),
            vec![
                "m/0001.sql:3:3 table `public.c` exposes sensitive columns ssn, card_number without row level security"
            ]
        );
    }
}
