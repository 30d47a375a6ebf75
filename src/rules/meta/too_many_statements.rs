use crate::declare_rule;
use crate::rules::{Rule, RuleMeta};

declare_rule! {
    /// A SQL file has more statements than `[limits] max-statements-per-file`; only the first ones were checked.
    ///
    /// ## Why it matters
    /// A generated dump with millions of statements would slow every run; checking only part of it
    /// silently could hide a violation (a table without RLS after 20,000 harmless inserts). tollgate
    /// checks the first statements, reports this error on the first statement it skipped, and goes
    /// on: the rest of the file was not checked, so the run fails by default.
    ///
    /// ## Violating example
    /// ```text
    /// db/migrations/0001_seed.sql   (250000 INSERT statements, limit 20000)
    /// ```
    ///
    /// ## Compliant example
    /// ```toml
    /// [limits]
    /// max-statements-per-file = 300_000
    /// ```
    ///
    /// ## Options
    /// None; the limit is `[limits] max-statements-per-file` (default 20000).
    ///
    /// ## References
    /// - README, "Policy file".
    pub struct TooManyStatements {}
    id: "tollgate/too-many-statements",
    level: Error,
    summary: "A SQL file exceeds the statement limit; the rest was not checked",
}

impl Rule for TooManyStatements {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }
}
