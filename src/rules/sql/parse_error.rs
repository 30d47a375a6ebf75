use crate::declare_rule;
use crate::rules::{Rule, RuleMeta};

declare_rule! {
    /// A migration file has a lexical error (unterminated string, quoted identifier, comment or dollar quote).
    ///
    /// ## Why it matters
    /// PostgreSQL would reject the file, and everything after the error is read as one unterminated
    /// token, so later statements cannot be checked. The finding points at the opening quote.
    ///
    /// ## Violating example
    /// ```sql
    /// insert into settings values ('theme', 'dark);
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// insert into settings values ('theme', 'dark');
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - PostgreSQL manual, "Lexical Structure".
    pub struct ParseError {}
    id: "sql/parse-error",
    level: Error,
    summary: "A migration file cannot be tokenised",
}

impl Rule for ParseError {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }
}
