//! Rules over dotenv files, and over code that reads environment variables.

use crate::document::Project;
use crate::document::env::{EnvFile, EnvRole, env_role};
use crate::finding::FileId;
use crate::source::SourceFile;

pub mod duplicate_key;
pub mod no_committed_env_file;
pub mod no_public_secret;
pub mod no_secret_value;
pub mod parse_error;
pub mod require_documented_vars;
pub mod secret_ref_format;

/// The env model of `file` with its source and role (files classified as env whose name is not
/// recognised count as real environments, the safer reading).
pub(crate) fn env_file(
    project: &Project,
    file: FileId,
) -> Option<(&EnvFile, &SourceFile, EnvRole)> {
    let parsed = project.files.get(file)?;
    let env = parsed.env()?;
    let role = env_role(&parsed.source.path).unwrap_or(EnvRole::Real);
    Some((env, &parsed.source, role))
}

#[cfg(test)]
pub(crate) fn check(rule: &str, files: &[(&str, &str)]) -> Vec<String> {
    crate::testing::check_kind(rule, crate::document::FileKind::Env, files)
}
