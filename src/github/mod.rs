//! Publishing findings on GitHub pull requests: the diff and filter modes, the rendered bodies,
//! the [`api::GitHubApi`] trait with its octocrab implementation, and the Actions environment.
//!
//! The pipeline stays data in, data out: [`publish::plan`] and [`render`] are pure; only
//! [`octo::OctocrabApi`] talks to the network.

pub mod actions;
pub mod api;
pub mod command;
pub mod diff;
pub mod filter;
pub mod octo;
pub mod publish;
pub mod render;

pub use api::{ApiError, GitHubApi, PrRef};
pub use filter::FilterMode;
pub use publish::{CommentMode, PrContext, PublishOptions, publish};

#[cfg(test)]
pub(crate) mod test_support {
    use crate::finding::{Finding, Level};
    use crate::source::{LineCol, Span};

    pub fn finding(
        path: &str,
        line: usize,
        level: Level,
        rule: &'static str,
        message: &str,
    ) -> Finding {
        Finding {
            rule,
            level,
            message: message.to_string(),
            help: Some("Enable row level security on the table.".into()),
            path: path.to_string(),
            span: Span::new(0, 3),
            start: LineCol { line, column: 1 },
            end: LineCol { line, column: 4 },
            fingerprint: format!(
                "{:032x}",
                line as u128 * 7919 + path.len() as u128 + rule.len() as u128 * 31
            ),
            related: vec![],
            redactions: vec![],
        }
    }

    pub fn finding_at(path: &str, line: usize) -> Finding {
        finding(
            path,
            line,
            Level::Error,
            "sql/require-rls",
            "table has no row level security",
        )
    }
}
