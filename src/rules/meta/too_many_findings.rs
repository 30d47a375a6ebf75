use crate::declare_rule;
use crate::rules::{Rule, RuleMeta};

declare_rule! {
    /// A file produced more findings than `[limits] max-findings-per-file`; the rest were dropped.
    ///
    /// ## Why it matters
    /// One generated or hostile file can produce thousands of findings and drown every other result
    /// (and a PR comment's size limit). tollgate keeps the most severe findings (errors first, then
    /// in file order) and adds this one error with the number dropped: the file was not fully
    /// reported, so the run fails by default (a `[limits]` the file fits in, or excluding the
    /// path, is the fix; turning this rule off is reported as a weakened policy).
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
    level: Error,
    summary: "A file exceeds the findings limit; the rest were dropped",
}

impl Rule for TooManyFindings {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }
}
