//! Rules over Dockerfiles (and Compose files, where the meaning is the same).

use std::ops::Range;

use crate::document::Project;
use crate::document::dockerfile::{Body, Command, Dockerfile, Instruction, Keyword};
use crate::finding::FileId;
use crate::source::{SourceFile, Span};

pub mod no_add_remote;
pub mod no_copy_env_file;
pub mod no_curl_pipe_shell;
pub mod no_privileged;
pub mod no_root_after_user;
pub mod no_secret_in_env_arg;
pub mod no_sudo;
pub mod parse_error;
pub mod pin_base_image;
pub mod pin_base_image_digest;
pub mod require_healthcheck;
pub mod require_non_root_user;
pub mod unresolved_user;

/// The Dockerfile model and source of `file`, if it is a Dockerfile.
pub(crate) fn dockerfile(project: &Project, file: FileId) -> Option<(&Dockerfile, &SourceFile)> {
    let parsed = project.files.get(file)?;
    Some((parsed.dockerfile()?, &parsed.source))
}

/// One piece of shell script a `RUN` executes, with a way back to source spans.
pub(crate) struct Script<'a> {
    pub text: std::borrow::Cow<'a, str>,
    origin: Origin<'a>,
}

enum Origin<'a> {
    /// A range of the instruction's logical text, starting at this logical offset.
    Logical(&'a Instruction, usize),
    /// Raw source text starting at this byte offset (heredoc bodies).
    Raw(usize),
    /// Exec form: no faithful mapping, so every match points at the arguments.
    Fixed(Span),
}

impl Script<'_> {
    pub fn span(&self, range: Range<usize>) -> Span {
        match self.origin {
            Origin::Logical(instr, base) => {
                instr.logical.span(base + range.start..base + range.end)
            }
            Origin::Raw(base) => Span::new(base + range.start, base + range.end),
            Origin::Fixed(span) => span,
        }
    }
}

/// The scripts of a `RUN`: its shell-form command, the joined exec form, and heredoc bodies.
pub(crate) fn run_scripts<'a>(instr: &'a Instruction, source: &'a SourceFile) -> Vec<Script<'a>> {
    let mut out = Vec::new();
    if instr.keyword != Keyword::Run {
        return out;
    }
    match &instr.body {
        Body::Command(Command::Shell { .. }) => out.push(Script {
            text: instr.args_text().into(),
            origin: Origin::Logical(instr, instr.args.start),
        }),
        Body::Command(Command::Exec(items)) => out.push(Script {
            text: items.join(" ").into(),
            origin: Origin::Fixed(instr.args_span()),
        }),
        _ => {}
    }
    for h in &instr.heredocs {
        out.push(Script {
            text: source.slice(h.body).into(),
            origin: Origin::Raw(h.body.start),
        });
    }
    out
}

/// The span of the final stage's `FROM` keyword: where findings about something missing go.
pub(crate) fn final_from(df: &Dockerfile) -> Option<Span> {
    let stage = df.final_stage()?;
    df.instructions.get(stage.from).map(|i| i.keyword_span)
}

#[cfg(test)]
pub(crate) fn check(rule: &str, text: &str) -> Vec<String> {
    crate::testing::check_kind(
        rule,
        crate::document::FileKind::Docker,
        &[("Dockerfile", text)],
    )
    .into_iter()
    .map(|line| line.trim_start_matches("Dockerfile:").to_string())
    .collect()
}
