use crate::declare_rule;
use crate::rules::{Rule, RuleMeta};

declare_rule! {
    /// An inline `tollgate-ignore` directive suppresses nothing.
    ///
    /// ## Why it matters
    /// A waiver that no longer matches a finding is stale governance: the code was fixed or moved, and
    /// the directive would silently hide a future, different violation. Remove it.
    ///
    /// ## Violating example
    /// ```sql
    /// -- tollgate-ignore sql/require-rls -- public lookup table
    /// create table countries (code text primary key);
    /// alter table countries enable row level security;
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// create table countries (code text primary key);
    /// alter table countries enable row level security;
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - ruff RUF100 (unused noqa).
    pub struct UnusedSuppression {}
    id: "tollgate/unused-suppression",
    level: Warning,
    summary: "An inline suppression matches no finding",
}

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }
}
