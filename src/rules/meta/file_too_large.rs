use crate::declare_rule;
use crate::rules::{Rule, RuleMeta};

declare_rule! {
    /// A file in scope is larger than `[files] max-file-size` and was not checked.
    ///
    /// ## Why it matters
    /// Huge files are usually generated or vendored and would slow every run; but skipping one silently
    /// could hide a violation (a secret appended to a large file, say). tollgate skips it and fails
    /// the run by default, since the file was not checked: raise the limit or exclude the path.
    ///
    /// ## Violating example
    /// ```text
    /// supabase/migrations/0001_dump.sql   (12 MiB, limit 5 MiB)
    /// ```
    ///
    /// ## Compliant example
    /// ```toml
    /// [files]
    /// max-file-size = 20_000_000
    /// ```
    ///
    /// ## Options
    /// None; the limit is `[files] max-file-size` (bytes, default 5 MiB).
    ///
    /// ## References
    /// - README, "Policy file".
    pub struct FileTooLarge {}
    id: "tollgate/file-too-large",
    level: Error,
    summary: "A file in scope exceeds the size limit and was skipped",
}

impl Rule for FileTooLarge {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }
}
