//! Detector definitions in gitleaks' TOML shape, and their compiled form.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::Regex;
use serde::Deserialize;

/// A detector file: `[[rules]]` plus an optional global `[allowlist]` (gitleaks' layout).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Free-form title (gitleaks).
    #[expect(dead_code, reason = "accepted so gitleaks configs load unchanged")]
    #[serde(default)]
    pub title: Option<String>,
    /// gitleaks' `[extend]` table; accepted for compatibility, built-ins are always loaded.
    #[expect(dead_code, reason = "accepted so gitleaks configs load unchanged")]
    #[serde(default)]
    pub extend: Option<toml::Value>,
    /// Global allowlist, applied to every rule.
    #[serde(default)]
    pub allowlist: Option<RawAllowlist>,
    /// Global allowlists (gitleaks ≥ 8.25 spelling).
    #[serde(default)]
    pub allowlists: Vec<RawAllowlist>,
    #[serde(default)]
    pub rules: Vec<RawRule>,
}

/// One `[[rules]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawRule {
    pub id: String,
    #[serde(default)]
    pub description: String,
    /// Regex over the text; without it the rule only matches paths (not supported: skipped).
    #[serde(default)]
    pub regex: Option<String>,
    /// Capture group holding the secret; 0 or absent means the first group, else the whole match.
    #[serde(default)]
    pub secret_group: Option<usize>,
    /// Minimum Shannon entropy of the secret, in bits per character.
    #[serde(default)]
    pub entropy: Option<f64>,
    /// Lowercase words of which one must occur (case-insensitively) for the rule to run.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Regex a file path must match for the rule to apply.
    #[serde(default)]
    pub path: Option<String>,
    #[expect(dead_code, reason = "accepted so gitleaks configs load unchanged")]
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub allowlist: Option<RawAllowlist>,
    #[serde(default)]
    pub allowlists: Vec<RawAllowlist>,
    /// tollgate extension: structural validation (`jwt`, `jwt-service-role`, `db-url`, `generic`).
    #[serde(default)]
    pub validate: Option<String>,
    /// tollgate extension: capture group holding the variable name, for `validate = "generic"`.
    #[serde(default)]
    pub key_group: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawAllowlist {
    #[expect(dead_code, reason = "accepted so gitleaks configs load unchanged")]
    #[serde(default)]
    pub description: Option<String>,
    /// `secret` (default), `match` or `line`.
    #[serde(default)]
    pub regex_target: Option<String>,
    #[serde(default)]
    pub regexes: Vec<String>,
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub stopwords: Vec<String>,
    #[expect(dead_code, reason = "accepted so gitleaks configs load unchanged")]
    #[serde(default)]
    pub commits: Vec<String>,
    /// `OR` (default) or `AND`; tollgate treats every allowlist as `OR`.
    #[expect(dead_code, reason = "accepted so gitleaks configs load unchanged")]
    #[serde(default)]
    pub condition: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid detector file: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("detector `{id}`: invalid {what} regex: {source}")]
    Regex {
        id: String,
        what: &'static str,
        #[source]
        source: Box<regex::Error>,
    },
    #[error(
        "detector `{id}`: unknown validate `{value}` (expected jwt, jwt-service-role, db-url, basic-auth or generic)"
    )]
    Validate { id: String, value: String },
    #[error("detector `{id}`: {message}")]
    Invalid { id: String, message: String },
}

/// Structural checks regexes cannot express.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validate {
    None,
    /// A JWT whose claims decode; Supabase `anon` keys and documented samples are public.
    Jwt,
    /// A JWT whose `role` claim is `service_role`.
    JwtServiceRole,
    /// A URL whose password is not a placeholder nor a local-only default.
    DbUrl,
    /// Base64 `user:password` whose password is not a placeholder.
    BasicAuth,
    /// A random-looking value under a secret-named key.
    Generic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegexTarget {
    Secret,
    Match,
    Line,
}

#[derive(Debug)]
pub struct Allowlist {
    pub target: RegexTarget,
    pub regexes: Vec<Regex>,
    pub paths: Vec<Regex>,
    /// Lowercased.
    pub stopwords: Vec<String>,
}

#[derive(Debug)]
pub struct Detector {
    pub id: &'static str,
    pub description: &'static str,
    pub regex: Regex,
    pub secret_group: Option<usize>,
    pub key_group: Option<usize>,
    pub entropy: Option<f64>,
    pub path: Option<Regex>,
    pub allowlists: Vec<Allowlist>,
    pub validate: Validate,
    pub has_keywords: bool,
}

/// A compiled detector set: the rules, and one Aho–Corasick automaton over all their keywords.
#[derive(Debug)]
pub struct Compiled {
    pub detectors: Vec<Detector>,
    pub global: Vec<Allowlist>,
    pub keywords: Option<AhoCorasick>,
    /// For each keyword pattern, the detectors it enables.
    pub keyword_detectors: Vec<Vec<usize>>,
}

fn compile_regex(id: &str, what: &'static str, pattern: &str) -> Result<Regex, ConfigError> {
    // ASCII classes compile an order of magnitude faster than Unicode ones and every credential
    // format is ASCII; patterns that need Unicode (e.g. `.` over any char) fall back to it.
    let build = |unicode: bool| {
        regex::RegexBuilder::new(pattern)
            .unicode(unicode)
            .size_limit(1 << 24)
            .build()
    };
    build(false)
        .or_else(|_| build(true))
        .map_err(|source| ConfigError::Regex {
            id: id.to_string(),
            what,
            source: Box::new(source),
        })
}

fn compile_allowlist(id: &str, raw: RawAllowlist) -> Result<Allowlist, ConfigError> {
    let target = match raw.regex_target.as_deref() {
        None | Some("secret") => RegexTarget::Secret,
        Some("match") => RegexTarget::Match,
        Some("line") => RegexTarget::Line,
        Some(other) => {
            return Err(ConfigError::Invalid {
                id: id.to_string(),
                message: format!("unknown regexTarget `{other}`"),
            });
        }
    };
    Ok(Allowlist {
        target,
        regexes: raw
            .regexes
            .iter()
            .map(|r| compile_regex(id, "allowlist", r))
            .collect::<Result<_, _>>()?,
        paths: raw
            .paths
            .iter()
            .map(|r| compile_regex(id, "allowlist path", r))
            .collect::<Result<_, _>>()?,
        stopwords: raw.stopwords.iter().map(|s| s.to_lowercase()).collect(),
    })
}

/// Interns a string for the life of the process. Detector sets are built once per run (built-ins
/// at first use, user files at policy load), so this is bounded.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

impl RawConfig {
    pub fn parse(text: &str) -> Result<RawConfig, ConfigError> {
        Ok(toml::from_str(text)?)
    }

    pub fn compile(self) -> Result<Compiled, ConfigError> {
        let mut global = Vec::new();
        for raw in self.allowlist.into_iter().chain(self.allowlists) {
            global.push(compile_allowlist("<global>", raw)?);
        }
        let mut detectors = Vec::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut keyword_detectors: Vec<Vec<usize>> = Vec::new();
        for raw in self.rules {
            // Path-only gitleaks rules flag files by name; tollgate scans contents only.
            let Some(pattern) = raw.regex.as_deref() else {
                continue;
            };
            let regex = compile_regex(&raw.id, "rule", pattern)?;
            let validate = match raw.validate.as_deref() {
                None => Validate::None,
                Some("jwt") => Validate::Jwt,
                Some("jwt-service-role") => Validate::JwtServiceRole,
                Some("db-url") => Validate::DbUrl,
                Some("generic") => Validate::Generic,
                Some("basic-auth") => Validate::BasicAuth,
                Some(other) => {
                    return Err(ConfigError::Validate {
                        id: raw.id,
                        value: other.to_string(),
                    });
                }
            };
            let groups = regex.captures_len();
            for (name, group) in [
                ("secretGroup", raw.secret_group),
                ("keyGroup", raw.key_group),
            ] {
                if group.is_some_and(|g| g >= groups) {
                    return Err(ConfigError::Invalid {
                        id: raw.id,
                        message: format!(
                            "{name} exceeds the regex's {} capture groups",
                            groups - 1
                        ),
                    });
                }
            }
            if validate == Validate::DbUrl && groups < 4 {
                return Err(ConfigError::Invalid {
                    id: raw.id,
                    message: "validate = \"db-url\" needs groups (user, password, host)".into(),
                });
            }
            let mut allowlists = Vec::new();
            for list in raw.allowlist.into_iter().chain(raw.allowlists) {
                allowlists.push(compile_allowlist(&raw.id, list)?);
            }
            let index = detectors.len();
            for keyword in &raw.keywords {
                let keyword = keyword.to_lowercase();
                match patterns.iter().position(|p| *p == keyword) {
                    Some(p) => keyword_detectors[p].push(index),
                    None => {
                        patterns.push(keyword);
                        keyword_detectors.push(vec![index]);
                    }
                }
            }
            detectors.push(Detector {
                id: leak(raw.id),
                description: leak(raw.description),
                regex,
                secret_group: raw
                    .secret_group
                    .filter(|&g| g > 0)
                    .or((groups > 1).then_some(1)),
                key_group: raw.key_group,
                entropy: raw.entropy,
                path: raw
                    .path
                    .as_deref()
                    .map(|p| compile_regex("path", "path", p))
                    .transpose()?,
                allowlists,
                validate,
                has_keywords: !raw.keywords.is_empty(),
            });
        }
        let keywords = if patterns.is_empty() {
            None
        } else {
            Some(
                // A full DFA: the overlapping keyword search runs over every byte of every file,
                // and the DFA is the fastest automaton for it (small: a few hundred keywords).
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&patterns)
                    .map_err(|e| ConfigError::Invalid {
                        id: "<keywords>".into(),
                        message: e.to_string(),
                    })?,
            )
        };
        Ok(Compiled {
            detectors,
            global,
            keywords,
            keyword_detectors,
        })
    }
}
