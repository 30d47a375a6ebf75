use crate::declare_rule;
use crate::rules::{Rule, RuleMeta};

declare_rule! {
    /// An inline suppression's `until=` date has passed, so it no longer suppresses.
    ///
    /// ## Why it matters
    /// Time-boxed waivers are how teams accept a risk temporarily. When the date passes the finding comes
    /// back, and this finding points at the expired waiver so its owner can fix the code or renew it.
    ///
    /// ## Violating example
    /// ```sql
    /// -- tollgate-ignore sql/require-rls until=2020-01-31 owner=@db -- migration window
    /// create table staging_import (raw jsonb);
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// -- tollgate-ignore sql/require-rls until=2099-01-31 owner=@db -- migration window
    /// create table staging_import (raw jsonb);
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - README, "Suppressions".
    pub struct ExpiredSuppression {}
    id: "tollgate/expired-suppression",
    level: Warning,
    summary: "An inline suppression has expired",
}

impl Rule for ExpiredSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }
}
