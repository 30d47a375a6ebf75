//! Source files, byte spans and the line index that turns spans into line/column at the edges.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// A half-open byte range into a file's text. Models and findings carry spans; line and column are
/// computed only by reporters, through [`LineIndex`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    pub const fn empty(at: usize) -> Self {
        Self { start: at, end: at }
    }

    pub const fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub const fn is_empty(self) -> bool {
        self.end <= self.start
    }

    /// Shifts a span that is relative to a sub-slice starting at `base`.
    pub const fn offset(self, base: usize) -> Self {
        Self {
            start: self.start + base,
            end: self.end + base,
        }
    }

    pub fn cover(self, other: Span) -> Self {
        Self {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }

    /// Clamps the span into `text` and onto char boundaries, so slicing can never panic.
    pub fn clamp_to(self, text: &str) -> Self {
        let mut start = self.start.min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = self.end.clamp(start, text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        Self { start, end }
    }
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Self {
        Self::new(r.start, r.end)
    }
}

/// 1-based line and column; the column counts Unicode scalar values (SARIF `unicodeCodePoints`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Byte offsets of line starts. `\n` ends a line; a preceding `\r` belongs to the line it ends.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// Per line: only ASCII, so a column is a byte difference. Without it every `line_col` counts
    /// the characters from the line start, and a 5 MB single-line file with thousands of findings
    /// turns quadratic.
    ascii: Vec<bool>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(memchr_newlines(text.as_bytes()).map(|i| i + 1));
        let bytes = text.as_bytes();
        let ascii = starts
            .iter()
            .enumerate()
            .map(|(i, &start)| {
                let end = starts.get(i + 1).copied().unwrap_or(bytes.len());
                bytes[start..end].is_ascii()
            })
            .collect();
        Self { starts, ascii }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 0-based line number containing `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Byte offset where 0-based `line` starts (clamped to the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts[line.min(self.starts.len() - 1)]
    }

    /// Byte range of 0-based `line` without its line terminator.
    pub fn line_span(&self, line: usize, text: &str) -> Span {
        let start = self.line_start(line);
        let mut end = self
            .starts
            .get(line + 1)
            .map_or(text.len(), |next| next - 1);
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        Span::new(start, end.max(start))
    }

    pub fn line_col(&self, offset: usize, text: &str) -> LineCol {
        let offset = Span::empty(offset).clamp_to(text).start;
        let line = self.line_of(offset);
        let start = self.starts[line];
        let column = if self.ascii.get(line).copied().unwrap_or(false) {
            offset - start + 1
        } else {
            text[start..offset].chars().count() + 1
        };
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// Byte offset of a 1-based line and 1-based character column (clamped into the line).
    pub fn offset_of(&self, line: usize, column: usize, text: &str) -> usize {
        let line = line.max(1) - 1;
        let span = self.line_span(line.min(self.starts.len() - 1), text);
        let line_text = &text[span.range()];
        let skip = column.max(1) - 1;
        span.start
            + line_text
                .char_indices()
                .nth(skip)
                .map_or(line_text.len(), |(i, _)| i)
    }
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i)
}

/// One file as the engine sees it: its path relative to the scan root (with `/` separators, as
/// reports and GitHub expect), its full path on disk, its text and its line index, built on first
/// use: most files have no finding and never need one.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: String,
    pub disk_path: PathBuf,
    pub text: Arc<str>,
    lines: Arc<OnceLock<LineIndex>>,
}

impl SourceFile {
    pub fn new(
        path: impl Into<String>,
        disk_path: impl AsRef<Path>,
        text: impl Into<Arc<str>>,
    ) -> Self {
        Self {
            path: path.into(),
            disk_path: disk_path.as_ref().to_path_buf(),
            text: text.into(),
            lines: Arc::default(),
        }
    }

    /// A file known only by name, for tests and in-memory checks.
    pub fn in_memory(path: &str, text: &str) -> Self {
        Self::new(path, path, text)
    }

    pub fn slice(&self, span: Span) -> &str {
        &self.text[span.clamp_to(&self.text).range()]
    }

    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    pub fn line_col(&self, offset: usize) -> LineCol {
        self.lines().line_col(offset, &self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars_and_handles_crlf() {
        let text = "ab\r\nçd\nlast";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(0, text), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(4, text), LineCol { line: 2, column: 1 });
        // 'd' is after the two-byte 'ç'
        assert_eq!(idx.line_col(6, text), LineCol { line: 2, column: 2 });
        assert_eq!(
            idx.line_col(text.len(), text),
            LineCol { line: 3, column: 5 }
        );
        assert_eq!(idx.line_span(0, text), Span::new(0, 2));
        assert_eq!(idx.offset_of(2, 2, text), 6);
    }

    #[test]
    fn clamp_never_splits_a_char() {
        let text = "é";
        assert_eq!(Span::new(1, 1).clamp_to(text), Span::new(0, 2));
        assert_eq!(Span::new(0, 1).clamp_to(text), Span::new(0, 2));
        assert_eq!(Span::new(9, 12).clamp_to(text), Span::new(2, 2));
    }
}
