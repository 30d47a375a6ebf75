//! Which findings a pull request shows, and where: the filter modes (reviewdog's names) and the
//! mapping of each finding onto the PR diff.

use std::str::FromStr;

use crate::finding::Finding;

use super::diff::PrDiff;

/// Which findings count on a pull request. Rules always see the whole repository; the mode only
/// filters what is reported (and what decides the exit code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FilterMode {
    /// Only findings on lines the PR adds.
    #[default]
    Added,
    /// Findings on added lines or on unchanged lines shown as context in a hunk.
    DiffContext,
    /// Findings anywhere in a file the PR changes.
    File,
    /// Every finding.
    NoFilter,
}

impl FilterMode {
    pub const fn as_str(self) -> &'static str {
        match self {
            FilterMode::Added => "added",
            FilterMode::DiffContext => "diff_context",
            FilterMode::File => "file",
            FilterMode::NoFilter => "nofilter",
        }
    }
}

impl FromStr for FilterMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "" | "added" => Ok(FilterMode::Added),
            "diff_context" | "diff-context" => Ok(FilterMode::DiffContext),
            "file" => Ok(FilterMode::File),
            "nofilter" | "no-filter" | "none" => Ok(FilterMode::NoFilter),
            other => Err(format!(
                "unknown filter mode `{other}` (expected added, diff_context, file or nofilter)"
            )),
        }
    }
}

/// Where one finding lands on the pull request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// The filter mode keeps it: it is reported and counts towards the exit code.
    pub kept: bool,
    /// The new-file line an inline review comment can be attached to (`side: RIGHT`), when the
    /// finding's first line is inside a hunk.
    pub inline_line: Option<u32>,
    /// GitHub did not show this file's changes (no patch, or not in a truncated file list), so
    /// all its lines count as changed: kept in every mode, never commented inline.
    pub diff_unknown: bool,
}

/// Maps a finding onto the diff. A finding is placed by its first line: multi-line findings (a
/// whole `CREATE TABLE`) are about the statement they start.
///
/// Fails closed: a file whose patch GitHub left out, or any file missing from a file list that
/// `listing_complete` says was truncated, counts as changed everywhere.
pub fn place(
    finding: &Finding,
    diff: &PrDiff,
    listing_complete: bool,
    mode: FilterMode,
) -> Placement {
    let line = u32::try_from(finding.start.line).unwrap_or(u32::MAX);
    let file = diff.get(finding.path.as_str());
    let diff_unknown = match file {
        Some(f) => f.patch_missing,
        None => !listing_complete,
    };
    let commentable = file.is_some_and(|f| f.commentable(line));
    let kept = diff_unknown
        || match mode {
            FilterMode::Added => file.is_some_and(|f| f.added.contains(&line)),
            FilterMode::DiffContext => commentable,
            FilterMode::File => file.is_some(),
            FilterMode::NoFilter => true,
        };
    Placement {
        kept,
        inline_line: (kept && commentable).then_some(line),
        diff_unknown: diff_unknown && !commentable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::diff::parse_patch;
    use crate::github::test_support::finding_at;

    fn diff() -> PrDiff {
        let mut diff = PrDiff::new();
        diff.insert(
            "db/1.sql".into(),
            parse_patch("@@ -1,2 +1,3 @@\n a\n+b\n c"),
        );
        diff
    }

    #[test]
    fn modes_keep_what_they_promise() {
        let diff = diff();
        let added = finding_at("db/1.sql", 2);
        let context = finding_at("db/1.sql", 3);
        let same_file = finding_at("db/1.sql", 40);
        let elsewhere = finding_at("k8s/app.yaml", 2);
        let table = [
            (FilterMode::Added, [true, false, false, false]),
            (FilterMode::DiffContext, [true, true, false, false]),
            (FilterMode::File, [true, true, true, false]),
            (FilterMode::NoFilter, [true, true, true, true]),
        ];
        for (mode, expect) in table {
            let got: Vec<bool> = [&added, &context, &same_file, &elsewhere]
                .iter()
                .map(|f| place(f, &diff, true, mode).kept)
                .collect();
            assert_eq!(got, expect, "{mode:?}");
        }
        assert_eq!(
            place(&context, &diff, true, FilterMode::File).inline_line,
            Some(3)
        );
        assert_eq!(
            place(&same_file, &diff, true, FilterMode::NoFilter).inline_line,
            None
        );
        assert_eq!(
            place(&context, &diff, true, FilterMode::Added).inline_line,
            None
        );
    }

    #[test]
    fn an_incomplete_diff_fails_closed() {
        let mut diff = diff();
        diff.insert(
            "big.sql".into(),
            crate::github::diff::FileDiff::without_patch(),
        );
        let no_patch = finding_at("big.sql", 7);
        let unlisted = finding_at("k8s/app.yaml", 2);
        let outside = finding_at("db/1.sql", 40);
        for mode in [FilterMode::Added, FilterMode::DiffContext, FilterMode::File] {
            let p = place(&no_patch, &diff, true, mode);
            assert!(
                p.kept && p.diff_unknown && p.inline_line.is_none(),
                "{mode:?}"
            );
            assert!(!place(&unlisted, &diff, true, mode).kept, "{mode:?}");
            let p = place(&unlisted, &diff, false, mode);
            assert!(
                p.kept && p.diff_unknown && p.inline_line.is_none(),
                "{mode:?}"
            );
            // A listed file with a patch is known exactly, truncated list or not.
            assert_eq!(
                place(&outside, &diff, false, mode).kept,
                mode == FilterMode::File
            );
        }
    }

    #[test]
    fn parses_mode_names() {
        assert_eq!("".parse::<FilterMode>(), Ok(FilterMode::Added));
        assert_eq!(
            "diff_context".parse::<FilterMode>(),
            Ok(FilterMode::DiffContext)
        );
        assert_eq!("nofilter".parse::<FilterMode>(), Ok(FilterMode::NoFilter));
        assert!("everything".parse::<FilterMode>().is_err());
    }
}
