//! The rule framework: the [`Rule`] trait, the `declare_rule!` macro that captures a rule's doc comment
//! as its documentation, and [`REGISTRY`], the one list of every rule.
//!
//! Adding a rule: write one file under `rules/<kind>/` with `declare_rule!` and `impl Rule`, then add
//! one `rule!(...)` line to [`REGISTRY`].

use serde::de::DeserializeOwned;

use crate::document::Project;
use crate::finding::{Diagnostic, FileId, RuleLevel};

pub mod docker;
pub mod env;
pub mod k8s;
pub mod meta;
pub mod secret;
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

    /// Compiles what the options describe (globs, regexes) once, when the policy is loaded; an
    /// invalid option is a policy error pointing into the TOML, never a per-file surprise.
    fn prepare(&mut self) -> Result<(), String> {
        Ok(())
    }
}

/// Compiles one option's globs; the error names the option and the bad glob.
pub fn compile_globs(option: &str, patterns: &[String]) -> Result<globset::GlobSet, String> {
    let mut builder = globset::GlobSetBuilder::new();
    for pattern in patterns {
        let glob = globset::Glob::new(pattern)
            .map_err(|e| format!("`{option}`: invalid glob `{pattern}`: {}", e.kind()))?;
        builder.add(glob);
    }
    builder
        .build()
        .map_err(|e| format!("`{option}`: cannot compile the globs: {e}"))
}

/// Compiles one option's regex; the error names the option and what is wrong with it.
pub fn compile_regex(option: &str, pattern: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(pattern).map_err(|e| match e {
        regex::Error::Syntax(detail) => format!(
            "`{option}`: invalid regex: {}",
            detail
                .lines()
                .last()
                .unwrap_or_default()
                .trim()
                .trim_start_matches("error: ")
        ),
        other => format!("`{option}`: invalid regex: {other}"),
    })
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
        #[derive(Debug, Default, Clone, serde::Deserialize, schemars::JsonSchema)]
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
        #[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
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

/// The JSON Schema of a rule's options table, generated from the rule struct (schemars).
pub type OptionsSchemaFn = fn(&mut schemars::SchemaGenerator) -> schemars::Schema;

/// One registry entry: the metadata, a constructor that deserializes and prepares the rule's
/// options, and their schema.
pub struct RuleEntry {
    pub meta: &'static RuleMeta,
    pub build: BuildFn,
    pub options_schema: OptionsSchemaFn,
}

fn build<R: Rule + DeserializeOwned + Default + 'static>(
    options: Option<toml::Value>,
) -> Result<Box<dyn Rule>, String> {
    let mut rule = match options {
        None => R::default(),
        Some(value) => value.try_into::<R>().map_err(|e| e.message().to_string())?,
    };
    rule.prepare()?;
    Ok(Box::new(rule))
}

macro_rules! rule {
    ($ty:path) => {
        RuleEntry {
            meta: &<$ty as Declared>::META,
            build: build::<$ty>,
            options_schema: <$ty as schemars::JsonSchema>::json_schema,
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
    rule!(sql::rls_disabled::RlsDisabled),
    rule!(sql::require_policy::RequirePolicy),
    rule!(sql::policy_without_rls::PolicyWithoutRls),
    rule!(sql::permissive_policy::PermissivePolicy),
    rule!(sql::anon_write_policy::AnonWritePolicy),
    rule!(sql::grant_without_rls::GrantWithoutRls),
    rule!(sql::security_definer_search_path::SecurityDefinerSearchPath),
    rule!(sql::security_definer_view::SecurityDefinerView),
    rule!(sql::definer_function_executable::DefinerFunctionExecutable),
    rule!(sql::plaintext_credential_column::PlaintextCredentialColumn),
    rule!(sql::sensitive_columns_exposed::SensitiveColumnsExposed),
    rule!(sql::auth_users_exposed::AuthUsersExposed),
    rule!(sql::extension_in_public::ExtensionInPublic),
    rule!(sql::api_relation_without_rls::ApiRelationWithoutRls),
    rule!(sql::policy_trusts_user_metadata::PolicyTrustsUserMetadata),
    rule!(sql::public_bucket_listing::PublicBucketListing),
    rule!(sql::auth_function_per_row::AuthFunctionPerRow),
    rule!(sql::literal_secret::LiteralSecret),
    rule!(sql::require_rollback::RequireRollback),
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
    rule!(env::parse_error::ParseError),
    rule!(env::duplicate_key::DuplicateKey),
    rule!(env::no_committed_env_file::NoCommittedEnvFile),
    rule!(env::no_secret_value::NoSecretValue),
    rule!(env::no_public_secret::NoPublicSecret),
    rule!(env::require_documented_vars::RequireDocumentedVars),
    rule!(env::secret_ref_format::SecretRefFormat),
    rule!(secret::no_plaintext_secret::NoPlaintextSecret),
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

    /// The options a rule documents are exactly the ones its type accepts (the JSON Schema of
    /// `tollgate.toml` comes from the type, `tollgate explain` from the docs).
    #[test]
    fn documented_options_match_the_option_types() {
        let mut generator = schemars::SchemaGenerator::default();
        for entry in REGISTRY {
            let schema = (entry.options_schema)(&mut generator).to_value();
            let mut typed: Vec<String> = schema["properties"]
                .as_object()
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            typed.sort();
            let mut documented: Vec<String> = crate::docs::options(entry.meta)
                .into_iter()
                .map(|(name, _)| name)
                .collect();
            documented.sort();
            assert_eq!(
                typed, documented,
                "{}: options in the type vs the docs",
                entry.meta.id
            );
        }
    }

    #[test]
    fn invalid_globs_and_regexes_fail_at_build_naming_the_option() {
        let build = |id: &str, options: &str| {
            let entry = lookup(id).unwrap();
            (entry.build)(Some(toml::from_str(options).unwrap())).map(|_| ())
        };
        let err = build("sql/require-rls", "exempt-tables = [\"public.[oops\"]").unwrap_err();
        assert!(
            err.contains("`exempt-tables`: invalid glob `public.[oops`"),
            "{err}"
        );
        let err = build("env/secret-ref-format", "pattern = \"^(tenant\"").unwrap_err();
        assert!(err.starts_with("`pattern`: invalid regex"), "{err}");
        let err = build("docker/no-copy-env-file", "allowed = [\"a{b\"]").unwrap_err();
        assert!(err.contains("`allowed`: invalid glob"), "{err}");
        let err = build(
            "docker/require-non-root-user",
            "extra-non-root-images = [\"[\"]",
        )
        .unwrap_err();
        assert!(err.contains("invalid glob `[`"), "{err}");
        assert!(build("env/secret-ref-format", "pattern = \"^t\\\\.x$\"").is_ok());
    }

    #[test]
    fn suggestions_find_near_misses() {
        assert_eq!(suggest("sql/require-rsl"), Some("sql/require-rls"));
        assert_eq!(suggest("zzz"), None);
    }
}
