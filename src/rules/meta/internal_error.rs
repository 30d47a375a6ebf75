use crate::declare_rule;
use crate::rules::{Rule, RuleMeta};

declare_rule! {
    /// tollgate crashed while checking a file; the file was skipped and the run failed.
    ///
    /// ## Why it matters
    /// A bug in a parser or rule must not hide the rest of the repository, and must not let CI pass
    /// silently: the panic is caught per file, reported here with the file name, the other files are
    /// checked as usual, and `tollgate check` exits with 2 at the end whatever this rule's level.
    /// The message names only the place in tollgate's code, never the file's content.
    ///
    /// ## Violating example
    /// ```text
    /// db/migrations/0042_weird.sql: internal error while checking this file (panic in src/…)
    /// ```
    ///
    /// ## Compliant example
    /// ```text
    /// (no internal errors: every file was checked)
    /// ```
    ///
    /// ## Options
    /// None. Please report the file (or a minimised copy) as a bug.
    ///
    /// ## References
    /// - CONTRIBUTING.md, "Fuzzing".
    pub struct InternalError {}
    id: "tollgate/internal-error",
    level: Error,
    summary: "tollgate crashed on a file; it was skipped and the run fails",
}

impl Rule for InternalError {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }
}
