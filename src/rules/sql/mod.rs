//! Rules over migration SQL and the replayed schema state.

use globset::{Glob, GlobSet, GlobSetBuilder};

pub mod parse_error;
pub mod require_rls;
pub mod unparsed_statement;

/// Compiles `schema.table` globs; a bad glob (options are validated at load) matches nothing.
pub(crate) fn globset(patterns: &[String]) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        if let Ok(glob) = Glob::new(pattern) {
            builder.add(glob);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

/// Roles that anyone holding the public API key acts as, by default.
pub(crate) fn default_public_roles() -> Vec<String> {
    vec!["anon".into(), "authenticated".into(), "public".into()]
}
