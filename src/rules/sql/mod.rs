//! Rules over migration SQL and the replayed schema state.

pub mod parse_error;
pub mod require_rls;
pub mod unparsed_statement;
