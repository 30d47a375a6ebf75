//! Unified-diff patches as GitHub's `pulls/list-files` returns them (hunks only, no file header):
//! which new-file lines each changed file adds and which it shows as context.

use std::collections::{BTreeMap, BTreeSet};

/// What a PR's diff shows of one file, in new-file line numbers (1-based).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileDiff {
    /// Lines the PR adds (`+`).
    pub added: BTreeSet<u32>,
    /// Unchanged lines shown inside a hunk (` `).
    pub context: BTreeSet<u32>,
    /// New-file line ranges of each hunk, inclusive; GitHub only accepts review comments in these.
    pub hunks: Vec<(u32, u32)>,
    /// The patch was missing (binary or too large) or could not be read: no line is commentable.
    pub patch_missing: bool,
}

impl FileDiff {
    /// A line GitHub accepts a `side: RIGHT` review comment on: added or context inside a hunk.
    pub fn commentable(&self, line: u32) -> bool {
        self.added.contains(&line) || self.context.contains(&line)
    }

    /// A file with only a header and no patch (renamed without changes, binary, too large).
    pub fn without_patch() -> Self {
        Self {
            patch_missing: true,
            ..Self::default()
        }
    }
}

/// The diff of a whole pull request, by repository-relative path (new name for renames).
pub type PrDiff = BTreeMap<String, FileDiff>;

/// Parses the hunks of one file's patch. Never fails: a malformed hunk header ends the parse and
/// what was read so far is kept; lines outside a hunk are ignored.
pub fn parse_patch(patch: &str) -> FileDiff {
    let mut diff = FileDiff::default();
    // New-file line number of the next `+`/` ` line, and the current hunk's index; None outside a hunk.
    let mut cursor: Option<(u32, usize)> = None;
    let mut old_left = 0u32;
    let mut new_left = 0u32;
    for raw in patch.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.starts_with("@@") {
            match parse_hunk_header(line) {
                Some((old_len, new_start, new_len)) => {
                    diff.hunks.push((
                        new_start,
                        new_start.saturating_add(new_len.saturating_sub(1)),
                    ));
                    cursor = Some((new_start, diff.hunks.len() - 1));
                    old_left = old_len;
                    new_left = new_len;
                }
                None => {
                    diff.patch_missing = diff.hunks.is_empty();
                    break;
                }
            }
            continue;
        }
        let Some((next, _)) = cursor else { continue };
        if old_left == 0 && new_left == 0 {
            // Past the announced hunk length: whatever follows is not part of it.
            continue;
        }
        match line.as_bytes().first() {
            Some(b'+') => {
                diff.added.insert(next);
                new_left = new_left.saturating_sub(1);
                cursor = cursor.map(|(n, h)| (n.saturating_add(1), h));
            }
            Some(b'-') => old_left = old_left.saturating_sub(1),
            Some(b'\\') => {} // "\ No newline at end of file"
            // A context line; an empty line is a context line whose leading space was stripped.
            Some(b' ') | None => {
                diff.context.insert(next);
                old_left = old_left.saturating_sub(1);
                new_left = new_left.saturating_sub(1);
                cursor = cursor.map(|(n, h)| (n.saturating_add(1), h));
            }
            Some(_) => {}
        }
    }
    diff
}

/// `@@ -a[,b] +c[,d] @@ ...` → (b, c, d); a missing count means 1.
fn parse_hunk_header(line: &str) -> Option<(u32, u32, u32)> {
    let rest = line.strip_prefix("@@ ")?;
    let end = rest.find(" @@")?;
    let mut parts = rest[..end].split(' ');
    let old = parts.next()?.strip_prefix('-')?;
    let new = parts.next()?.strip_prefix('+')?;
    let (_, old_len) = range(old)?;
    let (new_start, new_len) = range(new)?;
    Some((old_len, new_start, new_len))
}

fn range(text: &str) -> Option<(u32, u32)> {
    match text.split_once(',') {
        Some((start, len)) => Some((start.parse().ok()?, len.parse().ok()?)),
        None => Some((text.parse().ok()?, 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATCH: &str = "@@ -1,4 +1,6 @@\n create table a (id int);\n-drop table b;\n+create table c (id int);\n+alter table c enable row level security;\n \n+-- trailing\n select 1;\n@@ -20,2 +22,3 @@ fn x\n keep\n+added\n keep2\n\\ No newline at end of file";

    #[test]
    fn added_and_context_lines_use_new_numbering() {
        let diff = parse_patch(PATCH);
        assert_eq!(
            diff.added.iter().copied().collect::<Vec<_>>(),
            vec![2, 3, 5, 23]
        );
        assert_eq!(
            diff.context.iter().copied().collect::<Vec<_>>(),
            vec![1, 4, 6, 22, 24]
        );
        assert_eq!(diff.hunks, vec![(1, 6), (22, 24)]);
        assert!(diff.commentable(22) && !diff.commentable(7) && !diff.commentable(21));
        assert!(!diff.patch_missing);
    }

    #[test]
    fn single_line_hunks_and_new_files() {
        let diff = parse_patch("@@ -0,0 +1 @@\n+only");
        assert_eq!(diff.added.iter().copied().collect::<Vec<_>>(), vec![1]);
        assert_eq!(diff.hunks, vec![(1, 1)]);
        let deleted = parse_patch("@@ -1,2 +0,0 @@\n-a\n-b");
        assert!(deleted.added.is_empty() && deleted.context.is_empty());
    }

    #[test]
    fn crlf_and_garbage_never_panic() {
        let diff = parse_patch("@@ -1 +1 @@\r\n-a\r\n+b\r\n");
        assert_eq!(diff.added.iter().copied().collect::<Vec<_>>(), vec![1]);
        for junk in [
            "",
            "@@",
            "@@ -x +y @@",
            "@@ -1,99999999999 +4294967295,9 @@\n+a\n+b",
            "+++ b/x\n+no hunk",
            "@@ -1 +1 @@",
        ] {
            let _ = parse_patch(junk);
        }
        assert!(parse_patch("@@ garbage").patch_missing);
        let overflow = parse_patch("@@ -1 +4294967295,3 @@\n+a\n+b\n+c");
        assert!(overflow.added.contains(&4294967295));
    }

    #[test]
    fn lines_past_the_hunk_length_are_ignored() {
        let diff = parse_patch("@@ -1,1 +1,1 @@\n-a\n+b\n+stray");
        assert_eq!(diff.added.iter().copied().collect::<Vec<_>>(), vec![1]);
    }
}
