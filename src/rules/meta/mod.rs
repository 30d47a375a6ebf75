//! Rules about the scan itself: unreadable files, limits, and suppression hygiene.

pub mod expired_suppression;
pub mod file_too_large;
pub mod invalid_suppression;
pub mod read_error;
pub mod unused_suppression;
