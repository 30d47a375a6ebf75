use crate::declare_rule;
use crate::rules::{Rule, RuleMeta};

declare_rule! {
    /// A file produced more findings than `[limits] max-findings-per-file`; the rest were dropped.
    ///
    /// ## Why it matters
    /// One generated or hostile file can produce thousands of findings and drown every other result
    /// (and a PR comment's size limit). tollgate keeps the first findings in file order and adds this
    /// one notice with the number dropped, so the file still fails the run.
    ///
    /// ## Violating example
    /// ```text
    /// deploy/generated.Dockerfile   (3000 findings, limit 500)
    /// ```
    ///
    /// ## Compliant example
    /// ```toml
    /// [limits]
    /// max-findings-per-file = 5000
    /// ```
    ///
    /// ## Options
    /// None; the limit is `[limits] max-findings-per-file` (default 500).
    ///
    /// ## References
    /// - README, "Policy file".
    pub struct TooManyFindings {}
    id: "tollgate/too-many-findings",
    level: Warning,
    summary: "A file exceeds the findings limit; the rest were dropped",
}

impl Rule for TooManyFindings {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }
}
