use crate::declare_rule;
use crate::rules::{Rule, RuleMeta};

declare_rule! {
    /// A statement could not be parsed by the SQL parser; only the facts the fallback recogniser found were used.
    ///
    /// ## Why it matters
    /// tollgate never skips a statement silently. `DO $$ … $$` blocks, psql meta-commands and exotic
    /// syntax are outside what the SQL parser understands; the fallback recogniser still reads
    /// CREATE/ALTER/DROP TABLE and RLS switches from them, and this note says where the analysis had to
    /// fall back, so a reviewer knows what was not fully analysed.
    ///
    /// ## Violating example
    /// ```sql
    /// do $$ begin
    ///   execute 'create table t (id int)';
    /// end $$;
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// create table t (id int);
    /// ```
    ///
    /// ## Options
    /// None. Set the rule to `off` to hide these notes.
    ///
    /// ## References
    /// - README, "What is checked statically".
    pub struct UnparsedStatement {}
    id: "sql/unparsed-statement",
    level: Note,
    summary: "A statement was not understood by the SQL parser",
}

impl Rule for UnparsedStatement {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }
}
