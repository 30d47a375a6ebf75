//! Shared invariants for the fuzz targets; see `checks.rs`.

pub mod checks;

/// Fuzz inputs are bytes; the engine rejects invalid UTF-8 before parsing, so parsers only ever
/// see valid text. Lossy decoding keeps every input useful instead of discarding most of them.
pub fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}
