//! The rule framework: the [`Rule`] trait, the `declare_rule!` macro that captures a rule's doc comment
//! as its documentation, and [`REGISTRY`], the one list of every rule.
//!
//! Adding a rule: write one file under `rules/<kind>/` with `declare_rule!` and `impl Rule`, then add
//! one `rule!(...)` line to [`REGISTRY`].

use serde::de::DeserializeOwned;

use crate::document::Project;
use crate::finding::{Diagnostic, FileId, RuleLevel};

pub mod docker;
pub mod k8s;
pub mod meta;
pub mod sql;

/// Static description of a rule; `docs` is the rule's doc comment, printed by `tollgate explain`.
#[derive(Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    pub default_level: RuleLevel,
    pub summary: &'static str,
    pub docs: &'static str,
}

impl RuleMeta {
    /// The part of the id before `/`: `sql`, `env`, `docker`, `k8s`, `secret` or `tollgate`.
    pub fn kind(&self) -> &'static str {
        self.id.split_once('/').map_or(self.id, |(kind, _)| kind)
    }

    /// The part of the id after `/`, as written under `[rules.<kind>]` in a policy.
    pub fn name(&self) -> &'static str {
        self.id.split_once('/').map_or(self.id, |(_, name)| name)
    }

    pub fn docs_url(&self) -> String {
        format!("{DOCS_BASE}/{}/{}.md", self.kind(), self.name())
    }
}

/// Where the generated rule reference lives.
pub const DOCS_BASE: &str = "https://github.com/tollgate-dev/tollgate/blob/main/docs/rules";

/// Implemented by `declare_rule!`: the metadata known at compile time.
pub trait Declared {
    const META: RuleMeta;
}

/// Where diagnostics go.
pub type Sink = Vec<Diagnostic>;

/// A check. Rules report facts (span, message, help); the engine stamps rule id, configured level
/// and location. A rule is also its configuration: options deserialize into the rule struct.
pub trait Rule: Send + Sync + std::fmt::Debug {
    fn meta(&self) -> &'static RuleMeta;

    /// Checks one parsed file; runs in parallel over files.
    fn check_file(&self, _file: FileId, _project: &Project, _sink: &mut Sink) {}

    /// Checks cross-file state (an ordered migration set, say); runs once per scan.
    fn check_project(&self, _project: &Project, _sink: &mut Sink) {}
}

/// Declares a rule struct and its metadata. The doc comment is the rule's documentation: its first
/// line should repeat the summary, followed by `## Why it matters`, `## Violating example`,
/// `## Compliant example`, `## Options` and `## References` sections.
///
/// Rules with options write their fields (with `///` docs) and an `impl Default`; rules without
/// options use an empty body and get `Default` derived.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        $vis:vis struct $name:ident {}
        id: $id:literal,
        level: $level:ident,
        summary: $summary:literal $(,)?
    ) => {
        $(#[doc = $doc])+
        #[derive(Debug, Default, Clone, serde::Deserialize)]
        #[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
        $vis struct $name {}
        $crate::declare_rule!(@meta $name, $id, $level, $summary, $($doc)+);
    };
    (
        $(#[doc = $doc:literal])+
        $vis:vis struct $name:ident { $($body:tt)+ }
        id: $id:literal,
        level: $level:ident,
        summary: $summary:literal $(,)?
    ) => {
        $(#[doc = $doc])+
        #[derive(Debug, Clone, serde::Deserialize)]
        #[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
        $vis struct $name { $($body)+ }
        $crate::declare_rule!(@meta $name, $id, $level, $summary, $($doc)+);
    };
    (@meta $name:ident, $id:literal, $level:ident, $summary:literal, $($doc:literal)+) => {
        impl $crate::rules::Declared for $name {
            const META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
                id: $id,
                default_level: $crate::finding::RuleLevel::$level,
                summary: $summary,
                docs: concat!($($doc, "\n"),+),
            };
        }
    };
}

/// Builds a rule from its options table (`None`: defaults); `Err` is serde's message.
pub type BuildFn = fn(Option<toml::Value>) -> Result<Box<dyn Rule>, String>;

/// One registry entry: the metadata and a constructor that deserializes the rule's options.
pub struct RuleEntry {
    pub meta: &'static RuleMeta,
    pub build: BuildFn,
}

fn build<R: Rule + DeserializeOwned + Default + 'static>(
    options: Option<toml::Value>,
) -> Result<Box<dyn Rule>, String> {
    match options {
        None => Ok(Box::new(R::default())),
        Some(value) => value
            .try_into::<R>()
            .map(|rule| Box::new(rule) as Box<dyn Rule>)
            .map_err(|e| e.message().to_string()),
    }
}

macro_rules! rule {
    ($ty:path) => {
        RuleEntry {
            meta: &<$ty as Declared>::META,
            build: build::<$ty>,
        }
    };
}

/// Every rule tollgate knows, in display order. One line per rule.
pub static REGISTRY: &[RuleEntry] = &[
    rule!(meta::read_error::ReadError),
    rule!(meta::file_too_large::FileTooLarge),
    rule!(meta::too_many_statements::TooManyStatements),
    rule!(meta::too_many_findings::TooManyFindings),
    rule!(meta::internal_error::InternalError),
    rule!(meta::unused_suppression::UnusedSuppression),
    rule!(meta::invalid_suppression::InvalidSuppression),
    rule!(meta::expired_suppression::ExpiredSuppression),
    rule!(sql::parse_error::ParseError),
    rule!(sql::unparsed_statement::UnparsedStatement),
    rule!(sql::require_rls::RequireRls),
    rule!(docker::parse_error::ParseError),
    rule!(docker::require_non_root_user::RequireNonRootUser),
    rule!(docker::unresolved_user::UnresolvedUser),
    rule!(docker::no_root_after_user::NoRootAfterUser),
    rule!(docker::no_secret_in_env_arg::NoSecretInEnvArg),
    rule!(docker::no_copy_env_file::NoCopyEnvFile),
    rule!(docker::pin_base_image::PinBaseImage),
    rule!(docker::pin_base_image_digest::PinBaseImageDigest),
    rule!(docker::no_add_remote::NoAddRemote),
    rule!(docker::no_curl_pipe_shell::NoCurlPipeShell),
    rule!(docker::no_sudo::NoSudo),
    rule!(docker::no_privileged::NoPrivileged),
    rule!(docker::require_healthcheck::RequireHealthcheck),
    rule!(k8s::parse_error::ParseError),
    rule!(k8s::helm_template::HelmTemplate),
    rule!(k8s::require_run_as_non_root::RequireRunAsNonRoot),
    rule!(k8s::no_privileged::NoPrivileged),
    rule!(k8s::no_privilege_escalation::NoPrivilegeEscalation),
    rule!(k8s::require_read_only_root_fs::RequireReadOnlyRootFs),
    rule!(k8s::drop_capabilities::DropCapabilities),
    rule!(k8s::no_dangerous_capabilities::NoDangerousCapabilities),
    rule!(k8s::no_host_namespaces::NoHostNamespaces),
    rule!(k8s::no_host_path::NoHostPath),
    rule!(k8s::require_seccomp::RequireSeccomp),
    rule!(k8s::require_resources::RequireResources),
    rule!(k8s::pin_image::PinImage),
    rule!(k8s::no_plaintext_secret_env::NoPlaintextSecretEnv),
    rule!(k8s::no_secret_manifest::NoSecretManifest),
    rule!(k8s::require_probes::RequireProbes),
    rule!(k8s::no_default_service_account_token::NoDefaultServiceAccountToken),
];

pub fn lookup(id: &str) -> Option<&'static RuleEntry> {
    REGISTRY.iter().find(|entry| entry.meta.id == id)
}

pub fn meta(id: &str) -> Option<&'static RuleMeta> {
    lookup(id).map(|entry| entry.meta)
}

/// The closest known rule id to `id`, for "did you mean" hints.
pub fn suggest(id: &str) -> Option<&'static str> {
    REGISTRY
        .iter()
        .map(|entry| (strsim::jaro_winkler(id, entry.meta.id), entry.meta.id))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, id)| id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Registry invariants: unique well-formed ids and complete docs for every rule.
    #[test]
    fn registry_is_well_formed() {
        let id_shape =
            regex::Regex::new(r"^(sql|env|docker|k8s|secret|tollgate)/[a-z0-9]+(-[a-z0-9]+)*$")
                .unwrap();
        let mut seen = HashSet::new();
        for entry in REGISTRY {
            let meta = entry.meta;
            assert!(id_shape.is_match(meta.id), "bad rule id {}", meta.id);
            assert!(seen.insert(meta.id), "duplicate rule id {}", meta.id);
            assert!(
                !meta.summary.is_empty() && !meta.summary.ends_with('.'),
                "{}: summary is one line, no period",
                meta.id
            );
            for section in [
                "## Why it matters",
                "## Violating example",
                "## Compliant example",
                "## Options",
            ] {
                assert!(
                    meta.docs.contains(section),
                    "{} docs lack `{section}`",
                    meta.id
                );
            }
            assert!(
                (entry.build)(None).is_ok(),
                "{} must build with default options",
                meta.id
            );
        }
    }

    #[test]
    fn suggestions_find_near_misses() {
        assert_eq!(suggest("sql/require-rsl"), Some("sql/require-rls"));
        assert_eq!(suggest("zzz"), None);
    }
}
