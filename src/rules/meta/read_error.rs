use crate::declare_rule;
use crate::rules::{Rule, RuleMeta};

declare_rule! {
    /// A file in scope could not be read or decoded, so it was not checked.
    ///
    /// ## Why it matters
    /// A compliance check that silently skips a file it cannot read would report "clean" for content it
    /// never saw. tollgate reports the file instead, so the run fails visibly.
    ///
    /// Causes: permission denied, the file vanished during the scan, or a file classified as SQL, env,
    /// Dockerfile or manifest is binary or not valid UTF-8 (the location of the first invalid byte is given).
    ///
    /// ## Violating example
    /// ```text
    /// supabase/migrations/0002_data.sql   (mode 000, unreadable)
    /// ```
    ///
    /// ## Compliant example
    /// ```text
    /// supabase/migrations/0002_data.sql   (readable UTF-8 text)
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Exit codes: README, "Exit codes".
    pub struct ReadError {}
    id: "tollgate/read-error",
    level: Error,
    summary: "A file in scope could not be read or is not UTF-8 text",
}

impl Rule for ReadError {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }
}
