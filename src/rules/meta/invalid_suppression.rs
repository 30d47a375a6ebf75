use crate::declare_rule;
use crate::rules::{Rule, RuleMeta};

declare_rule! {
    /// An inline `tollgate-ignore` directive is malformed, names an unknown rule, or lacks a reason.
    ///
    /// ## Why it matters
    /// A compliance waiver is governance: it must say which rule it waives and why. A directive with a
    /// typo in the rule id or without a reason does not suppress anything, and this finding says why.
    ///
    /// Syntax: `tollgate-ignore <rule-id>[,<rule-id>…] [until=YYYY-MM-DD] [owner=NAME] -- <reason>` in
    /// the file's comment syntax, on the line before the finding or at the end of its line;
    /// `tollgate-ignore-file <rule-id> -- <reason>` anywhere in the file for the whole file.
    ///
    /// ## Violating example
    /// ```sql
    /// -- tollgate-ignore sql/require-rsl
    /// create table audit_log (id bigint);
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// -- tollgate-ignore sql/require-rls until=2026-12-31 owner=@db-team -- service-role only, see SEC-12
    /// create table audit_log (id bigint);
    /// ```
    ///
    /// ## Options
    /// None; `[suppressions] require-reason = false` in the policy accepts directives without a reason.
    ///
    /// ## References
    /// - README, "Suppressions".
    pub struct InvalidSuppression {}
    id: "tollgate/invalid-suppression",
    level: Error,
    summary: "An inline suppression is malformed, unknown, or has no reason",
}

impl Rule for InvalidSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }
}
