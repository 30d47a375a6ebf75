//! Rules about the scan itself: unreadable files, limits, and suppression hygiene.

pub mod expired_suppression;
pub mod file_too_large;
pub mod internal_error;
pub mod invalid_suppression;
pub mod read_error;
pub mod too_many_findings;
pub mod too_many_statements;
pub mod unused_suppression;
